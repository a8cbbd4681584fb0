#!/usr/bin/env bash
# Flask-WebSub, an independent subscriber, subscribes to our hub, gets a delivery, unsubscribes
# (issue 9). Installs flask-websub with pip when missing. PROFILE=release|debug (release).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
python3 -c 'import flask_websub' 2>/dev/null || pip install -q flask-websub
if [ "$PROFILE" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=$PWD/target/$PROFILE/wirefeed
. scripts/lib.sh
# The subscriber listens on 127.0.0.1: allow loopback callbacks for this check only.
export WIREFEED_EXTRA_CONFIG=$'\n[websub]\nallow_private_callbacks = true\n'
start_server
token=$("$bin" --config "$config" --database "$work/wirefeed.db" keys add flask-check --role publisher)
sleep 0.5
python3 scripts/websub_flask.py "$base" "$token"
