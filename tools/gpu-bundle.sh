#!/usr/bin/env bash
# gpu-bundle.sh: packs a program of this repository, together with the .NET runtime it needs, for a Linux x64
# machine with an NVIDIA GPU and PyTorch but no .NET. TorchSharp then uses PyTorch's CUDA libtorch.
#
#   tools/gpu-bundle.sh PROJECT.csproj          e.g. tools/gpu-bundle.sh src/Coordinator/Coordinator.csproj
#
# Run it where the .NET SDK is installed. It replaces the repository's .gpu/ folder (ignored by git) with:
#   enter.sh              starts the program on the GPU machine (below)
#   app/                  the program's own assembly (e.g. steer.dll), its .json and .pdb files
#   app/libraries.tar.xz  everything else the program loads: third-party assemblies and native libraries, without
#                         libtorch's CPU build (PyTorch supplies libtorch on the GPU machine)
#   dotnet-runtime.tar.xz the dotnet host, hostfxr and the shared framework(s) the program targets
# Compressing keeps the bundle small enough to copy around (about 55 MiB for the steer command line).
#
# On the GPU machine, copy .gpu/ (usually together with the repository) and run, from the folder the program
# should work in:
#   bash .gpu/enter.sh steer.dll ARGS...        e.g. bash .gpu/enter.sh steer.dll walk --device cuda --out ...
# enter.sh finds PyTorch's torch/lib folder with python3, unless STEER_LIBTORCH already names a libtorch folder.
# It exports that folder as STEER_LIBTORCH and puts it first on LD_LIBRARY_PATH. On the first run it unpacks the
# runtime and libraries into $STEER_BUNDLE_CACHE (default: ${TMPDIR:-/tmp}/steer-gpu-<bundle id>). Then it runs
# `dotnet PROGRAM.dll ARGS`. The program loads libc10, libtorch_cpu, libc10_cuda, libtorch_cuda and libtorch from
# STEER_LIBTORCH before TorchSharp starts CUDA. The machine needs tar and xz.
#
# Exit codes: 2 for bad input (missing argument, project file not found, dotnet not installed), 1 when publishing
# or packing fails.
set -euo pipefail

usage="usage: tools/gpu-bundle.sh PROJECT.csproj"
fail() { echo "gpu-bundle.sh: $1" >&2; exit "${2:-1}"; }

[ $# -ge 1 ] && [ -n "$1" ] || fail "missing argument: the project to pack ($usage)" 2
[ $# -eq 1 ] || fail "expected one argument, got $#: $* ($usage)" 2
case "$1" in -h|--help) echo "$usage"; exit 0 ;; esac
project=$1
[ -f "$project" ] || fail "project file not found: '$project' ($usage)" 2
case "$project" in *.csproj) ;; *) fail "not a .csproj file: '$project' ($usage)" 2 ;; esac
command -v dotnet >/dev/null 2>&1 || fail "dotnet not found on PATH: install the .NET 10 SDK to build the bundle" 2
for tool in tar xz; do command -v "$tool" >/dev/null 2>&1 || fail "$tool not found on PATH: it packs the bundle" 2; done

project=$(cd "$(dirname "$project")" && pwd)/$(basename "$project")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bundle=$repo/.gpu
dotnet_root=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
[ -x "$dotnet_root/dotnet" ] || fail "no dotnet executable in $dotnet_root (set DOTNET_ROOT to the .NET installation)" 2

rm -rf "$bundle"
mkdir -p "$bundle/app"
staging=$bundle/.publish
log=$bundle/.publish.log

# 1. Publish, framework-dependent, for linux-x64.
echo "gpu-bundle.sh: publishing $(basename "$project") (Release, linux-x64)..." >&2
if ! dotnet publish "$project" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=false \
        -o "$staging" -nologo -v q >"$log" 2>&1; then
    grep -E ": error " "$log" | sort -u | head -n 20 >&2 || tail -n 20 "$log" >&2
    fail "dotnet publish failed (full log: $log)"
fi
rm -f "$log"

# 2. Drop libtorch's CPU build and the PyTorch-internal libraries that come with it. PyTorch on the GPU machine
#    has its own copies, which must be the ones loaded.
find "$staging" -maxdepth 1 -type f \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libgomp*.so*' \
    -o -name 'libshm*.so*' -o -name 'libaoti*.so*' -o -name 'libbackend_with_compiler*.so*' \
    -o -name 'libjitbackend_test*.so*' -o -name 'libnnapi_backend*.so*' \) -delete

