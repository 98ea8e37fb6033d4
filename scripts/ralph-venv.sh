#!/usr/bin/env bash
# Ralph (France Université Numérique's Learning Record Store, `ralph-malph` on PyPI) in its own
# virtualenv, .ci/vendor/ralph-venv, for tests/xapi/test_lrs.py: its pinned dependencies (FastAPI,
# pydantic, uvicorn…) must not meet Lectern's. Idempotent: does nothing when the pinned version is
# there. Called by .ci/run; run it by hand to run the LRS test locally (docs/INTEROP.md, "xAPI").
set -euo pipefail
cd "$(dirname "$0")/.."
RALPH_VERSION=5.1.0
# Ralph 5.1.0's API imports `requests` (its OIDC module) without declaring it in the lrs extra.
REQUESTS_VERSION=2.32.3
VENV=.ci/vendor/ralph-venv
PYTHON=${PYTHON:-python3}
# (pip's output is read whole first: `pip show | grep -q` fails under pipefail when grep stops early)
if [ -x "$VENV/bin/ralph" ] && [ "$("$VENV/bin/python" -m pip show ralph-malph 2>/dev/null | sed -n 's/^Version: //p')" = "$RALPH_VERSION" ] \
   && "$VENV/bin/python" -c "import requests" 2>/dev/null; then
  exit 0
fi
mkdir -p .ci/vendor
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "ralph-malph[cli,lrs]==$RALPH_VERSION" \
  "requests==$REQUESTS_VERSION"
"$VENV/bin/ralph" --version
