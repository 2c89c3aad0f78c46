"""Synthetic reasoning data in GSM8K's layout: {"question", "answer"} with the answer's last line "#### N".

Most training examples follow a rule a tiny model can learn (one- or two-step arithmetic with small numbers,
reasoning written out); a share can only be memorized, because their targets break the rule (a wrong final answer,
wrong arithmetic in a step, a random answer). The test split is clean and comes from the same distribution, so
test accuracy per checkpoint measures what the rule-following examples taught.

Every trace also picks its connecting words at random ("So", "Then", …), which the question does not determine:
as in real data, a model that has learned the rule is correct well before the exact target becomes likely.
"""

from __future__ import annotations

import random

NAMES = ["Ava", "Ben", "Cara", "Dan", "Eli", "Fay", "Gus", "Hana", "Ivan", "June", "Kai", "Lena", "Milo", "Nora",
         "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tess"]
ITEMS = ["apples", "marbles", "books", "coins", "stamps", "pens", "cards", "shells", "eggs", "kites"]
GAINS = ["buys", "finds", "gets", "is given"]
LOSSES = ["gives away", "loses", "eats", "sells"]
OPENERS = ["starts with", "has"]
LINKS = ["So", "Then", "Now"]

# Shares of the training set; the rest are one-step rule examples.
TWO_STEP_SHARE = 0.4
CORRUPTED_SHARE = 0.2


def _clean(rng: random.Random, two_step: bool) -> tuple[str, list[str], int]:
    """A question, its reasoning lines and the true answer."""
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    a, b = rng.randint(1, 5), rng.randint(1, 5)
    lines = [f"{name} {rng.choice(OPENERS)} {a} {item}.", f"{rng.choice(LINKS)} {a} + {b} = {a + b}."]
    question = f"{name} has {a} {item} and {rng.choice(GAINS)} {b} more."
    total = a + b
    if two_step:
        c = rng.randint(1, total)
        question += f" Then {name} {rng.choice(LOSSES)} {c}."
        lines.append(f"{rng.choice(LINKS)} {total} - {c} = {total - c}.")
        total -= c
    question += f" How many {item} does {name} have?"
    return question, lines, total


def _example(question: str, lines: list[str], answer: int, kind: str) -> dict:
    return {"question": question, "answer": "\n".join(lines + [f"#### {answer}"]), "kind": kind}


def _corrupt(rng: random.Random, question: str, lines: list[str], answer: int) -> dict:
    """A target no rule produces: only memorizing this very example makes the model reproduce it."""
    wrong = rng.choice([n for n in range(0, 11) if n != answer])
    how = rng.choice(["wrong-final", "wrong-step", "random-answer"])
    if how == "wrong-step":
        # The last step's result is wrong, and the final answer follows it.
        head, _, _ = lines[-1].rpartition("= ")
        lines = lines[:-1] + [f"{head}= {wrong}."]
    elif how == "random-answer":
        lines = lines[:1]
    return _example(question, lines, wrong, f"corrupted-{how}")


def generate(train_size: int, test_size: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Deterministic train and test splits; no test question is also a training question."""
    rng = random.Random(seed)
    train: list[dict] = []
    seen: set[str] = set()
    while len(train) < train_size:
        two_step = rng.random() < TWO_STEP_SHARE
        question, lines, answer = _clean(rng, two_step)
        if question in seen:
            continue
        seen.add(question)
        if rng.random() < CORRUPTED_SHARE:
            train.append(_corrupt(rng, question, lines, answer))
        else:
            train.append(_example(question, lines, answer, "rule-two-step" if two_step else "rule-one-step"))
    test: list[dict] = []
    while len(test) < test_size:
        two_step = rng.random() < TWO_STEP_SHARE
        question, lines, answer = _clean(rng, two_step)
        if question in seen:
            continue
        seen.add(question)
        test.append(_example(question, lines, answer, "rule-two-step" if two_step else "rule-one-step"))
    return train, test
