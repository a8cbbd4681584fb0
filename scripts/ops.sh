#!/usr/bin/env bash
# Operations checks against the real binary (issue 12), with independent tools:
#   - /metrics parsed by prometheus_client's own text-format parser (pip prometheus-client);
#   - /healthz and /readyz answer, and SIGTERM stops the server with exit 0 within 10 s;
#   - `wirefeed backup` of the running server's database is a database `check` accepts;
#   - `cargo install --path .` installs a working binary (reusing target/, so it is quick);
#   - deploy/wirefeed.service passes `systemd-analyze verify` (a missing systemd-analyze is a
#     failure, never a skip: CI must not pass without having verified the unit).
#
#   scripts/ops.sh [BIN]    BIN defaults to target/debug/wirefeed
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/wirefeed}
[[ "$bin" == /* ]] || bin=$PWD/$bin
# shellcheck source=lib.sh
. scripts/lib.sh
die() { echo "ops: FAIL: $*" >&2; exit 1; }
python3 -c 'import prometheus_client' 2>/dev/null || die "needs python3 -m pip install prometheus-client"
command -v systemd-analyze >/dev/null || die "needs systemd-analyze (apt-get install systemd) to verify deploy/wirefeed.service"

start_server
for path in /feeds/all.rss /feeds/security.atom /feeds/security.atom "/search?q=frontera" /nope; do
  curl -s -o /dev/null "$base$path"
done
[ "$(curl -s "$base/healthz")" = ok ] || die "/healthz is not ok"
[ "$(curl -s "$base/readyz")" = ready ] || die "/readyz is not ready"
curl -sf "$base/metrics" > "$work/metrics.txt" || die "GET /metrics failed"
python3 - "$work/metrics.txt" <<'PY' || die "prometheus_client does not accept /metrics"
import sys
from prometheus_client.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
def value(name, **labels):
    for f in families.values():
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    raise SystemExit(f"no sample {name} {labels}")
assert families["wirefeed_http_request_duration_seconds"].type == "histogram"
assert value("wirefeed_http_requests_total", route="feed", status="200") == 3, "three feed 200s"
assert value("wirefeed_http_requests_total", route="other", status="404") == 1
assert value("wirefeed_page_cache_hits_total") >= 1
assert value("wirefeed_articles") > 0
print(f"ops: /metrics parsed by prometheus_client: {len(families)} families, "
      f"{sum(len(f.samples) for f in families.values())} samples")
PY

"$bin" --config "$config" --database "$work/wirefeed.db" backup "$work/copy.db" || die "backup failed"
"$bin" --config "$config" --database "$work/copy.db" check >/dev/null || die "the backup does not pass check"

t0=$(date +%s.%N)
kill -TERM "$pid"
code=0; wait "$pid" || code=$?
took=$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")
[ "$code" = 0 ] || die "exit status $code after SIGTERM"
python3 -c "import sys; sys.exit(0 if $took < 10 else 1)" || die "SIGTERM took $took s"
echo "ops: SIGTERM: exit 0 in $took s"

root=$(mktemp -d)
cargo install --quiet --path . --debug --locked --target-dir target --root "$root" || die "cargo install --path . failed"
"$root/bin/wirefeed" --config "$config" check >/dev/null 2>&1 || true
"$root/bin/wirefeed" --help | grep -q backup || die "the installed binary does not run"
rm -rf "$root"
echo "ops: cargo install --path . works"

# The binary is not installed at /usr/local/bin here: that one complaint is expected.
out=$(systemd-analyze verify deploy/wirefeed.service 2>&1 | grep -v "is not executable: No such file" || true)
[ -z "$out" ] || die "systemd-analyze verify deploy/wirefeed.service: $out"
echo "ops: systemd-analyze verify deploy/wirefeed.service: no complaint"
echo "ops: systemd-analyze security: $(systemd-analyze security --offline=true deploy/wirefeed.service 2>/dev/null | tail -1)"
echo "ops: all passed"
