"""`xai validate` on bad input: each gives exit code 2 and one clear
`xai: error:` line naming what is wrong (no TFMA needed)."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATION = os.path.join(HERE, "..", "validation")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate_errors")
    script = f"""
import tensorflow as tf
def ex(label, age):
    return tf.train.Example(features=tf.train.Features(feature={{
        "label": tf.train.Feature(float_list=tf.train.FloatList(value=[label])),
        "pred": tf.train.Feature(float_list=tf.train.FloatList(value=[0.25 + 0.5 * label])),
        "age": tf.train.Feature(int64_list=tf.train.Int64List(value=[age]))}})).SerializeToString()
with tf.io.TFRecordWriter("{out}/good.tfrecord") as w:
    for i in range(20):
        w.write(ex(float(i % 2), 20 + i))
with tf.io.TFRecordWriter("{out}/empty.tfrecord") as w:
    pass
"""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, env=env, timeout=300)
    good = (out / "good.tfrecord").read_bytes()
    corrupt = bytearray(good)
    corrupt[len(corrupt) // 2] ^= 0xFF
    (out / "corrupt.tfrecord").write_bytes(bytes(corrupt))
    return out


def write_config(tmp_path, text):
    path = tmp_path / "config.pbtxt"
    path.write_text(text)
    return str(path)


GOOD_CONFIG = """model_specs { label_key: "label" prediction_key: "pred" }
metrics_specs { metrics { class_name: "AUC" threshold { value_threshold { lower_bound { value: 0.5 } } } } }"""


def run_validate(run_xai, config, data, tmp_path, *extra):
    return run_xai("validate", "--eval_config", config, "--data_location", data,
                   "--output_path", tmp_path / "out", *extra)


def test_good_input_passes(run_xai, data_dir, tmp_path):
    code, out, err = run_validate(run_xai, write_config(tmp_path, GOOD_CONFIG), data_dir / "good.tfrecord", tmp_path)
    assert code == 0, err
    assert "Validation passed" in out
    assert (tmp_path / "out" / "BLESSED").exists()


def test_failing_threshold_exits_1(run_xai, data_dir, tmp_path):
    config = write_config(tmp_path, GOOD_CONFIG.replace("0.5", "1.5"))
    code, out, err = run_validate(run_xai, config, data_dir / "good.tfrecord", tmp_path)
    assert code == 1, err
    assert "Validation FAILED" in out and "auc" in out and "value in [1.5, +inf]" in out
    assert (tmp_path / "out" / "NOT_BLESSED").exists()


def test_unknown_config_field(run_xai, data_dir, tmp_path):
    config = write_config(tmp_path, 'model_specs { label_kee: "label" }')
    code, out, err = run_validate(run_xai, config, data_dir / "good.tfrecord", tmp_path)
    assert code == 2
    assert err.startswith("xai: error: EvalConfig") and "label_kee" in err


def test_unsupported_metric(run_xai, data_dir, tmp_path):
    config = write_config(tmp_path, 'model_specs { label_key: "label" prediction_key: "pred" } '
                                    'metrics_specs { metrics { class_name: "NDCG" } }')
    code, out, err = run_validate(run_xai, config, data_dir / "good.tfrecord", tmp_path)
    assert code == 2 and "'NDCG'" in err and "supported:" in err


def test_missing_label_key(run_xai, data_dir, tmp_path):
    config = write_config(tmp_path, GOOD_CONFIG.replace('label_key: "label"', 'label_key: "lbl"'))
    code, out, err = run_validate(run_xai, config, data_dir / "good.tfrecord", tmp_path)
    assert code == 2
    assert f"label_key 'lbl' not found in example 0 of {data_dir / 'good.tfrecord'}; features present: age, label, pred" in err


def test_corrupt_record(run_xai, data_dir, tmp_path):
    code, out, err = run_validate(run_xai, write_config(tmp_path, GOOD_CONFIG), data_dir / "corrupt.tfrecord", tmp_path)
    assert code == 2
    assert "corrupt record" in err and "byte offset" in err and "corrupt.tfrecord" in err


def test_empty_data(run_xai, data_dir, tmp_path):
    code, out, err = run_validate(run_xai, write_config(tmp_path, GOOD_CONFIG), data_dir / "empty.tfrecord", tmp_path)
    assert code == 2 and "holds no records" in err


def test_no_matching_files(run_xai, data_dir, tmp_path):
    code, out, err = run_validate(run_xai, write_config(tmp_path, GOOD_CONFIG), data_dir / "nope-*.tfrecord", tmp_path)
    assert code == 2 and "matches no file" in err


def test_change_threshold_without_baseline(run_xai, data_dir, tmp_path):
    config = write_config(tmp_path, GOOD_CONFIG.replace(
        "threshold {", "threshold { change_threshold { direction: HIGHER_IS_BETTER absolute { value: 0 } }", 1))
    code, out, err = run_validate(run_xai, config, data_dir / "good.tfrecord", tmp_path)
    assert code == 2 and "baseline is missing" in err
