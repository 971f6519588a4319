#!/usr/bin/env python3
"""Predict latency (batch 1) and throughput (batch 64): xai vs TensorFlow Python.

Runs, in one process tree and alternating, `xai_bench --workload predict`
(Model::RunSignature in C++) and the same signature called from TensorFlow
Python (`loaded.signatures[KEY](**inputs)` plus `.numpy()` on the outputs),
on the same SavedModel with same-shaped random float inputs. Prints the median
per-call time of each side and the ratio Python / xai (higher = xai faster).

Usage: run_predict_bench.py --dir MODEL --xai-bench build/bench/xai_bench [--reps 5] [--iters 1000]
"""
import argparse
import json
import os
import statistics
import subprocess
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def python_median_us(fn, inputs, iters, warmup=50):
    for _ in range(warmup):
        {k: v.numpy() for k, v in fn(**inputs).items()}
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        {k: v.numpy() for k, v in fn(**inputs).items()}
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def xai_median_us(binary, model_dir, signature, batch, iters, extra):
    out = subprocess.run([binary, "--dir", model_dir, "--signature", signature, "--batch", str(batch),
                          "--iters", str(iters), *extra], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median_us"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--xai-bench", required=True)
    ap.add_argument("--signature", default="serving_default")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--iters", type=int, default=1000)
    args = ap.parse_args()

    loaded = tf.saved_model.load(args.dir)
    fn = loaded.signatures[args.signature]
    specs = fn.structured_input_signature[1]
    rng = np.random.default_rng(7)
    configs = [("default threads", []), ("latency threads (intra 1, inter -1)", ["--intra", "1", "--inter", "-1"])]
    print(f"model {args.dir}, signature {args.signature}, {args.reps} reps x {args.iters} calls, median per call")
    print(f"{'batch':>5}  {'xai config':<38} {'xai us':>9} {'python us':>10} {'python/xai':>10}")
    for batch in (1, 64):
        inputs = {k: tf.constant(rng.standard_normal([batch] + list(s.shape[1:])).astype(np.float32))
                  for k, s in specs.items()}
        for name, extra in configs:
            xs, ps = [], []
            for _ in range(args.reps):
                xs.append(xai_median_us(args.xai_bench, args.dir, args.signature, batch, args.iters, extra))
                ps.append(python_median_us(fn, inputs, args.iters))
            x, p = statistics.median(xs), statistics.median(ps)
            print(f"{batch:>5}  {name:<38} {x:>9.1f} {p:>10.1f} {p / x:>9.2f}x")


if __name__ == "__main__":
    main()
