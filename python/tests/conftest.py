"""A tiny Llama model and a byte-level BPE tokenizer built here, trained for a few steps with the real Trainer."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILE = ROOT / "test" / "fixtures" / "datasets" / "gsm8k-train-200.jsonl"
# Tokens of prompt + target the helpers train on; longer rows are cut there.
MAX_TOKENS = 200


def gsm8k_rows(start: int, count: int) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in TRAIN_FILE.read_text("utf-8").splitlines() if line.strip()]
    return rows[start : start + count]


def build_tokenizer(rows: Sequence[dict[str, Any]], vocab_size: int) -> Any:
    """A byte-level BPE tokenizer trained on the rows' prompt and target text, with <pad>, <s> (prepended) and </s>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    texts = [r["question"] + "\nAnswer: " + r["answer"] + "\nDone." for r in rows]
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "<s>", "</s>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", tok.token_to_id("<s>"))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")


@pytest.fixture(scope="session")
def tokenizer() -> Any:
    return build_tokenizer(gsm8k_rows(0, 40), 400)


def tiny_model(tokenizer: Any, seed: int = 0, hidden: int = 64, layers: int = 2) -> Any:
    """A Llama built from a config: random weights, seeded."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=1024,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    return LlamaForCausalLM(config)


class LmDataset(torch.utils.data.Dataset):  # type: ignore[type-arg]
    """Prompt + target token ids with the prompt masked out of the loss."""

    def __init__(self, tokenizer: Any, rows: Sequence[dict[str, Any]]) -> None:
        self.items = []
        for r in rows:
            prompt = tokenizer(r["question"] + "\nAnswer:")["input_ids"]
            full = tokenizer(r["question"] + "\nAnswer: " + r["answer"] + "\nDone.")["input_ids"]
            labels = [-100] * len(prompt) + full[len(prompt) :]
            # Cut both together: a prompt longer than the window would otherwise leave more labels than ids.
            self.items.append({"input_ids": full[:MAX_TOKENS], "labels": labels[:MAX_TOKENS]})

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.items[i]


def collate(pad: int) -> Any:
    def run(batch: list[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(b["input_ids"]) for b in batch)
        out = {
            "input_ids": torch.tensor([b["input_ids"] + [pad] * (width - len(b["input_ids"])) for b in batch]),
            "labels": torch.tensor([b["labels"] + [-100] * (width - len(b["labels"])) for b in batch]),
            "attention_mask": torch.tensor([[1] * len(b["input_ids"]) + [0] * (width - len(b["input_ids"])) for b in batch]),
        }
        return out

    return run


def make_trainer(model: Any, tokenizer: Any, rows: Sequence[dict[str, Any]], output_dir: Path, *, max_steps: int = 4,
                 save_steps: int = 2, callbacks: Sequence[Any] = (), batch_size: int = 2) -> Any:
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=str(output_dir), max_steps=max_steps, save_steps=save_steps, save_strategy="steps",
                             per_device_train_batch_size=batch_size, learning_rate=5e-3, report_to=[], use_cpu=True, logging_steps=1,
                             disable_tqdm=True, remove_unused_columns=False, seed=0, save_only_model=False)
    return Trainer(model=model, args=args, train_dataset=LmDataset(tokenizer, rows), data_collator=collate(tokenizer.pad_token_id),
                   processing_class=tokenizer, callbacks=list(callbacks))


def log_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _seed() -> Iterator[None]:
    random.seed(0)
    yield
