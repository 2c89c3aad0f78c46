"""Scoring throughput of `premem score` against a real vLLM server (the CPU build, tiny Llama trained here) and
against the reference server of the tests (an n-gram model), on the same examples and settings: records per
second, requests per record by route, and the mean length of a sample.

    npm run build && bash scripts/setup-vllm.sh
    .venv-vllm/bin/python bench/vllm_scoring.py [--rows 96] [--k 4] [--max-tokens 160] [--batch 16] [--concurrency 64]

Each server is started, scored against once and stopped; nothing else of the job differs. The two models
generate texts of different lengths, so the sample length is reported beside the rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python" / "tests_vllm"))

import tiny_checkpoints  # noqa: E402
from vllm_server import serve, why_vllm_cannot_run  # noqa: E402

ACCESS_LINE = re.compile(r'"(GET|POST) (/[^ ?"]*)[^"]* HTTP/1\.1" (\d+)')


def run_cli(out: Path, name: str, endpoint: str, model: str, args: argparse.Namespace) -> tuple[float, list[dict[str, Any]]]:
    """Scores every row at one checkpoint; returns the wall time of the CLI and the example records."""
    config = {"dataset": "rows.jsonl", "profile": "gsm8k", "output": f"{name}.premem.jsonl",
              "scoring": {"flavour": "vllm", "endpoints": [endpoint], "checkpoints": [{"id": "base", "model": model}], "k": args.k,
                          "maxTokens": args.max_tokens, "seed": None, "batchSize": args.batch, "concurrency": args.concurrency}}
    (out / f"{name}.json").write_text(json.dumps(config), "utf-8")
    start = time.perf_counter()
    done = subprocess.run(["node", str(ROOT / "bin" / "premem.js"), "score", "--config", str(out / f"{name}.json"), "--run", name, "--quiet"],
                          capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"premem score against {name} failed:\n{done.stderr}")
    records = [json.loads(line) for line in (out / f"{name}.premem.jsonl").read_text("utf-8").splitlines()]
    return seconds, [r for r in records if r.get("type") == "example"]


def reference(out: Path, args: argparse.Namespace) -> tuple[float, list[dict[str, Any]], Counter[str]]:
    server = subprocess.Popen(["node", "--import", "tsx", str(ROOT / "test" / "support" / "reference-server.ts"), "--dataset", str(out / "rows.jsonl"),
                               "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline() if server.stdout else ""
        url = line.strip().rsplit(" ", 1)[-1]
        if not url.startswith("http://127.0.0.1:"):
            raise SystemExit(f"the reference server did not start: {line!r}")
        seconds, records = run_cli(out, "reference", url, "base", args)
        with urllib.request.urlopen(url + "/stats") as answer:
            by_route = json.load(answer)["byRoute"]
        return seconds, records, Counter(by_route)
    finally:
        server.terminate()
        server.wait()


def vllm(out: Path, base: Path, args: argparse.Namespace) -> tuple[float, list[dict[str, Any]], Counter[str], float]:
    log = out / "vllm.log"
    started = time.perf_counter()
    with serve(base, log) as url:
        startup = time.perf_counter() - started
        seconds, records = run_cli(out, "vllm", url, str(base), args)
    by_route = Counter(m.group(2) for m in ACCESS_LINE.finditer(log.read_text(errors="replace")))
    return seconds, records, by_route, startup


def report(name: str, seconds: float, records: list[dict[str, Any]], by_route: Counter[str]) -> dict[str, Any]:
    samples = [s for r in records for s in r["samples"]]
    scoring = {route: n for route, n in by_route.items() if route in ("/tokenize", "/v1/completions")}
    row = {"server": name, "records": len(records), "seconds": round(seconds, 2), "records_per_s": round(len(records) / seconds, 1),
           "requests_per_record": round(sum(scoring.values()) / len(records), 2), "requests": dict(sorted(by_route.items())),
           "mean_sample_chars": round(sum(map(len, samples)) / len(samples))}
    print(json.dumps(row))
    return row


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=96)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    reason = why_vllm_cannot_run()
    if reason:
        raise SystemExit(f"vllm_scoring: {reason}")
    from transformers import AutoTokenizer

    with tempfile.TemporaryDirectory(prefix="premem-vllm-bench-") as tmp:
        out = Path(tmp)
        folders = tiny_checkpoints.build(out / "checkpoints")
        tokenizer = AutoTokenizer.from_pretrained(folders["base"])
        rows = tiny_checkpoints.short_rows(tokenizer, tiny_checkpoints.helpers().gsm8k_rows(0, 200))[: args.rows]
        (out / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
        print(json.dumps({"cpu": cpu_model(), "cpus": os.cpu_count(), "load": os.getloadavg(), "rows": len(rows),
                          "k": args.k, "max_tokens": args.max_tokens, "batch": args.batch, "concurrency": args.concurrency}))
        report("reference (n-gram)", *reference(out, args))
        seconds, records, by_route, startup = vllm(out, folders["base"], args)
        print(json.dumps({"vllm_startup_s": round(startup, 1)}))
        report("vLLM CPU 0.32.0", seconds, records, by_route)


if __name__ == "__main__":
    main()
