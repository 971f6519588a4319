#!/usr/bin/env python3
"""The library warm and in-process (xai_api_bench), side by side with the
Python tools warm in their own process, in one run. Medians of --reps
repetitions (sides alternating); ratios printed.

  ig       Integrated Gradients, --steps Gauss–Legendre steps, zero baseline,
           target = argmax, on the seed fixture (Dense 2000→256→10) and the
           cnn fixture (16×16×3 Keras CNN with batch norm), --instances:
             xai        api::Model::Explain on tensors, after warm-up calls of the same shape
             tf.function  hand-written IG (one tf.function, every step of every
                          instance in one batch, tape.gradient), warm
             limit      the model's own forward+backward of the same steps × instances
                        rows, warm: through xai's runtime (one Model::Vjp) and as a
                        tf.function (TensorFlow Python)
  ss       Sampled Shapley, path_count --path-count, on a tabular MLP of
           --ss-features scalar inputs (bench/run_explain_bench.py's), vs shap's
           PermutationExplainer warm at max_evals = 2·p·(M+1) (the rows xai
           evaluates), and vs plain batched inference of those rows through
           xai's runtime (the limit).
  xrai     XRAI on a 224×224×3 CNN (run_explain_bench.py's) and one image: xai
           warm vs PAIR saliency's XRAI.GetMask warm (same steps, batch = steps).
  threads  the seed fixture: --threads threads alternating explain (1 instance)
           and predict, calls/s vs one thread; and predict latency while another
           thread's first explain builds the gradient plan, vs idle predicts.

Usage (docs/benchmarks.md):
  bash scripts/setup_bench.sh   # .venv-bench with shap (for ss)
  .venv/bin/python bench/run_api_bench.py [--only ig,ss,xrai,threads] [--reps 3]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import run_explain_bench as reb  # noqa: E402  (models and the shap / PAIR workers)


def med(v):
    return statistics.median(v) if v else float("nan")


def api_bench(a, *args):
    proc = subprocess.run([a.api_bench, *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"xai_api_bench {' '.join(map(str, args))}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def worker(python, *args):
    proc = subprocess.run([python, os.path.abspath(__file__), *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {' '.join(map(str, args))}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def tfig_worker(a):
    """Hand-written IG for any input shape, and the model's fwd+bwd of the same rows; warm medians."""
    import numpy as np
    import tensorflow as tf
    x = np.load(a.inputs)["x"][:a.n]
    loaded = tf.saved_model.load(a.model)
    sig = loaded.signatures["serving_default"]
    in_key = list(sig.structured_input_signature[1])[0]
    out_key = list(sig.structured_outputs)[0]
    target = sig(**{in_key: tf.constant(x)})[out_key].numpy().argmax(1).astype(np.int32)
    alphas, weights = reb.gauss_legendre(a.steps)
    shape = list(x.shape[1:])

    @tf.function
    def ig(xv, tgt, al, wt):
        paths = tf.reshape(al[:, None, None] * tf.reshape(xv, [1, tf.shape(xv)[0], -1]), [-1] + shape)  # step-major
        with tf.GradientTape() as tape:
            tape.watch(paths)
            y = sig(**{in_key: paths})[out_key]
            picked = tf.gather(y, tf.tile(tgt, [tf.shape(al)[0]]), axis=1, batch_dims=1)
        g = tf.reshape(tape.gradient(picked, paths), [tf.shape(al)[0], tf.shape(xv)[0], -1])
        return tf.reshape(tf.tensordot(wt, g, 1), tf.shape(xv)) * xv

    @tf.function
    def fwd_bwd(rows, tgt):
        with tf.GradientTape() as tape:
            tape.watch(rows)
            picked = tf.gather(sig(**{in_key: rows})[out_key], tgt, axis=1, batch_dims=1)
        return tape.gradient(picked, rows)

    def warm(call):
        call()
        times = []
        for _ in range(a.calls):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        return med(times)

    args = (tf.constant(x), tf.constant(target), tf.constant(alphas), tf.constant(weights))
    rows = tf.constant(np.concatenate([alphas[j] * x for j in range(a.steps)]).astype(np.float32))
    tgt = tf.constant(np.tile(target, a.steps))
    print(json.dumps({"ig_s": warm(lambda: ig(*args).numpy()), "fwd_bwd_s": warm(lambda: fwd_bwd(rows, tgt).numpy())}))


