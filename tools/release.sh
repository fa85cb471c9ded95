#!/usr/bin/env bash
# `make release`: refuse a tree with uncommitted changes, then build the tarball
# (tools/build.sh) into <repo>/dist and list what it holds.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "$(git -C "$REPO" status --porcelain --untracked-files=normal)" ]]; then
    git -C "$REPO" status --short >&2
    echo "release.sh: the tree has uncommitted changes or untracked files; commit or remove them first" >&2
    exit 1
fi
tarball="$("$REPO/tools/build.sh" "$REPO/dist")"
tar -tzf "$tarball" | sort
echo "release.sh: built $tarball"
