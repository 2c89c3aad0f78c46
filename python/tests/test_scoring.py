"""Templates and the prompt/target token split, as the TypeScript scoring client has them."""

from __future__ import annotations

from typing import Any

from premem.scoring import fill_template, split_tokens


def test_templates_fill_in_one_pass_as_the_scoring_client_does() -> None:
    assert fill_template("{question}\nAnswer: {x}", "a {answer} b", "42") == "a {answer} b\nAnswer: {x}"
    assert fill_template(" {answer}\nDone. {question}", "q", "{question}") == " {question}\nDone. q"


def test_split_keeps_the_query_ids_as_a_prefix(tokenizer: Any) -> None:
    split = split_tokens(tokenizer, "How many?\nAnswer:", " 72\nDone.")
    query = tokenizer("How many?\nAnswer:")["input_ids"]
    assert split.ids[: split.query_tokens] == query and split.ids == tokenizer("How many?\nAnswer: 72\nDone.")["input_ids"]


def test_trailing_whitespace_of_the_query_moves_onto_the_target(tokenizer: Any) -> None:
    # The byte-level tokenizer glues a space to the next word: "Answer: " alone does not prefix "Answer: 72".
    x, y = "How many?\nAnswer: ", "the"
    assert tokenizer(x + y)["input_ids"][: len(tokenizer(x)["input_ids"])] != tokenizer(x)["input_ids"]
    split = split_tokens(tokenizer, x, y)
    assert split.ids == tokenizer(x + y)["input_ids"] and split.query_tokens == len(tokenizer(x.rstrip())["input_ids"])
