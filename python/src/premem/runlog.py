"""PreMem run logs, version 1 (docs/run-log-format.md): a safe appending writer and a reader into pandas.

The writer follows "Writing a log safely": O_APPEND, each batch as whole lines in one write(), fsync before
the batch counts as written, and a newline first when an earlier writer died mid-line.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

VERSION = 1


def _line(record: Mapping[str, Any]) -> str:
    # allow_nan=False: NaN/Infinity are not JSON; a caller must leave such a field out instead.
    return json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


class RunLogWriter:
    """Appends records to one log file; safe next to other appenders and readers."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._checked_tail = False

    def append(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Writes the records (each gets "v": 1) in one write call and fsyncs; returns how many were written."""
        lines = [_line({"v": VERSION, **r}) for r in records]
        if not lines:
            return 0
        data = "".join(lines).encode("utf-8")
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if not self._checked_tail:
                if not _ends_with_newline(self.path):
                    data = b"\n" + data
                self._checked_tail = True
            written = 0
            while written < len(data):  # one write() in practice; a short write is finished, never dropped
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        return len(lines)


def _ends_with_newline(path: str) -> bool:
    """True for an empty file or one whose last byte is a newline."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() == 0:
            return True
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def iter_records(path: str | os.PathLike[str]) -> Iterable[tuple[int, dict[str, Any]]]:
    """(line number, record) of every valid v1 object line; blank, torn and foreign lines are skipped."""
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] != b"":
        lines.pop()  # a last line without its newline may be mid-append
    for number, raw in enumerate(lines, 1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("v") == VERSION and isinstance(record.get("run"), str) and record["run"]:
            yield number, record


def written_pairs(path: str | os.PathLike[str], run: str) -> set[tuple[str, str]]:
    """(checkpoint, key) pairs a run already has in a log: what a resumed job must not score again."""
    if not os.path.exists(path):
        return set()
    return {
        (r["checkpoint"], r["key"])
        for _, r in iter_records(path)
        if r["run"] == run and r.get("type", "example") == "example" and isinstance(r.get("checkpoint"), str) and isinstance(r.get("key"), str)
    }


def read_log(path: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per (run, checkpoint, example), last record wins, with the numbers the format defines.

    Columns: run, checkpoint, step, epoch, key, index, accuracy, samples (count), distinct_answers,
    perplexity, nll, tokens, test_accuracy, test_perplexity.
    """
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("premem.read_log needs pandas: pip install 'premem[pandas]'") from err

    examples: dict[tuple[str, str, str], dict[str, Any]] = {}
    checkpoints: dict[tuple[str, str], dict[str, Any]] = {}
    for _, r in iter_records(path):
        kind = r.get("type", "example")
        if kind == "checkpoint" and isinstance(r.get("checkpoint"), str):
            checkpoints.setdefault((r["run"], r["checkpoint"]), {}).update(r)
        elif kind == "example" and isinstance(r.get("checkpoint"), str) and isinstance(r.get("key"), str):
            examples[(r["run"], r["checkpoint"], r["key"])] = r

    rows = []
    for (run, checkpoint, key), r in examples.items():
        ck = checkpoints.get((run, checkpoint), {})
        outcomes = r.get("outcomes") or []
        answers = r.get("answers")
        perplexity = r.get("perplexity")
        if perplexity is None and isinstance(r.get("nll"), (int, float)):
            perplexity = math.exp(r["nll"])
        rows.append(
            {
                "run": run,
                "checkpoint": checkpoint,
                "step": ck.get("step", r.get("step")),
                "epoch": ck.get("epoch"),
                "key": key,
                "index": r.get("index"),
                "accuracy": (sum(1 for o in outcomes if o == 0) / len(outcomes)) if outcomes else math.nan,
                "samples": len(outcomes),
                "distinct_answers": len({a for a in answers if a is not None}) if isinstance(answers, list) else math.nan,
                "perplexity": math.nan if perplexity is None else float(perplexity),
                "nll": float(r["nll"]) if isinstance(r.get("nll"), (int, float)) else math.nan,
                "tokens": r.get("tokens"),
                "test_accuracy": ck.get("testAccuracy", math.nan),
                "test_perplexity": ck.get("testPerplexity", math.nan),
            }
        )
    columns = ["run", "checkpoint", "step", "epoch", "key", "index", "accuracy", "samples", "distinct_answers",
               "perplexity", "nll", "tokens", "test_accuracy", "test_perplexity"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["run", "step", "index"], kind="stable", na_position="last").reset_index(drop=True)
