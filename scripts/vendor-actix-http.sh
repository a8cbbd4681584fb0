#!/usr/bin/env bash
# Rebuilds vendor/actix-http: actix-http VERSION as published on crates.io, with
# vendor/actix-http.patch applied (large response bodies are written to the socket with the head
# in one vectored write instead of being copied into the write buffer first, and each pipelined
# answer is framed by its own request; see vendor/README.md).
#
#   scripts/vendor-actix-http.sh 3.20.0
#
# Run it to take an actix-http release (security fixes included): if the patch no longer applies,
# `patch` says where, and Cargo.toml's [patch.crates-io] entry can simply be removed to go back
# to the published crate (at the cost of the copy and of the pipelining fix).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/vendor-actix-http.sh VERSION}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -sfL "https://static.crates.io/crates/actix-http/actix-http-$version.crate" | tar -xz -C "$tmp"
src=$tmp/actix-http-$version
patch --quiet -d "$src" -p1 < vendor/actix-http.patch
rm -rf vendor/actix-http
mkdir -p vendor/actix-http
cp -r "$src/src" "$src/LICENSE-MIT" "$src/LICENSE-APACHE" "$src/README.md" "$src/CHANGES.md" vendor/actix-http/
# The crate's own examples, tests and benchmarks are not vendored: drop their manifest entries
# (and the dev-dependencies only they use) so the manifest names no missing file.
python3 - "$src/Cargo.toml" vendor/actix-http/Cargo.toml <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sections = re.split(r"(?m)^(?=\[)", text)
dropped = re.compile(r"\[\[(example|test|bench)\]\]|\[dev-dependencies[.\]]")
kept = [s for s in sections if not dropped.match(s)]
open(sys.argv[2], "w").write("".join(kept))
PY
echo "vendor/actix-http: actix-http $version with vendor/actix-http.patch"
