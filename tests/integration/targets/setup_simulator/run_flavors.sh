#!/usr/bin/env bash
# Runs one integration playbook against a fresh simulator, once per URL flavour:
#   api_flavor=api  against a simulator that serves /api and /rest
#   api_flavor=rest against a simulator that serves /api and /rest
#   api_flavor=auto against a simulator that serves only /rest (like vCenter 6.7)
# Usage: run_flavors.sh PLAYBOOK [ansible-playbook args...]
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
for config in "api both" "rest both" "auto rest"; do
  read -r api_flavor sim_flavor <<<"$config"
  echo "=== $playbook: api_flavor=$api_flavor against a simulator serving $sim_flavor"
  vsphere-content-simulator run --flavor "$sim_flavor" -- env "${unset_vmware[@]}" \
    ansible-playbook "$playbook" -e "api_flavor=$api_flavor" -e "sim_flavor=$sim_flavor" \
    -e "fixture_script=$here/files/fixture.py" "$@"
done
