#!/usr/bin/env bash
# Print the path of a working govmomi vcsim binary (the last line of stdout), building it when needed.
#
# vcsim is built offline, in GOPATH mode, from the Go sources that Debian's package
# golang-github-vmware-govmomi-dev ships under /usr/share/gocode, into <repo>/.cache/vcsim/vcsim.
# That package has govmomi's simulator library but not its vcsim command, so the command is
# tools/vcsim/main.go (upstream's flag names, the library unchanged).
# A binary whose recorded package version and main.go digest ($CACHE/version) match is reused.
# Missing build dependencies are installed with apt-get (as root, or through sudo when it works
# without a password); an `apt-get update` is run only when the install fails for lack of package lists.
# Everything else goes to stderr, including how long the install and the build took.
#
# Environment: VCSIM_CACHE (default <repo>/.cache/vcsim), VCSIM_REBUILD=1 to build even when up to date.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${VCSIM_CACHE:-$REPO/.cache/vcsim}"
BIN="$CACHE/vcsim"
STAMP="$CACHE/version"
MAIN="$REPO/tools/vcsim/main.go"
GOCODE=/usr/share/gocode
LIBRARY=github.com/vmware/govmomi/simulator
PACKAGES=(golang-go golang-github-vmware-govmomi-dev)

log() { echo "vcsim.sh: $*" >&2; }
die() { echo "vcsim.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The installed version of a package, or nothing.
installed_version() {
    { dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null || true; } | awk '$1 == "installed" { print $2 }'
}

# The version apt would install (for comparing with a cached binary without installing anything).
candidate_version() {
    { apt-cache policy "$1" 2>/dev/null || true; } | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

binary_works() {
    [[ -x "$BIN" ]] || return 1
    # -h prints the flags and exits. (Read it whole: grep -q in a pipe would make it die of SIGPIPE.)
    local usage
    usage="$("$BIN" -h 2>&1 || true)"
    [[ "$usage" == *-tlscert* ]]
}

# apt-get, as root or through a sudo that needs no password; the reason on stderr otherwise.
APT=()
find_apt() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script needs a Debian-like system to install ${PACKAGES[*]}"
    if [[ "$(id -u)" -eq 0 ]]; then
        APT=(env DEBIAN_FRONTEND=noninteractive apt-get)
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        APT=(sudo -n env DEBIAN_FRONTEND=noninteractive apt-get)
    else
        die "cannot install ${PACKAGES[*]}: not root and sudo is not available without a password; install them and run again"
    fi
}

install_packages() {
    local missing=() p out started
    for p in "${PACKAGES[@]}"; do
        [[ -n "$(installed_version "$p")" ]] || missing+=("$p")
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0
    find_apt
    log "installing ${missing[*]} with apt-get"
    started="$(now)"
    if ! out="$("${APT[@]}" install -y --no-install-recommends "${missing[@]}" 2>&1)"; then
        if grep -qE 'Unable to locate package|has no installation candidate' <<<"$out"; then
            log "apt-get has no list for them: running apt-get update first"
            "${APT[@]}" update >&2 || die "apt-get update failed"
            "${APT[@]}" install -y --no-install-recommends "${missing[@]}" >&2 \
                || die "apt-get install ${missing[*]} failed"
        else
            echo "$out" | tail -n 20 >&2
            die "apt-get install ${missing[*]} failed"
        fi
    fi
    log "apt-get install took $(since "$started") s"
}

mkdir -p "$CACHE"
# One build at a time per cache (other worktrees may share nothing, but parallel test runs may).
exec 9>"$CACHE/.lock"
flock 9

[[ -f "$MAIN" ]] || die "$MAIN is missing"
# What the binary is built from: the package version and our main.go.
stamp() { echo "golang-github-vmware-govmomi-dev=$1 main.go=$(sha256sum "$MAIN" | cut -c1-16)"; }

version="$(installed_version golang-github-vmware-govmomi-dev)"
version="${version:-$(candidate_version golang-github-vmware-govmomi-dev)}"
if [[ "${VCSIM_REBUILD:-0}" != 1 && -n "$version" && -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp "$version")" ]] \
        && binary_works; then
    log "reusing $BIN (govmomi $version)"
    echo "$BIN"
    exit 0
fi

install_packages
version="$(installed_version golang-github-vmware-govmomi-dev)"
[[ -n "$version" ]] || die "golang-github-vmware-govmomi-dev is not installed"
[[ -d "$GOCODE/src/$LIBRARY" ]] || die "$GOCODE/src/$LIBRARY is missing: the package layout changed"
command -v go >/dev/null 2>&1 || die "go not found after installing golang-go"

log "building vcsim (govmomi $version, $(go version | awk '{print $3}')) offline into $BIN"
started="$(now)"
mkdir -p "$CACHE/gocache" "$CACHE/gopath"
rm -f "$BIN.new"
# GOPATH mode, no network: the Debian tree (read-only sources), then a writable directory of our own.
(cd "$(dirname "$MAIN")" && env GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 \
    GOPATH="$GOCODE:$CACHE/gopath" GOCACHE="$CACHE/gocache" \
    go build -trimpath -o "$BIN.new" "$MAIN" >&2) || die "go build of $MAIN failed"
mv -f "$BIN.new" "$BIN"
binary_works || die "the built $BIN does not run"
stamp "$version" > "$STAMP"
log "go build took $(since "$started") s"
echo "$BIN"
