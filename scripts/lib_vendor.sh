# shellcheck shell=bash
# Sourced by scripts/vendor-crate.sh (which writes vendor/CRATE) and scripts/check_vendor.sh
# (which rebuilds each vendored crate in a temporary folder and compares): the one definition of
# "CRATE VERSION as published, checked against the registry, with vendor/CRATE.patch applied,
# trimmed the way this repository carries it". vendor/README.md says which crates and why.
#
# The crate and the registry's word on it come from crates.io. For testing that a mismatch is
# refused, <CRATE>_CRATE_URL and <CRATE>_INDEX_URL (the crate's name in capitals, `-` as `_`:
# ACTIX_HTTP_CRATE_URL, LETTRE_INDEX_URL) replace the two addresses (curl reads file://
# addresses too); nothing can replace the comparison itself.

vendor_die() {
  echo "vendor: $*" >&2
  exit 1
}

# vendor_env CRATE SUFFIX: the value of the override variable <CRATE>_<SUFFIX>, or nothing.
vendor_env() {
  local name
  name=$(tr 'a-z-' 'A-Z_' <<<"$1")_$2
  printf '%s' "${!name:-}"
}

# vendor_index_url CRATE: the crate's entry in the sparse crates.io index (names of 4 or more
# characters live under their first two and next two letters).
vendor_index_url() {
  local crate=$1 url
  url=$(vendor_env "$crate" INDEX_URL)
  if [ -z "$url" ]; then
    [ ${#crate} -ge 4 ] || vendor_die "vendor_index_url handles names of 4 or more characters, not $crate"
    url="https://index.crates.io/${crate:0:2}/${crate:2:2}/$crate"
  fi
  printf '%s' "$url"
}

# vendor_index_cksum CRATE VERSION: the sha256 the sparse registry index records for CRATE
# VERSION (the `cksum` Cargo itself checks a download against).
vendor_index_cksum() {
  local crate=$1 version=$2 url index
  url=$(vendor_index_url "$crate")
  index=$(curl -sfL "$url") || vendor_die "cannot read the registry index at $url"
  python3 -c '
import json, re, sys
crate, version = sys.argv[1], sys.argv[2]
found = [e for e in map(json.loads, filter(str.strip, sys.stdin)) if e.get("name") == crate and e.get("vers") == version]
if len(found) != 1:
    sys.exit(f"the index has {len(found)} entries for {crate} {version}")
entry = found[0]
if entry.get("yanked"):
    print(f"vendor: warning: {crate} {version} is yanked on crates.io", file=sys.stderr)
cksum = entry.get("cksum", "")
if not re.fullmatch(r"[0-9a-f]{64}", cksum):
    sys.exit(f"the index entry for {crate} {version} has no sha256 cksum")
print(cksum)
' "$crate" "$version" <<<"$index" || vendor_die "no checksum for $crate $version in $url"
}

# vendor_download CRATE VERSION FILE: downloads the published CRATE VERSION to FILE and refuses
# it (exit 1, FILE removed) unless its sha256 is the index's cksum.
vendor_download() {
  local crate=$1 version=$2 file=$3 expected actual url
  url=$(vendor_env "$crate" CRATE_URL)
  url=${url:-https://static.crates.io/crates/$crate/$crate-$version.crate}
  expected=$(vendor_index_cksum "$crate" "$version") || exit 1
  curl -sfL -o "$file" "$url" || vendor_die "cannot download $url"
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$actual" != "$expected" ]; then
    rm -f "$file"
    vendor_die "checksum mismatch for $crate $version: $url has sha256 $actual, the registry index says $expected; refusing it"
  fi
  echo "vendor: $crate-$version.crate sha256 $actual matches the registry index" >&2
}

# vendor_build CRATE VERSION CRATE_FILE PATCH WORK DEST: unpacks CRATE_FILE in WORK, applies
# PATCH exactly (no fuzz, no backup or reject files, never interactive) and writes the vendored
# tree to DEST (which must not exist): the crate's src/, licences, README and changelog, and its
# Cargo.toml without the examples, tests and benchmarks (and the dev-dependencies only they use),
# which are not vendored. Everything else in the .crate (Cargo.toml.orig, Cargo.lock,
# .cargo_vcs_info.json, examples/, tests/, benches/, ...) is left out.
vendor_build() {
  local name=$1 version=$2 crate=$3 patch_file=$4 work=$5 dest=$6
  local src=$work/$name-$version
  # A .crate is a gzipped tar of one folder, NAME-VERSION/; refuse anything else.
  local listing
  listing=$(tar -tzf "$crate") || vendor_die "$crate is not a gzipped tar"
  if grep -qv "^$name-$version/" <<<"$listing" || grep -q '\(^\|/\)\.\.\(/\|$\)' <<<"$listing"; then
    vendor_die "$crate holds paths outside $name-$version/"
  fi
  tar -xzf "$crate" -C "$work" --no-same-owner
  patch --quiet --forward --fuzz=0 --no-backup-if-mismatch -r - -d "$src" -p1 -i "$(realpath "$patch_file")" </dev/null \
    || vendor_die "$patch_file does not apply cleanly to $name $version"
  [ ! -e "$dest" ] || vendor_die "$dest already exists"
  mkdir -p "$dest"
  cp -r "$src/src" "$dest/"
  local f
  for f in "$src"/LICENSE* "$src"/README.md "$src"/CHANGES.md "$src"/CHANGELOG.md; do
    [ ! -f "$f" ] || cp "$f" "$dest/"
  done
  python3 - "$src/Cargo.toml" "$dest/Cargo.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sections = re.split(r"(?m)^(?=\[)", text)
dropped = re.compile(r"\[\[(example|test|bench)\]\]|\[dev-dependencies[.\]]")
kept = [s for s in sections if not dropped.match(s)]
open(sys.argv[2], "w").write("".join(kept))
PY
}
