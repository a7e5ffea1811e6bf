"""Train the rhetoric classifier and write a verified model bundle.

    python -m training.train [--data data/] [--out models/default] [--seed 13] [--eval PATH ...]

Hyperparameters are chosen by cross-validation grouped by source file: each corpus file is one
writer's slice, so every fold scores quotes from a writer the model has not seen, as real text will
be (a corpus of fewer files than folds is grouped by topic instead, which still keeps near-copies of
one topic in one fold). Of the settings within one standard error of the best, the most regularised is
kept, since real text is not written as the corpus is. Sigmoid calibration is kept when it lowers
the out-of-fold Brier score; per-label thresholds are tuned on the out-of-fold probabilities. All of
that happens on the training split: a held-out split of whole topics is scored once, for an honest
second number, and the shipped model is then refitted on every quote with the same choices.
Evaluation sets are only scored, never tuned on.
"""

import argparse
import hashlib
import logging
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_predict

from rhetoric.bundle import BundleError, DataFile, Metrics, ModelCard, TrainingData, save_bundle, verify_bundle
from rhetoric.labels import LABELS, Label
from rhetoric.scoring import Scorer, apply_thresholds
from training.check_corpus import corpus_files
from training.corpus import (
    CorpusQuote,
    LabelledFile,
    LabelledQuote,
    combined_sha256,
    label_counts,
    label_matrix,
    quote_topic,
    read_labelled,
    unique_quotes,
)
from training.evaluate import build_evaluation, write_report
from training.feedback import as_corpus_quotes, corpus_lines, open_store
from training.metrics import brier_scores, format_metrics, score_predictions, tune_thresholds
from training.pipeline import DEFAULT_SEARCH_SPACE, REGULARISATION, build_pipeline

log = logging.getLogger("training.train")

MODEL_NAME = "rhetoric-tfidf-logreg"
Calibration = Literal["auto", "none", "sigmoid"]


@dataclass(frozen=True)
class Selection:
    """What cross-validation on the training split chose."""

    params: dict[str, Any]
    calibrated: bool
    thresholds: dict[Label, float]
    out_of_fold: NDArray[np.float64]
    brier_by_calibration: dict[str, float]
    search_score: float
    best_score: float


@dataclass(frozen=True)
class TrainingResult:
    card: ModelCard
    out_dir: Path
    reports: list[Path]


