#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It installs the grader's dependencies into their own virtual environment (never touching the system
# python3 that Gradescope's harness uses), readable by the unprivileged user that runs student code,
# and makes the grader's own files (tests, reference solutions) readable by root only.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="${GRADER_VENV:-/opt/grader-venv}"

if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-pip
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv --system-site-packages "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/source/requirements.txt"
chmod -R a+rX "$VENV"

# The unprivileged user that runs student code (only inside a real Gradescope container).
if [ "$ROOT" = "/autograder" ] && ! id grader-student >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin grader-student
fi
chmod -R go-rwx "$ROOT/source"
