"""`xai hub` and http(s) handles, against a loopback HTTP server and the real
tensorflow_hub package (the reference for the cache protocol).

References, never xai's own earlier output:
 - cache paths: tensorflow_hub's own functions (compressed_module_resolver.
   _module_dir, resolver._lock_filename / _temp_download_dir) and hashlib.sha1;
 - what a download must contain: the fixture's files, byte for byte;
 - whether a download happened: the server's request log;
 - `inspect`: saved_model_cli show on the local fixture; `predict`: the linear
   fixture's closed form x @ w + b (float32, tolerance 1e-5).
`xai explain` does not exist yet, so it is not tested here.
"""

import hashlib
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import tarfile
import threading
import time

import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hub"))
import hub_server  # noqa: E402  (tests/hub/hub_server.py)

XAI_TIMEOUT_S = 120
SAVED_MODEL_CLI = "/work/main/.venv/bin/saved_model_cli"


# --------------------------------------------------------------------------- #
# Fixtures and helpers
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def server():
    s = hub_server.HubServer().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def linear_dir(model_path):
    return model_path("linear")


def tar_gz(members):
    """members: list of (TarInfo, bytes or None) -> tar.gz bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def model_archive(model_dir):
    """tar -cz --owner=0 --group=0 -C model_dir . (tensorflow_hub's hosting layout)."""
    buf = io.BytesIO()

    def root_owned(info):
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(model_dir, arcname=".", filter=root_owned)
    return buf.getvalue()


@pytest.fixture(scope="module")
def linear_tgz(linear_dir):
    return model_archive(linear_dir)


@pytest.fixture
def cache(tmp_path):
    path = tmp_path / "cache"
    return str(path)


def xai_env(cache_dir):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL" and "proxy" not in k.lower()}
    env["TFHUB_CACHE_DIR"] = cache_dir
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


@pytest.fixture
def xai(xai_bin, cache):
    """xai(*args) -> CompletedProcess (text), with TFHUB_CACHE_DIR=cache."""

    def run(*args, timeout=XAI_TIMEOUT_S):
        return subprocess.run([xai_bin, *map(str, args)], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, env=xai_env(cache), timeout=timeout)

    return run


def start_xai(xai_bin, cache, *args):
    return subprocess.Popen([xai_bin, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, env=xai_env(cache))


def entry_dir(cache_dir, handle):
    return os.path.join(cache_dir, hashlib.sha1(handle.encode("utf8")).hexdigest())


def tree(path):
    """{relative path: bytes} of every file under path."""
    out = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = f.read()
    return out


def leftovers(cache_dir):
    return sorted(os.listdir(cache_dir)) if os.path.isdir(cache_dir) else []


def one_error_line(proc, *fragments):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("xai: error: ")]
    assert len(errors) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])
    return errors[0]


