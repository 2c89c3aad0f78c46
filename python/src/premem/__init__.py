"""PreMem for Python: example keys, graders, run logs, and a Hugging Face Trainer callback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .grading import extract_answer, grade, grade_against
from .keys import content_key, dataset_keys, example_key, keys_digest
from .runlog import RunLogWriter, read_log

if TYPE_CHECKING:
    from .callback import PreMemCallback

__all__ = ["PreMemCallback", "RunLogWriter", "content_key", "dataset_keys", "example_key", "extract_answer",
           "grade", "grade_against", "keys_digest", "read_log"]


def __getattr__(name: str) -> Any:
    # The callback imports torch and transformers; the core (keys, grading, logs) works without them.
    if name == "PreMemCallback":
        from .callback import PreMemCallback

        return PreMemCallback
    raise AttributeError(name)
