import json
from pathlib import Path

from tests.conftest import CORPUS
from training.check_corpus import check_corpus, main


def _row(i: int, text: str, labels: list[str], **extra: object) -> str:
    base = {"id": f"tc-{i:04d}", "text": text, "labels": labels, "kind": "report", "topic": "test"}
    return json.dumps(base | extra)


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_project_corpus_passes_every_check(capsys: object) -> None:
    assert main([str(CORPUS)]) == 0


def test_schema_problems_are_reported_with_file_and_line(tmp_path: Path) -> None:
    corpus = _write(
        tmp_path / "c.jsonl",
        _row(1, "A delegation arrived.", []),
        _row(2, "We thank you.", ["thanks"]),
        "{broken",
        _row(4, "Fine text here.", [], kind="poem"),
    )
    problems = "\n".join(check_corpus([corpus]).problems)
    assert "c.jsonl:2: labels: Value error, unknown label(s) ['thanks']" in problems
    assert "c.jsonl:3: not JSON" in problems
    assert "c.jsonl:4: kind:" in problems


def test_duplicate_ids_exact_and_near_duplicates_are_found(tmp_path: Path) -> None:
    long = "The delegation of the friendly country arrived in Pyongyang on Monday for talks on trade and culture"
    corpus = _write(
        tmp_path / "c.jsonl",
        _row(1, long, []),
        _row(2, long.upper() + " ", []),
        _row(3, long.replace("Monday", "Tuesday"), []),
        _row(3, "Something else entirely.", []),
    )
    problems = check_corpus([corpus]).problems
    assert "id tc-0003 is used 2 times" in problems
    assert "same text in tc-0001, tc-0002" in problems
    assert any(p.startswith("near-duplicates tc-0001 ~ tc-0003") for p in problems)


def test_near_copies_of_an_evaluation_file_are_found(tmp_path: Path) -> None:
    text = "The spokesman said the exercise was an open declaration of confrontation and a grave provocation"
    corpus = _write(tmp_path / "c.jsonl", _row(1, text + " indeed.", ["hostility"]))
    other = _write(tmp_path / "dev.jsonl", json.dumps({"id": "d1", "text": text, "labels": ["hostility"]}))
    problems = check_corpus([corpus], against=[other]).problems
    assert any("tc-0001 is a near-copy of dev.jsonl d1" in p for p in problems)


def test_counts_below_the_minimum_fail(tmp_path: Path) -> None:
    corpus = _write(tmp_path / "c.jsonl", _row(1, "We thank you.", ["gratitude"]), _row(2, "Rain fell.", []))
    report = check_corpus([corpus], min_per_label=1, min_neutral=2)
    assert report.label_counts["gratitude"] == 1
    assert report.problems == [
        "hostility: 0 quotes, need 1",
        "self_reliance: 0 quotes, need 1",
        "neutral: 1 quotes, need 2",
    ]
