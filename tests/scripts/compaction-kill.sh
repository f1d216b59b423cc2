#!/usr/bin/env bash
# SIGKILLs `steer compact` at increasing delays on a synthetic sweep of 80 small files, runs `steer compact` again,
# and checks that no row is lost or doubled (240 rows, each (trial_key, alpha) once) and that a resume reruns nothing.
# Usage: tests/scripts/compaction-kill.sh [STEER_DLL]   (default: the Release build of src/Coordinator); ~2 minutes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=${1:-$root/src/Coordinator/bin/Release/net10.0/linux-x64/steer.dll}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/many.yaml" <<'SPEC'
sweep: many
models: [shapes]
transforms: [zoom, shiftx]
walks: [linear, nonlinear]
regimes: [plain]
seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
alphas:
  zoom: [0.5, 1, 2]
  shiftx: [-8, 0, 8]
budget:
  generator: {steps: 3, batch: 2}
  walk: {steps: 3, batch: 2}
SPEC
dotnet "$dll" run "$work/many.yaml" --runner synthetic --out "$work/orig" > /dev/null
partial=0; bad=0
for delay in $(seq 0.6 0.05 1.8); do
    rm -rf "$work/c"; cp -r "$work/orig" "$work/c"
    dotnet "$dll" compact "$work/c/many" > /dev/null 2>&1 & pid=$!
    sleep "$delay"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    left=$(find "$work/c/many/alpha_metrics" -name '*.parquet' | wc -l)
    if [ "$left" != 80 ] && [ "$left" != 4 ]; then partial=$((partial + 1)); fi
    timeout 60 dotnet "$dll" compact "$work/c/many" > /dev/null
    rows=$(dotnet "$dll" query "$work/c/many" "SELECT count(*) || '/' || count(DISTINCT (trial_key, alpha)) FROM alpha_metrics" | tail -1)
    if [ "$rows" != "240/240" ]; then bad=$((bad + 1)); echo "killed after ${delay}s: $left files left; rows/distinct after compacting again: $rows"; fi
done
dotnet "$dll" run "$work/many.yaml" --runner synthetic --out "$work/c" > /dev/null
rerun=$(dotnet "$dll" query "$work/c/many" "SELECT count(*) FROM trials WHERE attempts > 1" | tail -1)
echo "kills that stopped a compaction midway: $partial; runs with lost or doubled rows: $bad (expected 0); trials rerun on resume: $rerun (expected 0)"
[ "$bad" -eq 0 ] && [ "$rerun" -eq 0 ]
