#!/usr/bin/env bash
# `make docs`: the collection's docs site (module reference + docs/docsite guide pages) with
# antsibull-docs: `sphinx-init --use-current` into .tmp/docsite, then the build.sh it writes
# (Sphinx with -W: a warning fails the build). Output: docs/build/html.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
export PATH="$VENV/bin:$PATH"
COPY="$("$REPO/tools/collection-copy.sh")"
ANSIBLE_COLLECTIONS_PATH="$(cd "$COPY/../../.." && pwd)"
export ANSIBLE_COLLECTIONS_PATH GIT_CEILING_DIRECTORIES="$REPO/.tmp"
site="$REPO/.tmp/docsite"
rm -rf "$site"
mkdir -m 0755 "$site"
log="$REPO/.tmp/docs.log"
# conf.py's intersphinx looks for local inventories beside its source directory (rst/) first: offline ones.
python "$REPO/tools/docs_inventories.py" "$site"
{
    antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" vsphere.content_library
    "$site/build.sh"
} >"$log" 2>&1 || { cat "$log" >&2; echo "docs.sh: the build failed (log: $log)" >&2; exit 1; }
if grep -nE 'WARNING|ERROR' "$log" >&2; then
    echo "docs.sh: the build printed warnings (log: $log)" >&2
    exit 1
fi
rm -rf "$REPO/docs/build"
mkdir -p "$REPO/docs/build"
cp -r "$site/build/html" "$REPO/docs/build/html"
echo "docs.sh: the site is in docs/build/html (index: docs/build/html/index.html)"
