#!/usr/bin/env bash
# Runs schemathesis (every check, and its stateful phase over the OpenAPI links) against the
# publishing API of the real binary on a fresh database.
# Usage: scripts/schemathesis.sh WIREFEED_BINARY [MAX_EXAMPLES]
set -euo pipefail
bin=$1
examples=${2:-100}
cd "$(dirname "$0")/.."
command -v st >/dev/null || { echo "schemathesis (st) is not installed" >&2; exit 1; }
. scripts/lib.sh
start_server
token=$("$bin" --config "$config" --database "$work/wirefeed.db" keys add schemathesis --role publisher)
sleep 0.5 # the server reloads keys from the change log every 200 ms
# uploadPicture is left out: its body must be an image of the type it claims, which no schema can
# generate (every refusal of a non-image is a test in tests/api/media.rs); image PUTs are filtered
# out by .ci/schemathesis_hooks.py for the same reason.
# use_after_free is left out on purpose: DELETE kills an article, which stays readable with
# status "canceled" (docs/api.md, Publishing API: nothing is erased). See .ci/schemathesis.toml.
PYTHONPATH=.ci SCHEMATHESIS_HOOKS=schemathesis_hooks st --config-file .ci/schemathesis.toml \
  run "$base/api/v1/openapi.json" --header "Authorization: Bearer $token" \
  --checks all --exclude-checks use_after_free --max-examples "$examples" --no-color \
  --exclude-operation-id uploadPicture
