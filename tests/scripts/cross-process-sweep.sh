#!/usr/bin/env bash
# Runs a sweep across OS processes on 127.0.0.1: `steer coordinator` and two `steer node`s; SIGKILLs one node while
# it runs a trial and checks that the sweep still completes with exactly one result file per walk trial.
# Usage: tests/scripts/cross-process-sweep.sh [STEER_DLL]   (default: the Debug build of src/Coordinator)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=${1:-$root/src/Coordinator/bin/Debug/net10.0/linux-x64/steer.dll}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# The quickstart sweep with slow synthetic trials is too quick to kill into; a lease timeout of 3 s keeps it short.
export STEER_LEASE_TIMEOUT=3s STEER_HEARTBEAT_INTERVAL=500ms
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cd "$work"
dotnet "$dll" coordinator "$root/experiments/quickstart.yaml" --out "$work/results" --port "$port" > coordinator.log 2>&1 &
coordinator=$!
sleep 3
STEER_SYNTHETIC_SECONDS=1 dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner synthetic > node1.log 2>&1 &
node1=$!
STEER_SYNTHETIC_SECONDS=1 dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner synthetic > node2.log 2>&1 &
node2=$!
# Kill node 2 as soon as it has started a trial (its attempt folder appears).
for _ in $(seq 1 300); do
    if ls "$work"/results/quickstart/_work/*/attempt-* 2>/dev/null | grep -q .; then break; fi
    sleep 0.1
done
sleep 0.3
kill -9 "$node2"
echo "killed node 2 (pid $node2)"
wait "$coordinator"
status=$?
cat coordinator.log | tail -5
walks=$(find "$work/results/quickstart/alpha_metrics" -name '*.parquet' | wc -l)
echo "coordinator exit $status; alpha_metrics files: $walks (expected 4)"
dotnet "$dll" query "$work/results/quickstart" "SELECT count(*) AS rows, count(DISTINCT trial_key) AS trials FROM alpha_metrics"
[ "$status" -eq 0 ] && [ "$walks" -eq 4 ]
