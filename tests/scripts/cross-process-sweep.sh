#!/usr/bin/env bash
# Runs a sweep across OS processes on 127.0.0.1: `steer coordinator` and two `steer node`s. SIGKILLs node 2 while it
# runs a trial, then SIGKILLs the coordinator and starts it again on the same port and folder. Checks that node 1
# rejoins the restarted coordinator by itself, that the sweep completes with exactly one alpha_metrics row per
# (trial_key, class, alpha), and that the trial node 2 was running shows attempts > 1. Every wait has a timeout; the
# whole script is bounded (about 1-2 minutes on 2 busy cores, at most 6).
# Usage: tests/scripts/cross-process-sweep.sh [STEER_DLL]   (default: the Debug build of src/Coordinator)
# STEER_RUNNER=walk runs the real science (trains the quickstart's generator and walks: many minutes on 2 cores);
# the default, synthetic, runs the same trials as four-second stand-ins.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=$(realpath "${1:-$root/src/Coordinator/bin/Debug/net10.0/linux-x64/steer.dll}")
[ -f "$dll" ] || { echo "cross-process-sweep: $dll not found (build first)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "cross-process-sweep: FAILED: $*" >&2
    for log in "$work"/*.log; do echo "--- $log" >&2; grep -v '^\s*at \|^---\|^Cause\|^   ' "$log" | tail -15 >&2 || true; done
    exit 1
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds, or fails the script.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
        sleep 0.2
    done
}
# wait_exit SECONDS PID: sets $exit_code to PID's exit code, or fails the script when it still runs after SECONDS.
wait_exit() {
    local seconds=$1 pid=$2 deadline=$((SECONDS + $1))
    while kill -0 "$pid" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || fail "process $pid still running after ${seconds}s"
        sleep 0.2
    done
    exit_code=0
    wait "$pid" || exit_code=$?
}
runner=${STEER_RUNNER:-synthetic}
if [ "$runner" = synthetic ]; then export STEER_LEASE_TIMEOUT=4s STEER_SYNTHETIC_SECONDS=4; else export STEER_LEASE_TIMEOUT=30s; fi
export STEER_HEARTBEAT_INTERVAL=500ms STEER_JOIN_TIMEOUT=90s STEER_COORDINATOR_TIMEOUT=60s
export STEER_HOME="$work/home"
# The split-brain resolver decides after 3 s of stable unreachability instead of 10 (the rest is cluster.hocon).
config="$work/cluster.hocon"
{ cat "$root/cluster.hocon"; echo "akka.cluster.split-brain-resolver.stable-after = 3s"; } > "$config"
# A free port: one nothing answers on (bash's /dev/tcp; no other tools needed).
port=0
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ "$port" -ne 0 ] || fail "no free port found"
cd "$work"
steer() { dotnet "$dll" "$@"; }
sweep="$work/results/quickstart"
start_coordinator() {
    dotnet "$dll" coordinator "$root/experiments/quickstart.yaml" --out "$work/results" --port "$port" --config "$config" >> coordinator.log 2>&1 &
    coordinator=$!
    pids+=("$coordinator")
}
start_coordinator
wait_for 60 "the coordinator to listen" grep -qs "coordinator for sweep" coordinator.log
dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner "$runner" --config "$config" > node1.log 2>&1 &
node1=$!
pids+=("$node1")
dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner "$runner" --config "$config" > node2.log 2>&1 &
node2=$!
pids+=("$node2")
# Node 2's port names its worker, and so its attempt folders (attempt-N-<host>-<port>-cpu).
wait_for 60 "node 2 to start" grep -qs "joining with" node2.log
node2_port=$(grep 'joining with' node2.log | grep -o 'steer@127.0.0.1:[0-9]*' | head -1 | cut -d: -f2)
node2_attempt() { ls -d "$sweep"/_work/*/attempt-*-"$node2_port"-cpu >/dev/null 2>&1; }
wait_for 120 "node 2 to run a trial" node2_attempt
kill -9 "$node2"
killed=$(basename "$(dirname "$(ls -d "$sweep"/_work/*/attempt-*-"$node2_port"-cpu | head -1)")")
echo "killed node 2 (pid $node2) while it ran trial $killed"
# Let the coordinator see the trial fail and lease it again, then kill the coordinator too and start it again.
killed_again() { ls -d "$sweep/_work/$killed"/attempt-2-* >/dev/null 2>&1 || [ -f "$sweep/_work/$killed/result.json" ]; }
wait_for 90 "trial $killed to be leased again" killed_again
kill -9 "$coordinator"
echo "killed the coordinator (pid $coordinator); starting it again on port $port"
wait_for 30 "port $port to be free" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null"
start_coordinator
wait_exit 300 "$coordinator"
status=$exit_code
wait_exit 120 "$node1"
node1_status=$exit_code
grep -v '^\s*at \|^---\|^Cause\|^   ' coordinator.log | grep -v WARNING | tail -4
grep -v WARNING node1.log | tail -3
[ "$status" -eq 0 ] || fail "the restarted coordinator exited with $status"
[ "$node1_status" -eq 0 ] || fail "node 1 exited with $node1_status"
grep -q "lost the coordinator" node1.log || fail "node 1 never lost its coordinator (was it killed?)"
rows=$(steer query "$sweep" "SELECT count(*) - count(DISTINCT (trial_key, class, alpha)) AS duplicates, count(DISTINCT trial_key) AS walks FROM alpha_metrics" | tail -1)
echo "alpha_metrics: duplicates, walk trials = $rows"
[ "$rows" = "$(printf '0\t4')" ] || fail "expected no duplicate (trial_key, class, alpha) and 4 walk trials, got '$rows'"
attempts=$(steer query "$sweep" "SELECT attempts FROM trials WHERE key = '$killed'" | tail -1)
echo "trial $killed (node 2 was killed running it): attempts = $attempts"
[ "$attempts" -gt 1 ] || fail "the killed trial shows $attempts attempt(s)"
echo "cross-process-sweep: ok"
