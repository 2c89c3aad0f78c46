"""Scoring one checkpoint in process with a torch model and a Hugging Face tokenizer: k samples per prompt
and the target's perplexity by teacher forcing. The prompt/target token split is the scoring client's
(src/core/scoring/perplexity.ts): tokenize x and x+y; x's ids must prefix x+y's, else move x's trailing
whitespace onto y and try again; where neither works (rare tokenizers) the two are tokenized apart and joined.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch


class TargetScore(NamedTuple):
    perplexity: float | None  # None where exp(nll) overflows
    nll: float
    tokens: int


class TokenSplit(NamedTuple):
    ids: list[int]
    query_tokens: int


_PLACEHOLDER = re.compile(r"\{(question|answer)\}")


def fill_template(template: str, question: str, answer: str) -> str:
    """Fills {question} and {answer} in one pass, as the scoring client does; other braces are left alone."""
    return _PLACEHOLDER.sub(lambda m: question if m.group(1) == "question" else answer, template)


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text)["input_ids"])


def split_tokens(tokenizer: Any, x: str, y: str) -> TokenSplit:
    """Token ids of x+y and how many of them belong to the query x."""

    def attempt(q: str, t: str) -> TokenSplit | None:
        q_ids, all_ids = _ids(tokenizer, q), _ids(tokenizer, q + t)
        ok = len(all_ids) > len(q_ids) and all_ids[: len(q_ids)] == q_ids
        return TokenSplit(all_ids, len(q_ids)) if ok else None

    first = attempt(x, y)
    if first:
        return first
    trimmed = re.sub(r"\s+$", "", x)
    if trimmed != x:
        second = attempt(trimmed, x[len(trimmed) :] + y)
        if second:
            return second
    q_ids = _ids(tokenizer, x)
    y_ids = list(tokenizer(y, add_special_tokens=False)["input_ids"])
    return TokenSplit(q_ids + y_ids, len(q_ids))


def model_device(model: Any) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def target_scores(model: Any, tokenizer: Any, pairs: Sequence[tuple[str, str]], batch_size: int) -> list[TargetScore | None]:
    """Perplexity of each target y after its prompt x, counting only y's tokens; None where y has no tokens."""
    device = model_device(model)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    splits = [split_tokens(tokenizer, x, y) for x, y in pairs]
    scores: list[TargetScore | None] = []
    for start in range(0, len(splits), batch_size):
        batch = splits[start : start + batch_size]
        width = max(len(s.ids) for s in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, s in enumerate(batch):  # right padding: positions stay those of an unpadded forward pass
            ids[row, : len(s.ids)] = torch.tensor(s.ids)
            mask[row, : len(s.ids)] = 1
        logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:].to(device).unsqueeze(-1)).squeeze(-1).cpu()
        for row, s in enumerate(batch):
            tokens = len(s.ids) - s.query_tokens
            if tokens <= 0 or s.query_tokens < 1:
                scores.append(None)
                continue
            # logprobs[i] is the log-probability of token i+1; target tokens are query_tokens .. len-1.
            nll = -float(logprobs[row, s.query_tokens - 1 : len(s.ids) - 1].double().sum()) / tokens
            perplexity = math.exp(nll) if nll < 700 else None
            scores.append(TargetScore(perplexity, nll, tokens))
    return scores


@torch.no_grad()
def sample_completions(model: Any, tokenizer: Any, prompts: Sequence[str], *, k: int, temperature: float, top_p: float,
                       max_new_tokens: int, stop: str | None, seed: int) -> list[list[str]]:
    """k sampled completions per prompt (prompt-major), each cut before the stop string as a server does."""
    device = model_device(model)
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"  # batched generation continues each prompt right where it ends
    try:
        inputs = tokenizer(list(prompts), return_tensors="pt", padding=True).to(device)
    finally:
        tokenizer.padding_side = side
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):  # training's random state is left as it was
        torch.manual_seed(seed)
        options: dict[str, Any] = {}
        if stop:
            options.update(stop_strings=[stop], tokenizer=tokenizer)
        out = model.generate(**inputs, do_sample=True, temperature=temperature, top_p=top_p, top_k=0,
                             max_new_tokens=max_new_tokens, num_return_sequences=k, pad_token_id=pad, **options)
    texts = tokenizer.batch_decode(out[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    if stop:
        texts = [t.split(stop, 1)[0] for t in texts]
    return [texts[i * k : (i + 1) * k] for i in range(len(prompts))]
