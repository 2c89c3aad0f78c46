"""`premem score` against a real vLLM server (the CPU build) serving a tiny Llama trained here, checked against
transformers on the same weights: target perplexities by teacher forcing, greedy samples, sampled accuracy.

Settings forced by vLLM's CPU build (see docs/scoring.md, "vLLM on CPU (tested)"): no sampling seed (a seeded
request whose prefill is chunked kills the engine: "CPU Generator does not use offset"), and perplexity only
from servers started without --enable-lora (prompt log-probs beside other requests on a LoRA-enabled CPU server
kill the engine in the LoRA logits kernel). LoRA adapters are therefore tested for accuracy only, on a server with a spare adapter slot (see that test).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vllm_server import serve, tail, why_vllm_cannot_run

REASON = why_vllm_cannot_run()
if REASON:
    print(f"\nvLLM tests skipped: {REASON}", file=sys.stderr)
    pytest.skip(REASON, allow_module_level=True)

import torch  # noqa: E402  (after the skip: a machine without vLLM may lack torch too)
from transformers import AutoTokenizer  # noqa: E402

import tiny_checkpoints  # noqa: E402
from premem.grading import CORRECT, grade  # noqa: E402
from premem.scoring import fill_template, target_scores  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROMPT, TARGET, STOP = "{question}\nAnswer:", " {answer}\nDone.", "\nDone."
MAX_TOKENS = 160
SAMPLED_K = 8
# Greedy decoding on two engines agrees token for token unless two logits nearly tie; allow one example in ten.
GREEDY_AGREEMENT = 0.9


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("node") is None or not (ROOT / "dist" / "cli.js").exists():
        pytest.fail("node or the built CLI (dist/cli.js) is missing: run npm run build first")
    out = tmp_path_factory.mktemp("vllm")
    folders = tiny_checkpoints.build(out / "checkpoints")
    tokenizer = AutoTokenizer.from_pretrained(folders["base"])
    rows = tiny_checkpoints.short_rows(tokenizer, tiny_checkpoints.helpers().gsm8k_rows(0, 3 * tiny_checkpoints.ROWS))[: tiny_checkpoints.ROWS]
    (out / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    # A fully fine-tuned checkpoint as vLLM serves one: the adapter merged into the weights, with the tokenizer.
    merged = out / "checkpoints" / "ep2-merged"
    tiny_checkpoints.load(folders, "ep2").save_pretrained(merged)
    tokenizer.save_pretrained(merged)
    return {"out": out, "folders": folders, "tokenizer": tokenizer, "rows": rows, "served": {"base": folders["base"], "ep2": merged}}


def run_cli(setup: dict[str, Any], run: str, scoring: dict[str, Any], dataset: str = "train.jsonl") -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Runs the built CLI's `score` on a dataset of the project; returns its outcome and the run's example records."""
    out: Path = setup["out"]
    log = out / f"{run}.premem.jsonl"
    config = {"dataset": dataset, "profile": "gsm8k", "output": log.name, "scoring": {"flavour": "vllm", "seed": None, "maxTokens": MAX_TOKENS, "concurrency": 4, "batchSize": 8, **scoring}}
    (out / f"{run}.json").write_text(json.dumps(config), "utf-8")
    done = subprocess.run(["node", str(ROOT / "bin" / "premem.js"), "score", "--config", str(out / f"{run}.json"), "--run", run, "--quiet"],
                          capture_output=True, text=True, timeout=600)
    records = [json.loads(line) for line in log.read_text("utf-8").splitlines()] if log.exists() else []
    return done, sorted((r for r in records if r.get("type", "example") == "example"), key=lambda r: (r["checkpoint"], r["index"]))


def score(setup: dict[str, Any], run: str, scoring: dict[str, Any]) -> list[dict[str, Any]]:
    """The example records of a run over the project's dataset, in dataset order; the CLI must succeed."""
    done, records = run_cli(setup, run, scoring)
    assert done.returncode == 0, done.stderr
    return records


def prompts(rows: list[dict[str, Any]]) -> list[str]:
    return [fill_template(PROMPT, r["question"], r["answer"]) for r in rows]


@torch.no_grad()
def greedy(model: Any, tokenizer: Any, texts: list[str]) -> list[str]:
    """transformers' greedy continuation of each prompt, cut before the stop string as the server cuts it."""
    tokenizer.padding_side = "left"
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    out = model.generate(**enc, do_sample=False, max_new_tokens=MAX_TOKENS, stop_strings=[STOP], tokenizer=tokenizer, pad_token_id=tokenizer.pad_token_id)
    return [t.split(STOP, 1)[0] for t in tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)]


@torch.no_grad()
def sampled_accuracy(model: Any, tokenizer: Any, rows: list[dict[str, Any]], k: int) -> list[float]:
    from premem.scoring import sample_completions

    samples = sample_completions(model, tokenizer, prompts(rows), k=k, temperature=0.8, top_p=0.95, max_new_tokens=MAX_TOKENS, stop=STOP, seed=0)
    return [sum(grade("gsm8k", r["answer"], s).outcome == CORRECT for s in ss) / k for r, ss in zip(rows, samples)]


def accuracy(record: dict[str, Any]) -> float:
    return sum(o == CORRECT for o in record["outcomes"]) / len(record["outcomes"])


