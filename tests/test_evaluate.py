import json
from pathlib import Path

import numpy as np
import pytest

from rhetoric.labels import LABELS
from training.corpus import LabelledQuote, ReaderLabels, label_matrix
from training.evaluate import build_evaluation, main, reading_parts_table, write_report
from training.lexicon import lexicon_predict
from training.metrics import MACRO, bootstrap_f1_intervals

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _quotes(*labels: list[str]) -> list[LabelledQuote]:
    return [LabelledQuote(id=f"q{i}", text=f"quote number {i}", labels=lab) for i, lab in enumerate(labels)]


def test_lexicon_tells_thanking_from_crediting() -> None:
    predicted = lexicon_predict(
        [
            "We thank the Chinese comrades for their support.",
            "Thanks to the wise leadership, new houses were built.",
            "The puppet warmongers will pay dearly.",
            "The plant runs on local raw materials and our own technology.",
            "It rained in Pyongyang on Monday.",
        ]
    )
    assert predicted.tolist() == [[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_evaluation_scores_model_and_baselines_on_the_same_quotes() -> None:
    quotes = _quotes(["gratitude"], ["hostility"], ["self_reliance"], [], ["gratitude", "hostility"])
    truth = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 0]])
    scores = truth * 0.9 + 0.05
    evaluation = build_evaluation("unit", quotes, scores, dict.fromkeys(LABELS, 0.5))
    assert evaluation.model.metrics.macro_f1 == 1.0
    assert evaluation.brier == dict.fromkeys(LABELS, 0.0025)
    assert [s.name for s in evaluation.baselines] == ["keyword lexicon", "majority (always neutral)"]
    assert evaluation.baselines[1].metrics.macro_f1 == 0.0
    assert evaluation.baselines[1].metrics.exact_match == 0.2
    assert all(sum(b.quotes for b in bins) == 5 for bins in evaluation.reliability.values())


def test_f1_intervals_bracket_the_figure_and_narrow_with_more_quotes() -> None:
    rng = np.random.default_rng(3)
    truth = (rng.random((400, 3)) < 0.3).astype(int)
    predicted = np.where(rng.random(truth.shape) < 0.85, truth, 1 - truth)
    wide = bootstrap_f1_intervals(truth[:100], predicted[:100])
    narrow = bootstrap_f1_intervals(truth, predicted)
    evaluation = build_evaluation("unit", _quotes(*[[]] * 400), predicted.astype(float), dict.fromkeys(LABELS, 0.5))
    for i, label in enumerate(LABELS):
        low, high = narrow[label]
        tp = int((truth[:, i] & predicted[:, i]).sum())
        f1 = 2 * tp / (truth[:, i].sum() + predicted[:, i].sum())
        assert low < f1 < high
        assert high - low < wide[label][1] - wide[label][0]
    assert narrow[MACRO][0] < narrow[MACRO][1]
    assert bootstrap_f1_intervals(truth, predicted) == narrow  # a fixed seed: the same report every run
    assert evaluation.f1_intervals.keys() == {*LABELS, MACRO}


def test_perfect_predictions_have_no_spread() -> None:
    truth = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]] * 10)
    assert set(bootstrap_f1_intervals(truth, truth).values()) == {(1.0, 1.0)}


def test_report_links_its_figures_and_lists_the_worst_errors(tmp_path: Path) -> None:
    quotes = _quotes(["gratitude"], [], ["hostility"], [], ["self_reliance"], [])
    scores = np.array(
        [[0.2, 0.1, 0.1], [0.95, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.3, 0.1], [0.1, 0.1, 0.7], [0.1, 0.1, 0.2]]
    )
    report = write_report(build_evaluation("unit", quotes, scores, dict.fromkeys(LABELS, 0.5)), tmp_path / "r")
    text = report.read_text()
    for figure in ("precision_recall.png", "reliability.png", "confusion.png"):
        assert f"]({figure})" in text
        assert (tmp_path / "r" / figure).read_bytes().startswith(PNG_SIGNATURE)
    assert "| keyword lexicon |" in text
    assert "95% bootstrap intervals over 1,000 resamples" in text
    false_positives = text.split("### gratitude: false positives")[1].split("###")[0]
    assert "| 0.950 | neutral | q1 |" in false_positives
    false_negatives = text.split("### gratitude: false negatives")[1].split("###")[0]
    assert "| 0.200 | gratitude | q0 |" in false_negatives


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


EVAL_ROWS: list[dict[str, object]] = [
    {"id": "a", "text": "We sincerely thank you for the relief goods you sent.", "labels": ["gratitude"]},
    {"id": "b", "text": "The puppet traitors will pay dearly for this provocation.", "labels": ["hostility"]},
    {"id": "c", "text": "The delegation left by air on Monday.", "labels": []},
]