def wait_until(predicate, timeout=60, what="condition"):
    """Polls a file-system or log condition with a deadline (not a sleep-as-sync)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


@pytest.fixture(scope="module")
def hub():
    """The real tensorflow_hub, in this process (reads TFHUB_CACHE_DIR per call)."""
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    import tensorflow_hub
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.INFO)
    return tensorflow_hub


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def hub_log():
    from absl import logging as absl_logging

    capture = LogCapture()
    absl_logging.get_absl_logger().addHandler(capture)
    yield capture
    absl_logging.get_absl_logger().removeHandler(capture)


# --------------------------------------------------------------------------- #
# Resolution and the cache layout
# --------------------------------------------------------------------------- #


def test_resolve_downloads_once_into_tensorflow_hubs_layout(xai, server, cache, linear_tgz, linear_dir, hub,
                                                            monkeypatch):
    url = server.add("/layout/linear.tar.gz", linear_tgz)
    first = xai("hub", "resolve", url)
    assert first.returncode == 0, first.stderr
    monkeypatch.setenv("TFHUB_CACHE_DIR", cache)
    from tensorflow_hub import compressed_module_resolver
    expected = compressed_module_resolver._module_dir(url)  # tensorflow_hub's own naming
    assert first.stdout == expected + "\n" == entry_dir(cache, url) + "\n"
    assert tree(expected) == tree(linear_dir)
    with open(expected + ".descriptor.txt") as f:
        descriptor = f.read()
    assert re.fullmatch(r"Module: %s\nDownload Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\n"
                        r"Downloader Hostname: %s \(PID:\d+\)" % (re.escape(url), re.escape(socket.gethostname())),
                        descriptor), descriptor
    with open(expected + ".sha256") as f:
        assert f.read().strip() == hashlib.sha256(linear_tgz).hexdigest()
    name = os.path.basename(expected)
    assert leftovers(cache) == [name, name + ".descriptor.txt", name + ".sha256"]  # no lock, no staging
    requests = server.requests("/layout/linear.tar.gz")
    assert [r["query"] for r in requests] == ["tf-hub-format=compressed"]  # tensorflow_hub's query
    second = xai("hub", "resolve", url)
    assert second.stdout == first.stdout
    assert len(server.requests("/layout/linear.tar.gz")) == 1  # served from the cache


def test_local_path_and_file_url(xai, linear_dir, tmp_path):
    assert xai("hub", "resolve", linear_dir).stdout == linear_dir + "\n"
    assert xai("hub", "resolve", "file://" + linear_dir).stdout == linear_dir + "\n"
    spaced = tmp_path / "a model"
    spaced.mkdir()
    assert xai("hub", "resolve", spaced.as_uri()).stdout == str(spaced) + "\n"
    one_error_line(xai("hub", "resolve", "/nonexistent/model"), "'/nonexistent/model' does not exist")
    one_error_line(xai("hub", "resolve", "gs://bucket/model"), "unsupported handle 'gs://bucket/model'")


# --------------------------------------------------------------------------- #
# Sharing the cache with tensorflow_hub, both ways
# --------------------------------------------------------------------------- #


def test_tensorflow_hub_uses_what_xai_cached(xai, server, cache, linear_tgz, linear_dir, hub, monkeypatch):
    url = server.add("/xai-first/linear.tar.gz", linear_tgz)
    resolved = xai("hub", "resolve", url)
    assert resolved.returncode == 0, resolved.stderr
    monkeypatch.setenv("TFHUB_CACHE_DIR", cache)
    assert hub.resolve(url) == resolved.stdout.strip()
    model = hub.load(url)
    x = np.ones((1, 5), np.float32)
    y = model.signatures["serving_default"](x=x)["y"].numpy()
    manifest_w = np.array([[0.5], [-1.0], [2.0], [0.25], [-0.75]], np.float32)
    np.testing.assert_allclose(y, x @ manifest_w + 0.1, rtol=1e-5, atol=1e-5)
    assert len(server.requests("/xai-first/linear.tar.gz")) == 1  # Python downloaded nothing


def test_xai_uses_what_tensorflow_hub_cached(xai, server, cache, linear_tgz, linear_dir, hub, monkeypatch):
    url = server.add("/python-first/linear.tar.gz", linear_tgz)
    monkeypatch.setenv("TFHUB_CACHE_DIR", cache)
    path = hub.resolve(url)
    assert len(server.requests("/python-first/linear.tar.gz")) == 1
    resolved = xai("hub", "resolve", url)
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout == path + "\n"
    inspect = xai("inspect", "--dir", url, "--tag_set", "serve")
    assert inspect.returncode == 0 and "serving_default" in inspect.stdout, inspect.stderr
    assert len(server.requests("/python-first/linear.tar.gz")) == 1  # xai downloaded nothing
    # --sha256 cannot be checked on an entry whose archive xai never saw.
    one_error_line(xai("hub", "resolve", url, "--sha256", hashlib.sha256(linear_tgz).hexdigest()),
                   url, "without a record of its archive's SHA-256")


def test_lock_file_follows_tensorflow_hub_and_python_waits_for_it(xai_bin, server, cache, linear_tgz, hub,
                                                                  hub_log, monkeypatch):
    path = "/xai-locks/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="stall")
    proc = start_xai(xai_bin, cache, "hub", "resolve", url)
    monkeypatch.setenv("TFHUB_CACHE_DIR", cache)
    from tensorflow_hub import compressed_module_resolver, resolver
    module_dir = compressed_module_resolver._module_dir(url)
    lock = resolver._lock_filename(module_dir)
    try:
        wait_until(lambda: server.requests(path) and server.requests(path)[0]["sent"] > 0, what="first bytes")
        with open(lock) as f:
            contents = f.read()
        assert re.fullmatch(r"%s\.%d\.[0-9a-f]{32}" % (re.escape(socket.gethostname()), proc.pid), contents)
        uid = resolver._task_uid_from_lock_file(lock)
        assert os.path.isdir(resolver._temp_download_dir(module_dir, uid))  # tensorflow_hub's staging name
        result = {}
        thread = threading.Thread(target=lambda: result.setdefault("path", hub.resolve(url)))
        thread.start()
        wait_until(lambda: any("already being downloaded" in m for m in hub_log.messages), what="Python waiting")
    finally:
        server.gate(path).set()  # the stalled connection drops; xai resumes and finishes
    out, err = proc.communicate(timeout=XAI_TIMEOUT_S)
    assert proc.returncode == 0, err
    thread.join(60)
    assert result["path"] == out.strip() == module_dir
    assert len(server.requests(path)) == 2  # xai's first attempt and its resume; none from Python
    assert server.requests(path)[1]["range"] == "bytes=%d-" % server.requests(path)[0]["sent"]


def test_xai_waits_for_tensorflow_hubs_lock(xai_bin, server, cache, linear_tgz, hub, monkeypatch):
    path = "/python-locks/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="gate")
    monkeypatch.setenv("TFHUB_CACHE_DIR", cache)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("path", hub.resolve(url)))
    thread.start()
    try:
        wait_until(lambda: server.requests(path), what="Python's request")
        proc = start_xai(xai_bin, cache, "hub", "resolve", url)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stderr))
        reader.start()
        wait_until(lambda: any("waiting for another download" in l for l in lines), what="xai waiting")
    finally:
        server.gate(path).set()
    thread.join(60)
    out = proc.stdout.read()
    assert proc.wait(XAI_TIMEOUT_S) == 0, lines
    assert out == result["path"] + "\n"
    assert len(server.requests(path)) == 1


# --------------------------------------------------------------------------- #
# Commands on an http handle
# --------------------------------------------------------------------------- #


def test_inspect_predict_and_explain_on_an_http_handle(xai, server, linear_tgz, linear_dir, tmp_path):
    url = server.add("/commands/linear.tar.gz", linear_tgz)
    args = ["--tag_set", "serve", "--signature_def", "serving_default"]
    reference = subprocess.run([SAVED_MODEL_CLI, "show", "--dir", linear_dir, *args], capture_output=True,
                               text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    inspect = xai("inspect", "--dir", url, *args)
    assert inspect.returncode == 0, inspect.stderr
    assert inspect.stdout == reference.stdout
    x = np.array([[-1.8228, 1.6601, 0.2111, -1.5588, -1.1524], [1.0509, 0.5163, 3.0352, -0.1355, -0.0459]],
                 np.float32)
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"instances": x.tolist()}))
    predict = xai("predict", "--dir", url, "--request", request)
    assert predict.returncode == 0, predict.stderr
    w = np.array([[0.5], [-1.0], [2.0], [0.25], [-0.75]], np.float32)
    np.testing.assert_allclose(np.array(json.loads(predict.stdout)["predictions"], np.float32),
                               x @ w + np.float32(0.1), rtol=1e-5, atol=1e-5)
    # explain on the same handle: Integrated Gradients on a linear model is w·x (zero baseline).
    explain = xai("explain", "--dir", url, "--request", request)
    assert explain.returncode == 0, explain.stderr
    for i, e in enumerate(json.loads(explain.stdout)["explanations"]):
        got = np.array(e["attributions"][0]["featureAttributions"]["x"], np.float32)
        np.testing.assert_allclose(got, w[:, 0] * x[i], rtol=1e-5, atol=1e-5)
    assert len(server.requests("/commands/linear.tar.gz")) == 1


# --------------------------------------------------------------------------- #
# Sturdiness: retries, resume, killed processes, concurrency
# --------------------------------------------------------------------------- #


def test_retries_503_then_succeeds(xai, server, cache, linear_tgz, linear_dir):
    path = "/flaky/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="fail_first", failures=2)
    proc = xai("hub", "resolve", url, "--retry_wait", "0.05")
    assert proc.returncode == 0, proc.stderr
    assert [r["status"] for r in server.requests(path)] == [503, 503, 200]
    assert proc.stderr.count("server answered HTTP 503; retrying") == 2
    assert tree(proc.stdout.strip()) == tree(linear_dir)


@pytest.mark.parametrize("ranges", [True, False], ids=["range", "server-ignores-range"])
def test_resumes_after_a_dropped_connection(xai, server, cache, linear_tgz, linear_dir, ranges):
    path = "/dropped-%s/linear.tar.gz" % ranges
    url = server.add(path, linear_tgz, mode="drop_once", ranges=ranges)
    proc = xai("hub", "resolve", url, "--retry_wait", "0.05")
    assert proc.returncode == 0, proc.stderr
    first, second = server.requests(path)
    assert 0 < first["sent"] < len(linear_tgz)
    assert second["range"] == "bytes=%d-" % first["sent"]
    assert second["if_range"] is not None
    if ranges:
        assert second["status"] == 206 and first["sent"] + second["sent"] == len(linear_tgz)
    else:
        assert second["status"] == 200 and second["sent"] == len(linear_tgz)
    assert tree(proc.stdout.strip()) == tree(linear_dir)


def test_gives_up_and_leaves_nothing(xai, server, cache, linear_tgz):
    url = server.add("/always-drops/linear.tar.gz", linear_tgz, mode="drop_always")
    proc = xai("hub", "resolve", url, "--retries", "3", "--retry_wait", "0.05")
    one_error_line(proc, url, "gave up after 3 attempts")
    assert len(server.requests("/always-drops/linear.tar.gz")) == 3
    assert leftovers(cache) == []


def test_killed_downloader_is_taken_over_and_cleaned_up(xai, xai_bin, server, cache, linear_tgz, linear_dir):
    path = "/killed/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="stall")
    victim = start_xai(xai_bin, cache, "hub", "resolve", url)
    wait_until(lambda: server.requests(path) and server.requests(path)[0]["sent"] > 0, what="first bytes")
    victim.kill()
    victim.wait(30)
    name = os.path.basename(entry_dir(cache, url))
    stale = leftovers(cache)
    assert name + ".lock" in stale and any(n.endswith(".tmp") for n in stale), stale
    proc = xai("hub", "resolve", url, "--retry_wait", "0.05")  # lock timeout stays 600 s: the owner is dead
    assert proc.returncode == 0, proc.stderr
    assert "taking over stale lock" in proc.stderr
    assert tree(proc.stdout.strip()) == tree(linear_dir)
    assert leftovers(cache) == [name, name + ".descriptor.txt", name + ".sha256"]


def test_gc_removes_what_a_killed_download_left(xai, xai_bin, server, cache, linear_tgz):
    path = "/killed-gc/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="stall")
    victim = start_xai(xai_bin, cache, "hub", "resolve", url)
    wait_until(lambda: server.requests(path) and server.requests(path)[0]["sent"] > 0, what="first bytes")
    victim.kill()
    victim.wait(30)
    server.gate(path).set()
    left = leftovers(cache)
    dry = xai("hub", "gc", "--dry_run")
    assert dry.returncode == 0 and leftovers(cache) == left
    gc = xai("hub", "gc")
    assert gc.returncode == 0, gc.stderr
    assert sorted(os.path.basename(l.split()[1]) for l in gc.stdout.splitlines()) == left
    assert leftovers(cache) == []


def test_interrupt_releases_the_lock_and_staging(xai_bin, server, cache, linear_tgz):
    path = "/interrupted/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="stall")
    proc = start_xai(xai_bin, cache, "hub", "resolve", url)
    wait_until(lambda: server.requests(path) and server.requests(path)[0]["sent"] > 0, what="first bytes")
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGINT
    server.gate(path).set()
    assert leftovers(cache) == []


def test_eight_processes_one_download(xai_bin, server, cache, linear_tgz, linear_dir):
    path = "/eight/linear.tar.gz"
    url = server.add(path, linear_tgz, mode="gate")
    procs = [start_xai(xai_bin, cache, "hub", "resolve", url) for _ in range(8)]
    stderr = [[] for _ in procs]
    readers = [threading.Thread(target=lambda p=p, s=s: s.extend(p.stderr)) for p, s in zip(procs, stderr)]
    for r in readers:
        r.start()
    try:
        # The gate opens once the other seven are seen waiting on the lock.
        wait_until(lambda: sum(any("waiting for another download" in l for l in s) for s in stderr) == 7,
                   timeout=120, what="seven waiting processes")
    finally:
        server.gate(path).set()
    outs = [p.stdout.read() for p in procs]
    codes = [p.wait(XAI_TIMEOUT_S) for p in procs]
    for r in readers:
        r.join(10)
    assert codes == [0] * 8, stderr
    assert set(outs) == {entry_dir(cache, url) + "\n"}
    assert len(server.requests(path)) == 1
    assert tree(entry_dir(cache, url)) == tree(linear_dir)


# --------------------------------------------------------------------------- #
# Safety: bad archives and responses leave nothing behind
# --------------------------------------------------------------------------- #


def member(name, kind=tarfile.REGTYPE, data=b"x", link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = 1, 3
    return info, data if kind == tarfile.REGTYPE else None


UNSAFE = {
    "absolute-path": (member("/tmp/xai-evil"), "entry '/tmp/xai-evil' has an absolute path"),
    "dot-dot": (member("./variables/../../evil"), "entry './variables/../../evil' contains '..'"),
    "symlink": (member("./link", tarfile.SYMTYPE, link="/etc/passwd"),
                "entry './link' is a symbolic link to '/etc/passwd'"),
    "hardlink": (member("./hard", tarfile.LNKTYPE, link="./saved_model.pb"), "entry './hard' is a hard link"),
    "char-device": (member("./null", tarfile.CHRTYPE), "entry './null' is a character device"),
    "block-device": (member("./disk", tarfile.BLKTYPE), "entry './disk' is a block device"),
    "fifo": (member("./pipe", tarfile.FIFOTYPE), "entry './pipe' is a FIFO"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_archive_is_rejected(xai, server, cache, case):
    bad, message = UNSAFE[case]
    data = tar_gz([member("./saved_model.pb", data=b"pb"), bad])
    url = server.add("/unsafe/%s.tar.gz" % case, data)
    one_error_line(xai("hub", "resolve", url), "'%s' does not appear to be a valid module" % url, message)
    assert leftovers(cache) == []
    assert not os.path.exists("/tmp/xai-evil")


def test_non_tar_response_leaves_nothing(xai, server, cache):
    url = server.add("/html/model.tar.gz", b"<html><body>Sign in to continue</body></html>")
    one_error_line(xai("hub", "resolve", url), "'%s' does not appear to be a valid module" % url, "not a tar archive")
    assert leftovers(cache) == []


def test_truncated_archive_leaves_nothing(xai, server, cache, linear_tgz):
    url = server.add("/truncated/linear.tar.gz", linear_tgz[: len(linear_tgz) * 6 // 10])
    one_error_line(xai("hub", "resolve", url), "'%s' does not appear to be a valid module" % url, "truncated")
    assert leftovers(cache) == []


def test_empty_archive_leaves_nothing(xai, server, cache):
    url = server.add("/empty/model.tar.gz", tar_gz([]))
    one_error_line(xai("hub", "resolve", url), url, "contains no files")
    assert leftovers(cache) == []


def test_not_found(xai, server, cache):
    url = server.base_url + "/no/such/model.tar.gz"
    one_error_line(xai("hub", "resolve", url), "cannot download '%s': server answered HTTP 404" % url)
    assert leftovers(cache) == []


def test_size_limit(xai, server, cache, linear_tgz):
    url = server.add("/big/linear.tar.gz", linear_tgz)
    one_error_line(xai("hub", "resolve", url, "--max_size", "1K"), url, "limit of 1024 bytes")
    assert leftovers(cache) == []


def test_sha256(xai, server, cache, linear_tgz):
    url = server.add("/digest/linear.tar.gz", linear_tgz)
    wrong = "0" * 64
    one_error_line(xai("hub", "resolve", url, "--sha256", wrong), url, "expected " + wrong)
    assert leftovers(cache) == []
    right = hashlib.sha256(linear_tgz).hexdigest()
    assert xai("hub", "resolve", url, "--sha256", right).returncode == 0
    assert xai("hub", "resolve", url, "--sha256", right.upper()).returncode == 0  # cached: checked against record
    one_error_line(xai("hub", "resolve", url, "--sha256", wrong), url, "expected " + wrong)
    assert len(server.requests("/digest/linear.tar.gz")) == 2


# --------------------------------------------------------------------------- #
# ls / rm
# --------------------------------------------------------------------------- #


def test_ls_and_rm(xai, server, cache, linear_tgz, linear_dir):
    url = server.add("/listed/linear.tar.gz", linear_tgz)
    assert xai("hub", "resolve", url).returncode == 0
    listing = json.loads(xai("hub", "ls", "--format", "json").stdout)
    assert listing["cache_dir"] == cache
    (model,) = listing["models"]
    assert model["handle"] == url and model["state"] == "cached"
    assert model["dir"] == entry_dir(cache, url)
    assert model["bytes"] == sum(len(b) for b in tree(linear_dir).values())
    assert model["sha256"] == hashlib.sha256(linear_tgz).hexdigest()
    text = xai("hub", "ls").stdout
    assert text.startswith(os.path.basename(entry_dir(cache, url))) and url in text
    removed = xai("hub", "rm", url)
    assert removed.returncode == 0 and removed.stdout == "removed %s\n" % entry_dir(cache, url)
    assert leftovers(cache) == []
    one_error_line(xai("hub", "rm", url), url, "is not in the cache")
    assert xai("hub", "resolve", url).returncode == 0  # downloads again
    assert len(server.requests("/listed/linear.tar.gz")) == 2


def test_progress_only_when_asked_or_on_a_terminal(xai_bin, server, cache, linear_tgz, hub):
    from tensorflow_hub import tf_utils
    quiet_url = server.add("/progress-quiet/linear.tar.gz", linear_tgz)
    loud_url = server.add("/progress-loud/linear.tar.gz", linear_tgz)
    quiet = subprocess.run([xai_bin, "hub", "resolve", quiet_url], capture_output=True, text=True,
                           env=xai_env(cache), timeout=XAI_TIMEOUT_S)
    assert quiet.returncode == 0 and quiet.stderr == ""  # piped: no progress
    loud = subprocess.run([xai_bin, "hub", "resolve", loud_url], capture_output=True, text=True,
                          env={**xai_env(cache), "TFHUB_DOWNLOAD_PROGRESS": "1"}, timeout=XAI_TIMEOUT_S)
    assert loud.returncode == 0, loud.stderr
    total = tf_utils.bytes_to_readable_str(len(linear_tgz), True)  # tensorflow_hub's size text
    assert loud.stderr.rstrip().endswith("Downloaded %s, Total size: %s" % (loud_url, total)), loud.stderr
