#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
../setup_simulator/run_flavors.sh playbook.yml "$@"
