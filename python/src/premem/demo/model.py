"""The tokenizer and the tiny Llama model, both built here: nothing is downloaded.

The tokenizer is word-level with every digit, space, newline and punctuation mark its own token, so numbers are
spelled digit by digit (a tiny model learns arithmetic on digits; a token per number would hide their structure)
and decoding is plain concatenation. A word it has not seen is spelled letter by letter, so every printable text
encodes without an unknown token (transformers' stop-string matching encodes text of its own, for one).
"""

from __future__ import annotations

import re

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
PRINTABLE = [chr(c) for c in range(32, 127)] + ["\n"]


def build_tokenizer(texts: list[str]) -> PreTrainedTokenizerFast:
    """Every word of `texts` is a token, and every printable character alone."""
    words = sorted({w for text in texts for w in re.findall(r"[A-Za-z]+", text)}, key=lambda w: (-len(w), w))
    # Known words whole; anything else (digits, spaces, punctuation, unseen words) one character at a time.
    splitter = pre_tokenizers.Split(Regex(r"\b(?:" + "|".join(words) + r")\b|[\s\S]"), behavior="isolated")
    # A one-letter word ("a", "I") is a printable character already: listed twice it would leave a gap in the ids,
    # and a model sized by len(tokenizer) would then meet ids past its vocabulary.
    words = [w for w in words if w not in PRINTABLE]
    vocab = {token: i for i, token in enumerate(SPECIALS + PRINTABLE + words)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = splitter
    backend.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", bos_token="<s>", eos_token="</s>",
                                   unk_token="<unk>", padding_side="left")


# Heads of 32 dimensions: vLLM's CPU attention refuses smaller ones ("Unsupported CPU attention configuration:
# head_dim=24"), and a checkpoint of the demo must be servable there.
HEAD_DIM = 32


def build_model(tokenizer: PreTrainedTokenizerFast, seed: int, hidden: int = 96, layers: int = 3) -> LlamaForCausalLM:
    """A Llama model of a few hundred thousand parameters, initialised from `seed`."""
    import torch

    torch.manual_seed(seed)
    heads = hidden // HEAD_DIM
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=hidden * 3,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                         max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         tie_word_embeddings=True)
    return LlamaForCausalLM(config)
