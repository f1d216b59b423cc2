#!/usr/bin/env bash
# Sends one SIGTERM to each long `steer` command while it works (GAN training, walk training, the limits measurement,
# demo, remedies, a sweep) and checks that it stops as a preempted cluster job must: exit 130 within a few seconds,
# one line on stderr, no half-written Parquet file (each ends with its footer magic) and no temporary file left, and no
# generator checkpoint the store would reuse from a training that was stopped. Prints each command's exit time.
# Usage: tests/scripts/sigterm.sh [STEER_DLL]   (default: the Debug build of src/Coordinator); ~1-2 minutes on 2 cores.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=${1:-$root/src/Coordinator/bin/Debug/net10.0/linux-x64/steer.dll}
# A stop slower than this fails: Slurm's default KillWait, between SIGTERM and SIGKILL, is 30 s.
limit_s=${STEER_SIGTERM_LIMIT_S:-10}
# How long a command may take to reach the work it is stopped in (its generator trained, its walk evaluated).
ready_limit_s=${STEER_SIGTERM_READY_S:-300}
work=$(mktemp -d)
export STEER_HOME="$work/home"
mkdir -p "$STEER_HOME"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
failures=0
summary=()

fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# Every Parquet file under $1 is whole (a file cut short lacks the trailing magic) and no temporary file is left.
check_files() {
    local name=$1 dir=$2 file
    [ -d "$dir" ] || return 0
    while IFS= read -r -d '' file; do
        if [ "$(head -c 4 "$file")" != PAR1 ] || [ "$(tail -c 4 "$file")" != PAR1 ]; then fail "$name" "half-written Parquet file $file"; fi
    done < <(find "$dir" -name '*.parquet' -print0)
    local temporary
    temporary=$(find "$dir" \( -name '*.tmp' -o -name '*.partial*' -o -name '.tmp*' \) -print | head -3)
    if [ -n "$temporary" ]; then fail "$name" "temporary files left: $temporary"; fi
}

# stop_test NAME READY COMMAND...: starts `steer COMMAND`, waits (at most ready_limit_s) until READY (a shell test) holds,
# lets it work 2 s more, sends SIGTERM and times the exit.
stop_test() {
    local name=$1 ready=$2; shift 2
    # STEER_SIGTERM_ONLY=limits,run measures only those commands.
    if [ -n "${STEER_SIGTERM_ONLY:-}" ] && [[ ",$STEER_SIGTERM_ONLY," != *",$name,"* ]]; then return; fi
    local out="$work/$name.out" err="$work/$name.err"
    : >"$out"
    dotnet "$dll" "$@" >"$out" 2>"$err" &
    local pid=$!
    pids+=("$pid")
    local deadline=$((SECONDS + ready_limit_s))
    until eval "$ready"; do
        if ! kill -0 "$pid" 2>/dev/null; then fail "$name" "ended before it was signalled: $(tail -2 "$err" "$out" | tr '\n' ' ')"; return; fi
        if [ "$SECONDS" -ge "$deadline" ]; then fail "$name" "not working after $ready_limit_s s"; kill -KILL "$pid"; return; fi
        sleep 0.1
    done
    sleep 2
    if ! kill -0 "$pid" 2>/dev/null; then fail "$name" "ended before it was signalled (make its budget larger)"; return; fi
    local start end
    start=$(date +%s.%N)
    kill -TERM "$pid"
    # Bounded: a command that ignores the signal is killed after 60 s and reported.
    (sleep 60; kill -KILL "$pid" 2>/dev/null) &
    local watchdog=$!
    wait "$pid"
    local rc=$?
    end=$(date +%s.%N)
    kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
    local seconds
    seconds=$(echo "$end - $start" | bc)
    summary+=("$name: exit $rc after ${seconds} s")
    echo "$name: exit $rc after ${seconds} s"
    [ "$rc" = 130 ] || fail "$name" "exit code $rc, expected 130"
    if [ "$(echo "$seconds > $limit_s" | bc)" = 1 ]; then fail "$name" "stopped after $seconds s, more than $limit_s s"; fi
    local lines
    lines=$(wc -l <"$err")
    [ "$lines" = 1 ] || fail "$name" "$lines lines on stderr, expected 1: $(head -c 600 "$err")"
}

# A progress line of COMMAND with at least HALF of its total done: the first trials (the generator) are over.
past_half() { grep -Eq "^$2: ([0-9]+)/([0-9]+)" "$1" && awk -v p="^$2: " '$0 ~ p { split($3, f, "/"); if (f[1] * 2 >= f[2] && f[2] > 0) found = 1 } END { exit !found }' "$1"; }

# GAN training: a checkpoint stopped mid-training is never left where the store would find it.
stop_test train "grep -q 'training:' '$work/train.out'" train --model shapes --gan-steps 300
if find "$STEER_HOME" -name manifest.json | grep -q .; then fail train "a checkpoint was saved from a stopped training: $(find "$STEER_HOME" -name manifest.json)"; fi
check_files train "$STEER_HOME"

# Walk training, once its generator (one step: walk, limits and demo share it) is trained.
stop_test walk "past_half '$work/walk.out' 'walk shapes'" walk --model shapes --gan-steps 1 --transform zoom --steps 2000 --batch 4 --out "$work/walk"
check_files walk "$work/walk"

# The limits measurement, after the walk's evaluation wrote its table (the training data's variability comes first).
stop_test limits "[ -f '$work/limits/alpha_metrics.parquet' ]" limits --model shapes --gan-steps 1 --transform zoom --steps 2 --batch 4 --eval-latents 16 --out "$work/limits"
check_files limits "$work/limits"

# demo and remedies: walk training inside their second trial.
stop_test demo "past_half '$work/demo.out' 'demo shapes'" demo --model shapes --gan-steps 1 --transforms zoom --walks linear --steps 2000 --batch 4 --out "$work/demo"
check_files demo "$work/demo"
touch "$work/remedies.start"
stop_test remedies "grep -q 'remedies shapes: ' '$work/remedies.out'" remedies --model shapes --gan-steps 300 --transform zoom --regimes plain --steps 2000 --batch 4 --out "$work/remedies"
check_files remedies "$work/remedies"
if find "$STEER_HOME" -name manifest.json -newer "$work/remedies.start" | grep -q .; then fail remedies "a checkpoint was saved from a stopped training"; fi

# A sweep (`steer run`, coordinator and worker in one process) with the real runner, mid-trial.
cat >"$work/sweep.yaml" <<'SPEC'
sweep: stop
models: [shapes]
transforms: [zoom]
walks: [linear]
regimes: [plain]
seeds: [0]
alphas:
  zoom: [0.5, 2]
budget:
  generator: {steps: 2000, batch: 8}
  walk: {steps: 20, batch: 8, eval_latents: 16}
SPEC
stop_test run "grep -q '1 running' '$work/run.out'" run "$work/sweep.yaml" --out "$work/sweeps"
check_files run "$work/sweeps"

printf '%s\n' "${summary[@]}"
if [ "$failures" -gt 0 ]; then
    echo "sigterm: $failures failures"
    exit 1
fi
echo "sigterm: every command stopped with exit 130 within $limit_s s, one line on stderr, nothing half-written"
