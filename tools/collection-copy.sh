#!/usr/bin/env bash
# Refresh the copy of this collection at <repo>/.tmp/ansible_collections/NAMESPACE/NAME
# (the layout ansible-test and antsibull-docs need) and print its path on stdout.
# Copies git's tracked + untracked-not-ignored files (plus tests/integration/integration_config.yml);
# the copy's tests/output (ansible-test's venvs and results) is kept.
# COPY_ROOT (default .tmp) names another place under <repo>, so that two runs side by side
# (make test's lanes) each have their own copy.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$REPO/${COPY_ROOT:-.tmp}"
ns="$(sed -n 's/^namespace: *//p' "$REPO/galaxy.yml")"
name="$(sed -n 's/^name: *//p' "$REPO/galaxy.yml")"
DEST="$ROOT/ansible_collections/$ns/$name"

mkdir -p "$ROOT"
keep="$ROOT/output.keep"
rm -rf "$keep"
if [[ -d "$DEST/tests/output" ]]; then mv "$DEST/tests/output" "$keep"; fi
rm -rf "$DEST"
mkdir -p "$DEST/tests"
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do
        case "$f" in .venv/* | .venv-*/* | .ansible/* | .tmp/* | .tmp-*/* | tests/output/*) continue ;; esac
        if [[ -e "$REPO/$f" || -L "$REPO/$f" ]]; then printf '%s\0' "$f"; fi  # skip deleted files
    done \
    | tar -C "$REPO" --null -T - -cf - | tar -C "$DEST" -xf -
if [[ -d "$keep" ]]; then mv "$keep" "$DEST/tests/output"; fi
# ansible-test reads this vars file even when git ignores it (it may hold generated settings).
cfg=tests/integration/integration_config.yml
if [[ -f "$REPO/$cfg" ]]; then cp "$REPO/$cfg" "$DEST/$cfg"; fi
echo "collection-copy.sh: refreshed $DEST" >&2
echo "$DEST"
