"""Shared setup for the end-to-end tests of the xai binary.

Environment:
  XAI_FIXTURES  (required) a tests/fixtures/make_fixtures.py output directory:
                OUT_DIR/manifest.json and one SavedModel per fixture in
                OUT_DIR/<name>. The tests fail (they do not skip) without it.
  XAI_BIN       the xai binary (default /work/main/build/xai/cli/xai).

Tests are parametrized at collection time from the manifest through these
argument names (see pytest_generate_tests):
  fixture_name    every fixture in the manifest
  signature_case  (fixture name, signature) for every signature with sample inputs
  inspect_case    (fixture name, args after "--dir D") for the `inspect` /
                  `saved_model_cli show` comparisons: no args, --tag_set serve,
                  --tag_set serve --signature_def K for every SignatureDef key K
                  in the SavedModel (including __saved_model_init_op), --all,
                  --tag_set serve --list_ops
"""

import functools
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE_DIR = os.path.join(HERE, "..", "reference")
if REFERENCE_DIR not in sys.path:
    sys.path.insert(0, REFERENCE_DIR)  # for `import tf_reference`

DEFAULT_XAI_BIN = "/work/main/build/xai/cli/xai"
XAI_TIMEOUT_S = 120  # generous bound on one xai run (model loads take ~1 s)


def fixtures_dir_or_fail():
    path = os.environ.get("XAI_FIXTURES")
    if not path:
        pytest.fail("XAI_FIXTURES is not set: point it at a make_fixtures.py output "
                    "directory (e.g. XAI_FIXTURES=/tmp/fx)", pytrace=False)
    if not os.path.isfile(os.path.join(path, "manifest.json")):
        pytest.fail(f"XAI_FIXTURES={path} has no manifest.json; generate it with "
                    f"tests/fixtures/make_fixtures.py {path}", pytrace=False)
    return os.path.abspath(path)


@functools.lru_cache(maxsize=None)
def _load_manifest(fixtures_dir):
    with open(os.path.join(fixtures_dir, "manifest.json")) as f:
        return json.load(f)


def load_manifest():
    return _load_manifest(fixtures_dir_or_fail())


def model_dir(name):
    """make_fixtures.py writes fixture <name> to $XAI_FIXTURES/<name>."""
    return os.path.join(fixtures_dir_or_fail(), name)


def decode(data):
    return data.decode("utf-8", "surrogateescape")


def signature_cases(manifest):
    return [(name, signature)
            for name in sorted(manifest)
            for signature in sorted(manifest[name]["sample_inputs"])
            if not signature.startswith("__")]


@functools.lru_cache(maxsize=None)
def saved_model_signature_keys(name):
    """Every SignatureDef key of the serve MetaGraph, read from saved_model.pb."""
    from tensorflow.core.protobuf import saved_model_pb2  # slow import: only when needed

    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir(name), "saved_model.pb"), "rb") as f:
        proto.ParseFromString(f.read())
    meta = next(m for m in proto.meta_graphs if "serve" in m.meta_info_def.tags)
    return tuple(sorted(meta.signature_def))


def inspect_cases(manifest):
    cases = []
    for name in sorted(manifest):
        cases.append((name, ()))
        cases.append((name, ("--tag_set", "serve")))
        for key in saved_model_signature_keys(name):
            cases.append((name, ("--tag_set", "serve", "--signature_def", key)))
        cases.append((name, ("--all",)))
        cases.append((name, ("--tag_set", "serve", "--list_ops")))
    return cases


def inspect_case_id(case):
    name, args = case
    return "-".join([name, "dir"] + [a.lstrip("-") for a in args])


def pytest_generate_tests(metafunc):
    if "fixture_name" in metafunc.fixturenames:
        metafunc.parametrize("fixture_name", sorted(load_manifest()))
    if "signature_case" in metafunc.fixturenames:
        cases = signature_cases(load_manifest())
        metafunc.parametrize("signature_case", cases, ids=[f"{n}-{s}" for n, s in cases])
    if "inspect_case" in metafunc.fixturenames:
        cases = inspect_cases(load_manifest())
        metafunc.parametrize("inspect_case", cases, ids=[inspect_case_id(c) for c in cases])


@pytest.fixture(scope="session")
def fixtures_dir():
    return fixtures_dir_or_fail()


@pytest.fixture(scope="session")
def manifest():
    return load_manifest()


@pytest.fixture(scope="session")
def model_path():
    """model_path(name) -> the SavedModel directory of fixture <name>."""
    return model_dir


@pytest.fixture(scope="session")
def signature_keys():
    """signature_keys(name) -> every SignatureDef key in the fixture's serve MetaGraph."""
    return saved_model_signature_keys


@pytest.fixture(scope="session")
def xai_bin():
    path = os.environ.get("XAI_BIN", DEFAULT_XAI_BIN)
    if not os.access(path, os.X_OK):
        pytest.fail(f"xai binary {path} is missing or not executable (set XAI_BIN)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def run_xai(xai_bin):
    """run_xai(*args, stdin=None) -> (exit code, stdout, stderr).

    stdin is a str fed to the process (None: stdin is /dev/null). stdout and
    stderr are decoded as UTF-8 without newline translation, so the text is
    byte-exact (invalid bytes survive as surrogate escapes).

    xai runs without TF_CPP_MIN_LOG_LEVEL in its environment (this process
    sets it when it imports TensorFlow), so the tests see xai's own default
    log behaviour.
    """
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}

    def run(*args, stdin=None):
        proc = subprocess.run(
            [xai_bin, *map(str, args)],
            input=None if stdin is None else stdin.encode(),
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            env=env,
            timeout=XAI_TIMEOUT_S,
        )
        return proc.returncode, decode(proc.stdout), decode(proc.stderr)

    return run
