#!/usr/bin/env bash
# Create or update a virtualenv ($VENV, default: <repo>/.venv) from a pinned requirement
# file: $1, default tests/requirements-dev.txt (the full tool set, newest ansible-core).
# tests/requirements-core-2.16.txt makes the lowest supported ansible-core's venv
# (make VENV_LOW=...). Both include tests/simulator/requirements.txt.
# A stamp (hash of the requirement files + python version) makes an unchanged re-run a no-op.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
REQS=("${1:-$REPO/tests/requirements-dev.txt}" "$REPO/tests/simulator/requirements.txt")
STAMP="$VENV/.requirements.sha256"

for f in "${REQS[@]}"; do
    [[ -f "$f" ]] || { echo "venv.sh: missing $f" >&2; exit 1; }
done
PYTHON="$(command -v python3.11 || command -v python3)"
want="$({ "$PYTHON" --version; cat "${REQS[@]}"; } | sha256sum | cut -d' ' -f1)"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    echo "venv.sh: $VENV is up to date"
    exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "venv.sh: creating $VENV with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv "$VENV"
fi
echo "venv.sh: installing ${REQS[0]#"$REPO"/} into $VENV"
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "${REQS[0]}"
"$VENV/bin/python" -m pip check
echo "$want" > "$STAMP"
echo "venv.sh: done"
