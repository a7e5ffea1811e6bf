"""Train the rhetoric classifier and write a verified model bundle.

    python -m training.train [--data data/] [--out models/default] [--seed 13] [--eval PATH ...]

Hyperparameters are chosen by grouped cross-validation on the corpus (quotes of one topic stay in
one fold, so near-copies cannot inflate the score) and per-label thresholds are tuned on the
out-of-fold probabilities of the chosen model. Evaluation sets are only scored, never tuned on.
"""

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_predict

from rhetoric.bundle import BundleError, DataFile, Metrics, ModelCard, TrainingData, save_bundle, verify_bundle
from rhetoric.labels import LABELS
from rhetoric.scoring import Scorer, apply_thresholds
from training.check_corpus import corpus_files
from training.corpus import LabelledFile, combined_sha256, label_counts, label_matrix, read_labelled
from training.metrics import format_metrics, score_predictions, tune_thresholds
from training.pipeline import DEFAULT_SEARCH_SPACE, build_pipeline

log = logging.getLogger("training.train")

MODEL_NAME = "rhetoric-tfidf-logreg"


@dataclass(frozen=True)
class TrainingResult:
    card: ModelCard
    out_dir: Path


def _topics(labelled: LabelledFile) -> list[str]:
    return [str(getattr(quote, "topic", None) or quote.id) for quote in labelled.quotes]


def evaluate_scorer(scorer: Scorer, path: Path) -> Metrics:
    """Score a bundle's thresholded predictions on a labelled JSONL file."""
    labelled = read_labelled(path)
    truth = label_matrix(labelled.quotes)
    predicted = apply_thresholds(scorer.scores([q.text for q in labelled.quotes]), scorer.thresholds)
    return score_predictions(path.name, truth, predicted.astype(int))


def train(
    data_paths: Sequence[Path],
    out_dir: Path,
    seed: int = 13,
    eval_paths: Sequence[Path] = (),
    search_space: dict[str, list[Any]] | None = None,
    folds: int = 5,
    version: str | None = None,
    n_jobs: int = 1,
) -> TrainingResult:
    files = [read_labelled(path, strict=True) for path in corpus_files(data_paths)]
    if not files:
        raise ValueError(f"no corpus files in {', '.join(map(str, data_paths))}")
    quotes = [quote for labelled in files for quote in labelled.quotes]
    texts = [quote.text for quote in quotes]
    truth = label_matrix(quotes)
    groups = [topic for labelled in files for topic in _topics(labelled)]
    folds = min(folds, len(set(groups)))
    if folds < 2:
        raise ValueError("cross-validation needs quotes from at least two topics")
    for i, label in enumerate(LABELS):
        if truth[:, i].sum() < folds:
            raise ValueError(f"{label} has {truth[:, i].sum()} positive quotes; need at least {folds}")
    cv = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    log.info("%d quotes from %d file(s), %d topics, %d folds", len(quotes), len(files), len(set(groups)), folds)

    search = GridSearchCV(
        build_pipeline(seed),
        search_space if search_space is not None else DEFAULT_SEARCH_SPACE,
        scoring="average_precision",
        cv=cv,
        n_jobs=n_jobs,
        refit=False,
    )
    search.fit(texts, truth, groups=groups)
    best_params: dict[str, Any] = search.best_params_
    log.info("best parameters %s (mean average precision %.4f)", best_params, search.best_score_)

    chosen = clone(build_pipeline(seed)).set_params(**best_params)
    out_of_fold = cross_val_predict(chosen, texts, truth, groups=groups, cv=cv, method="predict_proba", n_jobs=n_jobs)
    thresholds = tune_thresholds(truth, out_of_fold)
    metrics = {
        "cross_validation": score_predictions(
            "cross-validation (thresholds tuned on the same out-of-fold scores)",
            truth,
            apply_thresholds(out_of_fold, thresholds).astype(int),
        ),
        "cross_validation_at_0.5": score_predictions(
            "cross-validation at threshold 0.5", truth, (out_of_fold >= 0.5).astype(int)
        ),
    }

    pipeline = clone(chosen).fit(texts, truth)
    scorer = Scorer(pipeline, thresholds)
    for path in eval_paths:
        metrics[f"eval:{path.name}"] = evaluate_scorer(scorer, path)

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
                "search_space": {k: [repr(v) for v in vs] for k, vs in (search_space or DEFAULT_SEARCH_SPACE).items()},
                "chosen": {k: repr(v) for k, v in best_params.items()},
                "selection_score": "average_precision (macro), grouped by topic",
                "folds": folds,
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
    return TrainingResult(card=card, out_dir=out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", type=Path, help="corpus file or folder (repeatable; default data/)")
    parser.add_argument("--out", type=Path, default=Path("models/default"), help="bundle directory to write")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--eval", action="append", type=Path, default=[], help="labelled JSONL to score (repeatable)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--version", help="model version (default: date and data hash)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel fits during the search")
    parser.add_argument("--if-missing", action="store_true", help="do nothing when --out already holds a valid bundle")
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
    result = train(
        args.data or [Path("data")],
        args.out,
        seed=args.seed,
        eval_paths=args.eval,
        folds=args.folds,
        version=args.version,
        n_jobs=args.jobs,
    )
    card = result.card
    print(f"wrote {card.name} {card.version} to {result.out_dir}")
    print("thresholds: " + ", ".join(f"{k}={v:.2f}" for k, v in card.thresholds.items()))
    for metrics in card.metrics.values():
        print(format_metrics(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
