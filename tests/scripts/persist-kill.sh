#!/usr/bin/env bash
# A crash between journal and effect: kills `steer run` right after its coordinator has journaled an event and before
# it applies it, replies or acts on it (the coordinator's test hook STEER_KILL_AFTER_PERSIST=N: its Nth event of the
# process), at several events of a synthetic sweep, restarting on the same folder each time. Then alters one finished
# trial's result file and kills the restart right after it journals that trial's reset, before the old files are
# removed. Checks that no event is lost and no effect repeated: the sweep completes with exactly one alpha_metrics row
# per (trial_key, class, alpha) and every trial done in the trials table; the reset trial ran once more, its file
# removed after the restart and published afresh; and a last resume reruns nothing (every accepted result still has
# its files with their recorded SHA-256).
# Usage: tests/scripts/persist-kill.sh [STEER_DLL]   (default: the Debug build of src/Coordinator); about a minute.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=$(realpath "${1:-$root/src/Coordinator/bin/Debug/net10.0/linux-x64/steer.dll}")
[ -f "$dll" ] || { echo "persist-kill: $dll not found (build first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "persist-kill: FAILED: $*" >&2; tail -5 "$work"/run.log >&2 || true; exit 1; }
cat > "$work/kill.yaml" <<'SPEC'
sweep: kill
models: [shapes]
transforms: [zoom, shiftx]
walks: [linear, nonlinear]
regimes: [plain]
seeds: [0, 1]
alphas:
  zoom: [0.5, 1, 2]
  shiftx: [-8, 0, 8]
budget:
  generator: {steps: 3, batch: 2}
  walk: {steps: 3, batch: 2}
SPEC
export STEER_HOME="$work/home"
sweep="$work/out/kill"
# Every kill leaves a lease behind, which the restart counts as a failed attempt: allow for that.
run() { timeout 120 dotnet "$dll" run "$work/kill.yaml" --runner synthetic --out "$work/out" --max-retries 20 >> "$work/run.log" 2>&1; }
query() { dotnet "$dll" query "$sweep" "$1" | tail -1; }
kills=0
for n in 1 2 3 5 8 13; do
    code=0
    (STEER_KILL_AFTER_PERSIST=$n run) 2> /dev/null || code=$?
    hit=$(grep -c "STEER_KILL_AFTER_PERSIST=$n: killed after journaling" "$work/run.log" || true)
    if [ "$hit" -gt 0 ]; then
        kills=$((kills + 1))
        [ "$code" -eq 137 ] || fail "killed at event $n, yet the run exited with $code, not 137 (SIGKILL)"
        echo "killed after journaling event $n: $(grep -o "STEER_KILL_AFTER_PERSIST=$n: killed after journaling [A-Za-z]*" "$work/run.log" | tail -1 | awk '{print $NF}')"
    else
        [ "$code" -eq 0 ] || fail "the run with STEER_KILL_AFTER_PERSIST=$n exited with $code"
    fi
done
[ "$kills" -ge 4 ] || fail "only $kills of the runs were killed at their event"
run || fail "the run after the kills exited with $?"
trials=$(query "SELECT count(*) FROM trials")
walks=$(query "SELECT count(*) FROM trials WHERE kind = 'walk'")
rows=$(query "SELECT count(*) - count(DISTINCT (trial_key, class, alpha)) || '/' || count(DISTINCT trial_key) FROM alpha_metrics")
done_trials=$(query "SELECT count(*) FROM trials WHERE status = 'done'")
echo "after $kills kills: $done_trials of $trials trials done; alpha_metrics duplicates/walk trials: $rows"
[ "$done_trials" = "$trials" ] || fail "$done_trials of $trials trials are done"
[ "$rows" = "0/$walks" ] || fail "expected no duplicate (trial_key, class, alpha) and $walks walk trials, got $rows"

# A reset journaled, its files not yet removed: the restart removes them and runs the trial once more.
victim=$(query "SELECT key FROM trials WHERE kind = 'walk' ORDER BY key LIMIT 1")
file=$(find "$sweep/alpha_metrics" -name "$victim.parquet")
[ -n "$file" ] || fail "no alpha_metrics file of trial $victim"
attempts=$(query "SELECT attempts FROM trials WHERE key = '$victim'")
printf 'x' >> "$file"
altered=$(sha256sum "$file" | cut -d' ' -f1)
code=0
(STEER_KILL_AFTER_PERSIST=1 run) 2> /dev/null || code=$?
grep -q "STEER_KILL_AFTER_PERSIST=1: killed after journaling TrialReset { Key = $victim" "$work/run.log" \
    || fail "the restart was not killed right after journaling the reset of $victim (exit $code)"
[ -f "$file" ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$altered" ] || fail "the altered file was touched before the reset was applied"
run || fail "the run after the reset's kill exited with $?"
[ -f "$file" ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$altered" ] || fail "trial $victim's file was not published afresh"
after=$(query "SELECT attempts || ' ' || status FROM trials WHERE key = '$victim'")
rows=$(query "SELECT count(*) - count(DISTINCT (trial_key, class, alpha)) || '/' || count(DISTINCT trial_key) FROM alpha_metrics")
echo "reset trial $victim: attempts $attempts -> $after; alpha_metrics duplicates/walk trials: $rows"
[ "$after" = "$((attempts + 1)) done" ] || fail "trial $victim should have run once more and be done, got '$after'"
[ "$rows" = "0/$walks" ] || fail "expected no duplicate (trial_key, class, alpha) and $walks walk trials, got $rows"

before=$(query "SELECT sum(attempts) FROM trials")
run || fail "the last resume exited with $?"
rerun=$(( $(query "SELECT sum(attempts) FROM trials") - before ))
echo "persist-kill: ok ($kills kills after journaling, 1 kill after a reset; attempts made by a last resume: $rerun, expected 0)"
[ "$rerun" -eq 0 ] || fail "a last resume ran $rerun attempt(s) again"