def part_ig(a, work, out):
    import numpy as np
    for fixture in a.ig_models:
        model = os.path.join(a.fixtures, fixture)
        import tensorflow as tf
        sig = tf.saved_model.load(model).signatures["serving_default"]
        spec = list(sig.structured_input_signature[1].values())[0]
        n_max = max(a.instances)
        x = np.round(np.random.default_rng(5).standard_normal([n_max] + spec.shape.as_list()[1:]), 4).astype(np.float32)
        inputs = os.path.join(work, f"{fixture}.npz")
        np.savez(inputs, x=x)
        for n in a.instances:
            req = os.path.join(work, f"{fixture}_{n}.json")
            reb.write_request(req, x[:n].tolist())
            r = {"xai": [], "limit": [], "tf": [], "tf_fb": []}
            for _ in range(a.reps):
                r["xai"].append(api_bench(a, "--dir", model, "--request", req, "--workload", "explain", "--steps",
                                          a.steps, "--iters", a.iters, "--warmup", 2)["median_ms"] / 1e3)
                r["limit"].append(api_bench(a, "--dir", model, "--request", req, "--workload", "vjp_limit", "--steps",
                                            a.steps, "--iters", a.iters, "--warmup", 2)["median_ms"] / 1e3)
                w = worker(sys.executable, "--worker", "tfig", "--model", model, "--inputs", inputs, "--n", n,
                           "--steps", a.steps, "--calls", a.iters)
                r["tf"].append(w["ig_s"])
                r["tf_fb"].append(w["fwd_bwd_s"])
            m = {k: med(v) for k, v in r.items()}
            out.append(("ig", fixture, n, m))
            print(f"  ig {fixture} n={n}: xai {m['xai'] * 1e3:.2f} ms, tf.function {m['tf'] * 1e3:.2f} ms "
                  f"({m['tf'] / m['xai']:.2f}x), limit xai-vjp {m['limit'] * 1e3:.2f} ms "
                  f"({m['limit'] / m['xai']:.0%} of it), limit tf {m['tf_fb'] * 1e3:.2f} ms", flush=True)


def part_ss(a, work, out):
    import numpy as np
    model = os.path.join(work, "tabular")
    if not os.path.isdir(model):
        names = reb.build_tabular(model, a.ss_features)
    names = [f"f{i:02d}" for i in range(a.ss_features)]
    n_max = max(a.instances)
    x = np.round(np.random.default_rng(7).standard_normal((n_max, a.ss_features)), 4).astype(np.float32)
    inputs = os.path.join(work, "ss_inputs.npz")
    np.savez(inputs, x=x, names=np.array(names))
    evals = 2 * a.path_count * (a.ss_features + 1)
    for n in a.instances:
        req = os.path.join(work, f"ss_{n}.json")
        reb.write_request(req, [dict(zip(names, map(float, row))) for row in x[:n]])
        r = {"xai": [], "limit": [], "shap": []}
        for _ in range(a.reps):
            r["xai"].append(api_bench(a, "--dir", model, "--request", req, "--workload", "explain", "--method",
                                      "sampled_shapley", "--path_count", a.path_count, "--iters", a.iters)["median_ms"] / 1e3)
            r["limit"].append(api_bench(a, "--dir", model, "--request", req, "--workload", "infer_limit", "--rows",
                                        n * evals, "--iters", a.iters)["median_ms"] / 1e3)
            w = reb.run_worker(a.bench_python, ["--worker", "shap", "--model", model, "--inputs", inputs, "--n", str(n),
                                                "--output-key", "probability", "--max-evals", str(evals),
                                                "--calls", str(a.iters), "--out", os.path.join(work, "shap.npy")])
            r["shap"].append(w["median_s"])
        m = {k: med(v) for k, v in r.items()}
        out.append(("ss", "tabular", n, m))
        print(f"  ss n={n}: xai {m['xai'] * 1e3:.2f} ms, shap {m['shap'] * 1e3:.1f} ms ({m['shap'] / m['xai']:.1f}x), "
              f"limit {m['limit'] * 1e3:.2f} ms for {n * evals} rows ({m['limit'] / m['xai']:.0%})", flush=True)


