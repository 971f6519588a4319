#!/usr/bin/env bash
# README command 2: set up, build, generate fixtures, build the API example
# against an installed prefix, check thread-safety annotations, run the
# concurrency tests under ThreadSanitizer, then every test (CTest: GoogleTest
# unit/integration binaries and the pytest end-to-end suites).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/setup_tfma.sh
bash scripts/fixtures.sh
bash scripts/example.sh        # install + the standalone API consumer (tested by e2e_test_api_example)
bash scripts/thread_safety.sh  # clang -Wthread-safety over the library
bash scripts/tsan.sh           # concurrency tests under ThreadSanitizer (build-tsan)
cd build
ctest --output-on-failure -j2 "$@"
