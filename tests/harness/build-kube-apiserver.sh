#!/usr/bin/env bash
# Builds kube-apiserver from Debian's own `kubernetes` source package and caches the binary.
#
# Prints the path of the cached binary on stdout. Idempotent: with a cached binary it does no work.
# Safe to run twice at once: a lock file serialises builds (the second caller waits, then reuses).
#
# The binary lands outside the checkout, keyed by the source version:
#   ${WCC_CACHE:-/var/cache/wincontainers-compat}/kube-apiserver-<version>/kube-apiserver
# /etc is left untouched: apt reads a private source list with deb-src entries for the suites
# the machine already uses, with its own lists and cache directories.
set -euo pipefail

CACHE="${WCC_CACHE:-/var/cache/wincontainers-compat}"
GO_BIN="${WCC_GO_BIN:-/usr/lib/go-1.19/bin}"
WORK="$CACHE/kubernetes-src"
APT_DIR="$WORK/apt"

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

mkdir -p "$CACHE"

cached_binary() {
  local found
  found="$(find "$CACHE" -maxdepth 2 -path "$CACHE/kube-apiserver-*/kube-apiserver" -type f -perm -u+x 2>/dev/null | sort | tail -n 1)"
  [[ -n "$found" ]] && printf '%s\n' "$found"
}

# Fast path without the lock: a finished binary is only ever renamed into place.
if binary="$(cached_binary)"; then
  printf '%s\n' "$binary"
  exit 0
fi

exec 9>"$CACHE/build-kube-apiserver.lock"
log "waiting for the kube-apiserver build lock ($CACHE/build-kube-apiserver.lock)"
flock 9
if binary="$(cached_binary)"; then
  printf '%s\n' "$binary"
  exit 0
fi

for tool in "$GO_BIN/go" make rsync jq dpkg-source; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/install-system-deps (golang-1.19-go, make, rsync, jq, dpkg-dev)"
done

# A private apt configuration: deb-src for every suite the machine's deb822 or one-line sources use.
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
sources="$APT_DIR/sources.list"
: >"$sources"
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
  awk '
    function flush() { if (uri != "" && suites != "" && types ~ /deb/ && uri ~ /debian/) {
        n = split(suites, s, " "); for (i = 1; i <= n; i++) print "deb-src " signed " " uri " " s[i] " " comps }
      types = ""; uri = ""; suites = ""; comps = ""; signed = "" }
    /^[[:space:]]*$/ { flush(); next }
    /^Types:/ { $1 = ""; types = $0 }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { $1 = ""; suites = $0 }
    /^Components:/ { $1 = ""; comps = $0 }
    /^Signed-By:/ { signed = "[signed-by=" $2 "]" }
    END { flush() }
  ' "$f" >>"$sources"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [[ -f "$f" ]] || continue
  sed -n -E 's/^deb[[:space:]]+(.*debian.*)$/deb-src \1/p' "$f" >>"$sources"
done
shopt -u nullglob
[[ -s "$sources" ]] || die "no Debian suites found in /etc/apt to derive deb-src entries from"
sort -u -o "$sources" "$sources"
log "deb-src entries: $(tr '\n' ';' <"$sources")"

APT_OPTS=(
  -o "Dir::Etc::SourceList=$sources"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::Cache=$APT_DIR/cache"
  -o "APT::Get::List-Cleanup=0"
)
log "updating the private apt lists"
apt-get "${APT_OPTS[@]}" update -qq >&2

version="$(apt-cache "${APT_OPTS[@]}" showsrc kubernetes | sed -n 's/^Version: //p' | sort -V | tail -n 1)"
[[ -n "$version" ]] || die "apt-cache showsrc kubernetes found no source package in: $(cat "$sources")"
target_dir="$CACHE/kube-apiserver-$version"
log "kubernetes source version $version"

src_root="$WORK/$version"
if [[ ! -f "$src_root/.unpacked" ]]; then
  rm -rf "$src_root"
  mkdir -p "$src_root"
  log "apt-get source kubernetes=$version"
  (cd "$src_root" && apt-get "${APT_OPTS[@]}" source -qq "kubernetes=$version" >&2)
  touch "$src_root/.unpacked"
fi
tree="$(find "$src_root" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)"
[[ -n "$tree" && -f "$tree/Makefile" ]] || die "no unpacked kubernetes tree with a Makefile under $src_root"

log "make WHAT=cmd/kube-apiserver (about 9 minutes on 2 cores)"
(
  cd "$tree"
  export PATH="$GO_BIN:$PATH" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-}" GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath"
  export GOPROXY=off
  make WHAT=cmd/kube-apiserver >&2
)
built="$(find "$tree/_output" -type f -name kube-apiserver -perm -u+x | head -n 1)"
[[ -n "$built" ]] || die "make finished but no kube-apiserver binary under $tree/_output"

mkdir -p "$target_dir"
cp "$built" "$target_dir/kube-apiserver.tmp"
mv "$target_dir/kube-apiserver.tmp" "$target_dir/kube-apiserver"
log "cached $target_dir/kube-apiserver"
printf '%s\n' "$target_dir/kube-apiserver"
