#!/usr/bin/env bash
# CI guard for the vendored actix-http (vendor/README.md). Fails (exit 1, saying which check and
# why) unless all of these hold:
#
#  1. vendor/actix-http is exactly what scripts/vendor-actix-http.sh writes for its version: the
#     published crate, its sha256 checked against the crates.io index, with
#     vendor/actix-http.patch applied without fuzz, trimmed the same way (scripts/lib_vendor.sh is
#     the one definition both scripts use). Any byte changed, file added or removed fails.
#  2. Cargo resolves actix-http from vendor/actix-http and nowhere else (`cargo metadata`): a
#     newer actix-web that needs a newer actix-http makes Cargo ignore [patch.crates-io] with
#     only a warning, and the server then runs the published crate.
#  3. Cargo.lock records no unused patch ([[patch.unused]]).
#  4. `cargo build` does not print "Patch `actix-http ...` was not used in the crate graph".
#
#   scripts/check_vendor.sh
#
# Needs curl, python3, patch, tar, sha256sum, cargo, and crates.io (index.crates.io and
# static.crates.io). The build is the debug build `cargo test` makes anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib_vendor.sh
root=$PWD
vendored=vendor/actix-http
[ -f "$vendored/Cargo.toml" ] || vendor_die "$vendored/Cargo.toml is missing"
version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$vendored/Cargo.toml")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=()
fail() {
  echo "check_vendor: FAIL: $*" >&2
  failures+=("$1")
}

echo "check_vendor: 1. $vendored against the published actix-http $version plus vendor/actix-http.patch" >&2
vendor_download "$version" "$tmp/actix-http.crate"
mkdir "$tmp/unpacked"
vendor_build "$version" "$tmp/actix-http.crate" vendor/actix-http.patch "$tmp/unpacked" "$tmp/expected"
if ! diff -r -q "$tmp/expected" "$vendored" >"$tmp/differs"; then
  sed -e "s#$tmp/expected#upstream+patch#g" "$tmp/differs" >&2
  diff -r -u "$tmp/expected" "$vendored" | sed -e "s#$tmp/expected#upstream+patch#g" | head -n 60 >&2 || true
  fail "$vendored differs from actix-http $version + vendor/actix-http.patch ($(wc -l <"$tmp/differs") files; above). Re-vendor with scripts/vendor-actix-http.sh $version, or put the change into vendor/actix-http.patch"
fi

echo "check_vendor: 2. Cargo resolves actix-http from $vendored" >&2
if cargo metadata --locked --format-version 1 >"$tmp/metadata.json" 2>"$tmp/metadata.err"; then
  if ! python3 - "$tmp/metadata.json" "$root/$vendored/Cargo.toml" "$version" <<'PY' >&2; then
import json, os, sys
meta = json.load(open(sys.argv[1]))
want = os.path.realpath(sys.argv[2])
found = [p for p in meta["packages"] if p["name"] == "actix-http"]
ok = len(found) == 1 and found[0]["source"] is None \
    and os.path.realpath(found[0]["manifest_path"]) == want and found[0]["version"] == sys.argv[3]
for p in found:
    print(f"  actix-http {p['version']} from {p['source'] or p['manifest_path']}")
sys.exit(0 if ok else 1)
PY
    fail "Cargo does not resolve actix-http (only) from $vendored: [patch.crates-io] is unused, so the server would run the published crate without the patch"
  fi
else
  cat "$tmp/metadata.err" >&2
  fail "cargo metadata --locked failed (is Cargo.lock up to date?)"
fi
if grep -i 'patch .*actix-http.* was not used' "$tmp/metadata.err" >&2; then
  fail "cargo metadata warns that the actix-http patch is unused"
fi

echo "check_vendor: 3. Cargo.lock records no unused patch" >&2
if grep -n -A3 '^\[\[patch\.unused\]\]' Cargo.lock >&2; then
  fail "Cargo.lock has [[patch.unused]]: Cargo ignored [patch.crates-io]"
fi

echo "check_vendor: 4. cargo build does not say the patch is unused" >&2
build_ok=1
cargo build --locked >"$tmp/build.log" 2>&1 || build_ok=
grep -v '^ *Compiling ' "$tmp/build.log" >&2 || true
[ -n "$build_ok" ] || fail "cargo build --locked failed"
if grep -i 'patch .*actix-http.* was not used' "$tmp/build.log" >&2; then
  fail "cargo build says the actix-http patch was not used"
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "check_vendor: ${#failures[@]} check(s) failed; vendor/README.md says how to re-vendor" >&2
  exit 1
fi
echo "check_vendor: ok: $vendored is actix-http $version (sha256 from the crates.io index) + vendor/actix-http.patch, and Cargo uses it" >&2
