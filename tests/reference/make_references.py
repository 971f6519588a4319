#!/usr/bin/env python3
"""Write FIXTURES_DIR/references.json: TensorFlow's answers for every fixture.

Usage: make_references.py FIXTURES_DIR

FIXTURES_DIR is a make_fixtures.py output directory (it must hold
manifest.json). The file is written to a temp file in FIXTURES_DIR and then
renamed into place, so readers never see a partial file.

references.json layout
----------------------
{
  "<fixture name>": {
    "predict": [                              # one per signature with sample inputs
      {
        "signature": "serving_default",
        "inputs": {...},                      # verbatim manifest sample_inputs[signature]
        "outputs": {
          "<output key>": {
            "dtype": "float32" | "int64" | "string" | ...,   # tf.DType.name
            "shape": [3, 10],                 # concrete shape of this batch
            "values": [...]                   # flat, row-major
          }
        }
      }
    ],
    "vjp": [                                  # one per manifest grad_case
      {
        "signature": "serving_default",
        "x": "<input key>",                   # differentiate with respect to this input
        "y": "<output key>",                  # ... of sum(weights * outputs[y])
        "inputs": {...},                      # verbatim manifest sample_inputs[signature]
        "weights": {"shape": [...], "values": [...]},   # same shape as y
        "y_values": [...],                    # outputs[y], flat (shape = weights shape)
        "gradient": {"shape": [...], "values": [...]},  # shape of inputs[x]
        # or, for fixtures with "differentiable": false in the manifest:
        # "gradient": null, "blocking_op_type": "Floor"
      }
    ]
  }
}

Conventions:
- "inputs" follows the manifest: numeric inputs are nested lists (cast them to
  the signature dtype); string inputs are {"b64": [standard base64, ...]}.
- "values" lists are flat in row-major (C) order. Floating-point values are
  written as float64 (Python's shortest round-trip repr of the float32 value
  widened to double), integers as JSON integers, bools as JSON booleans and
  string tensors as standard base64 (RFC 4648, not web-safe) strings.
- weights: standard normal draws from numpy.random.default_rng(seed) with
  seed = [WEIGHT_SEED, crc32(fixture name), grad_case index], so each case's
  weights do not depend on which other fixtures or cases exist. They are
  stored as float64 but TensorFlow applies them cast to y's dtype (float32),
  so the gradient matches float32(weights), not the float64 values exactly.
"""

import base64
import json
import os
import sys
import tempfile
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tf_reference  # noqa: E402

WEIGHT_SEED = 20240601


def flat_values(array):
    """Row-major flat list, JSON-ready (see the conventions above)."""
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind in "SU":  # tf.string
        return [base64.b64encode(v if isinstance(v, bytes) else str(v).encode()).decode("ascii")
                for v in array.ravel()]
    if array.dtype.kind == "f":
        return array.astype(np.float64).ravel().tolist()
    return array.ravel().tolist()  # ints and bools keep their JSON type


def dtype_name(array):
    if array.dtype == object or array.dtype.kind in "SU":
        return "string"
    return array.dtype.name


def tensor_json(array):
    array = np.asarray(array)
    return {"dtype": dtype_name(array), "shape": list(array.shape), "values": flat_values(array)}


def model_dir(fixtures_dir, name):
    """make_fixtures.py writes every fixture to FIXTURES_DIR/<name>."""
    return os.path.join(fixtures_dir, name)


def predict_references(fixtures_dir, name, entry):
    references = []
    for signature in sorted(entry["sample_inputs"]):
        if signature.startswith("__"):  # __saved_model_init_op
            continue
        json_inputs = entry["sample_inputs"][signature]
        outputs = tf_reference.predict(model_dir(fixtures_dir, name), signature,
                                       tf_reference.decode_json_inputs(json_inputs))
        references.append({
            "signature": signature,
            "inputs": json_inputs,
            "outputs": {key: tensor_json(outputs[key]) for key in sorted(outputs)},
        })
    return references


def vjp_references(fixtures_dir, name, entry):
    references = []
    for index, case in enumerate(entry["grad_cases"]):
        signature, x, y = case["signature"], case["input_key"], case["output_key"]
        json_inputs = entry["sample_inputs"][signature]
        inputs = tf_reference.decode_json_inputs(json_inputs)
        path = model_dir(fixtures_dir, name)
        y_values = tf_reference.predict(path, signature, inputs)[y]
        rng = np.random.default_rng([WEIGHT_SEED, zlib.crc32(name.encode()), index])
        weights = rng.normal(size=y_values.shape)
        gradient = tf_reference.vjp(path, signature, x, y, inputs, weights)
        reference = {
            "signature": signature,
            "x": x,
            "y": y,
            "inputs": json_inputs,
            "weights": {"shape": list(weights.shape), "values": flat_values(weights)},
            "y_values": flat_values(y_values),
        }
        if entry["differentiable"]:
            if gradient is None:
                raise RuntimeError(f"{name}: TensorFlow found no gradient for {case}")
            reference["gradient"] = {"shape": list(gradient.shape), "values": flat_values(gradient)}
        else:
            if gradient is not None:
                raise RuntimeError(f"{name}: manifest says not differentiable, TF found a gradient")
            reference["gradient"] = None
            reference["blocking_op_type"] = entry["blocking_op_type"]
        references.append(reference)
    return references


def make_references(fixtures_dir):
    fixtures_dir = os.path.abspath(fixtures_dir)
    with open(os.path.join(fixtures_dir, "manifest.json")) as f:
        manifest = json.load(f)
    references = {}
    for name in sorted(manifest):
        entry = manifest[name]
        references[name] = {
            "predict": predict_references(fixtures_dir, name, entry),
            "vjp": vjp_references(fixtures_dir, name, entry),
        }
        print(f"referenced {name}", file=sys.stderr)

    fd, tmp = tempfile.mkstemp(prefix=".references-", suffix=".json", dir=fixtures_dir)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w") as f:
            json.dump(references, f, sort_keys=True, allow_nan=False)
            f.write("\n")
        os.replace(tmp, os.path.join(fixtures_dir, "references.json"))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return references


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_references.py FIXTURES_DIR")
    make_references(sys.argv[1])
