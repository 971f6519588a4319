"""`xai metadata build|check` end to end, and parity with Google's explainable-ai-sdk.

The SDK's TF2 SavedModelMetadataBuilder (PyPI explainable-ai-sdk 1.3.3) is the
reference for plain TF2 signatures: same input keys, tensor names and output.
Deliberate differences (docs/metadata.md): xai sets modality "image" for image
tensors, adds encoded tensors for categorical inputs, and names tensors after
in-graph preprocessing.
"""
import json
import os
import subprocess
import sys

import pytest


SDK_FIXTURES = ["seed", "tabular", "linear", "categorical", "cnn", "preprocessed"]


def sdk_metadata(model_dir):
    code = (
        "import json, sys\n"
        "from explainable_ai_sdk.metadata.tf.v2 import saved_model_metadata_builder as b\n"
        "print(json.dumps(b.SavedModelMetadataBuilder(sys.argv[1]).get_metadata()))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code, model_dir], check=True,
                         capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(run_xai, model_dir, *extra):
    code, out, err = run_xai("metadata", "build", "--dir", model_dir, "--format", "legacy", *extra)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("fixture", SDK_FIXTURES)
def test_build_agrees_with_explainable_ai_sdk(run_xai, manifest, fixture):
    model_dir = manifest[fixture]["dir"]
    ours = build(run_xai, model_dir)
    theirs = sdk_metadata(model_dir)
    assert set(ours["inputs"]) == set(theirs["inputs"])
    assert ours["outputs"] == {k: {"output_tensor_name": v["output_tensor_name"]} for k, v in theirs["outputs"].items()}
    assert ours["framework"] == theirs["framework"] == "tensorflow2"
    for key, sdk_in in theirs["inputs"].items():
        mine = ours["inputs"][key]
        assert mine.get("encoding", "identity") == sdk_in["encoding"] or mine.get("encoded_tensor_name")
        if fixture == "preprocessed":  # deliberate: the tensor after normalization
            assert mine["input_tensor_name"].endswith("truediv:0")
            continue
        assert mine["input_tensor_name"] == sdk_in["input_tensor_name"]
        if sdk_in["modality"] == "categorical":
            assert mine["modality"] == "categorical" and mine["encoded_tensor_name"]
        elif manifest[fixture].get("kind", "").startswith("keras3_cnn") or fixture == "cnn":
            assert mine["modality"] == "image"  # deliberate: the SDK says numeric
        else:
            assert mine["modality"] == sdk_in["modality"]


@pytest.mark.parametrize("fmt", ["vertex", "legacy"])
def test_check_passes_on_what_build_wrote(run_xai, manifest, tmp_path, fmt):
    for fixture, entry in manifest.items():
        if not entry["differentiable"]:
            continue
        path = tmp_path / f"{fixture}.json"
        code, _, err = run_xai("metadata", "build", "--dir", entry["dir"], "--format", fmt, "-o", str(path))
        assert code == 0, err
        method = "sampled_shapley" if fixture == "tf1_example" else "integrated_gradients"
        code, out, err = run_xai("metadata", "check", "--dir", entry["dir"], "--metadata", str(path),
                                 "--method", method)
        assert code == 0, f"{fixture}: {out}{err}"
        assert out.startswith("metadata check: OK")


def write(tmp_path, doc):
    path = tmp_path / "md.json"
    path.write_text(json.dumps(doc))
    return str(path)


def check(run_xai, manifest, fixture, doc, tmp_path, *extra):
    return run_xai("metadata", "check", "--dir", manifest[fixture]["dir"], "--metadata", write(tmp_path, doc), *extra)


def test_check_wrong_tensor_name_suggests(run_xai, manifest, tmp_path):
    doc = {"inputs": {"x1": {"inputTensorName": "ParseExample/ParseExampleV2:33"}},
           "outputs": {"p": {"outputTensorName": "Softmax:0"}}}
    code, out, _ = check(run_xai, manifest, "tf1_example", doc, tmp_path, "--method", "sampled_shapley")
    assert code == 1
    assert "'ParseExample/ParseExampleV2:33' is neither an input" in out
    assert "did you mean 'ParseExample/ParseExampleV2:3'" in out


def test_check_wrong_dtype(run_xai, manifest, tmp_path):
    doc = {"inputs": {"color": {"inputTensorName": "color"}}, "outputs": {"score": {"outputTensorName": "score"}}}
    code, out, _ = check(run_xai, manifest, "categorical", doc, tmp_path)
    assert code == 1
    assert "is string; integrated_gradients needs a float tensor" in out


def test_check_baseline_of_wrong_shape(run_xai, manifest, tmp_path):
    doc = {"inputs": {"x": {"inputTensorName": "x", "inputBaselines": [[0, 0, 0]]}},
           "outputs": {"y": {"outputTensorName": "y"}}}
    code, out, _ = check(run_xai, manifest, "linear", doc, tmp_path)
    assert code == 1
    assert "input_baselines[0] has shape [3], which does not broadcast to the tensor's per-instance shape [5]" in out


def test_check_non_differentiable_input_without_encoding(run_xai, manifest, tmp_path):
    doc = {"inputs": {"x": {"inputTensorName": "x"}}, "outputs": {"y": {"outputTensorName": "y"}}}
    code, out, _ = check(run_xai, manifest, "nograd", doc, tmp_path)
    assert code == 1
    assert "of type Floor has no gradient" in out
    assert "encoded_tensor_name" in out and "sampled_shapley" in out
    code, out, _ = check(run_xai, manifest, "nograd", doc, tmp_path, "--method", "sampled_shapley")
    assert code == 0, out


def test_check_two_outputs(run_xai, manifest, tmp_path):
    doc = {"inputs": {"x": {"inputTensorName": "x"}},
           "outputs": {"y": {"outputTensorName": "y"}, "z": {"outputTensorName": "y"}}}
    code, out, _ = check(run_xai, manifest, "linear", doc, tmp_path)
    assert code == 1
    assert "2 outputs ('y', 'z')" in out


def test_check_typo_in_field_is_unusable_input(run_xai, manifest, tmp_path):
    doc = {"inputs": {"x": {"inputTensorNam": "x"}}, "outputs": {"y": {"outputTensorName": "y"}}}
    code, out, err = check(run_xai, manifest, "linear", doc, tmp_path)
    assert code == 2
    assert err.strip() == ("xai: error: unknown field 'inputTensorNam' in inputs['x']; "
                           "did you mean 'inputTensorName'?")


def test_build_chooses_signature_like_vertex(run_xai, manifest):
    md = build(run_xai, manifest["image_module"]["dir"])
    assert md["serving_sigdef_key"] == "xai_model"
    assert md["inputs"]["image"]["modality"] == "image"
    code, _, err = run_xai("metadata", "build", "--dir", manifest["linear"]["dir"], "--signature_def", "nope")
    assert code == 2 and "unknown signature 'nope'; available: serving_default" in err


def test_build_writes_file_atomically(run_xai, manifest, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run_xai("metadata", "build", "--dir", manifest["seed"]["dir"], "-o", str(target))
    assert code == 0 and out == "", err
    assert json.loads(target.read_text())["inputs"]["features"]["inputTensorName"] == "features"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
