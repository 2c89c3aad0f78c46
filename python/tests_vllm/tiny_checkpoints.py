"""Checkpoints of a tiny Llama for a real vLLM server: a base model trained to memorize a few GSM8K rows, and
LoRA adapters trained on top of it for different numbers of steps, all saved as vLLM loads them.

The tokenizer, the model config and the Trainer come from the Python package's test helpers
(python/tests/conftest.py), so both suites build the same kind of model. vLLM's CPU attention needs a head
size of at least 32: hidden 128 with 4 heads.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

HELPERS_FILE = Path(__file__).resolve().parents[1] / "tests" / "conftest.py"
HIDDEN = 128
ROWS = 32
ADAPTER_STEPS = {"ep1": 10, "ep2": 80}


def helpers() -> Any:
    """python/tests/conftest.py as a module (it is not a package, and its name would clash with ours)."""
    spec = importlib.util.spec_from_file_location("premem_test_helpers", HELPERS_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(out: Path, base_steps: int = 120) -> dict[str, Path]:
    """Saves base/ (model + tokenizer) and one LoRA adapter folder per ADAPTER_STEPS entry; returns the folders."""
    from peft import LoraConfig, get_peft_model

    h = helpers()
    pool = h.gsm8k_rows(0, 3 * ROWS)
    tokenizer = h.build_tokenizer(pool, 1000)
    rows = short_rows(tokenizer, pool)[:ROWS]
    model = h.tiny_model(tokenizer, hidden=HIDDEN)
    h.make_trainer(model, tokenizer, rows, out / "trainer-base", max_steps=base_steps, save_steps=10_000, batch_size=8).train()
    base = out / "base"
    model.save_pretrained(base)
    tokenizer.save_pretrained(base)
    folders = {"base": base}
    for name, steps in ADAPTER_STEPS.items():
        # Each adapter starts from the saved base, so adapters differ only in how long they trained.
        fresh = type(model).from_pretrained(base)
        config = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], lora_dropout=0.0)
        peft_model = get_peft_model(fresh, config)
        h.make_trainer(peft_model, tokenizer, rows, out / f"trainer-{name}", max_steps=steps, save_steps=10_000, batch_size=8).train()
        peft_model.save_pretrained(out / name)
        folders[name] = out / name
    return folders


def short_rows(tokenizer: Any, rows: list[dict[str, Any]], limit: int = 200) -> list[dict[str, Any]]:
    """Rows whose prompt + target fit the helpers' 200-token training window whole (longer ones are cut there)."""
    return [r for r in rows if len(tokenizer(r["question"] + "\nAnswer: " + r["answer"] + "\nDone.")["input_ids"]) <= limit]


def load(folders: dict[str, Path], checkpoint: str) -> Any:
    """The transformers model a checkpoint id stands for: the base, or the base with that adapter merged."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folders["base"], dtype="float32")
    if checkpoint != "base":
        model = PeftModel.from_pretrained(model, folders[checkpoint]).merge_and_unload()
    return model.eval()
