"""PreMemCallback: a transformers TrainerCallback that scores training examples at each checkpoint save
(k samples, graded, and the target's perplexity) and appends them to a PreMem run log while training runs."""

from __future__ import annotations

import math
import os
import random
from collections.abc import Mapping, Sequence
from typing import Any

from transformers import TrainerCallback

from .grading import Task, extract_answer, grade_against
from .keys import PROFILES, dataset_keys, record_fields
from .runlog import RunLogWriter, iter_records, written_pairs
from .scoring import fill_template, sample_completions, target_scores


def _records(examples: Any, what: str) -> list[Mapping[str, Any]]:
    """A list of dict records from a list of dicts or a datasets.Dataset (anything iterable over mappings)."""
    records = list(examples)
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"{what}[{i}] is {type(r).__name__}, expected a dict record")
    return records


def _subset_indices(subset: int | Sequence[int] | None, size: int, seed: int) -> list[int] | None:
    if subset is None:
        return None
    if isinstance(subset, int) and not isinstance(subset, bool):
        if not 0 < subset <= size:
            raise ValueError(f"subset: {subset} examples asked for, the training set has {size}")
        return sorted(random.Random(seed).sample(range(size), subset))
    indices = [int(i) for i in subset]
    bad = [i for i in indices if not 0 <= i < size]
    if bad:
        raise ValueError(f"subset: index {bad[0]} is outside the training set (0..{size - 1})")
    return sorted(set(indices))


