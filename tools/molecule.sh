#!/usr/bin/env bash
# `make molecule`: `molecule ARGS --all` (default ARGS: test) at the repository root, where
# molecule finds galaxy.yml and so takes its scenarios from extensions/molecule/
# (ansible-creator's layout), with the venv's tools on PATH.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
cd "$REPO"
exec molecule "${@:-test}" --all
