#!/usr/bin/env bash
# Runs the EXAMPLES of every module's documentation against the simulator, in each URL flavour.
set -euo pipefail
cd "$(dirname "$0")"
collection=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/vsphere/content_library
examples=$(mktemp -d)
trap 'rm -rf "$examples"' EXIT
"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}" files/extract_examples.py "$collection/plugins/modules" "$examples"
../setup_simulator/run_flavors.sh playbook.yml -e "examples_dir=$examples" "$@"
