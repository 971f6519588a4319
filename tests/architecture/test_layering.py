"""The module graph of docs/architecture.md, enforced on the sources.

- TensorFlow's headers (tensorflow/, tsl/, xla/) only in xai/model/ and xai/data/.
- The public headers (include/xai/) include only the C++ standard library and
  each other: they compile without TensorFlow's (or absl's, nlohmann's) paths.
- Dependencies between modules go one way, as listed in ALLOWED.
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)

# module → modules it may include (besides itself and the public include/xai/).
ALLOWED = {
    "base": set(),
    "model": {"base"},
    "hub": {"base"},
    "data": {"base"},
    "metrics": {"base", "data"},
    "validation": {"base", "data", "metrics", "model"},
    "metadata": {"base", "model"},
    "attribution": {"base", "model"},
    "explain": {"base", "model", "metadata", "attribution"},
    "registry": {"base", "model", "metadata", "hub"},
    "rest": {"base", "model", "metadata", "attribution", "explain", "registry"},
    "visualize": {"base", "model", "metadata", "attribution", "explain", "rest"},
    "api": {"base", "model", "metadata", "attribution", "explain", "registry", "rest", "hub", "validation"},
    "cli": {"base", "model", "metadata", "attribution", "explain", "registry", "rest", "hub", "validation",
            "visualize", "data"},
}
TF_MODULES = {"model", "data"}
PUBLIC_HEADERS = {p.name for p in (ROOT / "include" / "xai").glob("*.h")}


def sources(folder):
    return sorted(p for p in folder.rglob("*") if p.suffix in (".h", ".cc"))


def includes(path):
    return INCLUDE.findall(path.read_text())


def test_every_module_is_listed():
    modules = {p.name for p in (ROOT / "xai").iterdir() if p.is_dir()}
    assert modules == set(ALLOWED), f"update ALLOWED and docs/architecture.md: {sorted(modules ^ set(ALLOWED))}"


def test_tensorflow_only_in_model_and_data():
    bad = []
    for folder in [ROOT / "xai", ROOT / "include", ROOT / "bench", ROOT / "examples", ROOT / "tests"]:
        for path in sources(folder):
            rel = path.relative_to(ROOT)
            module = rel.parts[1] if rel.parts[0] == "xai" else None
            for inc in includes(path):
                if inc.split("/")[0] in ("tensorflow", "tsl", "xla") and module not in TF_MODULES:
                    bad.append(f"{rel}: {inc}")
    assert not bad, "TensorFlow headers outside xai/model and xai/data:\n" + "\n".join(bad)


def test_public_headers_are_self_contained():
    bad = []
    for path in sources(ROOT / "include" / "xai"):
        for inc in includes(path):
            if inc.startswith("xai/"):
                if inc[len("xai/"):] not in PUBLIC_HEADERS:
                    bad.append(f"{path.name}: {inc} is not a public header")
            elif "/" in inc or "." in inc:
                bad.append(f"{path.name}: {inc} is not a standard header")
    assert not bad, "\n".join(bad)


def test_dependencies_go_one_way():
    bad = []
    for module, allowed in ALLOWED.items():
        for path in sources(ROOT / "xai" / module):
            for inc in includes(path):
                parts = inc.split("/")
                if parts[0] != "xai" or len(parts) < 3:
                    continue  # public headers ("xai/model.h") and other libraries
                if parts[1] != module and parts[1] not in allowed:
                    bad.append(f"xai/{module}/{path.name} includes {inc}")
    assert not bad, "\n".join(bad)


def test_the_check_can_fail(tmp_path):
    """The include scanner sees the forms the tree uses."""
    sample = tmp_path / "x.cc"
    sample.write_text('#include "tensorflow/core/public/session.h"\n  # include <xai/model/model.h>\n')
    assert includes(sample) == ["tensorflow/core/public/session.h", "xai/model/model.h"]
