"""Generates TFRecord datasets and small binary-classifier SavedModels for the
`xai validate` parity tests (main venv's TensorFlow).

  make_validation_data.py OUT_DIR

OUT_DIR/data/eval-0000{0,1}.tfrecord (second file GZIP, named .gz so TFMA recognises it): features age (int64),
country (bytes), x0..x2 (float), label (float 0/1), weight (float, multiples
of 0.25 so weighted sums are exact), pred (float, a precomputed prediction).
OUT_DIR/candidate, OUT_DIR/baseline: tf.Module SavedModels whose
serving_default takes x0, x1, x2 (float32 [None]) and returns
{"probabilities": sigmoid(w·x + b)} ([None]).
"""
import os
import sys

import numpy as np
import tensorflow as tf

N = 4000


class Classifier(tf.Module):
    def __init__(self, w, b):
        super().__init__()
        self.w = tf.Variable(np.asarray(w, np.float32))
        self.b = tf.Variable(np.float32(b))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name=n) for n in ("x0", "x1", "x2")])
    def serve(self, x0, x1, x2):
        x = tf.stack([x0, x1, x2], axis=1)
        return {"probabilities": tf.sigmoid(tf.linalg.matvec(x, self.w) + self.b)}


def save_model(path, w, b):
    m = Classifier(w, b)
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})


def feature(values, kind):
    if kind == "int":
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    if kind == "bytes":
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[v.encode() for v in values]))
    return tf.train.Feature(float_list=tf.train.FloatList(value=values))


def main(out):
    rng = np.random.default_rng(7)
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    x = rng.standard_normal((N, 3)).astype(np.float32)
    logits = x @ np.array([1.5, -1.0, 0.5]) + 0.2 + rng.standard_normal(N) * 0.8
    label = (logits > 0).astype(np.float32)
    age = rng.choice([20, 30, 40, 50], N)
    country = rng.choice(["us", "de", "fr"], N)
    weight = rng.integers(1, 9, N) * 0.25
    pred = (1 / (1 + np.exp(-(x @ np.array([1.2, -0.8, 0.4]))))).astype(np.float32)
    records = []
    for i in range(N):
        ex = tf.train.Example(features=tf.train.Features(feature={
            "age": feature([int(age[i])], "int"),
            "country": feature([str(country[i])], "bytes"),
            "x0": feature([float(x[i, 0])], "float"),
            "x1": feature([float(x[i, 1])], "float"),
            "x2": feature([float(x[i, 2])], "float"),
            "label": feature([float(label[i])], "float"),
            "weight": feature([float(weight[i])], "float"),
            "pred": feature([float(pred[i])], "float"),
        }))
        records.append(ex.SerializeToString())
    half = N // 2
    with tf.io.TFRecordWriter(os.path.join(out, "data", "eval-00000.tfrecord")) as w:
        for r in records[:half]:
            w.write(r)
    with tf.io.TFRecordWriter(os.path.join(out, "data", "eval-00001.tfrecord.gz"),
                              options=tf.io.TFRecordOptions(compression_type="GZIP")) as w:
        for r in records[half:]:
            w.write(r)
    save_model(os.path.join(out, "candidate"), [1.4, -0.9, 0.45], 0.15)
    save_model(os.path.join(out, "baseline"), [1.0, -0.6, 0.1], 0.0)


if __name__ == "__main__":
    main(sys.argv[1])
