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
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}
# ansible-test runs targets from a copy of tests/integration only; the simulator is in the
# collection it put first on ANSIBLE_COLLECTIONS_PATH.
simulator=${SIMULATOR_DIR:-${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/vsphere/content_library/tests/simulator}
for config in "api both" "rest both" "auto rest"; do
  read -r api_flavor sim_flavor <<<"$config"
  echo "=== $playbook: api_flavor=$api_flavor against a simulator serving $sim_flavor"
  "$python" "$simulator/with_simulator.py" --flavor "$sim_flavor" -- \
    ansible-playbook "$playbook" -e "api_flavor=$api_flavor" -e "sim_flavor=$sim_flavor" \
    -e "fixture_script=$here/files/fixture.py" "$@"
done
