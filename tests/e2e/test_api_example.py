"""examples/explain_cpp — built by scripts/test.sh against an installed prefix
(`cmake --install`, then find_package(xai CONFIG)) — answers an :explain
request byte for byte as `xai explain` does; and a NaN prediction comes out
of `xai explain` as `xai predict` prints it (TF Serving's bare NaN token)."""
import json
import os
import subprocess

import numpy as np
import pytest

from test_explain import instances

CASES = [  # fixture, signature whose sample inputs make the request, extra flags
    ("seed", "serving_default", []),
    ("linear", "serving_default", []),
    ("tabular", "serving_default", []),
    ("cnn", "serving_default", []),
    ("image_module", "xai_preprocess", []),
    ("categorical", "serving_default", []),
]


@pytest.fixture(scope="module")
def example_bin():
    path = os.environ.get("XAI_EXAMPLE_BIN", "")
    assert os.access(path, os.X_OK), f"XAI_EXAMPLE_BIN={path!r} is not built (scripts/test.sh builds it)"
    return path


@pytest.mark.parametrize("fixture,signature,flags", CASES)
def test_example_answers_as_the_cli(run_xai, manifest, example_bin, tmp_path, fixture, signature, flags):
    entry = manifest[fixture]
    body = json.dumps({"instances": instances(entry["sample_inputs"][signature])})
    (tmp_path / "req.json").write_text(body)
    code, cli_out, err = run_xai("explain", "--dir", entry["dir"], "--request", str(tmp_path / "req.json"), *flags)
    assert code == 0, err
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([example_bin, entry["dir"]], input=body, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == cli_out


def test_example_reports_errors(example_bin):
    proc = subprocess.run([example_bin, "/nonexistent/model"], input="{}", capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert "explain_cpp: error: " in proc.stderr and "/nonexistent/model" in proc.stderr


def test_nan_prediction_as_predict_prints_it(run_xai, manifest, tmp_path):
    entry = manifest["linear"]
    row = entry["sample_inputs"]["serving_default"]["x"][0]
    row = [float("nan")] + row[1:]
    (tmp_path / "req.json").write_text(json.dumps({"instances": [row]}))  # json writes NaN
    code, predicted, err = run_xai("predict", "--dir", entry["dir"], "--request", str(tmp_path / "req.json"))
    assert code == 0, err
    md = {"inputs": {"x": {"inputTensorName": "x"}}, "outputs": {"y": {"outputTensorName": "y"}}}
    (tmp_path / "md.json").write_text(json.dumps(md))
    code, explained, err = run_xai("explain", "--dir", entry["dir"], "--request", str(tmp_path / "req.json"),
                                   "--metadata", str(tmp_path / "md.json"))
    assert code == 0, err
    assert "__xai_" not in explained
    assert "NaN" in predicted and "NaN" in explained
    want = json.loads(predicted)["predictions"]
    got = json.loads(explained)["predictions"]
    assert np.isnan(np.asarray(want, dtype=float)).all() and np.isnan(np.asarray(got, dtype=float)).all()
    assert np.asarray(got, dtype=float).shape == np.asarray(want, dtype=float).shape
