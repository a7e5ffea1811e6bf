import gzip
import json
from pathlib import Path

import pytest

from training.corpus import LabelledQuote
from training.coverage import compare_vocabulary, is_english, main, read_stories


def _quote(i: int, text: str, labels: list[str]) -> LabelledQuote:
    return LabelledQuote.model_validate({"id": f"q{i}", "text": text, "labels": labels})


def _stories(tmp_path: Path) -> Path:
    english = [
        f"The hideous machinations of the enemy were exposed on day {i}. The delegation left by air." for i in range(40)
    ]
    spanish = ["El pueblo de la RPDC celebra el aniversario con gran entusiasmo y la unidad de todos."] * 40
    path = tmp_path / "real.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for text in english + spanish:
            out.write(json.dumps({"title": "t", "text": text}) + "\n")
    return path


def _corpus() -> list[LabelledQuote]:
    quotes = [_quote(i, "We repay the care with loyalty.", ["gratitude"]) for i in range(35)]
    quotes += [_quote(100 + i, f"The delegation left by air on day {i}.", []) for i in range(35)]
    return quotes


def test_words_real_text_uses_and_the_corpus_lacks_are_listed(tmp_path: Path) -> None:
    report = compare_vocabulary(read_stories(_stories(tmp_path)), _corpus(), min_count=30)
    missing = {entry.term: entry for entry in report.missing}
    assert {"machinations", "hideous", "exposed"} <= missing.keys()
    assert missing["machinations"].real_sentences == 40
    assert missing["machinations"].corpus_quotes == 0
    assert "delegation" not in missing  # used at the same rate in both
    assert (report.real_stories, report.skipped_stories, report.real_sentences) == (40, 40, 80)


def test_words_the_corpus_overuses_are_listed_with_their_labels(tmp_path: Path) -> None:
    report = compare_vocabulary(read_stories(_stories(tmp_path)), _corpus(), min_count=30)
    overused = {entry.term: entry for entry in report.overused}
    assert overused["repay"].corpus_quotes == 35
    assert overused["repay"].corpus_labels == {"gratitude": 35, "hostility": 0, "self_reliance": 0, "neutral": 0}
    assert "delegation" not in overused


def test_stories_in_other_languages_are_skipped() -> None:
    assert is_english("The delegation of the party left Pyongyang for talks with the government.")
    assert not is_english("El pueblo de la RPDC celebra el aniversario con gran entusiasmo.")


def test_the_cli_prints_counts_never_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "data"
    corpus.mkdir()
    lines = [q.model_dump_json() for q in _corpus()]
    (corpus / "c.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["--real", str(_stories(tmp_path)), "--data", str(corpus), "--min-count", "30"]) == 0
    out = capsys.readouterr().out
    assert "| machinations | 40 | 0 |" in out
    assert "| repay | 0 | 35 |" in out
    assert "machinations of the enemy" not in out


def test_a_file_without_text_fields_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no text here"}\n')
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(q.model_dump_json() for q in _corpus()) + "\n")
    assert main(["--real", str(bad), "--data", str(corpus)]) == 2
    assert "bad.jsonl:1: expected a JSON object with a text field" in capsys.readouterr().err


def test_phrases_show_a_habit_that_its_words_alone_hide(tmp_path: Path) -> None:
    real = [f"The workers built the plant by their own hands on day {i}." for i in range(2)]
    real += [f"Their hands were cold and their own plan was bold on day {i}." for i in range(38)]
    stories = tmp_path / "real.jsonl"
    stories.write_text("".join(json.dumps({"text": text}) + "\n" for text in real))
    quotes = [_quote(i, "We rebuilt the county with our own hands.", ["self_reliance"]) for i in range(35)]
    quotes += [_quote(100 + i, f"Their hands and their own plan on day {i}.", []) for i in range(35)]
    by_word = compare_vocabulary(read_stories(stories), quotes, min_count=30)
    by_phrase = compare_vocabulary(read_stories(stories), quotes, min_count=30, ngram=2)
    overused_words = {e.term for e in by_word.overused}
    assert "own" not in overused_words
    assert "hands" not in overused_words
    own_hands = {e.term: e for e in by_phrase.overused}["own hands"]
    assert (own_hands.real_sentences, own_hands.corpus_quotes) == (2, 35)
    assert own_hands.corpus_labels["self_reliance"] == 35


def test_an_ngram_below_one_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(q.model_dump_json() for q in _corpus()) + "\n")
    assert main(["--real", str(_stories(tmp_path)), "--data", str(corpus), "--ngram", "0"]) == 2
    assert "ngram must be at least 1" in capsys.readouterr().err
