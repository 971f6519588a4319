"""`xai predict` on TensorFlow Serving REST bodies, against TensorFlow Python.

For every fixture signature with sample inputs the sample batch is sent as
 - a row body       {"instances": [...]}       -> {"predictions": [...]}
 - a columnar body  {"inputs": ...}            -> {"outputs": ...}
 - a row body naming the signature in "signature_name" (the --signature_def
   flag then names another signature when there is one: the body must win)
 - the columnar body again, on standard input (--request -)
and the predictions are compared with tf_reference.predict.

The raw response text is also checked for TF Serving's layout and number
format (tensorflow_serving/util/json_tensor.cc):
 - RapidJSON PrettyWriter, 4-space indent, kFormatSingleLineArray: arrays on
   one line with ", " separators, object members one per line (objects inside
   arrays included), then a final newline;
 - float32 as printf("%.6g") when that round-trips through strtof, else
   "%.9g" (TF's FloatToBuffer); float64 likewise with %.15g / %.17g; a result
   without '.' or exponent gets ".0" appended (2 -> "2.0"); integers plain.
"""

import functools
import json

import numpy as np

import tf_reference

# --------------------------------------------------------------------------- #
# TF Serving's number format and layout
# --------------------------------------------------------------------------- #


class RawNumber(str):
    """A JSON number token exactly as written."""


def parse_raw(text):
    """json.loads keeping every number as its RawNumber token."""
    return json.loads(text, parse_float=RawNumber, parse_int=RawNumber)


def tf_serving_number(value, dtype):
    """The text TF Serving writes for one element of a tensor of `dtype`."""
    if np.dtype(dtype).kind in "iu":
        return str(int(value))
    if np.dtype(dtype) == np.float32:
        value = np.float32(value)
        text = "%.6g" % value
        if np.float32(text) != value:
            text = "%.9g" % value
    elif np.dtype(dtype) == np.float64:
        value = float(value)
        text = "%.15g" % value
        if float(text) != value:
            text = "%.17g" % value
    else:
        raise NotImplementedError(dtype)
    if not any(c in text for c in ".eEn"):  # n: nan/inf are not expected here
        text += ".0"
    return text


