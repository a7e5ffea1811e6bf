import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(bundle_dir: Path, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = os.environ | {
        "RHETORIC_HOST": "127.0.0.1",
        "RHETORIC_PORT": str(port),
        "RHETORIC_MODEL_DIR": str(bundle_dir),
        "RHETORIC_WORKERS": str(request.param),
        "RHETORIC_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
    }
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
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"service did not become ready:\n{output}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_python_m_service_listens_where_the_environment_says_and_classifies(server: str) -> None:
    request = urllib.request.Request(
        f"{server}/v1/classify",
        data=json.dumps({"text": "The U.S. imperialists will pay dearly for their reckless war drills."}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.loads(response.read())
    assert body["results"][0]["labels"] == ["hostility"]
