"""The demo's dataset and tokenizer: deterministic, in GSM8K's layout, and the test split clean."""

from __future__ import annotations

import json
import re

from premem.demo.data import generate
from premem.demo.model import build_model, build_tokenizer
from premem.grading import extract_gsm8k_answer


def true_answer(question: str) -> int:
    numbers = [int(n) for n in re.findall(r"\d+", question)]
    return numbers[0] + numbers[1] - (numbers[2] if len(numbers) > 2 else 0)


def test_same_seed_same_data_other_seed_other_data():
    assert generate(50, 20, seed=3) == generate(50, 20, seed=3)
    assert generate(50, 20, seed=3) != generate(50, 20, seed=4)


def test_rule_examples_are_right_corrupted_ones_wrong_and_test_is_clean_and_unseen():
    train, test = generate(400, 100, seed=0)
    for example in train + test:
        assert re.fullmatch(r"#### \d+", example["answer"].splitlines()[-1])
        assert extract_gsm8k_answer(example["answer"]) == example["answer"].rsplit("#### ", 1)[1]
    final = lambda e: int(e["answer"].rsplit("#### ", 1)[1])  # noqa: E731
    kinds = {e["kind"] for e in train}
    assert {"rule-one-step", "rule-two-step"} <= kinds and any(k.startswith("corrupted-") for k in kinds)
    for example in train:
        assert (final(example) == true_answer(example["question"])) == example["kind"].startswith("rule-")
    assert all(e["kind"].startswith("rule-") and final(e) == true_answer(e["question"]) for e in test)
    assert not {e["question"] for e in train} & {e["question"] for e in test}
    corrupted = sum(e["kind"].startswith("corrupted-") for e in train) / len(train)
    assert 0.1 < corrupted < 0.3


def test_tokenizer_spells_numbers_by_digit_and_decodes_any_text_back():
    train, _ = generate(20, 0, seed=0)
    tokenizer = build_tokenizer([e["question"] + e["answer"] for e in train])
    ids = tokenizer("Ava has 12 apples.")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids) == ["Ava", " ", "has", " ", "1", "2", " ", "apples", "."]
    unseen = "Zed wrote {x}\n~Done."
    assert tokenizer.decode(tokenizer(unseen)["input_ids"]) == unseen
    assert tokenizer.unk_token_id not in tokenizer(unseen)["input_ids"]


def test_tokenizer_ids_are_dense_when_words_are_single_letters():
    # A model sized by len(tokenizer) must cover every id: one-letter words ("a", "I") must not leave gaps.
    tokenizer = build_tokenizer(["I have a cat and a dog", "x is 3"])
    assert max(tokenizer.get_vocab().values()) == len(tokenizer) - 1


def test_prepare_writes_the_data_and_config_a_training_run_writes_and_trains_nothing(tmp_path):
    from premem.demo.train import FAST, main

    assert main(["--out", str(tmp_path), "--fast", "--prepare"]) == 0
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "data", "data/test.jsonl", "data/train.jsonl", "premem.json"]
    train, test = generate(FAST[0], FAST[1], seed=0)  # what `--fast` writes again before it trains
    assert [json.loads(line) for line in (tmp_path / "data" / "train.jsonl").read_text("utf-8").splitlines()] == train
    assert len((tmp_path / "data" / "test.jsonl").read_text("utf-8").splitlines()) == len(test)
    assert json.loads((tmp_path / "premem.json").read_text("utf-8"))["runs"] == ["runs"]


def test_the_model_has_heads_of_32_dimensions_as_vllm_cpu_attention_needs():
    # vLLM's CPU build refuses smaller heads ("Unsupported CPU attention configuration: head_dim=24").
    train, _ = generate(20, 0, seed=0)
    config = build_model(build_tokenizer([e["question"] + e["answer"] for e in train]), seed=0).config
    assert config.hidden_size // config.num_attention_heads == config.head_dim == 32