def tf_serving_layout(value, depth=0):
    """Re-render a parse_raw() result as RapidJSON's PrettyWriter would (no final newline)."""
    indent = "    "
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(tf_serving_layout(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = [f"{indent * (depth + 1)}{json.dumps(k)}: {tf_serving_layout(v, depth + 1)}"
                   for k, v in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + indent * depth + "}"
    raise TypeError(type(value))


def test_tf_serving_number_format():
    assert tf_serving_number(0.1, np.float32) == "0.1"
    assert tf_serving_number(2.0, np.float32) == "2.0"
    assert tf_serving_number(-0.0, np.float32) == "-0.0"
    assert tf_serving_number(np.float32(1) / np.float32(3), np.float32) == "0.333333343"
    assert tf_serving_number(1e-5, np.float32) == "1e-05"
    assert tf_serving_number(1234567.0, np.float32) == "1234567.0"  # %.6g is 1.23457e+06
    assert tf_serving_number(7, np.int64) == "7"


def test_tf_serving_layout():
    doc = {"predictions": [{"a": [RawNumber("1.0")], "b": RawNumber("2")},
                           {"a": [RawNumber("3.0")], "b": RawNumber("4")}]}
    assert tf_serving_layout(doc) == (
        '{\n    "predictions": [{\n            "a": [1.0],\n            "b": 2\n'
        '        }, {\n            "a": [3.0],\n            "b": 4\n        }]\n}')


def numbers(value):
    """Every RawNumber in a parse_raw() result, in order."""
    if isinstance(value, RawNumber):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from numbers(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from numbers(v)


def to_array(value, dtype):
    """A parse_raw() tensor value as a numpy array."""
    if isinstance(value, RawNumber):
        return np.asarray(float(value) if np.dtype(dtype).kind == "f" else int(value), dtype)
    return np.asarray([to_array(v, dtype) for v in value], dtype)


# --------------------------------------------------------------------------- #
# Request bodies from the manifest's sample inputs
# --------------------------------------------------------------------------- #


def sample(entry, signature):
    return entry["sample_inputs"][signature]


def batch_elements(value):
    """Per-example JSON values of one sample input ({"b64": [...]} -> [{"b64": s}, ...])."""
    if isinstance(value, dict):
        return [{"b64": s} for s in value["b64"]]
    return list(value)


def row_body(inputs):
    columns = {key: batch_elements(value) for key, value in inputs.items()}
    (batch,) = {len(v) for v in columns.values()}
    if len(columns) == 1:
        (elements,) = columns.values()
        return {"instances": elements}
    return {"instances": [{key: columns[key][i] for key in columns} for i in range(batch)]}


def columnar_body(inputs):
    columns = {key: batch_elements(value) for key, value in inputs.items()}
    if len(columns) == 1:
        (elements,) = columns.values()
        return {"inputs": elements}
    return {"inputs": columns}


def test_request_bodies():
    inputs = {"s": {"b64": ["YQ==", "Yg=="]}, "x": [[1.0], [2.0]]}
    assert row_body(inputs) == {"instances": [{"s": {"b64": "YQ=="}, "x": [1.0]},
                                              {"s": {"b64": "Yg=="}, "x": [2.0]}]}
    assert columnar_body(inputs) == {"inputs": {"s": [{"b64": "YQ=="}, {"b64": "Yg=="}],
                                                "x": [[1.0], [2.0]]}}
    assert row_body({"x": [[1.0], [2.0]]}) == {"instances": [[1.0], [2.0]]}
    assert columnar_body({"x": [[1.0], [2.0]]}) == {"inputs": [[1.0], [2.0]]}


# --------------------------------------------------------------------------- #
# Running and checking
# --------------------------------------------------------------------------- #


@functools.lru_cache(maxsize=None)
def _reference(path, signature, inputs_json):
    inputs = tf_reference.decode_json_inputs(json.loads(inputs_json))
    return tf_reference.predict(path, signature, inputs)


def reference_outputs(model_path, name, entry, signature):
    return _reference(model_path(name), signature, json.dumps(sample(entry, signature)))


def output_dtypes(entry, signature):
    return {key: spec["dtype"] for key, spec in entry["signatures"][signature]["output_specs"].items()}


def run_predict(run_xai, tmp_path, path, body, signature=None, stdin=False):
    args = ["predict", "--dir", path]
    if signature is not None:
        args += ["--signature_def", signature]
    text = json.dumps(body)
    if stdin:
        code, out, err = run_xai(*args, "--request", "-", stdin=text)
    else:
        request = tmp_path / "request.json"
        request.write_text(text)
        code, out, err = run_xai(*args, "--request", request)
    assert code == 0, f"xai predict exited with {code}; stderr:\n{err}"
    return out


def check_text_format(out, doc, dtypes_by_output):
    """`out` is laid out as TF Serving would, and every number formatted as TF Serving would.

    dtypes_by_output: {alias: (parsed tensor value inside doc, dtype name)}.
    """
    assert out == tf_serving_layout(doc) + "\n", "not TF Serving's JSON layout"
    for key, (value, dtype) in dtypes_by_output.items():
        for token in numbers(value):
            parsed = float(token) if np.dtype(dtype).kind == "f" else int(token)
            assert token == tf_serving_number(parsed, dtype), (
                f"output {key!r}: {token!r} is not TF Serving's formatting of {dtype} "
                f"{parsed!r} (expected {tf_serving_number(parsed, dtype)!r})")


def assert_close(actual, expected, what):
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(
            actual, expected, rtol=1e-6, atol=1e-6 * max(1.0, float(np.abs(expected).max())),
            err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def check_response(out, fmt, entry, signature, expected):
    """fmt "row" or "columnar": structure, values, layout and number format."""
    dtypes = output_dtypes(entry, signature)
    assert sorted(expected) == sorted(dtypes)
    doc = parse_raw(out)
    top = "predictions" if fmt == "row" else "outputs"
    assert list(doc) == [top], f"response keys {list(doc)}, expected [{top!r}]"
    body = doc[top]
    keys = sorted(expected)

    if fmt == "row":
        assert isinstance(body, list), "predictions must be a list"
        batch = len(next(iter(expected.values())))
        assert len(body) == batch, f"{len(body)} predictions for a batch of {batch}"
        if len(keys) == 1:
            tensors = {keys[0]: body}
        else:
            for i, example in enumerate(body):
                assert isinstance(example, dict) and list(example) == keys, (
                    f"prediction {i} must be an object keyed by the sorted output aliases {keys}")
            tensors = {key: [example[key] for example in body] for key in keys}
    else:
        if len(keys) == 1:
            tensors = {keys[0]: body}
        else:
            assert isinstance(body, dict) and list(body) == keys, (
                f"outputs must be an object keyed by the sorted output aliases {keys}")
            tensors = body

    for key in keys:
        if dtypes[key] == "string":
            raise NotImplementedError("string outputs: no fixture has one yet")
        actual = to_array(tensors[key], dtypes[key])
        assert_close(actual, np.asarray(expected[key]), f"{signature}/{key}")
    check_text_format(out, doc, {key: (tensors[key], dtypes[key]) for key in keys})


def other_signature(entry, signature):
    """Another signature of the same model, or None."""
    others = sorted(s for s in entry["sample_inputs"] if s != signature)
    return others[0] if others else None


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #


def test_predict_row(signature_case, manifest, run_xai, model_path, tmp_path):
    name, signature = signature_case
    entry = manifest[name]
    out = run_predict(run_xai, tmp_path, model_path(name), row_body(sample(entry, signature)),
                      signature)
    check_response(out, "row", entry, signature, reference_outputs(model_path, name, entry, signature))


def test_predict_columnar(signature_case, manifest, run_xai, model_path, tmp_path):
    name, signature = signature_case
    entry = manifest[name]
    out = run_predict(run_xai, tmp_path, model_path(name), columnar_body(sample(entry, signature)),
                      signature)
    check_response(out, "columnar", entry, signature,
                   reference_outputs(model_path, name, entry, signature))


def test_predict_signature_name_in_body(signature_case, manifest, run_xai, model_path, tmp_path):
    name, signature = signature_case
    entry = manifest[name]
    body = {"signature_name": signature, **row_body(sample(entry, signature))}
    out = run_predict(run_xai, tmp_path, model_path(name), body, other_signature(entry, signature))
    check_response(out, "row", entry, signature, reference_outputs(model_path, name, entry, signature))


def test_predict_stdin(signature_case, manifest, run_xai, model_path, tmp_path):
    name, signature = signature_case
    entry = manifest[name]
    out = run_predict(run_xai, tmp_path, model_path(name), columnar_body(sample(entry, signature)),
                      signature, stdin=True)
    check_response(out, "columnar", entry, signature,
                   reference_outputs(model_path, name, entry, signature))


def linear_y(entry, x):
    """y = x @ w + b in float32, from the manifest's w and b."""
    w = np.asarray(entry["w"], np.float32)
    b = np.asarray(entry["b"], np.float32)
    return np.asarray(x, np.float32) @ w + b


def test_linear_exact_text(manifest, run_xai, model_path, tmp_path):
    entry = manifest["linear"]
    x = [[0, 0, 0, 0, 0], [1, 0, 0, 0, 0]]
    y = linear_y(entry, x)
    rows = ", ".join("[" + ", ".join(tf_serving_number(v, np.float32) for v in row) + "]" for row in y)
    expected = '{\n    "outputs": [' + rows + ']\n}\n'
    assert expected == '{\n    "outputs": [[0.1], [0.6]]\n}\n'  # for w[0] = 0.5, b = 0.1
    out = run_predict(run_xai, tmp_path, model_path("linear"), {"inputs": x})
    assert out == expected


def test_linear_zero_input_prints_b(manifest, run_xai, model_path, tmp_path):
    entry = manifest["linear"]
    out = run_predict(run_xai, tmp_path, model_path("linear"), {"instances": [[0, 0, 0, 0, 0]]})
    assert tf_serving_number(entry["b"][0], np.float32) == "0.1"
    assert parse_raw(out)["predictions"] == [["0.1"]]
    assert '"predictions": [[0.1]]' in out


def test_linear_integer_valued_float_prints_point_zero(manifest, run_xai, model_path, tmp_path):
    entry = manifest["linear"]
    x = [[3.8, 0, 0, 0, 0]]  # 0.5 * 3.8f + 0.1f rounds to exactly 2.0f
    y = linear_y(entry, x)[0, 0]
    assert y == 2.0, y  # guards the choice of x against fixture changes
    out = run_predict(run_xai, tmp_path, model_path("linear"), {"instances": x})
    assert parse_raw(out)["predictions"] == [["2.0"]]
    assert out == '{\n    "predictions": [[2.0]]\n}\n'
