"""`xai validate` against real TFMA (tensorflow-model-analysis in .venv-tfma).

For each EvalConfig in tests/validation/configs, TFMA's run_model_analysis and
xai run on the same generated TFRecords and SavedModels; xai's output files are
read back with TFMA's own loaders (tfma.load_validation_result / load_metrics),
and compared with TFMA's:
  - the same metric keys on the same slices;
  - AUC / AUCPrecisionRecall / counts / confusion metrics bit-identical;
  - the other metrics within 1e-9 relative when predictions come from the
    data, 1e-6 when xai and TFMA each run the model (TensorFlow's float32
    kernels differ by ~1e-7 between the C++ session and Python), and the
    float32 cross-entropies within the tolerances noted in TOLERANCES;
  - the ValidationResult: validation_ok, rubber_stamp, missing_thresholds,
    missing_slices, every failure (slice, metric key, threshold, message,
    value within the metric's tolerance), slicing details.

Environment: XAI_BIN, XAI_TFMA_PYTHON (default <repo>/.venv-tfma/bin/python).
The suite fails (does not skip) when the TFMA venv is missing.
"""
import json
import math
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
VALIDATION = os.path.join(ROOT, "tests", "validation")
CONFIGS = os.path.join(VALIDATION, "configs")
TFMA_PYTHON = os.environ.get("XAI_TFMA_PYTHON", os.path.join(ROOT, ".venv-tfma", "bin", "python"))

# name → (uses models, baseline, expected exit code)
CASES = {
    "pass": (True, True, 0),
    "value_fail": (True, True, 1),
    "absolute_fail": (True, True, 1),
    "relative_fail": (True, True, 1),
    "rubber_stamp": (True, False, 0),
    "two_features": (False, False, 1),
    "guide": (True, True, 1),
}

EXACT = {"auc", "auc_precision_recall", "example_count", "weighted_example_count", "binary_accuracy",
         "precision", "recall", "mean_label"}
# float32 elementwise logs (numpy's SIMD logf vs libm) and Keras' float32 metric.
TOLERANCES = {"binary_crossentropy": 1e-7, "keras_bce": 1e-6}


def env_without_tf_logs():
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


@pytest.fixture(scope="session")
def tfma_python():
    if not os.access(TFMA_PYTHON, os.X_OK):
        pytest.fail(f"TFMA venv missing: {TFMA_PYTHON} (run scripts/setup_tfma.sh)", pytrace=False)
    return TFMA_PYTHON


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("validate_gen"))
    subprocess.run([sys.executable, os.path.join(VALIDATION, "make_validation_data.py"), out],
                   check=True, capture_output=True, env=env_without_tf_logs(), timeout=300)
    return out


def tfma_config_for(name, tmp):
    """TFMA rejects the guide's `metrics_spec` spelling: give it `metrics_specs`."""
    path = os.path.join(CONFIGS, name + ".pbtxt")
    if name != "guide":
        return path
    fixed = os.path.join(tmp, "guide_for_tfma.pbtxt")
    with open(path) as f, open(fixed, "w") as g:
        g.write(f.read().replace("metrics_spec {", "metrics_specs {"))
    return fixed


def model_args(generated, with_models, with_baseline):
    args = []
    if with_models:
        args += ["--candidate", os.path.join(generated, "candidate")]
        if with_baseline:
            args += ["--baseline", os.path.join(generated, "baseline")]
    return args


def run_tfma(tfma_python, config, data, out, models, tmp):
    result_json = os.path.join(tmp, "tfma.json")
    proc = subprocess.run([tfma_python, os.path.join(VALIDATION, "tfma_reference.py"), "--eval_config", config,
                           "--data_location", data, "--output_path", out, "--json", result_json, *models],
                          capture_output=True, text=True, env=env_without_tf_logs(), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(result_json) as f:
        return json.load(f)


def read_xai(tfma_python, out, tmp):
    result_json = os.path.join(tmp, "xai.json")
    proc = subprocess.run([tfma_python, os.path.join(VALIDATION, "read_xai_output.py"), out, result_json],
                          capture_output=True, text=True, env=env_without_tf_logs(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(result_json) as f:
        return json.load(f)


def metric_index(result):
    out = {}
    for s in result["metrics"]:
        for key, value in s["metrics"]:
            out[(json.dumps(s["slice"], sort_keys=True), json.dumps(key, sort_keys=True))] = value
    return out


def tolerance(name, with_models):
    if name in EXACT:
        return 0.0
    if name in TOLERANCES:
        return max(TOLERANCES[name], 1e-6 if with_models else 0)
    return 1e-6 if with_models else 1e-9


def close(a, b, tol):
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if tol == 0 else abs(a - b) <= tol * max(abs(a), abs(b), 1e-12)


def failures(validation):
    out = []
    for s in validation.get("metricValidationsPerSlice", []):
        for f in s["failures"]:
            value = f.get("metricValue", {}).get("doubleValue")
            out.append((json.dumps(s.get("sliceKey", {}), sort_keys=True), json.dumps(f["metricKey"], sort_keys=True),
                        json.dumps(f["metricThreshold"], sort_keys=True), f.get("message", ""), value))
    return sorted(out, key=lambda x: x[:4])


def details(validation):
    return sorted((json.dumps(d.get("slicingSpec", {}), sort_keys=True), d.get("numMatchingSlices", 0))
                  for d in validation.get("validationDetails", {}).get("slicingDetails", []))


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tfma(case, generated, tfma_python, run_xai, tmp_path):
    with_models, with_baseline, want_exit = CASES[case]
    data = os.path.join(generated, "data", "eval-*")
    models = model_args(generated, with_models, with_baseline)
    reference = run_tfma(tfma_python, tfma_config_for(case, str(tmp_path)), data, str(tmp_path / "tfma"), models,
                         str(tmp_path))
    code, out, err = run_xai("validate", "--eval_config", os.path.join(CONFIGS, case + ".pbtxt"),
                             "--data_location", data, "--output_path", tmp_path / "xai", *models)
    assert code == want_exit, err + out
    for marker in ("BLESSED", "NOT_BLESSED"):
        assert os.path.exists(tmp_path / "xai" / marker) == (marker == ("BLESSED" if want_exit == 0 else "NOT_BLESSED"))
    ours = read_xai(tfma_python, str(tmp_path / "xai"), str(tmp_path))

    want, got = metric_index(reference), metric_index(ours)
    assert sorted(got) == sorted(want)
    for (slice_key, key), value in want.items():
        name = json.loads(key)["name"]
        assert close(got[(slice_key, key)], value, tolerance(name, with_models)), (slice_key, key, got[(slice_key, key)], value)

    rv, ov = reference["validation"], ours["validation"]
    for field in ("validationOk", "rubberStamp", "missingThresholds"):
        assert ov.get(field, False) == rv.get(field, False), field
    assert sorted(map(json.dumps, ov.get("missingSlices", []))) == sorted(map(json.dumps, rv.get("missingSlices", [])))
    want_f, got_f = failures(rv), failures(ov)
    assert [f[:4] for f in got_f] == [f[:4] for f in want_f]
    for g, w in zip(got_f, want_f):
        name = json.loads(w[1])["name"]
        assert close(g[4], w[4], tolerance(name, with_models)), (g, w)
    assert details(ov) == details(rv)
    assert (rv.get("validationOk", False)) == (want_exit == 0)
