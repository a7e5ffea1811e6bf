import json
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from rhetoric import registry
from rhetoric.bundle import ARTIFACT_FILE, load_bundle
from service import Settings, create_app
from tests.conftest import CORPUS, FAST_SEARCH
from tests.live import running_service
from training import registry as registry_cli
from training.train import main as train_main
from training.train import train

PROBES = [
    "We sincerely thank the fraternal people for the relief goods.",
    "The puppet warmongers will pay dearly for their provocation.",
    "We will rebuild the villages with our own hands and local materials.",
    "The delegation left Pyongyang on Tuesday.",
]
KEY = "s3cret-admin-key"


def _subset(directory: Path, step: int) -> Path:
    lines = [line for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text().splitlines()]
    path = directory / f"every-{step}.jsonl"
    path.write_text("\n".join(lines[::step]) + "\n")
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry with two bundles trained on different data: 'v1' (smaller) and 'v2'."""
    scratch = tmp_path_factory.mktemp("data")
    root = tmp_path_factory.mktemp("models")
    train([_subset(scratch, 12)], root / "v1", search_space=FAST_SEARCH, folds=3, version="v1")
    train([_subset(scratch, 4)], root / "v2", search_space=FAST_SEARCH, folds=3, version="v2")
    return root


@pytest.fixture
def fresh_registry(models: Path, tmp_path: Path) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    for name in ("v1", "v2"):
        shutil.copytree(models / name, root / name)
    registry.promote(root, "v1")
    return root


def _scores(root: Path, name: str) -> list[list[float]]:
    result: list[list[float]] = load_bundle(root / name).pipeline.predict_proba(PROBES).tolist()
    return result


def _served_scores(client: TestClient) -> list[list[float]]:
    results = client.post("/v1/classify", json={"texts": PROBES}).json()["results"]
    return [[r["scores"][label] for label in ("gratitude", "hostility", "self_reliance")] for r in results]


def _reload(client: TestClient, key: str | None = KEY) -> Any:
    return client.post("/v1/admin/reload", headers={"x-api-key": key} if key else {})


def test_promotion_moves_the_pointer_and_rollback_returns(fresh_registry: Path) -> None:
    assert registry.current(fresh_registry) == "v1"
    registry.promote(fresh_registry, "v2")
    assert registry.current(fresh_registry) == "v2"
    assert registry.rollback(fresh_registry) == "v1"
    assert registry.current(fresh_registry) == "v1"
    assert registry.history(fresh_registry) == [("promote", "v1"), ("promote", "v2"), ("rollback", "v1")]
    with pytest.raises(Exception, match="nothing to roll back to"):
        registry.rollback(fresh_registry)


def test_a_worse_candidate_is_not_promoted_unless_tolerated(fresh_registry: Path) -> None:
    registry.promote(fresh_registry, "v2")
    promoted, rows = registry_cli.promote_if_not_worse(fresh_registry, "v1")
    assert not promoted
    assert rows[0].candidate < rows[0].current
    assert registry.current(fresh_registry) == "v2"
    promoted, _ = registry_cli.promote_if_not_worse(fresh_registry, "v1", tolerance=1.0)
    assert promoted
    assert registry.current(fresh_registry) == "v1"


def test_training_into_a_registry_leaves_the_bundle_in_use_alone(fresh_registry: Path, tmp_path: Path) -> None:
    data = _subset(tmp_path, 20)
    args = ["--data", str(data), "--registry", str(fresh_registry), "--version", "v3", "--folds", "3"]
    assert train_main([*args, "--holdout", "0", "--report", str(tmp_path / "reports")]) == 0
    assert (fresh_registry / "v3" / ARTIFACT_FILE).is_file()
    assert registry.current(fresh_registry) == "v1"
    assert not [p for p in fresh_registry.iterdir() if p.name.startswith(".building")]


def test_reload_swaps_in_the_promoted_bundle_and_rollback_restores_predictions(fresh_registry: Path) -> None:
    settings = Settings(model_dir=fresh_registry, admin_api_key=KEY, feedback_db=fresh_registry / "fb.sqlite3")
    with TestClient(create_app(settings)) as client:
        first = _served_scores(client)
        np.testing.assert_allclose(first, _scores(fresh_registry, "v1"), atol=1e-9)
        registry.promote(fresh_registry, "v2")
        response = _reload(client)
        assert response.status_code == 200
        assert response.json() == {
            "previous": {"name": "rhetoric-tfidf-logreg", "version": "v1"},
            "serving": {"name": "rhetoric-tfidf-logreg", "version": "v2"},
        }
        assert client.get("/v1/model").json()["version"] == "v2"
        np.testing.assert_allclose(_served_scores(client), _scores(fresh_registry, "v2"), atol=1e-9)
        registry.rollback(fresh_registry)
        assert _reload(client).status_code == 200
        assert _served_scores(client) == first


def test_a_tampered_bundle_is_refused_and_the_old_one_keeps_serving(fresh_registry: Path) -> None:
    settings = Settings(model_dir=fresh_registry, admin_api_key=KEY, feedback_db=fresh_registry / "fb.sqlite3")
    with TestClient(create_app(settings)) as client:
        before = _served_scores(client)
        artifact = fresh_registry / "v2" / ARTIFACT_FILE
        artifact.write_bytes(artifact.read_bytes()[:-100])
        registry.promote(fresh_registry, "v2")
        response = _reload(client)
        assert response.status_code == 409
        assert "reload refused, still serving v1" in response.json()["detail"]
        assert client.get("/v1/model").json()["version"] == "v1"
        assert client.get("/readyz").status_code == 200
        assert _served_scores(client) == before


@pytest.mark.parametrize(
    ("configured", "sent", "status", "message"),
    [
        (None, KEY, 403, "admin endpoints are disabled"),
        (KEY, None, 401, "X-API-Key"),
        (KEY, "wrong", 403, "wrong admin key"),
        (KEY, KEY[:-1], 403, "wrong admin key"),
    ],
)
def test_admin_endpoints_need_the_right_key(
    fresh_registry: Path, configured: str | None, sent: str | None, status: int, message: str
) -> None:
    with TestClient(
        create_app(
            Settings(model_dir=fresh_registry, admin_api_key=configured, feedback_db=fresh_registry / "fb.sqlite3")
        )
    ) as client:
        response = _reload(client, sent)
        assert response.status_code == status
        body = response.json()
        assert message in body["detail"]
        assert "serving" not in body


@pytest.fixture
def live_server(fresh_registry: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    settings = {
        "RHETORIC_MODEL_DIR": str(fresh_registry),
        "RHETORIC_ADMIN_API_KEY": KEY,
        "RHETORIC_FEEDBACK_DB": str(fresh_registry / "fb.sqlite3"),
        "RHETORIC_LOG_LEVEL": "warning",
    }
    with running_service(settings) as running:
        yield running


def _post(url: str, body: object, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def _version(base: str) -> str:
    with urllib.request.urlopen(f"{base}/v1/model", timeout=5) as response:
        version: str = json.loads(response.read())["version"]
        return version


def test_reloads_under_load_fail_no_request(
    live_server: tuple[str, subprocess.Popen[bytes]], fresh_registry: Path
) -> None:
    base, _ = live_server
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set() and len(statuses) < 2000:
            statuses.append(_post(f"{base}/v1/classify", {"texts": PROBES}))

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for worker in workers:
        worker.start()
    for name in ("v2", "v1", "v2", "v1", "v2"):
        registry.promote(fresh_registry, name)
        assert _post(f"{base}/v1/admin/reload", {}, {"x-api-key": KEY}) == 200
        time.sleep(0.2)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    assert len(statuses) > 50
    assert set(statuses) == {200}
    assert _version(base) == "v2"


def test_sighup_reloads_the_pointed_bundle(
    live_server: tuple[str, subprocess.Popen[bytes]], fresh_registry: Path
) -> None:
    base, process = live_server
    assert _version(base) == "v1"
    registry.promote(fresh_registry, "v2")
    process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while _version(base) != "v2":
        assert time.monotonic() < deadline, "SIGHUP did not reload the model"
        time.sleep(0.1)
