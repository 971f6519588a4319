"""Bad input to xai: exit code 2 and exactly one `xai: error: ...` line on stderr.

Every case checks that
 - the exit code is 2,
 - stdout is empty,
 - stderr is exactly one non-empty line (ending in a newline) that starts with
   "xai: error: " (no TensorFlow log lines around it),
 - the line contains the case's key words, compared case-insensitively.
"""

import json
import os

import pytest

PREFIX = "xai: error: "


def assert_one_error_line(result, *words):
    code, out, err = result
    assert code == 2, f"exit code {code}, expected 2; stderr:\n{err}"
    assert out == "", f"nothing should be printed on stdout, got:\n{out}"
    lines = err.split("\n")
    assert err.endswith("\n") and len(lines) == 2 and lines[0].strip(), (
        f"stderr must be exactly one non-empty line, got {len(err.splitlines())} lines:\n{err}")
    line = lines[0]
    assert line.startswith(PREFIX), f"stderr line must start with {PREFIX!r}: {line!r}"
    missing = [w for w in words if w.lower() not in line.lower()]
    assert not missing, f"error line lacks {missing}: {line!r}"
    return line


def write_json(tmp_path, body, name="request.json"):
    path = tmp_path / name
    path.write_text(body if isinstance(body, str) else json.dumps(body))
    return path


def predict(run_xai, tmp_path, model, body, *extra):
    return run_xai("predict", "--dir", model, "--request", write_json(tmp_path, body), *extra)


# --------------------------------------------------------------------------- #
# inspect: bad model directories and keys
# --------------------------------------------------------------------------- #


def test_inspect_missing_dir(run_xai):
    assert_one_error_line(run_xai("inspect", "--dir", "/nonexistent"), "/nonexistent", "does not exist")


def test_inspect_dir_without_saved_model(run_xai, tmp_path):
    (tmp_path / "notes.txt").write_text("just some text, not a model\n")
    assert_one_error_line(run_xai("inspect", "--dir", tmp_path), "not a SavedModel")


def test_inspect_garbage_saved_model_pb(run_xai, tmp_path):
    # Bytes that cannot be a SavedModel proto (field 0 / truncated varints).
    (tmp_path / "saved_model.pb").write_bytes(b"\x00\xff\xff\xff\xff garbage \x07" * 16)
    assert_one_error_line(run_xai("inspect", "--dir", tmp_path), "saved_model.pb", "parse")


def test_inspect_unknown_tag_set(run_xai, model_path):
    assert_one_error_line(run_xai("inspect", "--dir", model_path("linear"), "--tag_set", "nope"),
                          "nope", "serve")


def test_inspect_unknown_signature(run_xai, model_path):
    result = run_xai("inspect", "--dir", model_path("linear"), "--tag_set", "serve",
                     "--signature_def", "nope")
    assert_one_error_line(result, "nope", "serving_default")


# --------------------------------------------------------------------------- #
# predict: bad signatures, request files and bodies
# --------------------------------------------------------------------------- #


def test_predict_unknown_signature(run_xai, model_path, tmp_path):
    result = predict(run_xai, tmp_path, model_path("linear"), {"instances": [[0, 0, 0, 0, 0]]},
                     "--signature_def", "nope")
    assert_one_error_line(result, "nope", "serving_default")


def test_predict_malformed_json(run_xai, model_path, tmp_path):
    result = predict(run_xai, tmp_path, model_path("linear"), '{"instances": [1,')
    assert_one_error_line(result, "JSON Parse error")


def test_predict_missing_inputs_and_instances(run_xai, model_path, tmp_path):
    result = predict(run_xai, tmp_path, model_path("linear"), {"foo": 1})
    assert_one_error_line(result, "Missing 'inputs' or 'instances' key")


