#!/usr/bin/env bash
# Run ansible-test (from $VENV, default <repo>/.venv; make it with tools/venv.sh) on a
# fresh copy of the collection under <repo>/.tmp/ansible_collections/... and exit with
# ansible-test's exit code. Results are copied back to <repo>/tests/output.
# Example: tools/ansible-test.sh sanity --venv --python 3.11
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
[[ -x "$VENV/bin/ansible-test" ]] || { echo "ansible-test.sh: no $VENV/bin/ansible-test; run tools/venv.sh" >&2; exit 2; }

# --venv environments bootstrap pip with ~/.ansible/test/cache/get_pip_<pip version>.py,
# downloaded from a host we cannot reach: seed it with our offline stand-in.
at_dir="$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')"
for ver in $(grep -ohE "pip='[0-9.]+'" "$at_dir/_internal/python_requirements.py" | tr -dc '0-9.\n' | sort -u); do
    cache="$HOME/.ansible/test/cache/get_pip_${ver//./_}.py"
    if [[ ! -e "$cache" ]] || { grep -q get_pip_standin "$cache" && ! cmp -s "$REPO/tools/get_pip_standin.py" "$cache"; }; then
        echo "ansible-test.sh: seeding $cache with tools/get_pip_standin.py"
        mkdir -p "$(dirname "$cache")"
        cp "$REPO/tools/get_pip_standin.py" "$cache"
    fi
done

COPY="$("$REPO/tools/collection-copy.sh")"
# INTEGRATION_FLAVORS ("auto rest", or several pairs separated by ";") narrows the flavour
# configurations every integration target runs (see setup_simulator/run_flavors.sh).
if [[ -n "${INTEGRATION_FLAVORS:-}" ]]; then
    tr ';' '\n' <<<"$INTEGRATION_FLAVORS" > "$COPY/tests/integration/flavors"
fi
# Run as if the venv were activated, so `python`/`ansible*` in integration targets are the venv's.
# ANSIBLE_TEST_CONTENT_ROOT stops ansible-test from walking up to <repo>/.git (which ignores .tmp).
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV" ANSIBLE_TEST_CONTENT_ROOT="$COPY"
echo "ansible-test.sh: (cd $COPY && ansible-test $*)"
rc=0
(cd "$COPY" && ansible-test "$@") || rc=$?

if [[ -d "$COPY/tests/output" ]]; then
    mkdir -p "$REPO/tests/output"
    tar -C "$COPY/tests/output" --exclude=./.tmp -cf - . | tar -C "$REPO/tests/output" -xf -
    echo "ansible-test.sh: results copied to $REPO/tests/output (full output incl. .tmp: $COPY/tests/output)"
fi
echo "ansible-test.sh: ansible-test exited with $rc"
exit "$rc"
