"""The training rows of the test helpers: long rows are cut to the training window, labels and all."""

from __future__ import annotations

from typing import Any

from conftest import MAX_TOKENS, LmDataset, collate, gsm8k_rows


def test_a_row_longer_than_the_window_is_cut_with_its_labels_and_collates(tokenizer: Any) -> None:
    short = gsm8k_rows(0, 1)[0]
    long = {"question": "Tom has 3 apples and buys 4 more. " * 40 + "How many apples?", "answer": "3 + 4 = 7\n#### 7"}
    assert len(tokenizer(long["question"] + "\nAnswer:")["input_ids"]) > MAX_TOKENS  # the prompt alone overflows
    dataset = LmDataset(tokenizer, [short, long])
    for item in dataset.items:
        assert len(item["labels"]) == len(item["input_ids"]) <= MAX_TOKENS
    batch = collate(tokenizer.pad_token_id)([dataset[0], dataset[1]])
    assert batch["input_ids"].shape == batch["labels"].shape == (2, MAX_TOKENS)
    # The short row keeps its target in the loss; the long one, cut inside its prompt, has nothing left to learn.
    assert (batch["labels"][0] != -100).any() and (batch["labels"][1] == -100).all()
