#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It installs the grader's dependencies into their own virtual environment (never touching the system
# python3 that Gradescope's harness uses), readable by the unprivileged user that runs student code,
# and makes the grader's own files (tests, reference solutions) readable by root only.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="${GRADER_VENV:-/opt/grader-venv}"

# Already satisfied (a test machine, a rebuilt image): the venv needs no pip and nothing is installed.
HAVE_ALL='import numpy, pytest, nbformat, IPython, jsonschema, tqdm, sys; sys.version_info >= (3, 11) or __import__("tomli"); assert tuple(map(int, numpy.__version__.split(".")[:2])) < (2, 4)'
if [ ! -x "$VENV/bin/python" ] && python3 -c "$HAVE_ALL" >/dev/null 2>&1; then
  python3 -m venv --system-site-packages --without-pip "$VENV"
fi
if ! { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$HAVE_ALL" >/dev/null 2>&1; }; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -m ensurepip --version >/dev/null 2>&1; then
    apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-pip
  fi
  python3 -m venv --system-site-packages "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/source/requirements.txt"
fi
chmod -R a+rX "$VENV"

# The unprivileged user that runs student code (only inside a real Gradescope container).
if [ "$ROOT" = "/autograder" ] && ! id grader-student >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin grader-student
fi
chmod -R go-rwx "$ROOT/source"
