#!/usr/bin/env bash
# Installs everything xai needs on a fresh Debian 12 machine and builds it.
# Idempotent: a second run only rebuilds what changed.
#   - Debian packages (compiler, CMake, Ninja, JSON, CLI11, GoogleTest, ...)
#   - .venv with the pinned tensorflow-cpu wheel (its C++ runtime is what xai links)
#   - build/ (CMake + Ninja)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APT_PACKAGES=(build-essential cmake ninja-build pkg-config python3-venv
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libarchive-dev nettle-dev libpng-dev clang)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY="${XAI_BOOTSTRAP_PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
STAMP=.venv/.requirements.sha
WANT="$(cat requirements-test.txt requirements-sdk.txt | sha1sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "setup: installing Python packages (tensorflow-cpu 2.21.0 wheel; a few minutes the first time)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-test.txt -r requirements-sdk.txt
  .venv/bin/pip install -q --no-deps explainable-ai-sdk==1.3.3
  echo "$WANT" > "$STAMP"
fi

if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DXAI_PYTHON="$ROOT/.venv/bin/python" >/dev/null
fi
echo "setup: building"
ninja -C build | grep -vE '^\[[0-9]+/[0-9]+\]' || true
test -x build/xai/cli/xai
