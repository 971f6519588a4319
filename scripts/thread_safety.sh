#!/usr/bin/env bash
# Clang's -Wthread-safety over every library source (syntax only), with the
# flags of the real build (build/compile_commands.json). Fails on any
# thread-safety warning. Needs clang (scripts/setup.sh installs it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-2}"
.venv/bin/python - "$JOBS" <<'PY'
import concurrent.futures, json, shlex, subprocess, sys
jobs = int(sys.argv[1])
entries = [e for e in json.load(open("build/compile_commands.json"))
           if "/xai/" in e["file"] and not e["file"].endswith("_test.cc")]
def check(e):
    args = shlex.split(e["command"])
    args = [a for a in args[1:] if a not in ("-c",)]
    if "-o" in args:
        i = args.index("-o"); del args[i:i + 2]
    args = [a for a in args if a != e["file"]]
    # Only the thread-safety analysis: every other warning off (GCC-specific flags dropped).
    cmd = (["clang++", "-fsyntax-only", "-Wno-everything", "-Wthread-safety", "-Werror=thread-safety"]
           + [a for a in args if not a.startswith(("-W", "-g", "-O"))] + [e["file"]])
    p = subprocess.run(cmd, cwd=e["directory"], capture_output=True, text=True)
    return e["file"], p.returncode, p.stderr
bad = 0
with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    for f, rc, err in pool.map(check, entries):
        if rc != 0:
            bad += 1
            print(f"thread-safety: {f}\n{err}")
print(f"thread-safety: {len(entries) - bad}/{len(entries)} library sources clean")
sys.exit(1 if bad else 0)
PY
