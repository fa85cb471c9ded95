#!/usr/bin/env bash
# `make test`: every test, in two lanes that run side by side (CI has 2 cores and 90 minutes;
# much of a test run waits on processes starting, simulators answering and time-outs
# expiring, so two lanes finish well before one would).
#   lane A, ansible-core 2.19 (.venv): sanity, units, integration (every flavour configuration), ecosystem
#   lane B: the simulator's suite, reliability, vcsim, ansible-core 2.16 (.venv-2.16: sanity,
#           units, integration in one flavour configuration), types and format, linters, molecule
# Each lane writes its log to tests/output/lanes/<lane>.log and stops at its first failure;
# the logs are printed when both lanes are done, then how long each step took.
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="$REPO/tests/output/lanes"
LANE_A=(sanity units integration ecosystem)
LANE_B=(simulator-tests reliability vcsim sanity-low units-low integration-low typecheck lint molecule)

mkdir -p "$LOGS"
# Both virtualenvs first, one after the other (two pip runs at once would fight over the cache).
make -C "$REPO" --no-print-directory venv venv-low || exit 1

lane() {
    local name=$1
    shift
    local log="$LOGS/$name.log" step started
    : > "$log"
    for step in "$@"; do
        started=$(date +%s)
        echo "==== lane $name: make $step" >> "$log"
        if ! make -C "$REPO" --no-print-directory "$step" >> "$log" 2>&1; then
            echo "==== lane $name: make $step FAILED after $(($(date +%s) - started)) s" >> "$log"
            echo "$step $(($(date +%s) - started)) FAILED" >> "$LOGS/$name.times"
            return 1
        fi
        echo "==== lane $name: make $step passed in $(($(date +%s) - started)) s" >> "$log"
        echo "$step $(($(date +%s) - started)) passed" >> "$LOGS/$name.times"
    done
}

rm -f "$LOGS"/*.times
started=$(date +%s)
lane A "${LANE_A[@]}" &
pid_a=$!
# Lane B's ansible-test and linters work on a copy of their own (see tools/collection-copy.sh).
COPY_ROOT=.tmp-b lane B "${LANE_B[@]}" &
pid_b=$!
wait "$pid_a"
status_a=$?
wait "$pid_b"
status_b=$?

for name in A B; do
    echo "################ lane $name ################"
    cat "$LOGS/$name.log"
done
echo "################ make test: steps and seconds ################"
for name in A B; do
    while read -r step seconds outcome; do
        printf 'lane %s  %-16s %5s s  %s\n' "$name" "$step" "$seconds" "$outcome"
    done < "$LOGS/$name.times"
done
echo "make test: $(($(date +%s) - started)) s in all"
if ((status_a || status_b)); then
    echo "make test: FAILED (lane A: $status_a, lane B: $status_b)" >&2
    exit 1
fi
echo "make test: every test passed"
