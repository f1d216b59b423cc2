#!/usr/bin/env bash
# Runs a sweep across OS processes on 127.0.0.1: `steer coordinator` and two `steer node`s; SIGKILLs one node while
# it runs a trial and checks that the sweep still completes with exactly one result file per walk trial, that the
# killed trial shows attempts > 1, and that a node of another runner is refused (exit 2) and gets nothing accepted.
# Usage: tests/scripts/cross-process-sweep.sh [STEER_DLL]   (default: the Debug build of src/Coordinator)
# STEER_RUNNER=walk runs the real science (trains the quickstart's generator and walks: minutes on 2 cores);
# the default, synthetic, runs the same trials as one-second stand-ins.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=${1:-$root/src/Coordinator/bin/Debug/net10.0/linux-x64/steer.dll}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
runner=${STEER_RUNNER:-synthetic}
# Synthetic trials are short: a lease timeout of 3 s keeps the run short. Real training can delay heartbeats on
# busy cores, so it gets 30 s.
if [ "$runner" = synthetic ]; then export STEER_LEASE_TIMEOUT=3s; else export STEER_LEASE_TIMEOUT=30s; fi
export STEER_HEARTBEAT_INTERVAL=500ms
export STEER_HOME="$work/home"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cd "$work"
dotnet "$dll" coordinator "$root/experiments/quickstart.yaml" --out "$work/results" --port "$port" --runner "$runner" > coordinator.log 2>&1 &
coordinator=$!
sleep 3
STEER_SYNTHETIC_SECONDS=1 dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner "$runner" > node1.log 2>&1 &
node1=$!
STEER_SYNTHETIC_SECONDS=1 dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner "$runner" > node2.log 2>&1 &
node2=$!
# A stranger: a node of another runner joins the same sweep; it must be refused and get nothing accepted.
stranger=$([ "$runner" = nowork ] && echo synthetic || echo nowork)
set +e
timeout 120 dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner "$stranger" > stranger.log 2>&1 &
stranger_pid=$!
set -e
# Kill node 2 as soon as it has started a trial (its attempt folder appears).
for _ in $(seq 1 3000); do
    if ls "$work"/results/quickstart/_work/*/attempt-* 2>/dev/null | grep -q .; then break; fi
    sleep 0.1
done
sleep 0.3
kill -9 "$node2"
echo "killed node 2 (pid $node2)"
set +e
wait "$coordinator"
status=$?
wait "$stranger_pid"
stranger_status=$?
set -e
echo "stranger node (--runner $stranger) exit $stranger_status (expected 2): $(grep '^steer:' stranger.log || true)"
cat coordinator.log | tail -5
walks=$(find "$work/results/quickstart/alpha_metrics" -name '*.parquet' | wc -l)
echo "coordinator exit $status; alpha_metrics files: $walks (expected 4)"
dotnet "$dll" query "$work/results/quickstart" "SELECT count(*) AS rows, count(DISTINCT trial_key) AS trials FROM alpha_metrics"
foreign=$(dotnet "$dll" query "$work/results/quickstart" "SELECT count(*) FROM alpha_metrics WHERE runner <> '$runner'" | tail -1)
retried=$(dotnet "$dll" query "$work/results/quickstart" "SELECT count(*) FROM trials WHERE attempts > 1" | tail -1)
echo "rows of another runner: $foreign (expected 0); trials with attempts > 1: $retried (expected at least 1)"
[ "$status" -eq 0 ] && [ "$walks" -eq 4 ] && [ "$stranger_status" -eq 2 ] && [ "$foreign" -eq 0 ] && [ "$retried" -ge 1 ]
