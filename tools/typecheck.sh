#!/usr/bin/env bash
# `make typecheck`: mypy on the collection's plugins and on the simulator package and its tests, and the
# formatter's check (ruff format, configured in ruff.toml) on every Python file of the repository.
# The collection is checked as ansible_collections.vsphere.content_library, from a tree
# that links to this repository (the import paths the modules use).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
[[ -x "$VENV/bin/mypy" ]] || { echo "typecheck.sh: no $VENV/bin/mypy; run tools/venv.sh" >&2; exit 2; }
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/ansible_collections/vsphere"
ln -s "$REPO" "$tree/ansible_collections/vsphere/content_library"
echo "typecheck.sh: mypy plugins/ (tools/mypy.ini)"
(cd "$tree" && MYPYPATH="$tree" "$VENV/bin/mypy" --config-file "$REPO/tools/mypy.ini" --cache-dir "$REPO/.cache/mypy-plugins" \
    -p ansible_collections.vsphere.content_library.plugins)
echo "typecheck.sh: mypy simulator/src and simulator/tests (simulator/pyproject.toml)"
(cd "$REPO/simulator" && "$VENV/bin/mypy" --cache-dir "$REPO/.cache/mypy-simulator" src/vsphere_content_simulator tests)
echo "typecheck.sh: ruff format --check (ruff.toml)"
"$VENV/bin/ruff" format --check --config "$REPO/ruff.toml" "$REPO/plugins" "$REPO/simulator" "$REPO/tests" "$REPO/bench" "$REPO/tools"
echo "typecheck.sh: all types check, and the code is formatted"