def holdout_topics(topics: Sequence[str], fraction: float) -> set[str]:
    """Topics whose hash falls below fraction: the same split on every run and every machine."""
    return {t for t in set(topics) if int(hashlib.sha256(t.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction}


def cv_groups(quotes: Sequence[LabelledQuote], sources: Sequence[str], folds: int) -> tuple[list[str], str]:
    """The cross-validation group of each quote, and what the groups are."""
    if len(set(sources)) >= folds:
        return list(sources), "source file"
    return [quote_topic(quote) for quote in quotes], "topic"


def grouped_folds(groups: Sequence[str], folds: int, seed: int) -> GroupKFold:
    """Folds that never split a group, as many as asked or as there are groups."""
    folds = min(folds, len(set(groups)))
    if folds < 2:
        raise ValueError("cross-validation needs quotes from at least two topics or source files")
    return GroupKFold(n_splits=folds, shuffle=True, random_state=seed)


def simplest_within_one_standard_error(results: Mapping[str, Any], folds: int) -> int:
    """Index of the most regularised candidate whose mean score is within one standard error of the best.

    Our corpus is one team's writing and real text is not; among settings that the folds cannot tell
    apart, the most regularised leans least on phrasing shared across the corpus. Candidates without a
    regularisation strength count as least regularised, so a grid without one keeps its best.
    """
    means = np.asarray(results["mean_test_score"], dtype=np.float64)
    best = int(np.argmax(means))
    standard_error = float(results["std_test_score"][best]) / np.sqrt(folds)
    eligible = [i for i in range(len(means)) if means[i] >= means[best] - standard_error]
    return min(eligible, key=lambda i: (float(results["params"][i].get(REGULARISATION, np.inf)), -means[i]))


def select_model(
    texts: list[str],
    truth: NDArray[np.int_],
    groups: list[str],
    seed: int,
    search_space: dict[str, list[Any]],
    folds: int,
    calibration: Calibration,
    n_jobs: int,
) -> Selection:
    cv = grouped_folds(groups, folds, seed)
    for i, label in enumerate(LABELS):
        if truth[:, i].sum() < cv.n_splits:
            raise ValueError(f"{label} has {truth[:, i].sum()} positive quotes; need at least {cv.n_splits}")
    search = GridSearchCV(
        build_pipeline(seed), search_space, scoring="average_precision", cv=cv, n_jobs=n_jobs, refit=False
    )
    search.fit(texts, truth, groups=groups)
    chosen_index = simplest_within_one_standard_error(search.cv_results_, cv.n_splits)
    params: dict[str, Any] = search.cv_results_["params"][chosen_index]
    search_score = round(float(search.cv_results_["mean_test_score"][chosen_index]), 4)
    log.info(
        "best parameters %s (mean average precision %.4f); chose %s (%.4f), the simplest within one standard error",
        search.best_params_,
        search.best_score_,
        params,
        search_score,
    )

    candidates: dict[str, bool] = (
        {"none": False, "sigmoid": True} if calibration == "auto" else {calibration: calibration == "sigmoid"}
    )
    out_of_fold: dict[str, NDArray[np.float64]] = {}
    brier: dict[str, float] = {}
    for name, calibrated in candidates.items():
        pipeline = build_pipeline(seed, calibrated=calibrated, params=params)
        scores = cross_val_predict(pipeline, texts, truth, groups=groups, cv=cv, method="predict_proba", n_jobs=n_jobs)
        out_of_fold[name] = scores
        brier[name] = round(float(np.mean(list(brier_scores(truth, scores).values()))), 5)
    chosen = min(brier, key=lambda name: brier[name])
    log.info("out-of-fold mean Brier by calibration %s; keeping %s", brier, chosen)
    return Selection(
        params=params,
        calibrated=candidates[chosen],
        thresholds=tune_thresholds(truth, out_of_fold[chosen]),
        out_of_fold=out_of_fold[chosen],
        brier_by_calibration=brier,
        search_score=search_score,
        best_score=round(float(search.best_score_), 4),
    )


def train(
    data_paths: Sequence[Path],
    out_dir: Path,
    seed: int = 13,
    eval_paths: Sequence[Path] = (),
    search_space: dict[str, list[Any]] | None = None,
    folds: int = 5,
    version: str | None = None,
    n_jobs: int = 1,
    holdout_fraction: float = 0.0,
    calibration: Calibration = "auto",
    report_dir: Path | None = None,
    feedback: Sequence[CorpusQuote] = (),
) -> TrainingResult:
    files = [read_labelled(path, strict=True) for path in corpus_files(data_paths)]
    if feedback:
        lines = corpus_lines(feedback).encode()
        files.append(
            LabelledFile(Path("feedback (live)"), hashlib.sha256(lines).hexdigest(), len(lines), list(feedback))
        )
    if not files:
        raise ValueError(f"no corpus files in {', '.join(map(str, data_paths))}")
    # A text given twice keeps its last label: later files win, then the corrections.
    sourced = unique_quotes(files)
    quotes = [quote for quote, _ in sourced]
    texts = [quote.text for quote in quotes]
    truth = label_matrix(quotes)
    topics = [quote_topic(quote) for quote in quotes]
    held_topics = holdout_topics(topics, holdout_fraction)
    fit_rows = [i for i, topic in enumerate(topics) if topic not in held_topics]
    held_rows = [i for i, topic in enumerate(topics) if topic in held_topics]
    groups, grouped_by = cv_groups([quotes[i] for i in fit_rows], [sourced[i][1] for i in fit_rows], folds)
    log.info(
        "%d quotes from %d file(s), %d topics; %d quotes in %d held-out topics; cross-validation grouped by %s",
        len(quotes),
        len(files),
        len(set(topics)),
        len(held_rows),
        len(held_topics),
        grouped_by,
    )
    space = search_space if search_space is not None else DEFAULT_SEARCH_SPACE
    selection = select_model(
        [texts[i] for i in fit_rows],
        truth[fit_rows],
        groups,
        seed,
        space,
        folds,
        calibration,
        n_jobs,
    )
    thresholds = selection.thresholds
    fit_truth = truth[fit_rows]
    metrics: dict[str, Metrics] = {
        "cross_validation": score_predictions(
            "cross-validation (thresholds tuned on the same out-of-fold scores)",
            fit_truth,
            apply_thresholds(selection.out_of_fold, thresholds).astype(int),
            selection.out_of_fold,
        ),
        "cross_validation_at_0.5": score_predictions(
            "cross-validation at threshold 0.5", fit_truth, (selection.out_of_fold >= 0.5).astype(int)
        ),
    }
    evaluations = []
    if held_rows:
        split_model = build_pipeline(seed, selection.calibrated, selection.params).fit(
            [texts[i] for i in fit_rows], truth[fit_rows]
        )
        held_scores = np.asarray(split_model.predict_proba([texts[i] for i in held_rows]), dtype=np.float64)
        evaluation = build_evaluation(
            "holdout", [quotes[i] for i in held_rows], held_scores, thresholds, "model trained without these topics"
        )
        metrics["holdout"] = evaluation.model.metrics
        evaluations.append(evaluation)

    pipeline = build_pipeline(seed, selection.calibrated, selection.params).fit(texts, truth)
    scorer = Scorer(pipeline, thresholds)
    for path in eval_paths:
        eval_quotes = read_labelled(path).quotes
        evaluation = build_evaluation(
            path.stem, eval_quotes, scorer.scores([q.text for q in eval_quotes]), thresholds, "model (this run)"
        )
        metrics[f"eval:{path.name}"] = evaluation.model.metrics
        evaluations.append(evaluation)

    data_sha = combined_sha256(files)
    created = datetime.now(UTC).replace(microsecond=0)
    card = save_bundle(
        out_dir,
        pipeline,
        {
            "name": MODEL_NAME,
            "version": version or f"{created:%Y.%m.%d}-{data_sha[:8]}",
            "created": created,
            "thresholds": thresholds,
            "seed": seed,
            "hyperparameters": {
                "search_space": {k: [repr(v) for v in vs] for k, vs in space.items()},
                "chosen": {k: repr(v) for k, v in selection.params.items()},
                "selection_score": (
                    f"average_precision (macro) {selection.search_score}, grouped by {grouped_by}; "
                    f"best {selection.best_score}, chosen as the most regularised within one standard error"
                ),
                "calibration": "sigmoid" if selection.calibrated else "none",
                "out_of_fold_brier_by_calibration": selection.brier_by_calibration,
                "folds": folds,
                "holdout": {
                    "fraction": holdout_fraction,
                    "topics": sorted(held_topics),
                    "quotes": len(held_rows),
                    "note": "choices made without these topics; the shipped model is refitted on all quotes",
                },
                "pipeline": repr(pipeline),
            },
            "training_data": TrainingData(
                files=[
                    DataFile(path=f.path.as_posix(), sha256=f.sha256, bytes=f.bytes, quotes=len(f.quotes))
                    for f in files
                ],
                sha256=data_sha,
                quotes=len(quotes),
                label_counts=label_counts(quotes),
            ),
            "metrics": metrics,
        },
    )
    reports = [write_report(e, report_dir / e.data) for e in evaluations] if report_dir else []
    return TrainingResult(card=card, out_dir=out_dir, reports=reports)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", type=Path, help="corpus file or folder (repeatable; default data/)")
    parser.add_argument("--out", type=Path, default=Path("models/default"), help="bundle directory to write")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--eval", action="append", type=Path, default=[], help="labelled JSONL to score (repeatable)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--holdout", type=float, default=0.15, help="share of topics held out (0 for none)")
    parser.add_argument("--calibration", choices=["auto", "none", "sigmoid"], default="auto")
    parser.add_argument("--report", type=Path, default=Path("reports"), help="folder for evaluation reports")
    parser.add_argument("--version", help="model version (default: date and data hash)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel fits during the search")
    parser.add_argument("--if-missing", action="store_true", help="do nothing when --out already holds a valid bundle")
    parser.add_argument(
        "--feedback",
        metavar="SOURCE",
        help="merge live corrections: a PostgreSQL URL or a SQLite file (the latest correction of a text wins)",
    )
    parser.add_argument(
        "--registry", type=Path, help="write the bundle to REGISTRY/<version> instead of --out, leaving 'current' alone"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.if_missing:
        try:
            card = verify_bundle(args.out)
        except BundleError as error:
            log.info("training, because %s", error)
        else:
            log.info("%s holds %s %s already; not retraining", args.out, card.name, card.version)
            return 0
    missing = [p for p in (args.data or []) + args.eval if not p.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(map(str, missing))}")
    if not 0.0 <= args.holdout < 1.0:
        parser.error("--holdout must be at least 0 and below 1")
    feedback: list[CorpusQuote] = []
    if args.feedback:
        is_url = "://" in args.feedback
        store = open_store(args.feedback if is_url else None, Path(args.feedback))
        try:
            feedback = as_corpus_quotes(store.all())
        finally:
            store.close()
        log.info("merging %d corrections from %s", len(feedback), "the database" if is_url else args.feedback)
    out = args.out
    if args.registry:
        args.registry.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix=".building-", dir=args.registry))
    result = train(
        args.data or [Path("data")],
        out,
        seed=args.seed,
        eval_paths=args.eval,
        folds=args.folds,
        version=args.version,
        n_jobs=args.jobs,
        holdout_fraction=args.holdout,
        calibration=args.calibration,
        report_dir=args.report,
        feedback=feedback,
    )
    card = result.card
    if args.registry:
        final = args.registry / card.version
        if final.exists():
            shutil.rmtree(out)
            parser.error(f"{final} exists already; pass --version to name this bundle")
        out.rename(final)  # one rename: the registry never shows a half-written bundle
        result = TrainingResult(card=card, out_dir=final, reports=result.reports)
    print(f"wrote {card.name} {card.version} to {result.out_dir}")
    print(
        f"calibration: {card.hyperparameters['calibration']}; thresholds: "
        + ", ".join(f"{k}={v:.2f}" for k, v in card.thresholds.items())
    )
    for metrics in card.metrics.values():
        print(format_metrics(metrics))
    for report in result.reports:
        print(f"report: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
