#!/usr/bin/env bash
# The test suite's outside tools, in .ci/vendor (git-ignored), installed once and checked cheaply after:
# axe-core (accessibility rules the browser tests inject), scorm-again (the SCORM 1.2 run-time the SCORM
# package is tested against) from npm, and Ralph (the LRS of the xAPI tests) in its own virtualenv.
# Called by `make test` and `.ci/run`. Without npm or a registry, what cannot be installed is said
# and its tests skip (CI sets LECTERN_REQUIRE_BROWSER=1 / LECTERN_REQUIRE_LRS=1: there they fail).
set -uo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
SCORM_AGAIN_VERSION=3.4.3

have() {  # have PACKAGE VERSION FILE: the npm package at that version, with that file
  [ -f ".ci/vendor/node_modules/$1/$3" ] && grep -q "\"version\": \"$2\"" ".ci/vendor/node_modules/$1/package.json"
}
if ! have axe-core "$AXE_VERSION" axe.min.js || ! have scorm-again "$SCORM_AGAIN_VERSION" dist/scorm12.min.js; then
  if command -v npm >/dev/null 2>&1; then
    # both in one install: an install of one package alone prunes the other from node_modules
    npm install --silent --no-audit --no-fund --prefix .ci/vendor \
      "axe-core@$AXE_VERSION" "scorm-again@$SCORM_AGAIN_VERSION" \
      || echo "test-tools: npm could not install axe-core and scorm-again; their browser checks will skip" >&2
  else
    echo "test-tools: npm is missing (apt-get install npm); the accessibility and SCORM browser tests will skip" >&2
  fi
fi
scripts/ralph-venv.sh || echo "test-tools: Ralph (the LRS) could not be installed; the xAPI LRS tests will skip" >&2
exit 0
