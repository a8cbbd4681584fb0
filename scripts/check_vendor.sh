#!/usr/bin/env bash
# CI guard for the vendored crates (vendor/README.md): every vendor/CRATE.patch names one. Fails
# (exit 1, saying which crate, which check and why) unless, for each, all of these hold:
#
#  1. vendor/CRATE is exactly what scripts/vendor-crate.sh writes for its version: the published
#     crate, its sha256 checked against the crates.io index, with vendor/CRATE.patch applied
#     without fuzz, trimmed the same way (scripts/lib_vendor.sh is the one definition both
#     scripts use). Any byte changed, file added or removed fails.
#  2. Cargo resolves CRATE from vendor/CRATE and nowhere else (`cargo metadata`): a newer
#     dependent that needs a newer CRATE makes Cargo ignore [patch.crates-io] with only a
#     warning, and the server then runs the published crate.
#  3. Cargo.lock records no unused patch ([[patch.unused]]).
#  4. `cargo build` does not print "Patch `CRATE ...` was not used in the crate graph".
#
#   scripts/check_vendor.sh
#
# Needs curl, python3, patch, tar, sha256sum, cargo, and crates.io (index.crates.io and
# static.crates.io). The build is the debug build `cargo test` makes anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib_vendor.sh
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=()
fail() {
  echo "check_vendor: FAIL: $*" >&2
  failures+=("$1")
}

crates=()
for p in vendor/*.patch; do
  crates+=("$(basename "$p" .patch)")
done
[ ${#crates[@]} -gt 0 ] || vendor_die "no vendor/*.patch: nothing is vendored, so [patch.crates-io] should be empty too"

if ! cargo metadata --locked --format-version 1 >"$tmp/metadata.json" 2>"$tmp/metadata.err"; then
  cat "$tmp/metadata.err" >&2
  fail "cargo metadata --locked failed (is Cargo.lock up to date?)"
fi
echo "check_vendor: building once for check 4" >&2
build_ok=1
cargo build --locked >"$tmp/build.log" 2>&1 || build_ok=
grep -v '^ *Compiling ' "$tmp/build.log" >&2 || true
[ -n "$build_ok" ] || fail "cargo build --locked failed"

for name in "${crates[@]}"; do
  vendored=vendor/$name
  if [ ! -f "$vendored/Cargo.toml" ]; then
    fail "$vendored/Cargo.toml is missing (vendor/$name.patch names it)"
    continue
  fi
  version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' "$vendored/Cargo.toml")

  echo "check_vendor: $name 1. $vendored against the published $name $version plus vendor/$name.patch" >&2
  vendor_download "$name" "$version" "$tmp/$name.crate"
  mkdir "$tmp/unpacked-$name"
  vendor_build "$name" "$version" "$tmp/$name.crate" "vendor/$name.patch" "$tmp/unpacked-$name" "$tmp/expected-$name"
  if ! diff -r -q "$tmp/expected-$name" "$vendored" >"$tmp/differs"; then
    sed -e "s#$tmp/expected-$name#upstream+patch#g" "$tmp/differs" >&2
    diff -r -u "$tmp/expected-$name" "$vendored" | sed -e "s#$tmp/expected-$name#upstream+patch#g" | head -n 60 >&2 || true
    fail "$vendored differs from $name $version + vendor/$name.patch ($(wc -l <"$tmp/differs") files; above). Re-vendor with scripts/vendor-crate.sh $name $version, or put the change into vendor/$name.patch"
  fi

  echo "check_vendor: $name 2. Cargo resolves $name from $vendored" >&2
  if [ -s "$tmp/metadata.json" ] && ! python3 - "$tmp/metadata.json" "$root/$vendored/Cargo.toml" "$version" "$name" <<'PY' >&2; then
import json, os, sys
meta = json.load(open(sys.argv[1]))
want = os.path.realpath(sys.argv[2])
found = [p for p in meta["packages"] if p["name"] == sys.argv[4]]
ok = len(found) == 1 and found[0]["source"] is None \
    and os.path.realpath(found[0]["manifest_path"]) == want and found[0]["version"] == sys.argv[3]
for p in found:
    print(f"  {p['name']} {p['version']} from {p['source'] or p['manifest_path']}")
sys.exit(0 if ok else 1)
PY
    fail "Cargo does not resolve $name (only) from $vendored: [patch.crates-io] is unused, so the server would run the published crate without the patch"
  fi
  if grep -i "patch .*$name.* was not used" "$tmp/metadata.err" >&2; then
    fail "cargo metadata warns that the $name patch is unused"
  fi

  echo "check_vendor: $name 4. cargo build does not say the patch is unused" >&2
  if grep -i "patch .*$name.* was not used" "$tmp/build.log" >&2; then
    fail "cargo build says the $name patch was not used"
  fi
done

echo "check_vendor: 3. Cargo.lock records no unused patch" >&2
if grep -n -A3 '^\[\[patch\.unused\]\]' Cargo.lock >&2; then
  fail "Cargo.lock has [[patch.unused]]: Cargo ignored [patch.crates-io]"
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "check_vendor: ${#failures[@]} check(s) failed; vendor/README.md says how to re-vendor" >&2
  exit 1
fi
echo "check_vendor: ok: ${crates[*]}: each the published crate (sha256 from the crates.io index) + vendor/CRATE.patch, and Cargo uses it" >&2
