#!/usr/bin/env bash
# Reproduces BENCHMARKS.md from a fresh clone: installs what the benchmarks need from apt (PyTorch as the speed peer,
# torchvision as the decode peer, numpy and PIL for the scale benchmark's generated photos, the full Fashion-MNIST for
# the accuracy runs and the photos), then runs the speed, data path, memory and scale benchmarks and the two accuracy runs.
# Usage: bash scripts/benchmarks.sh [output folder]   (1 h 45 min to 2 h 10 min on 2 cores; nothing else should run meanwhile)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-benchmark-results}
fashion=/usr/share/datasets/fashion-mnist

packages=(python3-torch python3-torchvision python3-numpy python3-pil dataset-fashion-mnist)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
fi

dotnet build MLNetCnn.sln -c Release -v quiet -nologo
mkdir -p "$out"

# Speed, scoring, malloc, compute efficiency, data path, memory soak and scale: results.md and results.json.
dotnet MLNetCnn.Benchmarks/bin/Release/net10.0/MLNetCnn.Benchmarks.dll --output "$out"

cli() { dotnet MLNetCnn.Cli/bin/Release/net10.0/MLNetCnn.Cli.dll "$@"; }
timed() { local name=$1 start=$SECONDS; shift; cli "$@" | tee "$out/$name.log"; echo "$((SECONDS - start)) s wall clock" > "$out/$name.time"; }

# Accuracy 1: the default train settings on the full Fashion-MNIST (target >= 91.6 % in at most 5 minutes).
timed train-default train --data "$fashion" --output "$out/train-default"

# Accuracy 2: a compare run within 60 minutes (target >= 93.9 %), its best model then scored on the test split.
timed compare compare --data "$fashion" --arch lenet5,resnet20 --epochs 40 --augment on --schedule cosine --time-budget 60m \
  --output "$out/compare"
cli evaluate "$out/compare/model.zip" --data "$fashion" | tee "$out/compare-evaluate.log"
