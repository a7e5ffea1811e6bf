"""Check the labelled corpus: schema, labels, duplicates, near-duplicates and counts.

    python -m training.check_corpus data/ [--against ../shared/eval/dev.jsonl]

Exits 1 when any check fails, so CI can run it.
"""

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from rhetoric.labels import LABELS
from rhetoric.text import normalise
from training.corpus import CorpusFormatError, LabelledQuote, label_counts, read_labelled

#: Shingle sets sharing this share (Jaccard) of word trigrams are near-duplicates.
NEAR_DUPLICATE_JACCARD = 0.6


@dataclass
class CorpusReport:
    quotes: int = 0
    label_counts: dict[str, int] = field(default_factory=dict)
    kind_counts: dict[str, int] = field(default_factory=dict)
    length_quantiles: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NearDuplicate:
    first: str
    second: str
    jaccard: float


def corpus_files(paths: Sequence[Path]) -> list[Path]:
    """Expand directories to the JSONL files in them, in a stable order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return files


def near_duplicates(
    left: Sequence[LabelledQuote],
    right: Sequence[LabelledQuote] | None = None,
    threshold: float = NEAR_DUPLICATE_JACCARD,
) -> list[NearDuplicate]:
    """Pairs whose word-trigram sets overlap by at least threshold (Jaccard).

    With right=None the pairs are within left; otherwise they are between left and right.
    """
    others = left if right is None else right
    if not left or not others:
        return []
    vectorizer = CountVectorizer(preprocessor=normalise, ngram_range=(3, 3), binary=True, token_pattern=r"(?u)\b\w+\b")
    vectorizer.fit([q.text for q in left] + ([q.text for q in right] if right is not None else []))
    a = vectorizer.transform([q.text for q in left])
    b = a if right is None else vectorizer.transform([q.text for q in others])
    shared = (a @ b.T).tocoo()
    sizes_a = np.asarray(a.sum(axis=1)).ravel()
    sizes_b = np.asarray(b.sum(axis=1)).ravel()
    pairs = []
    for i, j, common in zip(shared.row, shared.col, shared.data, strict=True):
        if right is None and i >= j:
            continue
        jaccard = common / (sizes_a[i] + sizes_b[j] - common)
        if jaccard >= threshold:
            pairs.append(NearDuplicate(left[i].id, others[j].id, round(float(jaccard), 3)))
    return sorted(pairs, key=lambda pair: -pair.jaccard)


def exact_duplicates(quotes: Sequence[LabelledQuote]) -> list[list[str]]:
    by_text: dict[str, list[str]] = {}
    for quote in quotes:
        by_text.setdefault(normalise(quote.text), []).append(quote.id)
    return [ids for ids in by_text.values() if len(ids) > 1]


def check_corpus(
    paths: Sequence[Path],
    against: Sequence[Path] = (),
    min_per_label: int = 0,
    min_neutral: int = 0,
) -> CorpusReport:
    report = CorpusReport()
    quotes: list[LabelledQuote] = []
    for path in corpus_files(paths):
        try:
            quotes.extend(read_labelled(path, strict=True).quotes)
        except (CorpusFormatError, UnicodeDecodeError, OSError) as error:
            report.problems.append(str(error))
    if not quotes and not report.problems:
        report.problems.append(f"no quotes found in {', '.join(map(str, paths))}")
    report.quotes = len(quotes)
    report.label_counts = label_counts(quotes)
    report.kind_counts = dict(sorted(Counter(getattr(q, "kind", "?") for q in quotes).items()))
    if quotes:
        words = np.array([len(q.text.split()) for q in quotes])
        report.length_quantiles = {f"p{p}": int(np.percentile(words, p)) for p in (5, 25, 50, 75, 95)} | {
            "max": int(words.max())
        }

    ids = Counter(q.id for q in quotes)
    report.problems += [f"id {i} is used {n} times" for i, n in ids.items() if n > 1]
    report.problems += [f"same text in {', '.join(group)}" for group in exact_duplicates(quotes)]
    report.problems += [
        f"near-duplicates {p.first} ~ {p.second} (Jaccard {p.jaccard})" for p in near_duplicates(quotes)
    ]
    for other_path in against:
        try:
            other = read_labelled(other_path).quotes
        except (CorpusFormatError, UnicodeDecodeError, OSError) as error:
            report.problems.append(f"cannot read {other_path}: {error}")
            continue
        report.problems += [
            f"{p.first} is a near-copy of {other_path.name} {p.second} (Jaccard {p.jaccard})"
            for p in near_duplicates(quotes, other)
        ]
    for label in LABELS:
        if report.label_counts.get(label, 0) < min_per_label:
            report.problems.append(f"{label}: {report.label_counts.get(label, 0)} quotes, need {min_per_label}")
    if report.label_counts.get("neutral", 0) < min_neutral:
        report.problems.append(f"neutral: {report.label_counts.get('neutral', 0)} quotes, need {min_neutral}")
    return report


def format_report(report: CorpusReport) -> str:
    lines = [f"quotes: {report.quotes}"]
    total = max(report.quotes, 1)
    lines += [f"  {name:<13} {count:>6}  {count / total:6.1%}" for name, count in report.label_counts.items()]
    lines.append("kinds: " + ", ".join(f"{k}={v}" for k, v in report.kind_counts.items()))
    lines.append("words per quote: " + ", ".join(f"{k}={v}" for k, v in report.length_quantiles.items()))
    if report.problems:
        lines.append(f"PROBLEMS ({len(report.problems)}):")
        lines += [f"  {problem}" for problem in report.problems[:100]]
        if len(report.problems) > 100:
            lines.append(f"  ... and {len(report.problems) - 100} more")
    else:
        lines.append("corpus OK")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.check_corpus", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("data")], help="corpus files or folders")
    parser.add_argument(
        "--against", action="append", type=Path, default=[], help="labelled JSONL that must share no near-copy"
    )
    parser.add_argument("--min-per-label", type=int, default=300)
    parser.add_argument("--min-neutral", type=int, default=400)
    args = parser.parse_args(argv)
    report = check_corpus(args.paths, args.against, args.min_per_label, args.min_neutral)
    print(format_report(report))
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
