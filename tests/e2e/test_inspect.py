"""`xai inspect` against `saved_model_cli show` (TensorFlow 2.21) on every fixture.

The text output must be byte-identical to saved_model_cli's stdout for the same
arguments, with exactly two normalizations, both applied to the two outputs
alike (each only reorders, so any other difference survives):

 (a) The line `The MetaGraph with tag set [...] contains the following ops: {...}`:
     saved_model_cli prints a Python set, in hash order. The ops are compared
     as sets (rewritten sorted).
 (b) Lines `Value: {...}` of dict-valued concrete-function arguments (e.g.
     `Value: {'age': TensorSpec(...), 'hours': TensorSpec(...), \\b\\b}`):
     Python's order there comes from upb's map hashing. The top-level
     `'key': value, ` items are compared as a set (rewritten sorted); the
     trailing `\\b\\b}` stays as printed.

saved_model_cli takes ~4 s per call, so its outputs are computed once per
(fixture, args), in parallel, by a session-scoped cache.
"""

import ast
import concurrent.futures
import difflib
import json
import os
import re
import subprocess
import threading

import pytest

SAVED_MODEL_CLI = "/work/main/.venv/bin/saved_model_cli"
SAVED_MODEL_CLI_TIMEOUT_S = 300

OPS_LINE = re.compile(r"^(The MetaGraph with tag set \[.*\] contains the following ops: )(.*)$")
VALUE_DICT_LINE = re.compile(r"^(\s*Value: )\{(.*)\}$")


# --------------------------------------------------------------------------- #
# Normalization
# --------------------------------------------------------------------------- #


def _parse_op_set(text):
    if text == "set()":
        return set()
    value = ast.literal_eval(text)
    if not isinstance(value, set):
        raise ValueError(f"not a set: {text!r}")
    return value


def _split_top_level_items(text):
    """Split "'a': X, 'b': Y, \\b\\b" into ["'a': X, ", "'b': Y, "] and the tail "\\b\\b".

    Splits only at ", " outside brackets and quotes; "".join(items) + tail == text.
    """
    items, depth, quote, start = [], 0, None, 0
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0 and text.startswith(", ", i):
            items.append(text[start:i + 2])
            start = i + 2
            i += 1
        i += 1
    return items, text[start:]


