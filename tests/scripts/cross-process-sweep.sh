#!/usr/bin/env bash
# Runs a sweep across OS processes on 127.0.0.1: `steer coordinator` and two `steer node`s. SIGKILLs node 2 while it
# runs a trial, then SIGKILLs the coordinator and starts it again on the same port and folder. Checks that node 1
# rejoins the restarted coordinator by itself, that the sweep completes with exactly one alpha_metrics row per
# (trial_key, class, alpha), that the trial node 2 was running shows attempts > 1, and that a node of another runner
# is refused (exit 2) and gets no row accepted. Every wait has a timeout; the whole script is bounded (about 1-2
# minutes on 2 busy cores, at most 6).
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
    dotnet "$dll" coordinator "$root/experiments/quickstart.yaml" --out "$work/results" --port "$port" --config "$config" --runner "$runner" >> coordinator.log 2>&1 &
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
# A stranger: a node of another runner joins the same sweep; it must be refused (exit 2) and get nothing accepted.
stranger=$([ "$runner" = nowork ] && echo synthetic || echo nowork)
dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner "$stranger" --config "$config" > stranger.log 2>&1 &
stranger_pid=$!
pids+=("$stranger_pid")
# Attempt folders are named by their lease token, not by worker, so wait until both nodes run a trial (two attempt
# folders without a result) and kill node 2 then: one of those trials is its own.
running() { for d in "$sweep"/_work/*/attempt-*; do [ -d "$d" ] && [ ! -f "$(dirname "$d")/result.json" ] && basename "$(dirname "$d")"; done 2>/dev/null | sort -u; }
two_running() { [ "$(running | wc -l)" -ge 2 ]; }
wait_for 120 "both nodes to run a trial" two_running
in_flight=$(running)
kill -9 "$node2"
echo "killed node 2 (pid $node2) while trials $(echo $in_flight) ran"
# Let the coordinator see node 2's trial fail and lease it again, then kill the coordinator too and start it again.
leased_again() { for key in $in_flight; do ls -d "$sweep/_work/$key"/attempt-2-* >/dev/null 2>&1 && return 0; done; return 1; }
wait_for 90 "node 2's trial to be leased again" leased_again
killed=$(for key in $in_flight; do if ls -d "$sweep/_work/$key"/attempt-2-* >/dev/null 2>&1; then echo "$key"; fi; done | head -1)
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
wait_exit 60 "$stranger_pid"
echo "stranger node (--runner $stranger): exit $exit_code, $(grep '^steer:' stranger.log || true)"
[ "$exit_code" -eq 2 ] || fail "the node of runner $stranger exited with $exit_code, not 2 (refused)"
foreign=$(steer query "$sweep" "SELECT count(*) FROM alpha_metrics WHERE runner <> '$runner'" | tail -1)
[ "$foreign" -eq 0 ] || fail "$foreign alpha_metrics rows came from another runner than $runner"
grep -q "lost the coordinator" node1.log || fail "node 1 never lost its coordinator (was it killed?)"
rows=$(steer query "$sweep" "SELECT count(*) - count(DISTINCT (trial_key, class, alpha)) AS duplicates, count(DISTINCT trial_key) AS walks FROM alpha_metrics" | tail -1)
echo "alpha_metrics: duplicates, walk trials = $rows"
[ "$rows" = "$(printf '0\t4')" ] || fail "expected no duplicate (trial_key, class, alpha) and 4 walk trials, got '$rows'"
attempts=$(steer query "$sweep" "SELECT attempts FROM trials WHERE key = '$killed'" | tail -1)
echo "trial $killed (node 2 was killed running it): attempts = $attempts"
[ "$attempts" -gt 1 ] || fail "the killed trial shows $attempts attempt(s)"
echo "cross-process-sweep: ok"