# 3. Which program is this? The one *.runtimeconfig.json names the entry assembly.
configs=("$staging"/*.runtimeconfig.json)
[ -f "${configs[0]}" ] && [ ${#configs[@]} -eq 1 ] || fail "expected one *.runtimeconfig.json in the publish output, found ${#configs[@]}"
config=${configs[0]}
program=$(basename "$config" .runtimeconfig.json)
[ -f "$staging/$program.dll" ] || fail "publish output has no $program.dll"

# 4. The program's own files stay readable in app/; the rest goes into one archive.
mv "$config" "$staging/$program.dll" "$bundle/app/"
for extra in "$staging/$program".*.json "$staging"/*.pdb; do
    [ -f "$extra" ] && mv "$extra" "$bundle/app/"
done
(cd "$staging" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort | tar -cf - -T - | xz -T0 -6 >"$bundle/app/libraries.tar.xz") \
    || fail "packing the program's libraries failed"
rm -rf "$staging"

# 5. The runtime: the host, the newest hostfxr, and for each framework in the runtimeconfig the newest installed
#    version with the same major.minor (the version .NET rolls forward to by default).
runtime_paths=(dotnet)
[ -f "$dotnet_root/LICENSE.txt" ] && runtime_paths+=(LICENSE.txt)
[ -f "$dotnet_root/ThirdPartyNotices.txt" ] && runtime_paths+=(ThirdPartyNotices.txt)
fxr=$(find "$dotnet_root/host/fxr" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
[ -n "$fxr" ] || fail "no hostfxr under $dotnet_root/host/fxr"
runtime_paths+=("host/fxr/$fxr")
# "name": "...", "version": "..." pairs of the framework(s), in order.
mapfile -t frameworks < <(tr -d ' \t\r\n' <"$bundle/app/$program.runtimeconfig.json" \
    | grep -o '"name":"[^"]*","version":"[^"]*"' | sed 's/"name":"\([^"]*\)","version":"\([^"]*\)"/\1 \2/')
[ ${#frameworks[@]} -gt 0 ] || fail "$program.runtimeconfig.json names no framework"
frameworks_dir=shared    # the .NET installation's shared-framework folder, relative to dotnet_root
for entry in "${frameworks[@]}"; do
    name=${entry% *}; wanted=${entry#* }
    line=$(echo "$wanted" | cut -d. -f1,2)
    found=$(find "$dotnet_root/$frameworks_dir/$name" -mindepth 1 -maxdepth 1 -type d -name "$line.*" -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] || fail "$name $line.x is not installed under $dotnet_root/$frameworks_dir (the program needs $wanted)"
    runtime_paths+=("$frameworks_dir/$name/$found")
    echo "gpu-bundle.sh: runtime $name $found" >&2
done
tar -C "$dotnet_root" -cf - "${runtime_paths[@]}" | xz -T0 -6 >"$bundle/dotnet-runtime.tar.xz" \
    || fail "packing the .NET runtime failed"

# 6. enter.sh. The bundle id (from the archives' contents) names the unpack folder, so a rebuilt bundle never
#    reuses an older unpacked copy.
id=$(cat "$bundle/dotnet-runtime.tar.xz" "$bundle/app/libraries.tar.xz" | sha256sum | cut -c1-16)
{
    echo '#!/usr/bin/env bash'
    echo "# Starts a program of the Steerability bundle made by tools/gpu-bundle.sh (bundle $id)."
    echo '# usage: bash .gpu/enter.sh PROGRAM.dll [ARGS...]'
    echo "bundle_id=$id"
    cat <<'ENTER'
set -euo pipefail
say() { echo "enter.sh: $1" >&2; exit "${2:-1}"; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] && [ -n "$1" ] || say "missing argument: the program to run (usage: bash .gpu/enter.sh PROGRAM.dll [ARGS...]; programs: $(cd "$here/app" && ls -- *.dll | tr '\n' ' '))" 2
program=$1; shift
[ -f "$here/app/$program" ] || say "no program '$program' in $here/app (programs: $(cd "$here/app" && ls -- *.dll | tr '\n' ' '))" 2

# PyTorch's libtorch: STEER_LIBTORCH when set, otherwise the torch/lib folder of python3's torch.
if [ -z "${STEER_LIBTORCH:-}" ]; then
    command -v python3 >/dev/null 2>&1 \
        || say "python3 not found: install PyTorch (with CUDA) for python3, or set STEER_LIBTORCH to a libtorch lib folder" 3
    lib=$(python3 -c '
import os, sys
try:
    import torch
except BaseException as error:
    text = str(error).strip().splitlines()
    print(type(error).__name__ + (": " + text[0] if text else ""))
    sys.exit(1)
print(os.path.join(os.path.dirname(torch.__file__), "lib"))
' 2>/dev/null) || say "python3 ($(command -v python3)) cannot import torch ($lib): install PyTorch (with CUDA), or set STEER_LIBTORCH to a libtorch lib folder" 3
    STEER_LIBTORCH=${lib##*$'\n'}
fi
[ -d "$STEER_LIBTORCH" ] || say "STEER_LIBTORCH is not a folder: $STEER_LIBTORCH" 3
export STEER_LIBTORCH
export LD_LIBRARY_PATH=$STEER_LIBTORCH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# Unpack the runtime and the program once per bundle; a half-finished unpack is never used.
cache=${STEER_BUNDLE_CACHE:-${TMPDIR:-/tmp}/steer-gpu-$bundle_id}
if [ ! -f "$cache/.complete" ]; then
    command -v xz >/dev/null 2>&1 || say "xz not found: it is needed to unpack the bundle" 3
    mkdir -p "$(dirname "$cache")"
    work=$(mktemp -d "$cache.partial.XXXXXX")
    mkdir -p "$work/dotnet" "$work/app"
    tar -xJf "$here/dotnet-runtime.tar.xz" -C "$work/dotnet" || { rm -rf "$work"; say "could not unpack the .NET runtime into $work"; }
    tar -xJf "$here/app/libraries.tar.xz" -C "$work/app" || { rm -rf "$work"; say "could not unpack the program's libraries into $work"; }
    find "$here/app" -maxdepth 1 -type f ! -name libraries.tar.xz -exec cp -p {} "$work/app/" \;
    touch "$work/.complete"
    # Another run may have finished first: then its copy is used and this one dropped.
    mv -T "$work" "$cache" 2>/dev/null || rm -rf "$work"
    [ -f "$cache/.complete" ] || say "could not unpack into $cache (set STEER_BUNDLE_CACHE to an empty or new folder)"
fi

export DOTNET_ROOT=$cache/dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1
exec "$cache/dotnet/dotnet" "$cache/app/$program" "$@"
ENTER
} >"$bundle/enter.sh"
chmod +x "$bundle/enter.sh"

size=$(du -sm "$bundle" | cut -f1)
echo "gpu-bundle.sh: wrote $bundle ($size MiB): run it with  bash .gpu/enter.sh $program.dll ARGS" >&2
