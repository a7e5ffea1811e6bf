import http.client
import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rhetoric.feedback import FeedbackStore, database_url
from rhetoric.labels import Label
from service import Settings, create_app
from tests.conftest import CORPUS, FAST_SEARCH
from tests.live import running_service
from tests.postgres import temporary_postgres
from training.corpus import read_labelled
from training.feedback import as_corpus_quotes, latest_corrections
from training.feedback import main as feedback_main
from training.train import train

KEY = "feedback-admin-key"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with temporary_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    if request.param == "sqlite":
        url = database_url(None, tmp_path / "feedback.sqlite3")
    else:
        url = request.getfixturevalue("postgres_url")
    opened = FeedbackStore(url)
    opened.migrate()
    yield opened
    if request.param == "postgresql":
        with opened.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE feedback; DROP TABLE rhetoric_migrations")
    opened.close()


def test_migrations_apply_once_and_record_the_schema_version(store: FeedbackStore) -> None:
    assert store.schema_version() == 1
    assert store.migrate() == []
    reopened = FeedbackStore(store.url)
    assert reopened.migrate() == []
    reopened.close()


def test_corrections_are_stored_and_paged_in_order(store: FeedbackStore) -> None:
    first = store.add("We thank you.", ["gratitude"], "v1", {"gratitude": 0.4, "hostility": 0.1, "self_reliance": 0.0})
    second = store.add("Rain fell.", [], annotator="ana")
    third = store.add("We rely on ourselves.", ["self_reliance", "gratitude"])
    assert [r.id for r in store.page(0, 2)] == [first.id, second.id]
    assert [r.id for r in store.page(second.id, 2)] == [third.id]
    assert store.page(third.id) == []
    assert store.count() == 3
    stored = store.page(0, 1)[0]
    assert stored.scores == {"gratitude": 0.4, "hostility": 0.1, "self_reliance": 0.0}
    assert stored.model_version == "v1"
    assert stored.created.tzinfo is not None
    assert store.page(second.id)[0].labels == ["gratitude", "self_reliance"]  # canonical order
    assert [r.id for r in store.all(batch=1)] == [first.id, second.id, third.id]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    keyed = Settings(model_dir=settings.model_dir, feedback_db=settings.feedback_db, admin_api_key=KEY)
    with TestClient(create_app(keyed)) as test_client:
        yield test_client


def test_feedback_is_acknowledged_with_its_id_and_listed_to_admins(client: TestClient) -> None:
    version = client.get("/v1/model").json()["version"]
    body = {"text": "We will rebuild by ourselves.", "labels": ["self_reliance"], "model_version": version}
    created = client.post("/v1/feedback", json=body)
    assert created.status_code == 201
    record = created.json()
    assert record["id"] >= 1
    assert record["labels"] == ["self_reliance"]
    assert record["model_version"] == version
    client.post("/v1/feedback", json={"text": "Rain fell.", "labels": []})
    page = client.get("/v1/feedback", params={"limit": 1}, headers={"x-api-key": KEY}).json()
    assert [item["text"] for item in page["items"]] == ["We will rebuild by ourselves."]
    after = page["next_after"]
    rest = client.get("/v1/feedback", params={"after": after}, headers={"x-api-key": KEY}).json()
    assert [item["text"] for item in rest["items"]] == ["Rain fell."]
    assert rest["next_after"] is None


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), ({"x-api-key": "nope"}, 403)], ids=["missing-key", "wrong-key"]
)
def test_listing_feedback_needs_the_admin_key(client: TestClient, headers: dict[str, str], status: int) -> None:
    client.post("/v1/feedback", json={"text": "Secret correction.", "labels": []})
    response = client.get("/v1/feedback", headers=headers)
    assert response.status_code == status
    assert "Secret correction" not in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "x", "labels": ["joy"]}, "labels[0]: Input should be 'gratitude', 'hostility' or 'self_reliance'"),
        ({"text": "x", "labels": ["hostility", "hostility"]}, "each label at most once"),
        ({"text": "  ", "labels": []}, "text: text is empty or whitespace only"),
        ({"labels": []}, "text: Field required"),
        ({"text": "x"}, "labels: Field required"),
        ({"text": "x", "labels": [], "scores": {"gratitude": 2}}, "scores.gratitude"),
    ],
)
def test_bad_feedback_is_refused_and_not_stored(client: TestClient, body: object, message: str) -> None:
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    listed = client.get("/v1/feedback", headers={"x-api-key": KEY}).json()["items"]
    assert listed == []


