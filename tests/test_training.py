import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rhetoric.bundle import load_bundle
from rhetoric.labels import LABELS
from rhetoric.scoring import Scorer
from tests.conftest import CORPUS, FAST_SEARCH
from training import train as train_module
from training.corpus import CorpusFormatError, LabelledQuote
from training.metrics import tune_thresholds
from training.train import cv_groups, holdout_topics, main, simplest_within_one_standard_error, train

PROBES = [
    "We extend our heartfelt thanks to the fraternal people for the relief goods sent to the flood-hit county.",
    "The U.S. imperialists will face a merciless retaliatory strike if they dare to touch our sovereignty.",
    "The damaged houses will be rebuilt by our own efforts and with domestic materials, without outside help.",
    "The delegation left Pyongyang by air on Tuesday.",
]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fourth quote of the corpus: enough to learn from, quick to train twice."""
    lines = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("\n".join(lines[::4]) + "\n", encoding="utf-8")
    return path


def test_training_writes_a_bundle_whose_card_describes_it(bundle_dir: Path) -> None:
    card = load_bundle(bundle_dir).card
    corpus_files = sorted(CORPUS.glob("*.jsonl"))
    assert [Path(f.path).name for f in card.training_data.files] == [p.name for p in corpus_files]
    assert [f.sha256 for f in card.training_data.files] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus_files
    ]
    assert [f.bytes for f in card.training_data.files] == [p.stat().st_size for p in corpus_files]
    assert card.training_data.quotes == sum(len(p.read_text().splitlines()) for p in corpus_files)
    assert card.labels == list(LABELS)
    assert all(0.0 < t < 1.0 for t in card.thresholds.values())
    assert card.hyperparameters["chosen"] == {k: repr(v[0]) for k, v in FAST_SEARCH.items()}
    assert set(card.environment.libraries) == {"scikit-learn", "numpy", "scipy", "joblib"}
    assert card.seed == 13


def test_cross_validation_finds_every_label_learnable(bundle_dir: Path) -> None:
    metrics = load_bundle(bundle_dir).card.metrics["cross_validation"]
    assert metrics.macro_f1 > 0.75
    assert all(m.f1 > 0.65 for m in metrics.per_label.values())


def test_trained_model_labels_unseen_clear_quotes(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    predictions = Scorer(bundle.pipeline, bundle.card.thresholds).predict(PROBES)
    assert [p.labels for p in predictions] == [["gratitude"], ["hostility"], ["self_reliance"], []]


def test_same_data_and_seed_give_the_same_model(small_corpus: Path, tmp_path: Path) -> None:
    first = train([small_corpus], tmp_path / "a", seed=5, search_space=FAST_SEARCH, folds=3)
    second = train([small_corpus], tmp_path / "b", seed=5, search_space=FAST_SEARCH, folds=3)
    assert first.card.thresholds == second.card.thresholds
    assert first.card.metrics == second.card.metrics
    scores = [load_bundle(r.out_dir).pipeline.predict_proba(PROBES) for r in (first, second)]
    np.testing.assert_array_equal(scores[0], scores[1])


def test_eval_sets_are_scored_but_never_tuned_on(small_corpus: Path, tmp_path: Path) -> None:
    eval_path = tmp_path / "eval.jsonl"
    rows = [
        {"id": f"e{i}", "text": t, "labels": lab, "source": "test"}
        for i, (t, lab) in enumerate(zip(PROBES, [["gratitude"], ["hostility"], ["self_reliance"], []], strict=True))
    ]
    eval_path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    plain = train([small_corpus], tmp_path / "plain", seed=5, search_space=FAST_SEARCH, folds=3)
    scored = train([small_corpus], tmp_path / "eval", seed=5, search_space=FAST_SEARCH, folds=3, eval_paths=[eval_path])
    assert scored.card.thresholds == plain.card.thresholds
    assert scored.card.metrics["eval:eval.jsonl"].quotes == 4
    assert "eval:eval.jsonl" not in plain.card.metrics


def test_a_corpus_line_with_an_unknown_label_stops_training_naming_the_line(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    good = {"id": "ab-0001", "text": "We thank you.", "labels": ["gratitude"], "kind": "letter", "topic": "t"}
    corpus.write_text(json.dumps(good) + "\n" + json.dumps(good | {"id": "ab-0002", "labels": ["joy"]}) + "\n")
    with pytest.raises(CorpusFormatError, match=r"bad.jsonl:2: labels: .*unknown label\(s\) \['joy'\]"):
        train([corpus], tmp_path / "out")


def test_cli_if_missing_keeps_a_valid_bundle_and_rebuilds_a_broken_one(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(train_module, "DEFAULT_SEARCH_SPACE", FAST_SEARCH)
    out = tmp_path / "model"
    args = ["--data", str(small_corpus), "--out", str(out), "--folds", "3", "--report", str(tmp_path / "reports")]
    args.append("--if-missing")
    assert main(args) == 0
    assert "wrote rhetoric-tfidf-logreg" in capsys.readouterr().out
    built = (out / "model.card.json").read_bytes()

    assert main(args) == 0
    assert "wrote" not in capsys.readouterr().out
    assert (out / "model.card.json").read_bytes() == built

    (out / "model.joblib").write_bytes(b"broken")
    assert main(args) == 0
    assert "wrote rhetoric-tfidf-logreg" in capsys.readouterr().out
    load_bundle(out)


def test_held_out_topics_are_stable_and_about_the_asked_share() -> None:
    topics = [f"topic-{i}" for i in range(400)]
    held = holdout_topics(topics, 0.15)
    assert held == holdout_topics(list(reversed(topics)), 0.15)
    assert 40 <= len(held) <= 80
    assert holdout_topics(topics, 0.0) == set()


def test_cross_validation_holds_out_whole_source_files_when_there_are_enough() -> None:
    quotes = [
        LabelledQuote.model_validate({"id": f"q{i}", "text": f"quote {i}", "labels": [], "topic": f"topic-{i % 4}"})
        for i in range(12)
    ]
    sources = [f"data/slice-{i % 6}.jsonl" for i in range(12)]
    assert cv_groups(quotes, sources, folds=5) == (sources, "source file")
    assert cv_groups(quotes, sources, folds=7) == ([f"topic-{i % 4}" for i in range(12)], "topic")


def test_holdout_topics_are_scored_apart_and_reported(small_corpus: Path, tmp_path: Path) -> None:
    result = train(
        [small_corpus],
        tmp_path / "m",
        seed=5,
        search_space=FAST_SEARCH,
        folds=3,
        holdout_fraction=0.3,
        report_dir=tmp_path / "reports",
    )
    holdout = result.card.hyperparameters["holdout"]
    assert holdout["topics"]
    assert result.card.metrics["holdout"].quotes == holdout["quotes"]
    assert result.card.metrics["cross_validation"].quotes == result.card.training_data.quotes - holdout["quotes"]
    assert result.reports == [tmp_path / "reports" / "holdout" / "report.md"]
    assert result.reports[0].is_file()


def test_sigmoid_calibration_can_be_forced_and_is_recorded(small_corpus: Path, tmp_path: Path) -> None:
    result = train([small_corpus], tmp_path / "m", seed=5, search_space=FAST_SEARCH, folds=3, calibration="sigmoid")
    assert result.card.hyperparameters["calibration"] == "sigmoid"
    assert list(result.card.hyperparameters["out_of_fold_brier_by_calibration"]) == ["sigmoid"]
    assert "CalibratedClassifierCV" in result.card.hyperparameters["pipeline"]
    scores = load_bundle(result.out_dir).pipeline.predict_proba(PROBES)
    assert ((scores > 0) & (scores < 1)).all()


def test_thresholds_sit_in_the_middle_of_a_flat_f1_plateau_not_at_its_edge() -> None:
    truth = np.repeat([[1, 1, 1], [0, 0, 0]], 50, axis=0)
    scores = np.where(truth == 1, 0.9, 0.6)  # every threshold in (0.6, 0.9] separates them perfectly
    thresholds = tune_thresholds(truth, scores)
    assert all(0.72 <= thresholds[label] <= 0.78 for label in LABELS)


def test_a_sharp_f1_peak_is_kept() -> None:
    truth = np.repeat([[1, 1, 1], [0, 0, 0], [0, 0, 0]], 50, axis=0)
    scores = np.repeat([[0.55] * 3, [0.54] * 3, [0.56] * 3], 50, axis=0)
    assert tune_thresholds(truth, scores) == dict.fromkeys(LABELS, 0.55)


def search_results(means: list[float], spread: float, strengths: list[float | None]) -> dict[str, Any]:
    return {
        "mean_test_score": np.array(means),
        "std_test_score": np.full(len(means), spread),
        "params": [{} if c is None else {"classifier__estimator__C": c} for c in strengths],
    }


def test_the_most_regularised_setting_the_folds_cannot_tell_from_the_best_is_chosen() -> None:
    results = search_results([0.970, 0.984, 0.9857, 0.9861], spread=0.0058, strengths=[2.0, 8.0, 32.0, 128.0])
    # One standard error over 5 folds is 0.0026: C = 8 is within it of the best, C = 2 is not.
    assert simplest_within_one_standard_error(results, folds=5) == 1


def test_a_clearly_better_weakly_regularised_setting_is_kept() -> None:
    results = search_results([0.90, 0.95, 0.99], spread=0.001, strengths=[2.0, 8.0, 32.0])
    assert simplest_within_one_standard_error(results, folds=5) == 2


def test_a_grid_without_regularisation_strengths_keeps_its_best() -> None:
    results = search_results([0.91, 0.93, 0.92], spread=0.05, strengths=[None, None, None])
    assert simplest_within_one_standard_error(results, folds=5) == 1
