#!/usr/bin/env bash
# README command 1: set up, then run xai on the bundled default model (the
# seed example: Dense(256, relu) → Dense(10, sigmoid) on 2000 inputs, trained
# briefly on synthetic data at set-up time).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/fixtures.sh
MODEL="$ROOT/build/fixtures/seed"
REQUEST="$ROOT/build/fixtures/seed_request.json"
.venv/bin/python - "$ROOT/build/fixtures/manifest.json" "$REQUEST" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
rows = manifest["seed"]["sample_inputs"]["serving_default"]["features"][:2]
json.dump({"instances": rows}, open(sys.argv[2], "w"))
PY
echo "== xai inspect --dir $MODEL --tag_set serve --signature_def serving_default"
build/xai/cli/xai inspect --dir "$MODEL" --tag_set serve --signature_def serving_default
echo "== xai predict --dir $MODEL --request $REQUEST   (two examples, 10 sigmoid outputs each)"
build/xai/cli/xai predict --dir "$MODEL" --request "$REQUEST"
