"""The run-log writer and reader against docs/run-log-format.md."""

from __future__ import annotations

import math
from pathlib import Path

from premem.runlog import RunLogWriter, read_log, written_pairs


def test_writer_appends_whole_lines_and_mends_a_torn_tail(tmp_path: Path) -> None:
    log = tmp_path / "sub" / "r.premem.jsonl"
    RunLogWriter(log).append([{"run": "r", "checkpoint": "c1", "key": "a", "index": 0, "outcomes": [0, 1]}])
    with open(log, "ab") as f:
        f.write(b'{"v":1,"run":"r","checkpoint":"c1","ke')  # a writer that died mid-line
    RunLogWriter(log).append([{"run": "r", "checkpoint": "c1", "key": "b", "index": 1, "outcomes": [2], "samples": ["x\ny"]}])
    lines = log.read_bytes().split(b"\n")
    assert lines[1] == b'{"v":1,"run":"r","checkpoint":"c1","ke'
    assert lines[2].startswith(b'{"v":1,"run":"r","checkpoint":"c1","key":"b"') and lines[3] == b""
    assert written_pairs(log, "r") == {("c1", "a"), ("c1", "b")}
    assert written_pairs(log, "other") == set()


def test_read_log_last_record_wins_and_joins_checkpoints(tmp_path: Path) -> None:
    log = tmp_path / "r.premem.jsonl"
    w = RunLogWriter(log)
    w.append([
        {"run": "r", "checkpoint": "checkpoint-2", "step": 2, "key": "a", "index": 0, "outcomes": [1, 1], "answers": ["3", "4"], "nll": 0.5},
        {"run": "r", "checkpoint": "checkpoint-2", "step": 2, "key": "b", "index": 1, "outcomes": [], "perplexity": 3.0},
        {"type": "checkpoint", "run": "r", "checkpoint": "checkpoint-2", "step": 2, "epoch": 0.5, "testAccuracy": 0.25},
    ])
    w.append([{"run": "r", "checkpoint": "checkpoint-2", "step": 2, "key": "a", "index": 0, "outcomes": [0, 1, 0, 0], "answers": ["3", "3", None, "5"], "perplexity": 1.5}])
    frame = read_log(log)
    assert list(frame["key"]) == ["a", "b"]
    a, b = frame.iloc[0], frame.iloc[1]
    assert (a["accuracy"], a["samples"], a["distinct_answers"], a["perplexity"]) == (0.75, 4, 2, 1.5)
    assert math.isnan(a["nll"])  # replaced completely by the later record
    assert math.isnan(b["accuracy"]) and b["perplexity"] == 3.0
    assert (a["epoch"], a["test_accuracy"], a["step"]) == (0.5, 0.25, 2)

