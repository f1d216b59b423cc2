#!/usr/bin/env bash
# Orchestration throughput across OS processes: one `steer coordinator` and N `steer node` processes on 127.0.0.1,
# running a sweep of about 10,000 `nowork` trials (50 seeds × 8 edits × 2 walks × 12 classes, per-class walks, plus
# one generator trial per seed). Prints the coordinator's own progress clock: when the first trial finished and when
# the last did. `steer bench orchestration --cluster` measures the same in one process.
# Usage: tools/bench-orchestration-processes.sh [NODES]   (default 4; builds nothing: run ./steer --help once first)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dll="$root/src/Coordinator/bin/Release/net10.0/linux-x64/steer.dll"
[ -f "$dll" ] || { echo "bench-orchestration-processes: $dll not found; run ./steer --help once to build it" >&2; exit 1; }
nodes=${1:-4}
[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || { echo "bench-orchestration-processes: NODES: '$nodes' is not accepted; use a whole number ≥ 1" >&2; exit 2; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
seeds=$(seq -s ', ' 0 49)
cat > "$work/throughput.yaml" <<SPEC
sweep: throughput
models: [shapes]
transforms: [zoom, shiftx, shifty, brightness, color, rotate2d, rotate3d, contrast]
walks: [linear, nonlinear]
per_class: true
classes: all
seeds: [$seeds]
SPEC
port=0
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ "$port" -ne 0 ] || { echo "bench-orchestration-processes: no free port found" >&2; exit 1; }
cd "$work"
dotnet "$dll" coordinator throughput.yaml --out out --port "$port" --runner nowork > coordinator.log 2>&1 &
coordinator=$!
pids+=("$coordinator")
for i in $(seq 1 "$nodes"); do
    dotnet "$dll" node --seed "127.0.0.1:$port" --device cpu --runner nowork > "node$i.log" 2>&1 &
    pids+=("$!")
done
# Bounded: 10,000 trials take well under a minute on 2 cores; ten minutes means something is wrong.
for _ in $(seq 1 3000); do kill -0 "$coordinator" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$coordinator" 2>/dev/null; then echo "bench-orchestration-processes: not done after 10 minutes" >&2; exit 1; fi
wait "$coordinator" || { echo "bench-orchestration-processes: the coordinator failed:" >&2; tail -5 coordinator.log >&2; exit 1; }
progress=$(grep -o '^\[[0-9:]*\] [0-9]*/[0-9]* done' coordinator.log)
total=$(echo "$progress" | tail -1 | cut -d/ -f2 | cut -d' ' -f1)
first=$(echo "$progress" | awk '$2 !~ /^0\// {print $1; exit}')
last=$(echo "$progress" | tail -1 | cut -d' ' -f1)
seconds() { local t=${1//[\[\]]/}; IFS=: read -r h m s <<< "$t"; echo $((10#$h * 3600 + 10#$m * 60 + 10#$s)); }
span=$(( $(seconds "$last") - $(seconds "$first") ))
echo "$total trials, $nodes node processes: first trials done at $first, all done at $last (the coordinator's clock," \
    "whole seconds, from its start; before the first, the node processes start and join)"
[ "$span" -gt 0 ] && echo "throughput while the nodes ran: about $(( total / span )) trials/s (± one second of $span)"
exit 0