class PreMemCallback(TrainerCallback):  # type: ignore[misc]
    """Writes a PreMem run log (v1) of the training examples at each checkpoint save, or every N steps.

    Only the main process scores and writes. A resumed run skips the (checkpoint, example) pairs the log
    already has, so a restart never duplicates records.
    """

    def __init__(
        self,
        train_examples: Any,
        log_path: str | os.PathLike[str],
        run: str,
        *,
        profile: Task = "gsm8k",
        k: int = 5,
        temperature: float = 0.8,
        top_p: float = 0.95,
        max_new_tokens: int = 512,
        seed: int = 2,
        subset: int | Sequence[int] | None = None,
        test_examples: Any = None,
        every_n_steps: int | None = None,
        prompt_template: str = "{question}\nAnswer:",
        target_template: str = " {answer}\nDone.",
        stop: str | None = "\nDone.",
        batch_size: int = 16,
        tokenizer: Any = None,
        id_field: str | None = None,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"profile: expected gsm8k or math, got {profile!r}")
        if not run:
            raise ValueError("run: a non-empty run id is needed")
        for name, value in (("k", k), ("max_new_tokens", max_new_tokens), ("batch_size", batch_size)):
            if value < 1:
                raise ValueError(f"{name}: must be at least 1, got {value}")
        if every_n_steps is not None and every_n_steps < 1:
            raise ValueError(f"every_n_steps: must be at least 1, got {every_n_steps}")
        self.profile: Task = profile
        self.train = _records(train_examples, "train_examples")
        self.keys = dataset_keys(self.train, profile, id_field)
        self.fields = [record_fields(r, profile, id_field) for r in self.train]
        self.test = None if test_examples is None else [record_fields(r, profile) for r in _records(test_examples, "test_examples")]
        self.subset = _subset_indices(subset, len(self.train), seed)
        self.log = RunLogWriter(log_path)
        self.log_path = os.fspath(log_path)
        self.run = run
        self.k, self.temperature, self.top_p, self.max_new_tokens = k, temperature, top_p, max_new_tokens
        self.seed, self.every_n_steps, self.batch_size = seed, every_n_steps, batch_size
        self.prompt_template, self.target_template, self.stop = prompt_template, target_template, stop
        self.tokenizer = tokenizer
        self._done: set[tuple[str, str]] | None = None
        self._checkpoints_done: set[str] = set()
        self._run_written = False

    # ------------------------------------------------------------------ Trainer events

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.every_n_steps is None:
            self._score_checkpoint(state, kwargs)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.every_n_steps is not None and state.global_step % self.every_n_steps == 0:
            self._score_checkpoint(state, kwargs)

    # ------------------------------------------------------------------ scoring

    def _score_checkpoint(self, state: Any, kwargs: Mapping[str, Any]) -> None:
        if not state.is_world_process_zero:
            return
        model = kwargs.get("model")
        tokenizer = self.tokenizer or kwargs.get("processing_class") or kwargs.get("tokenizer")
        if model is None or tokenizer is None:
            raise ValueError("PreMemCallback needs the model and a tokenizer: pass tokenizer= or give the Trainer a processing_class")
        tokenizer = getattr(tokenizer, "tokenizer", tokenizer)  # a processor wraps its tokenizer
        checkpoint = f"checkpoint-{state.global_step}"
        self._load_resume_state()
        assert self._done is not None
        indices = self.subset if self.subset is not None else range(len(self.train))
        todo = [i for i in indices if (checkpoint, self.keys[i]) not in self._done]
        if not todo and checkpoint in self._checkpoints_done:
            return
        was_training = model.training
        model.eval()
        try:
            if not self._run_written:
                self.log.append([self._run_record()])
                self._run_written = True
            for start in range(0, len(todo), self.batch_size):
                batch = todo[start : start + self.batch_size]
                records = self._score_examples(model, tokenizer, batch, state.global_step)
                self.log.append(records)
                self._done.update((checkpoint, self.keys[i]) for i in batch)
            if checkpoint not in self._checkpoints_done:
                self.log.append([self._checkpoint_record(model, tokenizer, checkpoint, state)])
                self._checkpoints_done.add(checkpoint)
        finally:
            model.train(was_training)

    def _load_resume_state(self) -> None:
        if self._done is not None:
            return
        self._done = written_pairs(self.log_path, self.run)
        if os.path.exists(self.log_path):
            for _, r in iter_records(self.log_path):
                if r["run"] == self.run and r.get("type") == "checkpoint" and isinstance(r.get("checkpoint"), str):
                    self._checkpoints_done.add(r["checkpoint"])

    def _sample_and_grade(self, model: Any, tokenizer: Any, fields: Sequence[tuple[str, str, str | None]], seed: int) -> list[dict[str, Any]]:
        samples = sample_completions(model, tokenizer, [fill_template(self.prompt_template, q, t) for q, t, _ in fields], k=self.k,
                                     temperature=self.temperature, top_p=self.top_p,
                                     max_new_tokens=self.max_new_tokens, stop=self.stop, seed=seed)
        graded = []
        for (_, target, _), texts in zip(fields, samples):
            target_answer = extract_answer(self.profile, target)
            grades = [grade_against(self.profile, target_answer, t) for t in texts]
            graded.append({"outcomes": [g.outcome for g in grades], "answers": [g.answer for g in grades], "samples": texts})
        return graded

    def _score_examples(self, model: Any, tokenizer: Any, batch: Sequence[int], step: int) -> list[dict[str, Any]]:
        fields = [self.fields[i] for i in batch]
        # Seeded by the batch's first example, so a resumed job draws what an uninterrupted one would have.
        graded = self._sample_and_grade(model, tokenizer, fields, self.seed * 1_000_003 + batch[0])
        scores = target_scores(model, tokenizer, [(fill_template(self.prompt_template, q, t), fill_template(self.target_template, q, t)) for q, t, _ in fields], self.batch_size)
        records = []
        for i, g, score in zip(batch, graded, scores):
            record: dict[str, Any] = {"run": self.run, "checkpoint": f"checkpoint-{step}", "step": step, "key": self.keys[i], "index": i, **g}
            if score is not None:
                if score.perplexity is not None:
                    record["perplexity"] = score.perplexity
                record.update(nll=score.nll, tokens=score.tokens)
            records.append(record)
        return records

    def _checkpoint_record(self, model: Any, tokenizer: Any, checkpoint: str, state: Any) -> dict[str, Any]:
        record: dict[str, Any] = {"type": "checkpoint", "run": self.run, "checkpoint": checkpoint, "step": state.global_step}
        if state.epoch is not None:
            record["epoch"] = float(state.epoch)
        if self.test:
            correct = total = 0
            nll_sum = 0.0
            tokens = 0
            for start in range(0, len(self.test), self.batch_size):
                batch = self.test[start : start + self.batch_size]
                for g in self._sample_and_grade(model, tokenizer, batch, self.seed * 1_000_003 + start + 7_777_777):
                    correct += sum(1 for o in g["outcomes"] if o == 0)
                    total += len(g["outcomes"])
                for score in target_scores(model, tokenizer, [(fill_template(self.prompt_template, q, t), fill_template(self.target_template, q, t)) for q, t, _ in batch], self.batch_size):
                    if score is not None:
                        nll_sum += score.nll * score.tokens
                        tokens += score.tokens
            record["testAccuracy"] = correct / total
            # Token-weighted over the whole test set: exp(total NLL / total target tokens).
            if tokens and nll_sum / tokens < 700:
                record["testPerplexity"] = math.exp(nll_sum / tokens)
        return record

    def _run_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "type": "run",
            "run": self.run,
            "meta": {
                "producer": "premem.PreMemCallback",
                "profile": self.profile,
                "k": self.k,
                "temperature": self.temperature,
                "topP": self.top_p,
                "maxNewTokens": self.max_new_tokens,
                "seed": self.seed,
                "promptTemplate": self.prompt_template,
                "targetTemplate": self.target_template,
                "stop": self.stop,
                "examples": len(self.train),
            },
        }
        if self.subset is not None:
            record["subset"] = self.subset
        return record

