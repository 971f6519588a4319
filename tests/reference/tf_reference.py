#!/usr/bin/env python3
"""Reference predictions and vector-Jacobian products computed with TensorFlow.

Library use:
    predict(model_dir, signature, inputs) -> {output_key: np.ndarray}
    vjp(model_dir, signature, input_key, output_key, inputs, weights) -> np.ndarray | None

`inputs` maps signature input keys to array-likes (cast to the signature
dtype) or, for string inputs, to lists of bytes. vjp returns
d(sum(weights * outputs[output_key])) / d(inputs[input_key]), or None when
no gradient path exists (e.g. the path crosses Floor).

CLI (JSON on stdout):
    tf_reference.py predict --dir D --signature S --inputs-json FILE
        -> {"outputs": {key: nested list}}   (string outputs as flattened {"b64": [...]})
    tf_reference.py vjp --dir D --signature S --input-key K --output-key O \
        --inputs-json FILE --weights-json FILE
        -> {"gradient": nested list or null}
Inputs JSON: {key: nested list} or, for string inputs, {key: {"b64": [...]}}
(standard base64 of the raw bytes). Weights JSON: a nested list shaped like
the output (anything broadcastable works).
"""

import argparse
import base64
import functools
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


@functools.lru_cache(maxsize=None)
def _load(model_dir):
    # The loaded object must stay alive while its signature functions are used.
    return tf.saved_model.load(model_dir)


def signature_fn(model_dir, signature):
    return _load(os.path.realpath(model_dir)).signatures[signature]


def decode_json_inputs(obj):
    """Turn the JSON input convention into predict()/vjp() inputs."""
    return {
        key: [base64.b64decode(s) for s in value["b64"]] if isinstance(value, dict) else value
        for key, value in obj.items()
    }


def _to_tensors(fn, inputs):
    specs = fn.structured_input_signature[1]
    missing = set(specs) - set(inputs)
    if missing:
        raise KeyError(f"missing inputs {sorted(missing)}; signature takes {sorted(specs)}")
    return {key: tf.constant(inputs[key], dtype=specs[key].dtype) for key in specs}


def predict(model_dir, signature, inputs):
    fn = signature_fn(model_dir, signature)
    outputs = fn(**_to_tensors(fn, inputs))
    return {key: value.numpy() for key, value in outputs.items()}


def vjp(model_dir, signature, input_key, output_key, inputs, weights):
    fn = signature_fn(model_dir, signature)
    tensors = _to_tensors(fn, inputs)
    x = tensors[input_key]
    if not x.dtype.is_floating:
        raise ValueError(f"input {input_key!r} has non-float dtype {x.dtype.name}")
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(**tensors)[output_key]
        target = tf.reduce_sum(tf.constant(weights, dtype=y.dtype) * y)
    grad = tape.gradient(target, x)
    return None if grad is None else grad.numpy()


def _to_json(array):
    if array.dtype == object:  # tf.string outputs
        return {"b64": [base64.b64encode(v).decode("ascii") for v in array.ravel()]}
    return array.tolist()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("predict", "vjp"):
        cmd = commands.add_parser(name)
        cmd.add_argument("--dir", required=True)
        cmd.add_argument("--signature", default="serving_default")
        cmd.add_argument("--inputs-json", required=True)
        if name == "vjp":
            cmd.add_argument("--input-key", required=True)
            cmd.add_argument("--output-key", required=True)
            cmd.add_argument("--weights-json", required=True)
    args = parser.parse_args(argv)

    with open(args.inputs_json) as f:
        inputs = decode_json_inputs(json.load(f))
    if args.command == "predict":
        outputs = predict(args.dir, args.signature, inputs)
        result = {"outputs": {k: _to_json(v) for k, v in outputs.items()}}
    else:
        with open(args.weights_json) as f:
            weights = json.load(f)
        grad = vjp(args.dir, args.signature, args.input_key, args.output_key, inputs, weights)
        result = {"gradient": None if grad is None else grad.tolist()}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
