#!/usr/bin/env bash
# README command 2: set up, build, generate fixtures, run every test (CTest:
# GoogleTest unit/integration binaries and the pytest end-to-end suites).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/setup_tfma.sh
bash scripts/fixtures.sh
cd build
ctest --output-on-failure -j2 "$@"
