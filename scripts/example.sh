#!/usr/bin/env bash
# Installs libxai and its headers into build/install (cmake --install) and
# builds examples/explain_cpp against that prefix alone (find_package(xai
# CONFIG)) into build/example. Needs a finished build (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
rm -rf build/install build/example
cmake --install build --prefix build/install >/dev/null
cmake -S examples/explain_cpp -B build/example -G Ninja -DCMAKE_PREFIX_PATH="$ROOT/build/install" >/dev/null
ninja -C build/example | grep -vE '^\[[0-9]+/[0-9]+\]' || true
test -x build/example/explain_cpp
echo "example: build/example/explain_cpp built against build/install"
