# Sourced by bin/run and bin/test: installs what the portal needs on a Debian
# machine (system packages when missing, the virtualenv, the requirements).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian's own python3 can load SQLite extensions (SpatiaLite); a pyenv or
# other Python first on the PATH may not, so the venv is built from it.
SYSTEM_PYTHON=/usr/bin/python3
SYSTEM_PACKAGES=(python3 python3-venv python3-dev gcc gdal-bin libgdal-dev libgeos-c1v5 libproj25
                 libsqlite3-mod-spatialite ${EXTRA_SYSTEM_PACKAGES:-})

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_venv() {
  local stamp=".venv/.requirements.sha256" want
  want="$(sha256sum requirements.txt | cut -d' ' -f1)"
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension(True)" 2>/dev/null; then
    log "Creating the virtualenv (.venv) from $SYSTEM_PYTHON"
    rm -rf .venv
    "$SYSTEM_PYTHON" -m venv .venv
    .venv/bin/pip install -q --upgrade pip
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "Installing Python requirements"
    .venv/bin/pip install -q -r requirements.txt
    echo "$want" > "$stamp"
  fi
}

install_system_packages
install_venv
export PATH="$ROOT/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=nashgorod.settings
