# Shared by scripts/start and scripts/test: set the project up from a fresh clone. Source it; do not run it.
# Needs: Python 3.11, Node.js with npm, git. Installs uv into .tools/ when it is not on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then
    UV=$(command -v uv)
  elif [ -x .tools/bin/uv ]; then
    UV=.tools/bin/uv
  else
    say "Installing uv into .tools/ (once)"
    python3.11 -m venv .tools 2>/dev/null || python3 -m venv .tools
    .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.5"
    UV=.tools/bin/uv
  fi
  export UV
}

setup_project() {
  ensure_uv
  say "Installing Python dependencies (uv sync)"
  "$UV" sync --frozen --quiet
  say "Installing front-end assets (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  "$UV" run --frozen gcm assets
  "$UV" run --frozen gcm i18n compile
}