def normalize(text):
    """Apply normalizations (a) and (b) of the module docstring."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = OPS_LINE.match(line)
        if match:
            try:
                ops = _parse_op_set(match.group(2))
            except (ValueError, SyntaxError):
                continue  # leave it alone: the diff will show it
            lines[index] = match.group(1) + "{" + ", ".join(repr(op) for op in sorted(ops)) + "}"
            continue
        match = VALUE_DICT_LINE.match(line)
        if match:
            items, tail = _split_top_level_items(match.group(2))
            lines[index] = match.group(1) + "{" + "".join(sorted(items)) + tail + "}"
    return "\n".join(lines)


def show_diff(expected, actual):
    """A unified diff with control characters made visible."""

    def visible(text):
        return [line.replace("\x08", "\\b") for line in text.split("\n")]

    return "\n".join(difflib.unified_diff(visible(expected), visible(actual),
                                          "saved_model_cli show", "xai inspect", lineterm=""))


def test_normalize_only_reorders():
    python = ("x\nThe MetaGraph with tag set ['serve'] contains the following ops: {'B', 'A'}\n"
              "          Value: {'b': TensorSpec(shape=(None, 1), name='b'), 'a': f(', '), \x08\x08}\n")
    reordered = ("x\nThe MetaGraph with tag set ['serve'] contains the following ops: {'A', 'B'}\n"
                 "          Value: {'a': f(', '), 'b': TensorSpec(shape=(None, 1), name='b'), \x08\x08}\n")
    assert normalize(python) == normalize(reordered)
    assert normalize(python) != normalize(reordered.replace("\x08\x08}", "}"))
    assert normalize(python) != normalize(reordered.replace("{'A', 'B'}", "{'A'}"))
    assert normalize(python) != normalize(reordered.rstrip("\n"))


# --------------------------------------------------------------------------- #
# saved_model_cli cache
# --------------------------------------------------------------------------- #


def run_saved_model_cli(args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([SAVED_MODEL_CLI, "show", *args], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                          timeout=SAVED_MODEL_CLI_TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(f"saved_model_cli show {' '.join(args)} exited with {proc.returncode}")
    return proc.stdout.decode("utf-8", "surrogateescape")


class SavedModelCliCache:
    """saved_model_cli stdout per (fixture, args), computed in a thread pool."""

    def __init__(self, model_path, workers):
        self._model_path = model_path
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
        self._futures = {}
        self._lock = threading.Lock()

    def prefetch(self, case):
        name, args = case
        with self._lock:
            if case not in self._futures:
                self._futures[case] = self._executor.submit(
                    run_saved_model_cli, ["--dir", self._model_path(name), *args])
            return self._futures[case]

    def get(self, case):
        return self.prefetch(case).result()

    def close(self):
        self._executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def saved_model_cli(request, model_path):
    cache = SavedModelCliCache(model_path, workers=max(2, os.cpu_count() or 2))
    # Start every selected comparison now, so they run while earlier tests wait.
    for item in request.session.items:
        case = getattr(item, "callspec", None) and item.callspec.params.get("inspect_case")
        if case:
            cache.prefetch(case)
    yield cache
    cache.close()


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #


def test_inspect_text_matches_saved_model_cli(inspect_case, saved_model_cli, run_xai, model_path):
    name, args = inspect_case
    code, out, err = run_xai("inspect", "--dir", model_path(name), *args)
    assert code == 0, f"xai inspect exited with {code}: {err}"
    expected = saved_model_cli.get(inspect_case)
    if normalize(out) != normalize(expected):
        pytest.fail("xai inspect differs from saved_model_cli show "
                    f"(after the documented normalizations):\n{show_diff(normalize(expected), normalize(out))}",
                    pytrace=False)


def dtype_name(enum_name):
    """DT_FLOAT -> float32, as the manifest spells dtypes."""
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2

    return tf.dtypes.as_dtype(types_pb2.DataType.Value(enum_name)).name


def spec_from_json(spec):
    return {"dtype": dtype_name(spec["dtype"]), "shape": spec["shape"], "name": spec["name"]}


def test_inspect_json_matches_manifest(fixture_name, manifest, run_xai, model_path,
                                       signature_keys, saved_model_cli):
    entry = manifest[fixture_name]
    code, out, err = run_xai("inspect", "--dir", model_path(fixture_name), "--format", "json")
    assert code == 0, f"xai inspect --format json exited with {code}: {err}"
    doc = json.loads(out)
    assert list(doc) == ["meta_graphs"]
    assert len(doc["meta_graphs"]) == 1
    meta = doc["meta_graphs"][0]
    assert meta["tags"] == ["serve"]
    assert sorted(meta["signatures"]) == list(signature_keys(fixture_name))

    for key, expected in entry["signatures"].items():
        sig = meta["signatures"][key]
        assert sig["method_name"] == expected["method_name"], key
        inputs = {alias: spec_from_json(spec) for alias, spec in sig["inputs"].items()}
        assert inputs == expected["inputs"], key
        outputs = {alias: spec_from_json(spec) for alias, spec in sig["outputs"].items()}
        assert sorted(outputs) == expected["outputs"], key
        assert outputs == expected["output_specs"], key

    # The ops: sorted, unique, and the same set saved_model_cli lists.
    listing = saved_model_cli.get((fixture_name, ("--tag_set", "serve", "--list_ops")))
    ops_lines = [m for m in map(OPS_LINE.match, listing.split("\n")) if m]
    assert len(ops_lines) == 1, listing
    assert meta["ops"] == sorted(_parse_op_set(ops_lines[0].group(2)))
