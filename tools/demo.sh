#!/usr/bin/env bash
# `make demo`: make .venv, build the collection and install it where ansible-galaxy installs
# for a user (~/.ansible/collections, on ansible's default collections path, so that
# `.venv/bin/ansible-doc vsphere.content_library.<module>` works afterwards), start the
# simulator (two of them: the demo copies into the second), run docs/demo.yml against them and stop
# them, whatever the outcome.
# Only the playbooks' output is shown; the setup's goes to .tmp/demo-setup.log (shown on failure).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
export PATH="$VENV/bin:$PATH"
mkdir -p "$REPO/.tmp"
log="$REPO/.tmp/demo-setup.log"
dist="$REPO/.tmp/dist"
setup() {
    "$REPO/tools/venv.sh"
    rm -rf "$dist"
    ansible-galaxy collection build "$REPO" --output-path "$dist" --force
    ansible-galaxy collection install "$dist"/vsphere-content_library-*.tar.gz --force
}
if ! setup >"$log" 2>&1; then
    cat "$log" >&2
    echo "demo.sh: setting up failed (log: $log)" >&2
    exit 1
fi
# No inventory is needed for localhost: do not warn about it.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# vsphere-content-simulator is .venv's (tools/venv.sh installs the simulator package there).
# Two simulators: the second is the other vCenter that the demo copies a template into (SIM2_*).
exec vsphere-content-simulator run --instances 2 --log-level warning -- ansible-playbook "$REPO/docs/demo.yml" "$@"
