"""The Python keys and graders against the shared vectors the TypeScript engine computed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from premem.grading import grade
from premem.keys import dataset_keys, keys_digest

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "test" / "vectors" / "keys-and-grades.json").read_text("utf-8"))


@pytest.mark.parametrize("dataset", VECTORS["datasets"], ids=lambda d: d["name"])
def test_keys_equal_the_engine(dataset: dict[str, Any]) -> None:
    keys = dataset_keys(dataset["records"], dataset["profile"], dataset.get("idField"))
    assert keys == dataset["keys"]
    assert keys_digest(keys) == dataset["keysDigest"]


def test_grades_equal_the_engine() -> None:
    assert len(VECTORS["grades"]) > 1000
    mismatches = []
    for i, case in enumerate(VECTORS["grades"]):
        got = grade(case["task"], case["target"], case["sample"])
        expected = (case["outcome"], case["answer"], case["targetAnswer"])
        if tuple(got) != expected:
            mismatches.append(f"#{i} {case['task']} sample={case['sample']!r} target={case['target']!r}: got {tuple(got)}, engine {expected}")
    assert not mismatches, "\n".join(mismatches[:20])
