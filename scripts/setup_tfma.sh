#!/usr/bin/env bash
# Creates .venv-tfma with real TensorFlow Model Analysis (pinned in
# requirements-tfma.txt), used only as the reference of the `xai validate`
# parity tests. Kept apart from .venv, which must keep tensorflow-cpu 2.21.0
# (the wheel xai links). Idempotent: reinstalls only when the pins change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${XAI_TFMA_BOOTSTRAP_PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv-tfma/bin/python ]; then
  echo "setup_tfma: creating .venv-tfma"
  "$PY" -m venv .venv-tfma
fi
STAMP=.venv-tfma/.requirements.sha
WANT="$(sha1sum requirements-tfma.txt | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "setup_tfma: installing tensorflow-model-analysis (several minutes the first time)"
  .venv-tfma/bin/pip install -q --upgrade pip
  .venv-tfma/bin/pip install -q --no-deps -r requirements-tfma.txt
  echo "$WANT" > "$STAMP"
fi
