import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import running_service


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(bundle_dir: Path, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    settings = {
        "RHETORIC_MODEL_DIR": str(bundle_dir),
        "RHETORIC_WORKERS": str(request.param),
        "RHETORIC_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
    }
    with running_service(settings) as (base, _):
        yield base


def test_python_m_service_listens_where_the_environment_says_and_classifies(server: str) -> None:
    request = urllib.request.Request(
        f"{server}/v1/classify",
        data=json.dumps({"text": "The U.S. imperialists will pay dearly for their reckless war drills."}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.loads(response.read())
    assert body["results"][0]["labels"] == ["hostility"]