def agreement(records: list[dict[str, Any]], expected: list[str]) -> float:
    return sum(r["samples"] == [e] for r, e in zip(records, expected)) / len(expected)


@pytest.mark.parametrize("checkpoint", ["base", "ep2"])
def test_full_checkpoint_perplexity_and_samples_match_transformers(setup: dict[str, Any], checkpoint: str) -> None:
    rows, tokenizer = setup["rows"], setup["tokenizer"]
    folder = setup["served"][checkpoint]
    log = setup["out"] / f"vllm-{checkpoint}.log"
    with serve(folder, log) as base:
        common = {"endpoints": [base], "checkpoints": [{"id": checkpoint, "model": str(folder)}]}
        greedy_records = score(setup, f"{checkpoint}-greedy", {**common, "k": 1, "temperature": 0, "topP": 1.0, "logprobsMode": "prompt_logprobs"})
        sampled_records = score(setup, f"{checkpoint}-sampled", {**common, "k": SAMPLED_K, "temperature": 0.8, "topP": 0.95, "logprobsMode": "echo"})
        if checkpoint == "base":
            check_longer_than_context(setup, common)
        assert "Traceback" not in log.read_text(errors="replace"), tail(log)

    model = tiny_checkpoints.load(setup["folders"], checkpoint)
    pairs = [(fill_template(PROMPT, r["question"], r["answer"]), fill_template(TARGET, r["question"], r["answer"])) for r in rows]
    expected = target_scores(model, tokenizer, pairs, batch_size=8)
    for records in (greedy_records, sampled_records):  # prompt_logprobs and echo
        assert [r["index"] for r in records] == list(range(len(rows)))
        for r, e in zip(records, expected):
            assert e is not None and r["tokens"] == e.tokens
            assert r["perplexity"] == pytest.approx(e.perplexity, rel=1e-3), r["key"]

    share = agreement(greedy_records, greedy(model, tokenizer, prompts(rows)))
    assert share >= GREEDY_AGREEMENT, f"only {share:.0%} of greedy samples equal transformers'"

    # Sampled accuracy: two independent estimates of the same per-example rates; 4 standard errors of their
    # difference (binomial, k samples per example, n examples) plus one sample's worth.
    ours = sampled_accuracy(model, tokenizer, rows, SAMPLED_K)
    theirs = [accuracy(r) for r in sampled_records]
    n = len(rows)
    sigma = math.sqrt(2 * sum(p * (1 - p) for p in ours) / (SAMPLED_K * n * n))
    assert abs(sum(theirs) / n - sum(ours) / n) <= 4 * sigma + 1 / (SAMPLED_K * n), (sum(theirs) / n, sum(ours) / n, sigma)
    assert all(len(r["samples"]) == SAMPLED_K for r in sampled_records)


def check_longer_than_context(setup: dict[str, Any], common: dict[str, Any]) -> None:
    """vLLM refuses a prompt longer than --max-model-len with HTTP 400: that example alone is named and skipped."""
    rows = setup["rows"][:4]
    rows.insert(2, {"question": "Tom has 3 apples and buys 4 more. " * 60 + "How many apples?", "answer": "3 + 4 = <<3+4=7>>7\n#### 7"})
    (setup["out"] / "long.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    done, records = run_cli(setup, "long", {**common, "k": 1}, dataset="long.jsonl")
    assert done.returncode == 1, done.stderr
    assert "long.jsonl:3 (checkpoint base): refused by the server, not scored" in done.stderr and "maximum context length is 512 tokens" in done.stderr
    assert [r["index"] for r in records] == [0, 1, 3, 4]


def test_lora_adapters_at_launch_and_loaded_at_run_time_sample_as_transformers(setup: dict[str, Any]) -> None:
    rows, tokenizer, folders = setup["rows"], setup["tokenizer"], setup["folders"]
    log = setup["out"] / "vllm-lora.log"
    # One adapter slot more than adapters: the CPU build's LoRA kernels index the slots with -1 for "no adapter",
    # which picks the last slot, so with every slot full the base model's requests get that slot's adapter.
    lora = ["--enable-lora", "--max-lora-rank", "8", "--max-loras", "3", "--lora-modules", f"ep1={folders['ep1']}"]
    checkpoints = [{"id": "base", "model": str(folders["base"]), "step": 0}, {"id": "ep1"}, {"id": "ep2", "loraPath": str(folders["ep2"])}]
    with serve(folders["base"], log, lora) as base:
        records = score(setup, "lora", {"endpoints": [base], "checkpoints": checkpoints, "k": 1, "temperature": 0, "topP": 1.0, "perplexity": False})
        assert "Traceback" not in log.read_text(errors="replace"), tail(log)
        assert "POST /v1/load_lora_adapter HTTP/1.1\" 200" in log.read_text(errors="replace")  # ep2 was loaded by PreMem

    texts = prompts(rows)
    expected = {c: greedy(tiny_checkpoints.load(folders, c), tokenizer, texts) for c in ("base", "ep1", "ep2")}
    assert expected["ep2"] != expected["base"], "the adapter changes nothing: the test could not tell adapters apart"
    for c in ("base", "ep1", "ep2"):
        mine = [r for r in records if r["checkpoint"] == c]
        assert len(mine) == len(rows) and all("perplexity" not in r for r in mine)
        share = agreement(mine, expected[c])
        assert share >= GREEDY_AGREEMENT, f"{c}: only {share:.0%} of greedy samples equal transformers'"
