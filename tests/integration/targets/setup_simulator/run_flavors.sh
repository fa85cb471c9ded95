#!/usr/bin/env bash
# Runs one integration playbook against a fresh simulator, once per URL flavour:
#   api_flavor=api  against a simulator that serves /api and /rest
#   api_flavor=rest against a simulator that serves /api and /rest
#   api_flavor=auto against a simulator that serves only /rest (like vCenter 6.7)
# Usage: run_flavors.sh PLAYBOOK [ansible-playbook args...]
# A file tests/integration/flavors in the collection under test (tools/ansible-test.sh writes it
# from INTEGRATION_FLAVORS, e.g. for the lowest ansible-core) lists the configurations to run
# instead, one "API_FLAVOR SIMULATOR_FLAVOR" pair per line.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
playbook=$1
shift
# The simulator is the vsphere-content-simulator command of the venv that runs ansible-test
# (tools/venv.sh installs it there; tools/ansible-test.sh puts that venv's bin first on PATH).
if ! command -v vsphere-content-simulator >/dev/null; then
  echo "run_flavors.sh: vsphere-content-simulator is not on PATH; make venv installs it" >&2
  exit 1
fi
# `run` also exports the VMWARE_* connection variables; the playbooks give every connection
# option themselves (and set VMWARE_* where they test them), so they run without those.
unset_vmware=(-u VMWARE_HOST -u VMWARE_PORT -u VMWARE_USER -u VMWARE_PASSWORD -u VMWARE_CA_PATH -u VMWARE_VALIDATE_CERTS)
configs=("api both" "rest both" "auto rest")
chosen="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/vsphere/content_library/tests/integration/flavors"
if [[ -f "$chosen" ]]; then
  mapfile -t configs < <(grep -vE '^\s*(#|$)' "$chosen")
fi
for config in "${configs[@]}"; do
  read -r api_flavor sim_flavor <<<"$config"
  echo "=== $playbook: api_flavor=$api_flavor against a simulator serving $sim_flavor"
  vsphere-content-simulator run --flavor "$sim_flavor" -- env "${unset_vmware[@]}" \
    ansible-playbook "$playbook" -e "api_flavor=$api_flavor" -e "sim_flavor=$sim_flavor" \
    -e "fixture_script=$here/files/fixture.py" "$@"
done
