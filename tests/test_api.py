from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rhetoric.labels import LABELS
from service import Settings, create_app

HOSTILE = "The puppet traitors will pay dearly for their reckless provocation against our dignity."
GRATEFUL = "I sincerely thank you for the warm sympathy and the readiness to help us."
NEUTRAL = "The delegation left Pyongyang by air on Tuesday for a visit to Laos."


def _classify(client: TestClient, body: object) -> Any:
    response = client.post("/v1/classify", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_classify_one_text_returns_model_labels_and_scores(client: TestClient, bundle_dir: Path) -> None:
    body = _classify(client, {"text": HOSTILE})
    card = client.get("/v1/model").json()
    assert body["model"] == {"name": card["name"], "version": card["version"]}
    [result] = body["results"]
    assert set(result["scores"]) == set(LABELS)
    assert all(0.0 <= p <= 1.0 for p in result["scores"].values())
    assert result["labels"] == [label for label in LABELS if result["scores"][label] >= card["thresholds"][label]]
    assert "hostility" in result["labels"]


def test_classify_batch_keeps_order_and_matches_single_calls(client: TestClient) -> None:
    texts = [HOSTILE, GRATEFUL, NEUTRAL]
    batch = _classify(client, {"texts": texts})["results"]
    singles = [_classify(client, {"text": text})["results"][0] for text in texts]
    assert batch == singles
    assert [r["labels"] for r in batch] == [["hostility"], ["gratitude"], []]


def test_model_endpoint_returns_the_verified_card(client: TestClient) -> None:
    card = client.get("/v1/model").json()
    assert card["labels"] == list(LABELS)
    assert set(card["thresholds"]) == set(LABELS)
    assert len(card["artifact"]["sha256"]) == 64
    assert "cross_validation" in card["metrics"]


def test_health_and_readiness_with_a_model(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_without_a_model_the_service_is_live_but_not_ready(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(model_dir=tmp_path / "absent", feedback_db=tmp_path / "fb.sqlite3"))) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "python -m training.train" in ready.json()["reason"]
        refused = client.post("/v1/classify", json={"text": NEUTRAL})
        assert refused.status_code == 503
        assert "no model loaded" in refused.json()["detail"]
        assert client.get("/v1/model").status_code == 503


def test_openapi_documents_the_request_limits(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    operation = client.get("/openapi.json").json()["paths"]["/v1/classify"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    texts = next(option for option in schema["properties"]["texts"]["anyOf"] if option.get("type") == "array")
    assert texts["maxItems"] == 1000
    assert texts["items"]["maxLength"] == 10000


@pytest.fixture
def small_limits_client(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"max_texts": 3, "max_text_chars": 50, "max_body_bytes": 2048})
    with TestClient(create_app(limited)) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"text": ""}, "text", "String should have at least 1 character"),
        ({"text": "   \n\t "}, "text", "text is empty or whitespace only"),
        ({"texts": ["fine", " "]}, "texts[1]", "text is empty or whitespace only"),
        ({"text": "x" * 51}, "text", "text has 51 characters; the limit is 50"),
        ({"texts": ["a", "b", "c", "d"]}, "texts", "4 texts in one request; the limit is 3"),
        ({"text": 5}, "text", "valid string"),
        ({"texts": "one string"}, "texts", "valid array"),
        ({"texts": ["ok", 7]}, "texts[1]", "valid string"),
        ({}, "body", "give exactly one of 'text'"),
        ({"text": "a", "texts": ["b"]}, "body", "give exactly one of 'text'"),
        ({"texts": []}, "body", "'texts' is empty"),
        ({"text": "a", "lang": "en"}, "lang", "unknown field"),
        ([{"text": "a"}], "body", "Input should be an object"),
        ("just a string", "body", "Input should be an object"),
    ],
)
def test_invalid_bodies_get_422_naming_the_problem(
    small_limits_client: TestClient, body: object, where: str, message: str
) -> None:
    response = small_limits_client.post("/v1/classify", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("invalid request: ")
    assert f"{where}: " in detail
    assert message in detail


@pytest.mark.parametrize(
    ("content", "headers", "status", "message"),
    [
        (b'{"text": ', {"content-type": "application/json"}, 400, "body is not valid JSON: Expecting value"),
        (b'{"text": "caf\xe9"}', {"content-type": "application/json"}, 400, "not valid UTF-8: byte 0xe9 at offset"),
        (b"", {"content-type": "application/json"}, 400, "body is empty"),
        (b"[" * 100_000 + b"]" * 100_000, {"content-type": "application/json"}, 400, "nests too deeply"),
        (b'{"text": "a"}', {"content-type": "text/plain"}, 415, "content type is text/plain"),
        (b'{"text": "a"}', {}, 415, "content type is none"),
        (b'{"text": "a"}', {"content-type": "application/json; charset=latin-1"}, 415, "charset is latin-1"),
    ],
)
def test_unreadable_bodies_get_a_4xx_naming_the_problem(
    client: TestClient, content: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    response = client.post("/v1/classify", content=content, headers=headers)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_a_body_over_the_size_limit_gets_413_before_it_is_parsed(small_limits_client: TestClient) -> None:
    response = small_limits_client.post("/v1/classify", json={"texts": ["word " * 1000]})
    assert response.status_code == 413
    assert "the limit is 2048" in response.json()["detail"]


def test_a_streamed_body_over_the_size_limit_gets_413(small_limits_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1024

    response = small_limits_client.post(
        "/v1/classify",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "exceeds the limit of 2048 bytes" in response.json()["detail"]


def test_wrong_method_and_unknown_path_are_json_4xx(client: TestClient) -> None:
    assert client.get("/v1/classify").status_code == 405
    missing = client.get("/v2/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found", "errors": []}


def test_a_charset_utf8_json_body_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/v1/classify",
        content='{"text": "Les marionnettes \u2014 \u00e9chec"}'.encode(),
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 200


def test_classify_with_explain_returns_features_with_spans(client: TestClient) -> None:
    body = _classify(client, {"text": HOSTILE, "explain": True})
    [result] = body["results"]
    hostility = result["explanation"]["hostility"]
    assert hostility["up"], "no feature raised the hostility score"
    for evidence in hostility["up"]:
        assert evidence["contribution"] > 0
        assert all(
            HOSTILE[a:b].lower() == evidence["feature"] for a, b in evidence["spans"] if evidence["kind"] == "word"
        )
    assert "explanation" not in _classify(client, {"text": HOSTILE})["results"][0]


def test_analyze_returns_units_with_offsets_speakers_and_a_summary(client: TestClient) -> None:
    article = (Path(__file__).parent / "fixtures" / "wire_story.txt").read_text(encoding="utf-8")
    response = client.post(
        "/v1/analyze", json={"text": article, "title": "Kim answers aid offer", "published": "2024-08-03"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Kim answers aid offer"
    assert body["published"] == "2024-08-03"
    card = client.get("/v1/model").json()
    assert body["model"] == {"name": card["name"], "version": card["version"]}
    for unit in body["units"]:
        assert article[unit["start"] : unit["end"]] == unit["text"]
        assert set(unit["scores"]) == set(LABELS)
    kinds = {u["kind"] for u in body["units"]}
    assert kinds == {"quote", "reported", "narration"}
    assert body["summary"]["units"] == len(body["units"])
    assert body["summary"]["by_speaker"]["Kim"]["units"] >= 3


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": "  "}, 422, "text: text is empty or whitespace only"),
        ({"text": "x" * 101}, 422, "text has 101 characters; the limit is 100"),
        ({"text": "ok", "published": "yesterday"}, 422, "published: "),
        ({"text": "ok", "author": "me"}, 422, "author: unknown field"),
        ({}, 422, "text: Field required"),
    ],
)
def test_analyze_refuses_bad_requests_naming_the_field(
    settings: Settings, body: object, status: int, message: str
) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_article_chars": 100}))) as client:
        response = client.post("/v1/analyze", json=body)
    assert response.status_code == status
    assert message in response.json()["detail"]
