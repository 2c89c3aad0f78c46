"""premem-train-demo: train the tiny model on CPU and log PreMemAcc at every epoch.

    premem-train-demo --out DIR [--epochs E] [--examples N] [--lr LR ...] [--fast] [--prepare]

writes DIR/data/{train,test}.jsonl, DIR/premem.json, DIR/checkpoints/<run>/checkpoint-N (model and tokenizer) and
DIR/runs/<run>.premem.jsonl, one run per learning rate. Open DIR in VS Code with PreMem while it trains: the marks
follow the log as each epoch's checkpoint is scored. `--prepare` writes the data and premem.json only, so that
the folder can be opened before training starts (then run the same command without it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from transformers import TrainerCallback

PROMPT = "{question}\nAnswer:"
TARGET = " {answer}\nDone."
STOP = "\nDone."

# The full demo and the fast setting (for tests): (train examples, test examples, epochs, epochs per checkpoint,
# samples per example). A tiny model needs tens of passes over the data; scoring every pass would cost more than
# the training, so a checkpoint is saved and scored every few epochs.
FULL = (300, 100, 60, 10, 4)
FAST = (150, 50, 32, 8, 3)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="premem-train-demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for data, checkpoints, run logs, premem.json")
    parser.add_argument("--fast", action="store_true", help="a smaller setting that trains in a minute or two")
    parser.add_argument("--prepare", action="store_true", help="write the data and premem.json, train nothing")
    parser.add_argument("--examples", type=int, help=f"training examples (default {FULL[0]}, fast {FAST[0]})")
    parser.add_argument("--test-examples", type=int, help=f"held-out examples (default {FULL[1]}, fast {FAST[1]})")
    parser.add_argument("--epochs", type=int, help=f"epochs (default {FULL[2]}, fast {FAST[2]})")
    parser.add_argument("--save-every", type=int, help=f"epochs per checkpoint (default {FULL[3]}, fast {FAST[3]})")
    parser.add_argument("--k", type=int, help=f"samples per example at each checkpoint (default {FULL[4]}, fast {FAST[4]})")
    # 1e-3 and 5e-4 learn the rule and memorize the rest; at 3e-3 this model stays at guessing (BENCHMARKS.md, tiny demo).
    parser.add_argument("--lr", type=float, nargs="+", default=[1e-3], help="learning rates; one run each (default 1e-3)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the model's weights and sampling")
    args = parser.parse_args(argv)
    defaults = FAST if args.fast else FULL
    for name, value in zip(("examples", "test_examples", "epochs", "save_every", "k"), defaults):
        if getattr(args, name) is None:
            setattr(args, name, value)
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    os.replace(tmp, path)


def encode(tokenizer, example: dict) -> dict:
    """Prompt and target tokens; the loss counts the target (and the end of text) only."""
    prompt = tokenizer(PROMPT.format(**example))["input_ids"]
    target = tokenizer(TARGET.format(**example))["input_ids"] + [tokenizer.eos_token_id]
    return {"input_ids": prompt + target, "labels": [-100] * len(prompt) + target}


def collate(pad_id: int):
    import torch

    def pad(batch: list[dict]) -> dict:
        width = max(len(b["input_ids"]) for b in batch)
        ids = [b["input_ids"] + [pad_id] * (width - len(b["input_ids"])) for b in batch]
        labels = [b["labels"] + [-100] * (width - len(b["labels"])) for b in batch]
        mask = [[1] * len(b["input_ids"]) + [0] * (width - len(b["input_ids"])) for b in batch]
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}

    return pad


def train_run(args: argparse.Namespace, lr: float, train: list[dict], test: list[dict]) -> dict:
    import math

    from transformers import Trainer, TrainingArguments

    from premem import PreMemCallback
    from premem.demo.model import build_model, build_tokenizer

    run = f"tiny-lr{lr:g}-{args.epochs}ep"
    tokenizer = build_tokenizer([PROMPT.format(**e) + TARGET.format(**e) for e in train + test])
    model = build_model(tokenizer, seed=args.seed)
    log_path = args.out / "runs" / f"{run}.premem.jsonl"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    premem = PreMemCallback(train, str(log_path), run, profile="gsm8k", k=args.k, max_new_tokens=64, seed=args.seed,
                            test_examples=test, prompt_template=PROMPT, target_template=TARGET, stop=STOP,
                            batch_size=64)
    timer = EpochTimer()
    training_args = TrainingArguments(
        output_dir=str(args.out / "checkpoints" / run), num_train_epochs=args.epochs, learning_rate=lr,
        per_device_train_batch_size=args.batch_size, lr_scheduler_type="constant", warmup_steps=0,
        save_strategy="steps", save_steps=args.save_every * math.ceil(len(train) / args.batch_size),
        save_only_model=True, logging_strategy="steps", logging_steps=math.ceil(len(train) / args.batch_size), report_to=[], use_cpu=True,
        seed=args.seed, data_seed=args.seed, dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=[encode(tokenizer, e) for e in train],
                      data_collator=collate(tokenizer.pad_token_id), processing_class=tokenizer,
                      callbacks=[timer, premem])
    trainer.train()
    return {"run": run, "lr": lr, "train_seconds_between_saves": timer.train_seconds, "save_seconds": timer.save_seconds}


class EpochTimer(TrainerCallback):
    """Seconds spent training between saves, and seconds from each save to the next epoch: the callbacks after
    this one (PreMemCallback's scoring) run in between."""

    def __init__(self):
        self.train_seconds: list[float] = []
        self.save_seconds: list[float] = []
        self._mark = time.perf_counter()
        self._saving = False

    def on_epoch_begin(self, args, state, control, **kwargs):
        if self._saving:
            self._settle()
            self._mark = time.perf_counter()

    def on_save(self, args, state, control, **kwargs):
        self.train_seconds.append(round(time.perf_counter() - self._mark, 2))
        self._mark = time.perf_counter()
        self._saving = True

    def on_train_end(self, args, state, control, **kwargs):
        self._settle()

    def _settle(self):
        if self._saving:
            self.save_seconds.append(round(time.perf_counter() - self._mark, 2))
            self._saving = False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from premem.demo.data import generate

    train, test = generate(args.examples, args.test_examples, seed=args.seed)
    write_jsonl(args.out / "data" / "train.jsonl", train)
    write_jsonl(args.out / "data" / "test.jsonl", test)
    config = {"dataset": "data/train.jsonl", "profile": "gsm8k", "testDataset": "data/test.jsonl", "runs": ["runs"],
              "p": "calibrate", "t": 0.75}
    (args.out / "premem.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    print(f"premem-train-demo: {len(train)} training and {len(test)} test examples in {args.out / 'data'}", flush=True)
    if args.prepare:
        return 0
    for lr in args.lr:
        started = time.perf_counter()
        timing = train_run(args, lr, train, test)
        timing["total_seconds"] = round(time.perf_counter() - started, 1)
        print("premem-train-demo: " + json.dumps(timing), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
