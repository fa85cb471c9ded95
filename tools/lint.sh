#!/usr/bin/env bash
# Offline linters: the empty sanity-ignore policy; antsibull-changelog lint and
# antsibull-docs lint-collection-docs --plugin-docs on a fresh copy of the collection
# (see tools/collection-copy.sh); and `ansible-lint` at the repository root with no
# arguments, exactly as a user runs it (.ansible-lint: profile production).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
[[ -x "$VENV/bin/ansible-lint" ]] || { echo "lint.sh: no $VENV/bin/ansible-lint; run tools/venv.sh" >&2; exit 2; }
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"

echo "lint.sh: checking that tests/sanity/ignore-*.txt have no entries (every ansible-core)"
if grep -sHnvE '^\s*(#|$)' "$REPO"/tests/sanity/ignore-*.txt; then
    echo "lint.sh: sanity ignore entries are not allowed (fix the code instead)" >&2
    exit 1
fi

COPY="$("$REPO/tools/collection-copy.sh")"
cd "$COPY"
# The copy lives in <repo>/.tmp, which git ignores: stop git from finding <repo>/.git, or
# antsibull-docs and ansible-lint would list (git ls-files) no files at all.
export GIT_CEILING_DIRECTORIES="$REPO/${COPY_ROOT:-.tmp}"
failed=()
run() { echo "lint.sh: $*"; "$@" || failed+=("$1"); }
run antsibull-changelog lint
run antsibull-docs lint-collection-docs --plugin-docs .
# ansible-lint installs this collection under <repo>/.ansible/ itself (see .ansible-lint).
cd "$REPO"
unset GIT_CEILING_DIRECTORIES
run ansible-lint
if ((${#failed[@]})); then
    echo "lint.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "lint.sh: all linters passed"
