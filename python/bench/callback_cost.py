"""What PreMemCallback costs per save, against the training step time, on this machine's CPU.

A Llama built from a config (4 layers, hidden 256, MLP 512) and a byte-level BPE tokenizer trained here are trained
on GSM8K rows with the real Trainer; the callback scores M training examples with k samples at each save.
Run: bash scripts/setup-python.sh && .venv/bin/python python/bench/callback_cost.py [--examples M] [--k K]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import torch  # noqa: E402
from conftest import build_tokenizer, gsm8k_rows, make_trainer, tiny_model  # noqa: E402

import premem.callback  # noqa: E402
from premem import PreMemCallback  # noqa: E402

PHASES: dict[str, float] = {"sampling": 0.0, "perplexity": 0.0}


def timed(phase: str, function: Any) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PHASES[phase] += time.perf_counter() - start

    return run


premem.callback.sample_completions = timed("sampling", premem.callback.sample_completions)
premem.callback.target_scores = timed("perplexity", premem.callback.target_scores)


class TimedCallback(PreMemCallback):
    """Records the wall time of each scoring pass."""

    seconds: list[float]

    def _score_checkpoint(self, state: Any, kwargs: Any) -> None:
        start = time.perf_counter()
        super()._score_checkpoint(state, kwargs)
        self.seconds.append(time.perf_counter() - start)


class StepTimer:
    def __init__(self) -> None:
        self.times: list[float] = []

    def on_step_begin(self, *a: Any, **k: Any) -> None:
        self.start = time.perf_counter()

    def on_step_end(self, *a: Any, **k: Any) -> None:
        self.times.append(time.perf_counter() - self.start)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=16, help="training examples scored per save (subset)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--steps", type=int, default=8)
    o = parser.parse_args()

    from transformers import TrainerCallback

    rows = gsm8k_rows(0, 64)
    tokenizer = build_tokenizer(gsm8k_rows(0, 200), 2000)
    model = tiny_model(tokenizer, hidden=256, layers=4)
    with tempfile.TemporaryDirectory() as tmp:
        callback = TimedCallback(rows, Path(tmp) / "bench.premem.jsonl", "bench", k=o.k, max_new_tokens=o.max_new_tokens,
                                 subset=o.examples, batch_size=16)
        callback.seconds = []
        steps = StepTimer()
        step_callback = type("Steps", (TrainerCallback,), {"on_step_begin": steps.on_step_begin, "on_step_end": steps.on_step_end})()
        trainer = make_trainer(model, tokenizer, rows, Path(tmp) / "ckpt", max_steps=o.steps, save_steps=o.steps // 2,
                               callbacks=[callback, step_callback], batch_size=8)
        trainer.train()
    step = sorted(steps.times)[len(steps.times) // 2]
    per_save = sum(callback.seconds) / len(callback.seconds)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f"machine: {cpu_model()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}")
    print(f"model: Llama 4 layers, hidden 256, MLP 512, {params:.1f}M parameters; training batch 8 GSM8K examples")
    print(f"training step (median of {len(steps.times)}): {step * 1000:.0f} ms")
    print(f"callback per save: {per_save:.2f} s for {o.examples} examples x k={o.k}, max_new_tokens={o.max_new_tokens}"
          f" = {per_save / o.examples * 1000:.0f} ms per example = {per_save / step:.1f} training steps")
    saves = len(callback.seconds)
    print(f"  of which sampling {PHASES['sampling'] / saves:.2f} s, target perplexity {PHASES['perplexity'] / saves:.2f} s per save")
    print(f"load average after the run: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
