#!/usr/bin/env bash
# `make demo`: build and install the collection, start the simulator, run docs/demo.yml
# against it, and stop the simulator again (whatever the playbook's outcome).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
export PATH="$VENV/bin:$PATH"
dist="$REPO/.tmp/dist"
collections="$REPO/.tmp/demo-collections"
rm -rf "$dist" "$collections"
ansible-galaxy collection build "$REPO" --output-path "$dist" --force
ansible-galaxy collection install "$dist"/vsphere-content_library-*.tar.gz -p "$collections" --force
export ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-1}"
exec python "$REPO/tests/simulator/with_simulator.py" -- ansible-playbook "$REPO/docs/demo.yml" "$@"
