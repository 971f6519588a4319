"""Reads an `xai validate` output directory with TFMA's own loaders (in
.venv-tfma) and writes the same JSON layout as tfma_reference.py."""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow_model_analysis as tfma  # noqa: E402
from google.protobuf import json_format  # noqa: E402


def main(output_path, out_json):
    validation = tfma.load_validation_result(output_path)
    metrics = []
    for m in tfma.load_metrics(output_path, output_file_format="tfrecord"):
        values = [[json_format.MessageToDict(kv.key), kv.value.double_value.value]
                  for kv in m.metric_keys_and_values if kv.value.HasField("double_value")]
        metrics.append({"slice": json_format.MessageToDict(m.slice_key), "metrics": values})
    with open(out_json, "w") as f:
        json.dump({"validation": json_format.MessageToDict(validation), "metrics": metrics}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
