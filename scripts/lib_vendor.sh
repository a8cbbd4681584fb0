# shellcheck shell=bash
# Sourced by scripts/vendor-actix-http.sh (which writes vendor/actix-http) and
# scripts/check_vendor.sh (which rebuilds it in a temporary folder and compares): the one
# definition of "actix-http VERSION as published, checked against the registry, with
# vendor/actix-http.patch applied, trimmed the way this repository carries it".
#
# The crate and the registry's word on it come from crates.io. For testing that a mismatch is
# refused, ACTIX_HTTP_CRATE_URL and ACTIX_HTTP_INDEX_URL replace the two addresses (curl reads
# file:// addresses too); nothing can replace the comparison itself.

: "${ACTIX_HTTP_INDEX_URL:=https://index.crates.io/ac/ti/actix-http}"

vendor_die() {
  echo "vendor: $*" >&2
  exit 1
}

# vendor_index_cksum VERSION: the sha256 the sparse registry index records for actix-http
# VERSION (the `cksum` Cargo itself checks a download against).
vendor_index_cksum() {
  local version=$1 index
  index=$(curl -sfL "$ACTIX_HTTP_INDEX_URL") || vendor_die "cannot read the registry index at $ACTIX_HTTP_INDEX_URL"
  python3 -c '
import json, re, sys
version = sys.argv[1]
found = [e for e in map(json.loads, filter(str.strip, sys.stdin)) if e.get("name") == "actix-http" and e.get("vers") == version]
if len(found) != 1:
    sys.exit(f"the index has {len(found)} entries for actix-http {version}")
entry = found[0]
if entry.get("yanked"):
    print(f"vendor: warning: actix-http {version} is yanked on crates.io", file=sys.stderr)
cksum = entry.get("cksum", "")
if not re.fullmatch(r"[0-9a-f]{64}", cksum):
    sys.exit(f"the index entry for actix-http {version} has no sha256 cksum")
print(cksum)
' "$version" <<<"$index" || vendor_die "no checksum for actix-http $version in $ACTIX_HTTP_INDEX_URL"
}

# vendor_download VERSION FILE: downloads the published actix-http VERSION to FILE and refuses
# it (exit 1, FILE removed) unless its sha256 is the index's cksum.
vendor_download() {
  local version=$1 file=$2 expected actual
  local url=${ACTIX_HTTP_CRATE_URL:-https://static.crates.io/crates/actix-http/actix-http-$version.crate}
  expected=$(vendor_index_cksum "$version") || exit 1
  curl -sfL -o "$file" "$url" || vendor_die "cannot download $url"
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$actual" != "$expected" ]; then
    rm -f "$file"
    vendor_die "checksum mismatch for actix-http $version: $url has sha256 $actual, the registry index says $expected; refusing it"
  fi
  echo "vendor: actix-http-$version.crate sha256 $actual matches the registry index" >&2
}

# vendor_build VERSION CRATE PATCH WORK DEST: unpacks CRATE in WORK, applies PATCH exactly (no
# fuzz, no backup or reject files, never interactive) and writes the vendored tree to DEST (which
# must not exist): the crate's src/, licences, README and changelog, and its Cargo.toml without
# the examples, tests and benchmarks (and the dev-dependencies only they use), which are not
# vendored. Everything else in the .crate (Cargo.toml.orig, Cargo.lock, .cargo_vcs_info.json,
# examples/, tests/, benches/) is left out.
vendor_build() {
  local version=$1 crate=$2 patch_file=$3 work=$4 dest=$5
  local src=$work/actix-http-$version
  # A .crate is a gzipped tar of one folder, actix-http-VERSION/; refuse anything else.
  local listing
  listing=$(tar -tzf "$crate") || vendor_die "$crate is not a gzipped tar"
  if grep -qv "^actix-http-$version/" <<<"$listing" || grep -q '\(^\|/\)\.\.\(/\|$\)' <<<"$listing"; then
    vendor_die "$crate holds paths outside actix-http-$version/"
  fi
  tar -xzf "$crate" -C "$work" --no-same-owner
  patch --quiet --forward --fuzz=0 --no-backup-if-mismatch -r - -d "$src" -p1 -i "$(realpath "$patch_file")" </dev/null \
    || vendor_die "$patch_file does not apply cleanly to actix-http $version"
  [ ! -e "$dest" ] || vendor_die "$dest already exists"
  mkdir -p "$dest"
  cp -r "$src/src" "$src/LICENSE-MIT" "$src/LICENSE-APACHE" "$src/README.md" "$src/CHANGES.md" "$dest/"
  python3 - "$src/Cargo.toml" "$dest/Cargo.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sections = re.split(r"(?m)^(?=\[)", text)
dropped = re.compile(r"\[\[(example|test|bench)\]\]|\[dev-dependencies[.\]]")
kept = [s for s in sections if not dropped.match(s)]
open(sys.argv[2], "w").write("".join(kept))
PY
}
