#!/usr/bin/env bash
# Runs the notebooks in the real .NET Interactive kernel (through Jupyter's nbconvert) against this repository's build,
# and writes them back with their outputs so that they read on GitHub.
#
#   bash scripts/run-notebooks.sh                  build, pack, run every notebook, write each back into notebooks/
#   bash scripts/run-notebooks.sh --pack           build and pack only: then open the notebooks in VS Code or Jupyter
#   bash scripts/run-notebooks.sh [-c Debug|Release] [--no-build] [--output DIR] [NOTEBOOK.ipynb ...]
#                                                  run the given notebooks (default: all), write the results into DIR
#
# The build is packed into artifacts/packages (or $MLNETCNN_LOCAL_PACKAGES) as version 0.0.0-local-<hash of the build>,
# which the notebooks' first cells (notebooks/local-build.csx) add as a package source. A notebook fails when a cell
# shows an error or a warning; the script then exits with 1 after trying the others. Needs Jupyter's nbconvert
# (Debian: apt-get install jupyter-nbconvert; scripts/test.sh installs it) and the .NET SDK; the kernel is the
# Microsoft.dotnet-interactive tool pinned in .config/dotnet-tools.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

configuration=Release build=1 pack_only=0 output="$root/notebooks" notebooks=()
while [ $# -gt 0 ]; do
  case "$1" in
    -c|--configuration) configuration=$2; shift ;;
    --no-build) build=0 ;;
    --pack) pack_only=1 ;;
    --output) output=$(realpath "$2"); shift ;;
    -*) echo "error: unknown option $1" >&2; exit 2 ;;
    *) notebooks+=("$(realpath "$1")") ;;
  esac
  shift
done
[ ${#notebooks[@]} -gt 0 ] || notebooks=("$root"/notebooks/*.ipynb)

python=/usr/bin/python3  # Debian's, which has nbformat; not a python3 that comes first on PATH
if ! command -v jupyter-nbconvert >/dev/null || ! "$python" -c "import nbformat" 2>/dev/null; then
  echo "error: Jupyter's nbconvert is needed: apt-get install jupyter-nbconvert" >&2
  exit 2
fi
dotnet tool restore >/dev/null
if ! jupyter kernelspec list 2>/dev/null | grep -q '\.net-csharp'; then
  dotnet interactive jupyter install >/dev/null
fi

projects=(MLNetCnn MLNetCnn.Onnx MLNetCnn.Estimators MLNetCnn.Plots)
if [ "$build" -eq 1 ]; then
  for project in MLNetCnn.Estimators MLNetCnn.Plots; do
    dotnet build "$project" -c "$configuration" -nologo -v quiet >/dev/null || { echo "error: dotnet build $project failed" >&2; exit 1; }
  done
fi
version=0.0.0-local-$(for p in "${projects[@]}"; do cat "$p/bin/$configuration/net10.0/$p.dll"; done | sha256sum | cut -c1-12)
packages=${MLNETCNN_LOCAL_PACKAGES:-$root/artifacts/packages}
mkdir -p "$packages"
rm -f "$packages"/MLNetCnn*.nupkg
for project in "${projects[@]}"; do
  dotnet pack "$project" -c "$configuration" --no-build -nologo -v quiet -p:PackageVersion="$version" -o "$packages" >/dev/null \
    || { echo "error: dotnet pack $project failed" >&2; exit 1; }
done
echo "Packed this build as $version into $packages"
[ "$pack_only" -eq 0 ] || exit 0

mkdir -p "$output"
failed=0
for notebook in "${notebooks[@]}"; do
  name=$(basename "$notebook")
  # Each notebook runs in a folder of its own (the files it saves land there), which finds the pinned kernel tool.
  run=$(mktemp -d)
  cp "$notebook" "$run/$name"
  cp "$root/notebooks/local-build.csx" "$run/"
  cp -r "$root/.config" "$run/"
  start=$SECONDS
  if MLNETCNN_LOCAL_PACKAGES="$packages" jupyter nbconvert --execute --to notebook --output executed.ipynb \
      --ExecutePreprocessor.timeout=1800 "$run/$name" >"$run/log" 2>&1; then
    seconds=$((SECONDS - start))
    if "$python" "$root/scripts/notebook_outputs.py" "$run/executed.ipynb" "$output/$name" "$seconds"; then
      echo "$name: ran in $seconds s"
    else
      failed=1
    fi
  else
    echo "error: $name failed in the kernel:" >&2
    grep -v -e '^Copy ' -e 'Microsoft.Hosting' -e 'Now listening' -e '^      ' "$run/log" | tail -n 60 >&2
    failed=1
  fi
  rm -rf "$run"
done
exit "$failed"