def part_xrai(a, work, out):
    import numpy as np
    model = os.path.join(work, "cnn224")
    if not os.path.isdir(model):
        reb.build_cnn(model)
    image = reb.synthetic_image()
    inputs = os.path.join(work, "image.npy")
    np.save(inputs, image)
    req = os.path.join(work, "xrai.json")
    reb.write_request(req, [image.tolist()])
    import tensorflow as tf
    sig = tf.saved_model.load(model).signatures["serving_default"]
    target = int(sig(image=tf.constant(image[None]))["probabilities"].numpy().argmax())
    r = {"xai": [], "pair": []}
    for _ in range(a.reps):
        r["xai"].append(api_bench(a, "--dir", model, "--request", req, "--workload", "explain", "--method", "xrai",
                                  "--steps", a.xrai_steps, "--iters", 3, "--warmup", 1)["median_ms"] / 1e3)
        w = reb.run_worker(sys.executable, ["--worker", "pair", "--model", model, "--inputs", inputs,
                                            "--output-key", "probabilities", "--target", str(target), "--steps",
                                            str(a.xrai_steps), "--algorithm", "full", "--calls", "3",
                                            "--out", os.path.join(work, "pair.npy")])
        r["pair"].append(w["median_s"])
    m = {k: med(v) for k, v in r.items()}
    out.append(("xrai", "cnn224", 1, m))
    print(f"  xrai 224x224: xai {m['xai'] * 1e3:.0f} ms, PAIR {m['pair'] * 1e3:.0f} ms ({m['pair'] / m['xai']:.2f}x)",
          flush=True)


def part_threads(a, work, out):
    import numpy as np
    model = os.path.join(a.fixtures, "seed")
    x = np.round(np.random.default_rng(5).standard_normal((1, 2000)), 4).astype(np.float32)
    req = os.path.join(work, "seed_threads.json")
    reb.write_request(req, x.tolist())
    t = api_bench(a, "--dir", model, "--request", req, "--workload", "threads", "--threads", a.threads,
                  "--seconds", a.seconds, "--steps", a.steps)
    s = api_bench(a, "--dir", model, "--request", req, "--workload", "plan_stall", "--steps", a.steps)
    out.append(("threads", "seed", 1, {**t, **s}))
    print(f"  threads: 1 thread {t['calls_per_s_1']:.0f} calls/s, {a.threads} threads {t['calls_per_s_n']:.0f} calls/s "
          f"({t['speedup']:.2f}x)", flush=True)
    print(f"  plan build: first explain {s['first_explain_ms']:.0f} ms; {s['predicts_during']} predicts meanwhile, "
          f"median {s['predict_during_median_ms']:.2f} ms, max {s['predict_during_max_ms']:.2f} ms "
          f"(idle median {s['predict_idle_median_ms']:.2f} ms)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", choices=["tfig"], help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--inputs", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--calls", type=int, default=10, help=argparse.SUPPRESS)
    ap.add_argument("--api-bench", default=os.path.join(ROOT, "build/bench/xai_api_bench"))
    ap.add_argument("--bench-python", default=os.path.join(ROOT, ".venv-bench/bin/python"))
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "build/fixtures"))
    ap.add_argument("--only", default="ig,ss,xrai,threads")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10, help="timed calls per measurement")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--instances", default="1,32,256")
    ap.add_argument("--ig-models", default="seed,cnn")
    ap.add_argument("--ss-features", type=int, default=30)
    ap.add_argument("--path-count", type=int, default=10)
    ap.add_argument("--xrai-steps", type=int, default=50)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5)
    a = ap.parse_args()
    if a.worker:
        a.calls = a.calls
        tfig_worker(a)
        return
    a.instances = [int(v) for v in a.instances.split(",")]
    a.ig_models = a.ig_models.split(",")
    work = tempfile.mkdtemp(prefix="xai-api-bench-")
    print(f"cores {os.cpu_count()}, load {os.getloadavg()[0]:.2f}; reps {a.reps}, iters {a.iters}", flush=True)
    results = []
    try:
        for part in a.only.split(","):
            print(f"[{part}]", flush=True)
            {"ig": part_ig, "ss": part_ss, "xrai": part_xrai, "threads": part_threads}[part](a, work, results)
    finally:
        print(f"load at end {os.getloadavg()[0]:.2f}")
        print(json.dumps([{"part": p, "model": m, "instances": n, **v} for p, m, n, v in results]))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
