#!/usr/bin/env bash
# library_item_copy between two vCenters: two simulators (distinct ports, CAs, ids and users), started
# here for each pairing of URL flavours, source -> target: api -> api, rest -> api, api -> rest. Each
# simulator serves only its flavour (a request in the other one would answer 404), and the playbook
# also runs once with api_flavor auto on both sides.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
if ! command -v vsphere-content-simulator >/dev/null; then
  echo "runme.sh: vsphere-content-simulator is not on PATH; make venv installs it" >&2
  exit 1
fi
# The playbook gives every connection option itself.
unset VMWARE_HOST VMWARE_PORT VMWARE_USER VMWARE_PASSWORD VMWARE_CA_PATH VMWARE_VALIDATE_CERTS
work=$(mktemp -d)
pids=()

stop_all() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

# start NAME FLAVOR [FLAGS...]: a simulator in the background; its JSON line in $work/NAME.json
start() {
  local name=$1 flavor=$2
  shift 2
  vsphere-content-simulator --flavor "$flavor" --exit-with-parent --log-level warning "$@" >"$work/$name.json" &
  pids+=("$!")
  for _ in $(seq 300); do
    [[ "$(wc -l <"$work/$name.json")" -ge 1 ]] && return 0
    sleep 0.1
  done
  echo "runme.sh: the $name simulator did not start" >&2
  return 1
}

for pairing in "api api" "rest api" "api rest"; do
  read -r src_flavor tgt_flavor <<<"$pairing"
  echo "=== library_item_copy: source /$src_flavor -> target /$tgt_flavor"
  start source "$src_flavor"
  start target "$tgt_flavor" --username copy-target@vsphere.local
  ansible-playbook playbook.yml -e "src_flavor=$src_flavor" -e "tgt_flavor=$tgt_flavor" \
    -e "src_info=$work/source.json" -e "tgt_info=$work/target.json" \
    -e "fixture_script=$here/../setup_simulator/files/fixture.py" -e "copy_fixture=$here/files/copy_fixture.py" "$@"
  stop_all
done
