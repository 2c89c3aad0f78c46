#!/usr/bin/env bash
# Rebuilds demo/tiny/: the tiny model of premem-train-demo trained on CPU (two learning rates, seed 0), its
# dataset and its PreMem run logs with the model's own samples. Checkpoints are left out (they stay in a
# temporary folder, deleted at the end). Needs .venv/ from scripts/setup-python.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
.venv/bin/premem-train-demo --out "$OUT" --seed 0 --lr 1e-3 5e-4
rm -rf demo/tiny/data demo/tiny/runs
mkdir -p demo/tiny
cp -r "$OUT/data" "$OUT/runs" "$OUT/premem.json" demo/tiny/
