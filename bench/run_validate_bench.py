#!/usr/bin/env python3
"""`xai validate` throughput: xai vs TFMA (local DirectRunner) vs the limit.

In one run, alternating and repeated (--reps), on the same seed-like model and
the same records:

  xai     `xai validate` (rubber-stamp candidate, AUC + ExampleCount +
          BinaryAccuracy, overall + one feature slice) on --n records;
          wall time of the process (model load included) and its peak RSS.
  limit   `xai_bench --workload infer_tfrecord`: read + parse + batch +
          Model::RunSignature over the same --n records, nothing else
          (the most `xai validate` could reach with this model).
  tfma    tensorflow_model_analysis.run_model_analysis (the API of
          tests/validation/tfma_reference.py) in .venv-tfma, Beam's local
          DirectRunner, same model and EvalConfig, on the first --tfma-n
          records; timed around run_model_analysis only (imports excluded,
          which favours TFMA).
  xai     again on the first --small-n records, for memory flatness
          (peak RSS at --small-n vs --n).

Prints medians of examples/s, the per-example ratios (TFMA s/example over
xai s/example), xai as a fraction of the limit, and peak RSS at both sizes.

The data and model are generated with the main venv's TensorFlow into --work
(reused when present): a tf.Module MLP (30 float inputs f00..f29, Dense
30→64→32→1, sigmoid) and TFRecords of tf.Example {f00..f29, label, country},
written from a serialized template whose value bytes are patched with numpy.

Usage:
  run_validate_bench.py --xai build-bench/xai/cli/xai --xai-bench build-bench/bench/xai_bench \\
      [--work DIR] [--n 1000000] [--small-n 100000] [--tfma-n 20000] [--reps 3]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FEATURES = [f"f{i:02d}" for i in range(30)]
SHARD = 100_000
EVAL_CONFIG = """
model_specs { label_key: "label" }
slicing_specs {}
slicing_specs { feature_keys: "country" }
metrics_specs {
  metrics { class_name: "ExampleCount" }
  metrics { class_name: "BinaryAccuracy" }
  metrics {
    class_name: "AUC"
    threshold { value_threshold { lower_bound { value: 0.5 } } }
  }
}
"""


# ---- generation (main venv) ---------------------------------------------------

def make_model(path, rng):
    import numpy as np
    import tensorflow as tf

    sizes = [len(FEATURES), 64, 32, 1]
    weights = [((rng.standard_normal((a, b)) / np.sqrt(a)).astype(np.float32), np.zeros(b, np.float32))
               for a, b in zip(sizes, sizes[1:])]

    class Mlp(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [(tf.Variable(w), tf.Variable(b)) for w, b in weights]

        def forward(self, *cols):
            h = tf.stack(cols, axis=1)
            for i, (w, b) in enumerate(self.layers):
                h = tf.matmul(h, w) + b
                h = tf.nn.relu(h) if i + 1 < len(self.layers) else tf.sigmoid(h)
            return {"probabilities": tf.squeeze(h, axis=1)}

    m = Mlp()
    # A signature with one named [None] float input per feature (as TFMA and
    # xai feed features by input name); the def is spelled out for the names.
    args = ", ".join(FEATURES)
    ns = {}
    exec(f"def serve({args}):\n    return m.forward({args})", {"m": m}, ns)
    spec = [tf.TensorSpec([None], tf.float32, name=n) for n in FEATURES]
    fn = tf.function(ns["serve"], input_signature=spec)
    m.serve = fn
    tf.saved_model.save(m, path, signatures={"serving_default": fn.get_concrete_function()})
    return weights


def forward_np(weights, x):
    import numpy as np
    h = x
    for i, (w, b) in enumerate(weights):
        h = h @ w + b
        h = np.maximum(h, 0) if i + 1 < len(weights) else h
    return h[:, 0]


def template():
    """A serialized Example with sentinel values, and the byte offset of each value."""
    import numpy as np
    import tensorflow as tf

    sentinels = {n: np.float32(1000.5 + 3 * i) for i, n in enumerate(FEATURES)}
    sentinels["label"] = np.float32(9999.25)
    feats = {n: tf.train.Feature(float_list=tf.train.FloatList(value=[float(v)])) for n, v in sentinels.items()}
    feats["country"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"QZ"]))
    blob = tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()
    offsets = {}
    for n, v in list(sentinels.items()) + [("country", None)]:
        pat = b"QZ" if v is None else v.tobytes()
        assert blob.count(pat) == 1, n
        offsets[n] = blob.index(pat)
    return np.frombuffer(blob, np.uint8), offsets


def write_shard(path, start, n, weights, tmpl, offsets, seed):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, len(FEATURES))).astype(np.float32)
    logit = forward_np(weights, x) * 4 + rng.standard_normal(n)
    label = (logit > np.median(logit)).astype(np.float32)
    rows = np.tile(tmpl, (n, 1))
    for j, name in enumerate(FEATURES):
        rows[:, offsets[name]:offsets[name] + 4] = x[:, j:j + 1].copy().view(np.uint8)
    rows[:, offsets["label"]:offsets["label"] + 4] = label[:, None].view(np.uint8)
    codes = np.array([b"us", b"de", b"fr"], dtype="S2").view(np.uint8).reshape(3, 2)
    rows[:, offsets["country"]:offsets["country"] + 2] = codes[rng.integers(0, 3, n)]
    with tf.io.TFRecordWriter(path) as w:
        for r in rows:
            w.write(r.tobytes())


def generate(work, n, tfma_n):
    import numpy as np
    os.makedirs(os.path.join(work, "data"), exist_ok=True)
    model_dir = os.path.join(work, "model")
    rng = np.random.default_rng(7)
    stamp = os.path.join(work, "weights.npz")
    if not os.path.exists(stamp):
        weights = make_model(model_dir, rng)
        np.savez(stamp, *[a for wb in weights for a in wb])
    z = np.load(stamp)
    arrs = [z[f"arr_{i}"] for i in range(len(z.files))]
    weights = list(zip(arrs[0::2], arrs[1::2]))
    tmpl, offsets = template()
    shards = (n + SHARD - 1) // SHARD
    for s in range(shards):
        path = os.path.join(work, "data", f"eval-{s:05d}.tfrecord")
        if not os.path.exists(path):
            t = time.time()
            write_shard(path + ".tmp", s * SHARD, min(SHARD, n - s * SHARD), weights, tmpl, offsets, 100 + s)
            os.rename(path + ".tmp", path)
            print(f"  wrote {path} in {time.time() - t:.1f}s", flush=True)
    # The TFMA subset: the first tfma_n records of shard 0 (same bytes).
    sub = os.path.join(work, "data_subset", f"eval-first{tfma_n}.tfrecord")
    if not os.path.exists(sub):
        import tensorflow as tf
        os.makedirs(os.path.dirname(sub), exist_ok=True)
        with tf.io.TFRecordWriter(sub) as w:
            for i, r in enumerate(tf.data.TFRecordDataset(os.path.join(work, "data", "eval-00000.tfrecord"))):
                if i >= tfma_n:
                    break
                w.write(r.numpy())
    with open(os.path.join(work, "eval_config.pbtxt"), "w") as f:
        f.write(EVAL_CONFIG)
    return model_dir


# ---- TFMA worker (runs in .venv-tfma) -------------------------------------------

def tfma_worker(a):
    import tensorflow_model_analysis as tfma
    from google.protobuf import text_format
    from tensorflow_model_analysis.proto import config_pb2
    from tensorflow_model_analysis.utils import config_util

    config = text_format.Parse(open(a.eval_config).read(), config_pb2.EvalConfig())
    start = time.perf_counter()
    config = config_util.update_eval_config_with_defaults(config, has_baseline=False, rubber_stamp=True)
    model = tfma.default_eval_shared_model(eval_saved_model_path=a.candidate, eval_config=config,
                                           model_name="", rubber_stamp=True)
    tfma.run_model_analysis(eval_shared_model=model, eval_config=config, data_location=a.data_location,
                            output_path=a.output_path)
    seconds = time.perf_counter() - start
    ok = tfma.load_validation_result(a.output_path).validation_ok
    print(json.dumps({"seconds": seconds, "validation_ok": ok}))


# ---- driver ----------------------------------------------------------------------

def run_measured(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB of that process, stdout, returncode).

    Peak RSS comes from /usr/bin/time (%M): the rusage of a child forked from
    this driver would start from the driver's own high-water mark (Linux keeps
    maxrss across fork + exec), and the driver holds TensorFlow.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        code = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd], stdout=out, stderr=err).returncode
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text = out.read()
        if code not in (0, 1):
            sys.exit(f"failed ({code}): {' '.join(cmd)}\n{err.read()[-3000:]}")
        return wall, int(rss.read().strip().splitlines()[-1]) / 1024, text, code


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xai", required=True, help="the xai CLI binary")
    ap.add_argument("--xai-bench", required=True)
    ap.add_argument("--tfma-python", default="/work/main/.venv-tfma/bin/python")
    ap.add_argument("--work", help="data/model directory (kept; reused when present)")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--small-n", type=int, default=100_000)
    ap.add_argument("--tfma-n", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--skip-tfma", action="store_true")
    ap.add_argument("--generate-only", action="store_true")
    a = ap.parse_args()
    assert a.small_n % SHARD == 0 and a.n % SHARD == 0 and a.tfma_n <= SHARD
    work = a.work or tempfile.mkdtemp(prefix="xai-validate-bench-")
    t = time.time()
    print(f"generating into {work} ...", flush=True)
    model = generate(work, a.n, a.tfma_n)
    print(f"  data ready in {time.time() - t:.1f}s", flush=True)
    if a.generate_only:
        return
    cfg = os.path.join(work, "eval_config.pbtxt")
    shards = sorted(glob.glob(os.path.join(work, "data", "eval-*.tfrecord")))
    big = ",".join(shards[:a.n // SHARD])
    small = ",".join(shards[:a.small_n // SHARD])
    subset = os.path.join(work, "data_subset", f"eval-first{a.tfma_n}.tfrecord")
    out_dir = tempfile.mkdtemp(prefix="out-", dir=work)

    def xai(location, tag):
        o = os.path.join(out_dir, f"xai-{tag}")
        wall, rss, text, code = run_measured([a.xai, "validate", "--eval_config", cfg, "--data_location", location,
                                              "--output_path", o, "--candidate", model, "--quiet",
                                              "--batch_size", str(a.batch)])
        return wall, rss, text

    def limit():
        wall, rss, text, _ = run_measured([a.xai_bench, "--dir", model, "--workload", "infer_tfrecord",
                                           "--data", big, "--batch", str(a.batch)])
        return wall, rss, json.loads(text.strip().splitlines()[-1])

    def tfma(rep):
        o = os.path.join(out_dir, f"tfma-{rep}")
        wall, rss, text, _ = run_measured([a.tfma_python, os.path.abspath(__file__), "--tfma-worker",
                                           "--eval_config", cfg, "--data_location", subset,
                                           "--candidate", model, "--output_path", o])
        return wall, rss, json.loads(text.strip().splitlines()[-1])

    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    rows = {k: [] for k in ("xai", "limit", "tfma", "tfma_wall", "xai_small")}
    rss = {k: [] for k in ("xai", "limit", "tfma", "xai_small")}
    for rep in range(a.reps):
        w, r, text = xai(big, f"big-{rep}")
        assert f"({a.n} examples" in text, text
        rows["xai"].append(a.n / w); rss["xai"].append(r)
        w, r, j = limit()
        assert j["examples"] == a.n, j
        rows["limit"].append(a.n / w); rss["limit"].append(r)
        if not a.skip_tfma:
            w, r, j = tfma(rep)
            rows["tfma"].append(a.tfma_n / j["seconds"]); rows["tfma_wall"].append(a.tfma_n / w)
            rss["tfma"].append(r)
        w, r, text = xai(small, f"small-{rep}")
        rows["xai_small"].append(a.small_n / w); rss["xai_small"].append(r)
        print(f"rep {rep}: " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in rows.items() if v)
              + " | peak RSS MiB " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in rss.items() if v), flush=True)

    print(f"load average at end: {os.getloadavg()}", flush=True)
    med = {k: statistics.median(v) for k, v in rows.items() if v}
    mrss = {k: statistics.median(v) for k, v in rss.items() if v}
    print(f"\nmodel: MLP 30-64-32-1 on {len(FEATURES)} float features; {a.reps} reps, medians; batch {a.batch}")
    print(f"{'run':<44} {'examples':>9} {'examples/s':>11} {'peak RSS MiB':>13}")
    print(f"{'xai validate':<44} {a.n:>9} {med['xai']:>11.0f} {mrss['xai']:>13.0f}")
    print(f"{'xai validate':<44} {a.small_n:>9} {med['xai_small']:>11.0f} {mrss['xai_small']:>13.0f}")
    print(f"{'limit: xai_bench infer_tfrecord':<44} {a.n:>9} {med['limit']:>11.0f} {mrss['limit']:>13.0f}")
    if "tfma" in med:
        print(f"{'TFMA run_model_analysis (DirectRunner)':<44} {a.tfma_n:>9} {med['tfma']:>11.0f} {mrss['tfma']:>13.0f}")
        print(f"{'  same, whole process incl. imports':<44} {a.tfma_n:>9} {med['tfma_wall']:>11.0f}")
        ratios = [x / t for x, t in zip(rows["xai"], rows["tfma"])]
        print(f"xai / TFMA per example: {statistics.median(ratios):.1f}x (median of per-rep ratios; "
              f"{min(ratios):.1f}-{max(ratios):.1f})")
    fr = [x / lim for x, lim in zip(rows["xai"], rows["limit"])]
    print(f"xai / limit: {100 * statistics.median(fr):.0f}% (median of per-rep ratios; "
          f"{100 * min(fr):.0f}-{100 * max(fr):.0f}%)")
    print(f"peak RSS xai {a.small_n} -> {a.n}: {mrss['xai_small']:.0f} -> {mrss['xai']:.0f} MiB")


if __name__ == "__main__":
    if "--tfma-worker" in sys.argv:
        wp = argparse.ArgumentParser()
        wp.add_argument("--tfma-worker", action="store_true")
        for k in ("--eval_config", "--data_location", "--candidate", "--output_path"):
            wp.add_argument(k, required=True)
        tfma_worker(wp.parse_args())
    else:
        main()