def test_predict_wrong_input_key(run_xai, model_path, tmp_path, manifest):
    sample = manifest["tabular"]["sample_inputs"]["serving_default"]
    instance = {key: value[0] for key, value in sample.items()}
    instance["salary"] = instance.pop("income")
    result = predict(run_xai, tmp_path, model_path("tabular"), {"instances": [instance]})
    # The bad key and the keys the signature expects.
    assert_one_error_line(result, "salary", "age", "features", "hours", "income")


def test_predict_wrong_dtype(run_xai, model_path, tmp_path):
    result = predict(run_xai, tmp_path, model_path("linear"), {"instances": [["a", 0, 0, 0, 0]]})
    assert_one_error_line(result, "not of expected type")


def test_predict_wrong_shape(run_xai, model_path, tmp_path):
    result = predict(run_xai, tmp_path, model_path("seed"), {"instances": [[0.5, 1.0, -1.0]]})
    line = assert_one_error_line(result, "2000", "3")
    assert "3" in line.replace("2000", ""), f"the actual size 3 is not named: {line!r}"


@pytest.mark.parametrize("body", [{"inputs": [[0, 0, 0, 0, 0], [0, 0]]},
                                  {"instances": [[0, 0, 0, 0, 0], [0, 0]]}],
                         ids=["columnar", "row"])
def test_predict_ragged_list(run_xai, model_path, tmp_path, body):
    line = assert_one_error_line(predict(run_xai, tmp_path, model_path("linear"), body))
    assert "unexpected size" in line.lower() or "shape" in line.lower(), (
        f"error line mentions neither 'unexpected size' nor 'shape': {line!r}")


def test_predict_missing_request_file(run_xai, model_path):
    assert not os.path.exists("/nonexistent.json")
    result = run_xai("predict", "--dir", model_path("linear"), "--request", "/nonexistent.json")
    assert_one_error_line(result, "/nonexistent.json")


# --- JSON limits (docs/limits.md) ------------------------------------------------

def test_deep_nesting_is_refused_not_a_crash(run_xai, model_path, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"instances": [' + "[" * 100000 + "]" * 100000 + ", 1]}")
    for command in ("predict", "explain"):
        code, out, err = run_xai(command, "--dir", model_path("linear"), "--request", str(deep))
        assert code == 2, err
        assert out == ""
        assert err.count("\n") == 1 and "levels deep (the limit)" in err, err


def test_number_overflow_is_refused_not_a_crash(run_xai, model_path, tmp_path):
    body = tmp_path / "big.json"
    body.write_text('{"instances": [[1e400]]}')
    code, out, err = run_xai("predict", "--dir", model_path("linear"), "--request", str(body))
    assert code == 2, err
    assert err.startswith("xai: error: JSON Parse error: ") and "number overflow parsing '1e400'" in err, err
    code, out, err = run_xai("explain", "--dir", model_path("linear"), "--request", str(body))
    assert code == 2, err
    assert err == 'xai: error: the :explain request must be a JSON object with "instances"\n', err
    md = tmp_path / "md.json"
    md.write_text('{"inputs": {"x": {"inputTensorName": "x", "inputBaselines": [1e400]}}, "outputs": {"y": {}}}')
    code, out, err = run_xai("metadata", "check", "--dir", model_path("linear"), "--metadata", str(md))
    assert code == 2, err
    assert err == "xai: error: explanation metadata is not valid JSON\n", err


def test_signature_without_inputs_and_bad_thread_counts(run_xai, model_path, tmp_path):
    body = tmp_path / "req.json"
    body.write_text('{"instances": [1]}')
    code, out, err = run_xai("predict", "--dir", model_path("linear"), "--request", str(body),
                             "--signature_def", "__saved_model_init_op")
    assert code == 2 and out == ""
    assert err == ("xai: error: signature '__saved_model_init_op' takes no inputs; expected a signature with "
                   "inputs to predict with\n"), err
    code, out, err = run_xai("predict", "--dir", model_path("linear"), "--request", str(body),
                             "--intra_op_threads", "-5")
    assert code == 2 and out == ""
    assert err == "xai: error: intra_op_threads must be in [0, 1024] (0: TensorFlow's choice), got -5\n", err
