# Shared settings for the project scripts; source it, do not run it.
# shellcheck shell=bash
set -euo pipefail
WCC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WCC_PYTHON_VERSION="${WCC_PYTHON_VERSION:-3.13.0}"
WCC_VENV="${WCC_VENV:-$WCC_ROOT/.venv}"
WCC_CACHE="${WCC_CACHE:-/var/cache/wincontainers-compat}"
WCC_COLLECTIONS="$WCC_ROOT/.tmp/collections"
export WCC_ROOT WCC_VENV WCC_CACHE WCC_COLLECTIONS

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

find_python() {
  local candidate
  for candidate in "$HOME/.pyenv/versions/$WCC_PYTHON_VERSION/bin/python3" python3.13 python3.12; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "error: Python 3.12 or 3.13 is needed (ansible-core 2.21); none found" >&2
  return 1
}

# Installs the pinned requirements files given (relative to the checkout) into the virtualenv, creating it
# first; each file is installed once per content (a stamp per file), so a smaller set installs fast and a
# larger one later adds only what is missing.
ensure_venv() {
  local file stamp want
  if [[ ! -x "$WCC_VENV/bin/python" ]]; then
    log "creating virtualenv $WCC_VENV"
    "$(find_python)" -m venv "$WCC_VENV"
  fi
  for file in "$@"; do
    stamp="$WCC_VENV/.stamp-${file//\//_}"
    want="$(cat "$WCC_ROOT/requirements-demo.txt" "$WCC_ROOT/$file" | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
      continue
    fi
    log "installing $file into $WCC_VENV"
    "$WCC_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$WCC_ROOT/$file"
    echo "$want" >"$stamp"
  done
}

# Puts this checkout on an Ansible collections path as wincontainers.compat.
ensure_collection_path() {
  mkdir -p "$WCC_COLLECTIONS/ansible_collections/wincontainers"
  ln -sfn "$WCC_ROOT" "$WCC_COLLECTIONS/ansible_collections/wincontainers/compat"
}

# activate [demo]: the virtualenv with the whole test tool chain, or with only what the demo needs.
activate() {
  if [[ "${1:-}" == demo ]]; then
    ensure_venv requirements-demo.txt
  else
    ensure_venv requirements-demo.txt requirements-dev.txt
  fi
  ensure_collection_path
  # shellcheck disable=SC1091
  source "$WCC_VENV/bin/activate"
  export ANSIBLE_COLLECTIONS_PATH="$WCC_COLLECTIONS"
  export ANSIBLE_CONFIG="$WCC_ROOT/ansible.cfg"
}
