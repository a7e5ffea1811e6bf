"""Corpus labels that a model trained without the quote's own file strongly disputes.

    python -m training.audit [--data data/] [--model models/default] [--band 0.2] [--out audit.jsonl]

Each corpus file is one writer's slice, and writers drift from the standard in different ways.
Every quote is scored by a model fitted on the other files (the cross-validation training uses,
with the hyperparameters of the --model card), and each label the score contradicts by more than
the band is listed: a label held with a score below the band, or lacked with one above 1 - band.
The model is often the one that is wrong; the list is for people to reread against the standard,
and nothing is changed.
"""

import argparse
import ast
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import cross_val_predict

from rhetoric.bundle import BundleError, read_card
from rhetoric.labels import LABELS, Label
from training.check_corpus import corpus_files
from training.corpus import LabelledQuote, label_matrix, read_labelled, unique_quotes
from training.pipeline import build_pipeline
from training.train import cv_groups, grouped_folds


@dataclass(frozen=True)
class Dispute:
    id: str
    file: str
    label: Label
    labelled: bool
    score: float
    text: str


def out_of_file_scores(
    quotes: Sequence[LabelledQuote],
    sources: Sequence[str],
    params: dict[str, Any],
    seed: int = 13,
    folds: int = 5,
    n_jobs: int = 1,
) -> NDArray[np.float64]:
    """Each quote's label probabilities from a model that never saw its group (file, or topic)."""
    groups, _ = cv_groups(quotes, sources, folds)
    scores = cross_val_predict(
        build_pipeline(seed, params=params),
        [quote.text for quote in quotes],
        label_matrix(quotes),
        groups=groups,
        cv=grouped_folds(groups, folds, seed),
        method="predict_proba",
        n_jobs=n_jobs,
    )
    return np.asarray(scores, dtype=np.float64)


def find_disputes(
    quotes: Sequence[LabelledQuote], sources: Sequence[str], scores: NDArray[np.float64], band: float
) -> list[Dispute]:
    """Labels held with a score below band or lacked with a score above 1 - band, strongest first."""
    if not 0.0 < band < 0.5:
        raise ValueError("band must be above 0 and below 0.5")
    truth = label_matrix(quotes)
    disputes = [
        Dispute(quote.id, source, label, bool(truth[row, col]), round(float(scores[row, col]), 3), quote.text)
        for row, (quote, source) in enumerate(zip(quotes, sources, strict=True))
        for col, label in enumerate(LABELS)
        if (truth[row, col] and scores[row, col] < band) or (not truth[row, col] and scores[row, col] > 1 - band)
    ]
    return sorted(disputes, key=lambda d: -abs(d.score - d.labelled))


def chosen_params(model_dir: Path) -> dict[str, Any]:
    """The hyperparameters that training chose for a bundle, read from its card without unpickling."""
    chosen = read_card(model_dir).hyperparameters.get("chosen", {})
    return {name: ast.literal_eval(value) for name, value in chosen.items()}


def format_summary(disputes: Sequence[Dispute], quotes_per_file: Counter[str]) -> str:
    lines = [f"{len(disputes)} disputed labels", "", "label            held, model says no   lacked, model says yes"]
    for label in LABELS:
        held = sum(1 for d in disputes if d.label == label and d.labelled)
        lacked = sum(1 for d in disputes if d.label == label and not d.labelled)
        lines.append(f"{label:<16} {held:>19} {lacked:>24}")
    by_file = Counter(d.file for d in disputes)
    lines += ["", "files with the most disputes per 100 quotes"]
    for name in sorted(by_file, key=lambda f: -by_file[f] / quotes_per_file[f])[:10]:
        share = 100 * by_file[name] / quotes_per_file[name]
        lines.append(f"  {name}: {share:.1f} ({by_file[name]} of {quotes_per_file[name]})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", help="corpus file or folder (default data/)")
    parser.add_argument("--model", type=Path, default=Path("models/default"), help="bundle whose choices to use")
    parser.add_argument("--band", type=float, default=0.2, help="how far a score must contradict the label")
    parser.add_argument("--out", type=Path, help="write the disputes here as JSON Lines")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        params = chosen_params(args.model)
        files = [read_labelled(path, strict=True) for path in corpus_files(args.data or [Path("data")])]
        sourced = unique_quotes(files)
        quotes = [quote for quote, _ in sourced]
        sources = [source for _, source in sourced]
        scores = out_of_file_scores(quotes, sources, params, args.seed, args.folds, args.jobs)
        disputes = find_disputes(quotes, sources, scores, args.band)
    except (BundleError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text("".join(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in disputes), "utf-8")
    print(format_summary(disputes, Counter(sources)))
    if args.out:
        print(f"\nwrote {len(disputes)} disputes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