def test_evaluate_cli_prints_the_table_and_writes_the_report(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_jsonl(tmp_path / "labelled.jsonl", EVAL_ROWS)
    assert main(["--model", str(bundle_dir), "--data", str(data), "--report", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert "| keyword lexicon |" in out
    assert "| majority (always neutral) | 0.000 | 0.000 | 0.000 | 0.000 |" in out
    assert (tmp_path / "report" / "report.md").is_file()


def test_evaluate_cli_refuses_a_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text(json.dumps({"id": "a", "text": "Text.", "labels": []}) + "\n")
    assert main(["--model", str(tmp_path / "none"), "--data", str(data)]) == 2
    assert "python -m training.train" in capsys.readouterr().err


def test_a_second_reading_is_scored_against_the_data_beside_the_model(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_jsonl(tmp_path / "labelled.jsonl", EVAL_ROWS)
    # The other reader lists the quotes in another order, and also calls the thanks line hostile.
    reading = _write_jsonl(
        tmp_path / "reader2.jsonl",
        [
            {"id": "c", "labels": []},
            {"id": "a", "labels": ["gratitude", "hostility"], "note": "unsure"},
            {"id": "b", "labels": ["hostility"]},
        ],
    )
    report = tmp_path / "report"
    assert (
        main(["--model", str(bundle_dir), "--data", str(data), "--annotations", str(reading), "--report", str(report)])
        == 0
    )
    out = capsys.readouterr().out
    # gratitude 1/1, hostility 2 predicted for 1 true (F1 2/3), self_reliance none anywhere; 2 of 3 rows exact.
    assert "| second reading (reader2.jsonl) | 1.000 | 0.667 | 0.000 | 0.556 | 0.800 | 0.667 |" in out
    assert "| second reading (reader2.jsonl) |" in (report / "report.md").read_text()
    assert "marked unsure" not in out  # nobody hesitated, so there is nothing to split


def test_quotes_a_reader_marked_unsure_are_scored_apart() -> None:
    quotes = _quotes(["gratitude"], ["hostility"], [], ["self_reliance"], [])
    truth = label_matrix(quotes)
    # The model is right where the reader was sure, and wrong on the two quotes they hesitated over.
    scores = (truth * 0.9 + 0.05).astype(np.float64)
    scores[3, 2], scores[4, 1] = 0.1, 0.8
    reader = ReaderLabels(
        labels=np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0], [0, 1, 0]]),
        unsure=np.array([False, False, False, True, True]),
    )
    evaluation = build_evaluation("unit", quotes, scores, dict.fromkeys(LABELS, 0.5), readers=[("second", reader)])
    sure, unsure = evaluation.reading_parts
    assert (sure.part, sure.quotes, unsure.part, unsure.quotes) == ("sure", 3, "unsure", 2)
    assert sure.positives == {"gratitude": 1, "hostility": 1, "self_reliance": 0}
    assert unsure.positives == {"gratitude": 0, "hostility": 0, "self_reliance": 1}
    assert sure.reader_metrics.exact_match == sure.model_metrics.exact_match == 1.0
    assert unsure.reader_metrics.exact_match == unsure.model_metrics.exact_match == 0.0
    assert unsure.model_metrics.per_label["self_reliance"].recall == 0.0
    table = reading_parts_table(evaluation)
    assert table[2].startswith("| second | sure | 3 | 1 / 1 / 0 |")
    assert table[3].startswith("| second | unsure | 2 | 0 / 0 / 1 | 0.000 |")
    unsure_of_all = ReaderLabels(labels=reader.labels, unsure=np.ones(5, dtype=bool))
    only = build_evaluation("unit", quotes, scores, dict.fromkeys(LABELS, 0.5), readers=[("all", unsure_of_all)])
    assert [(part.part, part.quotes) for part in only.reading_parts] == [("unsure", 5)]


def test_a_second_reading_must_label_exactly_the_same_quotes(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_jsonl(tmp_path / "labelled.jsonl", EVAL_ROWS)
    partial = _write_jsonl(tmp_path / "partial.jsonl", [{"id": "a", "labels": []}, {"id": "z", "labels": []}])
    assert main(["--model", str(bundle_dir), "--data", str(data), "--annotations", str(partial)]) == 2
    err = capsys.readouterr().err
    assert "2 missing (first: b, c)" in err
    assert "1 unknown (first: z)" in err
    not_a_flag = _write_jsonl(
        tmp_path / "flag.jsonl", [{"id": q["id"], "labels": [], "unsure": "maybe"} for q in EVAL_ROWS]
    )
    assert main(["--model", str(bundle_dir), "--data", str(data), "--annotations", str(not_a_flag)]) == 2
    assert "flag.jsonl:1: unsure" in capsys.readouterr().err
    twice = _write_jsonl(tmp_path / "twice.jsonl", [{"id": "a", "labels": []}] * 2)
    assert main(["--model", str(bundle_dir), "--data", str(data), "--annotations", str(twice)]) == 2
    assert "id 'a' is labelled twice" in capsys.readouterr().err
    bad_label = _write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "labels": ["anger"]}])
    assert main(["--model", str(bundle_dir), "--data", str(data), "--annotations", str(bad_label)]) == 2
    assert "bad.jsonl:1: labels" in capsys.readouterr().err
