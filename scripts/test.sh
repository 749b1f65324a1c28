#!/usr/bin/env bash
# The test command: installs what the tests need that the .NET SDK does not bring, then runs the whole suite.
# Usage: bash scripts/test.sh [extra dotnet test arguments, e.g. --filter TestCategory=Fast]
# Results: TestResults/results.trx. Needs root (or sudo) for apt-get on a machine that lacks the packages.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null; then
  echo "error: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

# Debian packages the tests use: PyTorch and torchvision for /usr/bin/python3 (the torchvision parity and fine-tuning
# tests), fonts for the text in report plots, Jupyter's nbconvert and kernel specs (the notebook tests run every
# notebook in the .NET Interactive kernel), and the PostgreSQL 15 server (the study tests start a private cluster of
# their own on a free local port, as the postgres user when run as root, and stop it at the end; see
# MLNetCnn.Tests/Studies/PostgresServer.cs).
apt_packages=(python3-torchvision fonts-dejavu-core jupyter-nbconvert jupyter-client postgresql)
if command -v dpkg >/dev/null && ! dpkg -s "${apt_packages[@]}" >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${apt_packages[@]}" >/dev/null; }; then
    echo "error: apt-get could not install ${apt_packages[*]}" >&2
    exit 1
  fi
fi

# The .NET Interactive kernel for the notebook tests, pinned in .config/dotnet-tools.json; scripts/run-notebooks.sh
# registers it with Jupyter.
if ! dotnet tool restore >/dev/null; then
  echo "error: dotnet tool restore failed (.config/dotnet-tools.json)" >&2
  exit 1
fi

rm -rf TestResults
exec dotnet test MLNetCnn.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory TestResults "$@"