@pytest.mark.parametrize("configured_by", ["database_url", "feedback_db"])
def test_without_a_usable_store_feedback_says_so_and_classify_still_works(
    bundle_dir: Path, tmp_path: Path, configured_by: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    unusable = blocker / "x" / "db.sqlite3"
    settings = (
        Settings(model_dir=bundle_dir, database_url="sqlite:///" + str(unusable))
        if configured_by == "database_url"
        else Settings(model_dir=bundle_dir, feedback_db=unusable)
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/feedback", json={"text": "x", "labels": []})
        assert response.status_code == 503
        assert "feedback store unavailable" in response.json()["detail"]
        assert client.post("/v1/classify", json={"text": "We thank you."}).status_code == 200
        assert client.get("/readyz").status_code == 200


def test_a_killed_server_loses_no_acknowledged_correction(bundle_dir: Path, tmp_path: Path) -> None:
    database = tmp_path / "feedback.sqlite3"
    settings = {"RHETORIC_MODEL_DIR": str(bundle_dir), "RHETORIC_FEEDBACK_DB": str(database)}
    with running_service(settings | {"RHETORIC_LOG_LEVEL": "warning"}) as (base, process):
        acknowledged = _write_until_killed(base, process)
    reopened = FeedbackStore(database_url(None, database))
    stored = {record.id: record.text for record in reopened.all()}
    reopened.close()
    assert len(acknowledged) >= 150
    assert all(stored.get(record_id) == text for record_id, text in acknowledged)


def _write_until_killed(base: str, process: subprocess.Popen[bytes]) -> list[tuple[int, str]]:
    """Three writers post corrections; after 150 acknowledgements the server gets SIGKILL."""
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()

    def write(worker: int) -> None:
        for n in range(100_000):
            text = f"correction {worker}-{n}"
            request = urllib.request.Request(
                f"{base}/v1/feedback",
                data=json.dumps({"text": text, "labels": ["hostility"]}).encode(),
                headers={"content-type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    record = json.loads(response.read())
            except (urllib.error.URLError, http.client.HTTPException, OSError):
                return  # the server died before the whole answer arrived: not acknowledged
            with lock:
                acknowledged.append((record["id"], text))

    writers = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for writer in writers:
        writer.start()
    while len(acknowledged) < 150:
        assert all(w.is_alive() for w in writers), "a writer stopped early"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    for writer in writers:
        writer.join(timeout=10)
    return acknowledged


def test_export_keeps_the_latest_correction_of_each_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(database_url(None, database))
    store.migrate()
    store.add("The talks ended.", ["hostility"])
    store.add("We thank you.", ["gratitude"])
    store.add("The  talks ended. ", [])
    store.close()
    out = tmp_path / "export.jsonl"
    assert feedback_main(["export", "--sqlite", str(database), "--out", str(out)]) == 0
    assert "wrote 2 corrections" in capsys.readouterr().out
    quotes = read_labelled(out, strict=True).quotes
    assert [(q.text, q.labels) for q in quotes] == [("We thank you.", ["gratitude"]), ("The  talks ended. ", [])]


def test_retraining_merges_feedback_and_the_latest_label_of_a_text_wins(tmp_path: Path) -> None:
    lines = [line for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text().splitlines()][::10]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n")
    corrected = json.loads(lines[0])
    database = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(database_url(None, database))
    store.migrate()
    flipped: list[Label] = [] if corrected["labels"] else ["hostility"]
    store.add(corrected["text"], flipped)
    store.add("A quote the corpus never had, about puppets who will pay dearly.", ["hostility"])
    feedback = as_corpus_quotes(latest_corrections(store.all()))
    store.close()
    result = train([corpus], tmp_path / "model", search_space=FAST_SEARCH, folds=3, feedback=feedback)
    data = result.card.training_data
    assert [f.path for f in data.files][-1] == "feedback (live)"
    assert data.files[-1].quotes == 2
    assert data.quotes == len(lines) + 1  # one corpus text replaced by its correction, one new text
