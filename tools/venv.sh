#!/usr/bin/env bash
# Create or update a virtualenv ($VENV, default: <repo>/.venv) from a pinned requirement
# file: $1, default tests/requirements-dev.txt (the full tool set, newest ansible-core).
# tests/requirements-core-2.16.txt makes the lowest supported ansible-core's venv
# (make VENV_LOW=...). Both include simulator/requirements-pinned.txt, and the same pip run
# installs the simulator package from simulator/ in editable mode (its code is used in place,
# so edits need no reinstall), which puts the vsphere-content-simulator command in $VENV/bin.
# A stamp (hash of the requirement files, simulator/pyproject.toml and the python version)
# makes an unchanged re-run a no-op, as long as the venv's simulator is this checkout's.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
REQ="${1:-$REPO/tests/requirements-dev.txt}"
SIM="$REPO/simulator"
HASHED=("$REQ" "$SIM/pyproject.toml" "$SIM"/requirements-*.txt)
STAMP="$VENV/.requirements.sha256"

for f in "${HASHED[@]}"; do
    [[ -f "$f" ]] || { echo "venv.sh: missing $f" >&2; exit 1; }
done
PYTHON="$(command -v python3.11 || command -v python3)"
want="$({ "$PYTHON" --version; cat "${HASHED[@]}"; } | sha256sum | cut -d' ' -f1)"

# The editable install points at one checkout: a venv copied from another one must be redone.
simulator_is_ours() {
    [[ -x "$VENV/bin/vsphere-content-simulator" ]] || return 1
    local where
    where="$("$VENV/bin/python" -c 'import vsphere_content_simulator as m; print(m.__file__)' 2>/dev/null)" || return 1
    [[ "$where" == "$SIM/src/vsphere_content_simulator/__init__.py" ]]
}

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && simulator_is_ours; then
    echo "venv.sh: $VENV is up to date"
    exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "venv.sh: creating $VENV with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv "$VENV"
fi
echo "venv.sh: installing ${REQ#"$REPO"/} and simulator/ (editable) into $VENV"
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" -e "$SIM"
"$VENV/bin/python" -m pip check
simulator_is_ours || { echo "venv.sh: $VENV/bin/vsphere-content-simulator does not run $SIM" >&2; exit 1; }
echo "$want" > "$STAMP"
echo "venv.sh: done"
