#!/usr/bin/env bash
# Rebuilds vendor/CRATE: CRATE VERSION as published on crates.io, with vendor/CRATE.patch applied
# (vendor/README.md says which crates are carried and what each patch fixes).
#
#   scripts/vendor-crate.sh actix-http 3.20.0
#   scripts/vendor-crate.sh lettre 0.11.23
#
# The download is refused unless its sha256 is the `cksum` the crates.io index records for that
# version (scripts/lib_vendor.sh, shared with scripts/check_vendor.sh, which CI runs to see that
# each vendor/CRATE is still exactly what this script writes).
#
# Run it to take a release (security fixes included): if the patch no longer applies, `patch`
# says where, and the crate's Cargo.toml [patch.crates-io] entry can simply be removed to go back
# to the published crate (at the cost of what the patch fixes).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib_vendor.sh
name=${1:?usage: scripts/vendor-crate.sh CRATE VERSION}
version=${2:?usage: scripts/vendor-crate.sh CRATE VERSION}
[ -f "vendor/$name.patch" ] || vendor_die "vendor/$name.patch is missing: write the patch first (vendor/README.md, Upkeep)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vendor_download "$name" "$version" "$tmp/$name.crate"
mkdir "$tmp/unpacked"
vendor_build "$name" "$version" "$tmp/$name.crate" "vendor/$name.patch" "$tmp/unpacked" "$tmp/tree"
rm -rf "vendor/$name"
cp -r "$tmp/tree" "vendor/$name"
echo "vendor/$name: $name $version with vendor/$name.patch"
