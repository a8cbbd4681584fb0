#!/usr/bin/env bash
# WebSub hub benchmark (issue 9): latency with one subscriber, fan-out to FANOUT (1000)
# subscribers of one topic, a dead callback among 100 live ones. Release build, sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/wirefeed
. scripts/lib.sh
export WIREFEED_EXTRA_CONFIG=$'\n[websub]\nallow_private_callbacks = true\ntimeout = "10s"\n'
start_server
token=$("$bin" --config "$config" --database "$work/wirefeed.db" keys add bench --role publisher)
sleep 0.5
python3 scripts/bench_websub.py "$base" "$token" "${FANOUT:-1000}" "${ROUNDS:-40}"
