#!/usr/bin/env bash
# Rebuilds vendor/actix-http: actix-http VERSION as published on crates.io, with
# vendor/actix-http.patch applied (large response bodies are written to the socket with the head
# in one vectored write instead of being copied into the write buffer first, and each pipelined
# answer is framed by its own request; see vendor/README.md).
#
#   scripts/vendor-actix-http.sh 3.20.0
#
# The download is refused unless its sha256 is the `cksum` the crates.io index records for that
# version (scripts/lib_vendor.sh, shared with scripts/check_vendor.sh, which CI runs to see that
# vendor/actix-http is still exactly what this script writes).
#
# Run it to take an actix-http release (security fixes included): if the patch no longer applies,
# `patch` says where, and Cargo.toml's [patch.crates-io] entry can simply be removed to go back
# to the published crate (at the cost of the copy and of the pipelining fix).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib_vendor.sh
version=${1:?usage: scripts/vendor-actix-http.sh VERSION}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vendor_download "$version" "$tmp/actix-http.crate"
mkdir "$tmp/unpacked"
vendor_build "$version" "$tmp/actix-http.crate" vendor/actix-http.patch "$tmp/unpacked" "$tmp/tree"
rm -rf vendor/actix-http
cp -r "$tmp/tree" vendor/actix-http
echo "vendor/actix-http: actix-http $version with vendor/actix-http.patch"
