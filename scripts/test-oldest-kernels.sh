#!/usr/bin/env bash
# The test command with every CPU kernel choice inside libtorch forced to the oldest level: ATen's own kernels,
# oneDNN's and MKL's. Another CPU (AMD or Intel, AVX2 or AVX-512) picks other kernels and the floats change in the last
# bits; a test that passes here and with the machine's own choice does not depend on them.
# Usage: bash scripts/test-oldest-kernels.sh [extra dotnet test arguments]
set -uo pipefail
export ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2
exec bash "$(dirname "$0")/test.sh" "$@"
