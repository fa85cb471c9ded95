#!/usr/bin/env bash
# Build the collection tarball into $1 (default <repo>/dist) from a clean copy of the tree
# (git's tracked and untracked-but-not-ignored files: no .venv*, .ansible/, .tmp,
# tests/output, __pycache__...), with CHANGELOG.rst rendered by antsibull-changelog:
# `generate` when changelogs/changelog.yaml already has galaxy.yml's version, else
# `release` of that version from the fragments (in the copy only: the tree is not touched).
# Prints the tarball's path on stdout.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
OUT="${1:-$REPO/dist}"
export PATH="$VENV/bin:$PATH"
src="$REPO/.tmp/build/ansible_collections/vsphere/content_library"
rm -rf "$REPO/.tmp/build"
mkdir -p "$src" "$OUT"
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do
        if [[ -e "$REPO/$f" || -L "$REPO/$f" ]]; then printf '%s\0' "$f"; fi  # skip deleted files
    done \
    | tar -C "$REPO" --null -T - -cf - | tar -C "$src" -xf -
cd "$src"
version="$(sed -n 's/^version: *//p' galaxy.yml)"
export GIT_CEILING_DIRECTORIES="$REPO/.tmp"
if python -c 'import sys, yaml; sys.exit(sys.argv[1] not in (yaml.safe_load(open("changelogs/changelog.yaml"))["releases"] or {}))' "$version"; then
    antsibull-changelog generate >&2
else
    antsibull-changelog release --version "$version" >&2
fi
[[ -s CHANGELOG.rst ]] || { echo "build.sh: antsibull-changelog wrote no CHANGELOG.rst" >&2; exit 1; }
ansible-galaxy collection build --output-path "$OUT" --force >&2
tarball="$OUT/vsphere-content_library-$version.tar.gz"
[[ -f "$tarball" ]] || { echo "build.sh: no $tarball" >&2; exit 1; }
echo "$tarball"
