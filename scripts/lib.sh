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

ensure_venv() {
  local stamp="$WCC_VENV/.requirements.sha256" want
  want="$(sha256sum <"$WCC_ROOT/requirements-dev.txt" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  log "creating virtualenv $WCC_VENV"
  rm -rf "$WCC_VENV"
  "$(find_python)" -m venv "$WCC_VENV"
  "$WCC_VENV/bin/pip" install --quiet --upgrade pip
  "$WCC_VENV/bin/pip" install --quiet -r "$WCC_ROOT/requirements-dev.txt"
  echo "$want" >"$stamp"
}

# Puts this checkout on an Ansible collections path as wincontainers.compat.
ensure_collection_path() {
  mkdir -p "$WCC_COLLECTIONS/ansible_collections/wincontainers"
  ln -sfn "$WCC_ROOT" "$WCC_COLLECTIONS/ansible_collections/wincontainers/compat"
}

activate() {
  ensure_venv
  ensure_collection_path
  # shellcheck disable=SC1091
  source "$WCC_VENV/bin/activate"
  export ANSIBLE_COLLECTIONS_PATH="$WCC_COLLECTIONS"
  export ANSIBLE_CONFIG="$WCC_ROOT/ansible.cfg"
}
