#!/usr/bin/env bash
# Creates .venv/ with the Python package and what its tests need. Idempotent: a stamp holding the hash of
# this script and python/pyproject.toml makes a second run a no-op. torch is pinned to a CPU build: an
# unpinned torch (or a package asking for another one) would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP="$VENV/.premem-setup-stamp"
WANT="$(cat scripts/setup-python.sh python/pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -x "$VENV/bin/python" ]]; then
  exit 0
fi
PYTHON="${PYTHON:-python3}"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" "torch==2.13.0"
# Every later install keeps that torch: a resolver that wants another one fails here instead of downloading it.
echo "torch==2.13.0" > "$VENV/constraints.txt"
"${PIP[@]}" -c "$VENV/constraints.txt" transformers peft trl datasets pandas pytest tokenizers -e ./python
"$VENV/bin/python" -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
echo "$WANT" > "$STAMP"
echo "setup-python: $VENV ready ($("$VENV/bin/python" -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)'))"
