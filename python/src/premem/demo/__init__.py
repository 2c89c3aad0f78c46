"""A tiny model trained on CPU in minutes, with PreMemCallback logging its learning dynamics.

`premem-train-demo --out DIR` writes a synthetic word-problem dataset, builds a tokenizer and a small Llama model
from a config (no downloaded weights), trains it with transformers' Trainer and logs every checkpoint to
DIR/runs/<run>.premem.jsonl, with DIR/premem.json so that the folder opens in VS Code with PreMem.
"""
