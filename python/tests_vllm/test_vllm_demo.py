"""The demo model end to end: `premem-train-demo` trains the tiny Llama of the demo (its real config, `--fast`
data) and PreMemCallback logs its checkpoint; vLLM's CPU build serves that very checkpoint folder, `premem score`
scores the demo's dataset through it, and both logs must agree: the same examples, the same target perplexities,
the same accuracy up to sampling noise. The scoring settings are read from the callback's own run record.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest

from test_vllm_scoring import accuracy, run_cli  # skips this module too where vLLM cannot run
from vllm_server import serve, tail

LR = 3e-3
EPOCHS = 12  # one checkpoint, at the end: the model answers in the demo's format, mostly wrong
K = 4  # samples per example, on both sides
# The demo model's max_position_embeddings: vLLM refuses a longer --max-model-len.
MAX_MODEL_LEN = "256"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    args = ["--out", str(out), "--fast", "--epochs", str(EPOCHS), "--save-every", str(EPOCHS), "--k", str(K), "--lr", str(LR)]
    done = subprocess.run([sys.executable, "-m", "premem.demo.train", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (log,) = (out / "runs").glob("*.premem.jsonl")
    records = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    (run,) = [r for r in records if r.get("type") == "run"]
    (checkpoint,) = [r for r in records if r.get("type") == "checkpoint"]
    examples = sorted((r for r in records if "type" not in r), key=lambda r: r["index"])
    folder = out / "checkpoints" / run["run"] / checkpoint["checkpoint"]
    assert (folder / "config.json").exists() and (folder / "tokenizer.json").exists(), sorted(p.name for p in folder.iterdir())
    return {"out": out, "meta": run["meta"], "checkpoint": checkpoint, "examples": examples, "folder": folder}


def test_a_demo_checkpoint_served_by_vllm_scores_as_the_callback_logged_it(demo: dict[str, Any]) -> None:
    meta, checkpoint, logged = demo["meta"], demo["checkpoint"], demo["examples"]
    logged_accuracy = sum(accuracy(r) for r in logged) / len(logged)
    assert 0.05 < logged_accuracy < 0.95, logged_accuracy  # else the accuracy comparison below proves little
    server_log = demo["out"] / "vllm.log"
    with serve(demo["folder"], server_log, ["--max-model-len", MAX_MODEL_LEN]) as base:
        scoring = {"endpoints": [base], "checkpoints": [{"id": checkpoint["checkpoint"], "model": str(demo["folder"]), "step": checkpoint["step"]}],
                   "promptTemplate": meta["promptTemplate"], "targetTemplate": meta["targetTemplate"], "stop": [meta["stop"]],
                   "k": K, "temperature": meta["temperature"], "topP": meta["topP"], "maxTokens": meta["maxNewTokens"]}
        done, scored = run_cli(demo, "vllm", scoring, dataset="data/train.jsonl")
        assert "Traceback" not in server_log.read_text(errors="replace"), tail(server_log)
    assert done.returncode == 0, done.stderr

    assert [(r["index"], r["key"]) for r in scored] == [(r["index"], r["key"]) for r in logged]
    for mine, theirs in zip(scored, logged):
        assert mine["checkpoint"] == theirs["checkpoint"] and mine["tokens"] == theirs["tokens"], mine["key"]
        assert mine["perplexity"] == pytest.approx(theirs["perplexity"], rel=1e-3), mine["key"]
        assert len(mine["samples"]) == len(theirs["samples"]) == K

    # Two independent estimates of the same per-example rates, K samples each: 4 standard errors of the
    # difference of their means (binomial, n examples) plus one sample's worth.
    ours, theirs = [accuracy(r) for r in scored], [accuracy(r) for r in logged]
    n = len(logged)
    sigma = math.sqrt(2 * sum(p * (1 - p) for p in theirs) / (K * n * n))
    assert abs(sum(ours) / n - sum(theirs) / n) <= 4 * sigma + 1 / (K * n), (sum(ours) / n, sum(theirs) / n, sigma)
