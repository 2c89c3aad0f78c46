"""PreMemCallback with the real transformers Trainer, a tiny Llama built from a config, and GSM8K rows."""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import torch

from premem import PreMemCallback, dataset_keys, grade
from premem.runlog import read_log

from conftest import ROOT, gsm8k_rows, log_lines, make_trainer, tiny_model

ROWS = gsm8k_rows(0, 6)
TEST_ROWS = gsm8k_rows(100, 2)


def callback(log: Path, **options: Any) -> PreMemCallback:
    return PreMemCallback(ROWS, log, "tiny", k=2, max_new_tokens=6, batch_size=4, **options)


@pytest.fixture(scope="module")
def trained(tokenizer: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("train")
    log = out / "tiny.premem.jsonl"
    trainer = make_trainer(tiny_model(tokenizer), tokenizer, ROWS, out / "ckpt", callbacks=[callback(log, test_examples=TEST_ROWS)])
    trainer.train()
    return {"log": log, "trainer": trainer, "out": out}


def examples_of(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("type", "example") == "example"]


def test_every_checkpoint_has_every_example_once(trained: dict[str, Any]) -> None:
    records = log_lines(trained["log"])
    keys = dataset_keys(ROWS)
    pairs = [(r["checkpoint"], r["key"]) for r in examples_of(records)]
    assert sorted(pairs) == sorted((f"checkpoint-{s}", k) for s in (2, 4) for k in keys)
    for r in examples_of(records):
        assert r["v"] == 1 and r["run"] == "tiny" and r["index"] == keys.index(r["key"])
        assert len(r["outcomes"]) == len(r["answers"]) == len(r["samples"]) == 2
        assert r["tokens"] > 0 and r["perplexity"] == pytest.approx(math.exp(r["nll"]))
    checkpoints = [r for r in records if r.get("type") == "checkpoint"]
    assert [(c["checkpoint"], c["step"]) for c in checkpoints] == [("checkpoint-2", 2), ("checkpoint-4", 4)]
    assert all(0 <= c["testAccuracy"] <= 1 and c["testPerplexity"] > 0 and c["epoch"] > 0 for c in checkpoints)
    run = [r for r in records if r.get("type") == "run"]
    assert len(run) == 1 and "subset" not in run[0] and run[0]["meta"]["k"] == 2 and run[0]["meta"]["temperature"] == 0.8
    assert (trained["out"] / "ckpt" / "checkpoint-4").is_dir()  # the ids name the Trainer's own folders


def test_outcomes_follow_the_shared_grader(trained: dict[str, Any]) -> None:
    for r in examples_of(log_lines(trained["log"])):
        target = ROWS[r["index"]]["answer"]
        assert r["outcomes"] == [grade("gsm8k", target, s).outcome for s in r["samples"]]
        assert r["answers"] == [grade("gsm8k", target, s).answer for s in r["samples"]]
        assert all("\nDone." not in s for s in r["samples"])


def test_perplexity_equals_a_direct_teacher_forced_computation(trained: dict[str, Any], tokenizer: Any) -> None:
    model = trained["trainer"].model.eval()
    last = {r["index"]: r for r in examples_of(log_lines(trained["log"])) if r["checkpoint"] == "checkpoint-4"}
    for i, row in enumerate(ROWS):
        prompt = row["question"] + "\nAnswer:"
        ids = tokenizer(prompt + " " + row["answer"] + "\nDone.", return_tensors="pt")["input_ids"]
        prompt_len = len(tokenizer(prompt)["input_ids"])
        labels = ids.clone()
        labels[:, :prompt_len] = -100
        with torch.no_grad():
            loss = float(model(input_ids=ids, labels=labels).loss)  # mean NLL over target tokens, one example alone
        assert last[i]["tokens"] == ids.shape[1] - prompt_len
        assert last[i]["nll"] == pytest.approx(loss, rel=1e-4)


def test_the_typescript_reader_accepts_the_log(trained: dict[str, Any], tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "dist" / "cli.js").exists():
        pytest.skip("node or the built CLI (dist/cli.js, npm run build) is missing: the TypeScript reader check is skipped")
    dataset = tmp_path / "train.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in ROWS), "utf-8")
    runs = tmp_path / "runs"
    runs.mkdir()
    shutil.copy(trained["log"], runs / "tiny.premem.jsonl")
    done = subprocess.run([node, str(ROOT / "bin" / "premem.js"), "analyze", "--runs", str(runs), "--dataset", str(dataset), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr  # the reader reports every bad line on stderr
    (run,) = json.loads(done.stdout)["runs"]
    checkpoints = {r["checkpoint"]: r for r in log_lines(trained["log"]) if r.get("type") == "checkpoint"}
    assert (run["id"], run["examples"]) == ("tiny", len(ROWS))
    for c in run["checkpoints"]:
        assert c["scored"] == len(ROWS)
        assert (c["step"], c["testAccuracy"]) == (checkpoints[c["id"]]["step"], checkpoints[c["id"]]["testAccuracy"])
        assert c["testPerplexity"] == pytest.approx(checkpoints[c["id"]]["testPerplexity"])
    assert [c["id"] for c in run["checkpoints"]] == ["checkpoint-2", "checkpoint-4"]


def test_resume_after_a_crash_writes_no_duplicates(trained: dict[str, Any], tokenizer: Any, tmp_path: Path) -> None:
    log = tmp_path / "tiny.premem.jsonl"
    lines = trained["log"].read_text("utf-8").splitlines(keepends=True)
    # The crash: checkpoint-4 got two example records and half of a third line, then the process died.
    cut = [i for i, line in enumerate(lines) if '"checkpoint-4"' in line][2]
    log.write_text("".join(lines[:cut]) + lines[cut][:40], "utf-8")
    shutil.copytree(trained["out"] / "ckpt" / "checkpoint-2", tmp_path / "ckpt" / "checkpoint-2")
    trainer = make_trainer(tiny_model(tokenizer), tokenizer, ROWS, tmp_path / "ckpt", callbacks=[callback(log, test_examples=TEST_ROWS)])
    trainer.train(resume_from_checkpoint=str(tmp_path / "ckpt" / "checkpoint-2"))
    raw = log.read_text("utf-8").splitlines()
    assert raw[cut] == lines[cut][:40]  # the torn line stays one isolated bad line
    records = [json.loads(line) for i, line in enumerate(raw) if i != cut]
    pairs = [(r["checkpoint"], r["key"]) for r in examples_of(records)]
    assert len(pairs) == len(set(pairs)) == 2 * len(ROWS)
    assert [r["checkpoint"] for r in records if r.get("type") == "checkpoint"] == ["checkpoint-2", "checkpoint-4"]
    frame = read_log(log)
    assert len(frame) == 2 * len(ROWS) and frame["accuracy"].between(0, 1).all()


def test_lora_with_a_seeded_subset(tokenizer: Any, tmp_path: Path) -> None:
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(tiny_model(tokenizer), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    log = tmp_path / "lora.premem.jsonl"
    cb = PreMemCallback(ROWS, log, "lora", k=2, max_new_tokens=4, subset=3, seed=5, every_n_steps=1, batch_size=2)
    make_trainer(model, tokenizer, ROWS, tmp_path / "ckpt", max_steps=2, save_steps=10, callbacks=[cb]).train()
    expected = sorted(random.Random(5).sample(range(len(ROWS)), 3))
    records = log_lines(log)
    assert [r["subset"] for r in records if r.get("type") == "run"] == [expected]
    assert sorted((r["checkpoint"], r["index"]) for r in examples_of(records)) == sorted((f"checkpoint-{s}", i) for s in (1, 2) for i in expected)
    assert model.training  # back in train mode after scoring


def test_bad_options_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="subset: 99 examples"):
        PreMemCallback(ROWS, "x.jsonl", "r", subset=99)
    with pytest.raises(ValueError, match="subset: index 6 is outside"):
        PreMemCallback(ROWS, "x.jsonl", "r", subset=[0, 6])
    with pytest.raises(ValueError, match="field 'problem' is missing"):
        PreMemCallback(ROWS, "x.jsonl", "r", profile="math")


def test_a_datasets_dataset_gives_the_same_keys_as_its_records() -> None:
    from datasets import Dataset

    from_dataset = PreMemCallback(Dataset.from_list(ROWS), "x.jsonl", "r", subset=[4, 1, 4])
    assert from_dataset.keys == dataset_keys(ROWS) and from_dataset.subset == [1, 4]
