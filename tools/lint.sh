#!/usr/bin/env bash
# Offline linters on a fresh copy of the collection (see tools/collection-copy.sh):
# the empty sanity-ignore policy, antsibull-changelog lint,
# antsibull-docs lint-collection-docs --plugin-docs, and ansible-lint (.ansible-lint).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
[[ -x "$VENV/bin/ansible-lint" ]] || { echo "lint.sh: no $VENV/bin/ansible-lint; run tools/venv.sh" >&2; exit 2; }
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"

echo "lint.sh: checking that tests/sanity/ignore-*.txt have no entries"
if grep -sHnvE '^\s*(#|$)' "$REPO"/tests/sanity/ignore-*.txt; then
    echo "lint.sh: sanity ignore entries are not allowed (fix the code instead)" >&2
    exit 1
fi

COPY="$("$REPO/tools/collection-copy.sh")"
cd "$COPY"
# The copy lives in <repo>/.tmp, which git ignores: stop git from finding <repo>/.git, or
# antsibull-docs and ansible-lint would list (git ls-files) no files at all.
export GIT_CEILING_DIRECTORIES="$REPO/.tmp"
# Playbooks (ansible-lint) resolve vsphere.content_library.* from the copy.
ANSIBLE_COLLECTIONS_PATH="$(cd ../../.. && pwd)"
export ANSIBLE_COLLECTIONS_PATH
failed=()
run() { echo "lint.sh: $*"; "$@" || failed+=("$1"); }
run antsibull-changelog lint
run antsibull-docs lint-collection-docs --plugin-docs .
run ansible-lint  # profile, offline mode and excludes come from .ansible-lint
if ((${#failed[@]})); then
    echo "lint.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "lint.sh: all linters passed"
