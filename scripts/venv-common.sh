# The part scripts/setup-python.sh and scripts/setup-vllm.sh share, sourced from the repository root:
#   VENV=.venv-x; venv_is_current && exit 0; venv_create python3.11 python3; "${PIP[@]}" ...; venv_stamp
# The stamp holds the hash of the calling script, this file and python/pyproject.toml, so a second run is a
# no-op and any change to them sets the venv up again.

_venv_want() {
  cat "scripts/$(basename "$0")" scripts/venv-common.sh python/pyproject.toml | sha256sum | cut -d' ' -f1
}

# True when $VENV was set up by this very script and setup.
venv_is_current() {
  [[ -x "$VENV/bin/python" && -f "$VENV/.premem-setup-stamp" && "$(cat "$VENV/.premem-setup-stamp")" == "$(_venv_want)" ]]
}

# Creates $VENV (unless it is there) with $PYTHON, else the first of the given interpreters that exists, and sets
# PIP, the quiet pip install command of that venv.
venv_create() {
  if [[ -z "${PYTHON:-}" ]]; then
    for PYTHON in "$@"; do command -v "$PYTHON" >/dev/null && break; done
  fi
  [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
  PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
}

venv_stamp() {
  _venv_want > "$VENV/.premem-setup-stamp"
}
