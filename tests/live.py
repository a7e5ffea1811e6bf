"""`python -m service` as a real process on loopback, for tests that need signals or a real socket."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_service(settings: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start the service with RHETORIC_* settings on a free port; yield its URL once /readyz is 200."""
    port = free_port()
    env = os.environ | {"RHETORIC_HOST": "127.0.0.1", "RHETORIC_PORT": str(port), **settings}
    process = subprocess.Popen(
        [sys.executable, "-m", "service"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"service did not become ready:\n{output}")
                time.sleep(0.1)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
