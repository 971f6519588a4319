"""Runs real TFMA (in .venv-tfma) on an EvalConfig and writes its results as
JSON, for the parity tests of `xai validate`.

  tfma_reference.py --eval_config F --data_location P --output_path D
                    [--candidate DIR [--baseline DIR]] --json OUT.json

Without --candidate TFMA runs model-agnostic (predictions from the data).
With --candidate and no --baseline the candidate is a rubber stamp (as TFX
does on a first run). OUT.json: {"validation": <ValidationResult as JSON>,
"metrics": [{"slice": <SliceKey JSON>, "metrics": [[<MetricKey JSON>, value], ...]}]}.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow_model_analysis as tfma  # noqa: E402
from google.protobuf import json_format, text_format  # noqa: E402
from tensorflow_model_analysis.proto import config_pb2  # noqa: E402
from tensorflow_model_analysis.utils import config_util  # noqa: E402


def load_config(path):
    text = open(path).read()
    config = config_pb2.EvalConfig()
    if text.lstrip().startswith("{"):
        json_format.Parse(text, config)
    else:
        text_format.Parse(text, config)
    return config


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval_config", required=True)
    ap.add_argument("--data_location", required=True)
    ap.add_argument("--output_path", required=True)
    ap.add_argument("--candidate")
    ap.add_argument("--baseline")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    config = load_config(a.eval_config)
    models = None
    if a.candidate:
        # As TFX's Evaluator: name the models (candidate/baseline) first.
        config = config_util.update_eval_config_with_defaults(
            config, has_baseline=bool(a.baseline), rubber_stamp=not a.baseline)
        models = [tfma.default_eval_shared_model(
            eval_saved_model_path=a.candidate, eval_config=config,
            model_name=tfma.CANDIDATE_KEY if a.baseline else "",
            rubber_stamp=not a.baseline)]
        if a.baseline:
            models.append(tfma.default_eval_shared_model(
                eval_saved_model_path=a.baseline, eval_config=config, model_name=tfma.BASELINE_KEY))
    tfma.run_model_analysis(
        eval_shared_model=models, eval_config=config, data_location=a.data_location,
        output_path=a.output_path)
    validation = tfma.load_validation_result(a.output_path)
    metrics = []
    for m in tfma.load_metrics(a.output_path, output_file_format="tfrecord"):
        values = []
        for kv in m.metric_keys_and_values:
            if kv.value.HasField("double_value"):
                values.append([json_format.MessageToDict(kv.key), kv.value.double_value.value])
        metrics.append({"slice": json_format.MessageToDict(m.slice_key), "metrics": values})
    with open(a.json, "w") as f:
        json.dump({"validation": json_format.MessageToDict(validation), "metrics": metrics}, f, indent=1)


if __name__ == "__main__":
    main()
