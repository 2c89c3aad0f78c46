#!/usr/bin/env bash
# Creates .venv/ with the Python package and what its tests need. Idempotent: a stamp holding the hash of
# this script, scripts/venv-common.sh and python/pyproject.toml makes a second run a no-op. torch is pinned to a
# CPU build: an unpinned torch (or a package asking for another one) would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv-common.sh
VENV=.venv
venv_is_current && exit 0
venv_create python3
"${PIP[@]}" "torch==2.13.0"
# Every later install keeps that torch: a resolver that wants another one fails here instead of downloading it.
echo "torch==2.13.0" > "$VENV/constraints.txt"
# Pinned to the versions the tests were written against, so a new release cannot change a green CI.
"${PIP[@]}" -c "$VENV/constraints.txt" transformers==5.25.0 peft==0.21.2 trl==1.16.0 accelerate==1.16.0 datasets==5.2.0 \
  pandas==3.1.1 pytest==9.2.0 tokenizers==0.23.3 -e ./python
"$VENV/bin/python" -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
venv_stamp
echo "setup-python: $VENV ready ($("$VENV/bin/python" -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)'))"
