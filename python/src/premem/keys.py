"""Stable example keys, computed exactly as the TypeScript engine does (src/core/dataset/keys.ts)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

# Field names of the named dataset profiles: (query, target).
PROFILES: dict[str, tuple[str, str]] = {"gsm8k": ("question", "answer"), "math": ("problem", "solution")}


def content_key(query: str, target: str) -> str:
    """"h:" + the first 16 hex digits of SHA-256 over query, a NUL, and target (UTF-8)."""
    data = (query + "\u0000" + target).encode("utf-8", "surrogatepass")
    return "h:" + hashlib.sha256(data).hexdigest()[:16]


def _id_string(value: Any) -> str:
    # JavaScript's String(number): integers without ".0"; the id field holds a string or a number.
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, (str, int, float)):
        raise ValueError(f"id field is {type(value).__name__}, expected a string or number")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, str) and value == "":
        raise ValueError("id field is empty")
    return str(value)


def record_fields(record: Mapping[str, Any], profile: str = "gsm8k", id_field: str | None = None) -> tuple[str, str, str | None]:
    """(query, target, id) of a dataset record under a named profile; ValueError naming a missing field."""
    if profile not in PROFILES:
        raise ValueError(f"unknown dataset profile '{profile}': expected gsm8k or math")
    query_field, target_field = PROFILES[profile]
    values = []
    for field in (query_field, target_field):
        value = record.get(field)
        if not isinstance(value, str):
            raise ValueError(f"field '{field}' is {'missing' if value is None else type(value).__name__}, expected a string")
        values.append(value)
    ident = None if id_field is None else _id_string(record.get(id_field))
    return values[0], values[1], ident


def example_key(query: str, target: str, ident: str | None = None) -> str:
    """The id when there is one, else the content hash."""
    return ident if ident is not None else content_key(query, target)


def unique_keys(keys: Iterable[str]) -> list[str]:
    """Keys in dataset order with repeats renamed "key#2", "key#3", … as the engine's KeyAssigner does."""
    seen: set[str] = set()
    repeats: dict[str, int] = {}
    out: list[str] = []
    for key in keys:
        unique = key
        if key in seen:
            n = repeats.get(key, 1)
            while True:
                n += 1
                unique = f"{key}#{n}"
                if unique not in seen:
                    break
            repeats[key] = n
        seen.add(unique)
        out.append(unique)
    return out


def dataset_keys(records: Iterable[Mapping[str, Any]], profile: str = "gsm8k", id_field: str | None = None) -> list[str]:
    """The unique keys of a whole dataset, in order."""
    return unique_keys(example_key(*record_fields(r, profile, id_field)) for r in records)


def keys_digest(keys: Iterable[str]) -> str:
    """"sha256:" + the first 16 hex digits of SHA-256 over the keys joined by newlines (scores records)."""
    return "sha256:" + hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16]
