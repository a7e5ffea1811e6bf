"""Evaluate a model bundle on labelled data, beside two baselines, with plots and a Markdown report.

python -m training.evaluate --model models/default --data path/to/labelled.jsonl [--report DIR]
    [--annotations OTHER_READER.jsonl ...]

An annotations file is another reader's labels for the same quotes (id and labels per line). It is
scored against the data's labels like a system, which tells how far the labels follow from the
standard: a model cannot be expected to agree with them better than a second careful reader does.
"""

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score, precision_recall_curve

from rhetoric.bundle import BundleError, Metrics, load_bundle
from rhetoric.labels import LABELS, Label
from rhetoric.scoring import Scorer, apply_thresholds
from training.corpus import (
    CorpusFormatError,
    LabelledQuote,
    ReaderLabels,
    label_matrix,
    read_annotations,
    read_labelled,
)
from training.lexicon import lexicon_predict
from training.metrics import (
    BOOTSTRAP_RESAMPLES,
    bootstrap_f1_intervals,
    brier_scores,
    format_metrics,
    score_predictions,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RELIABILITY_BINS = 10
WORST_ERRORS = 8


@dataclass(frozen=True)
class System:
    """One classifier's thresholded output on the evaluated data."""

    name: str
    predicted: NDArray[np.int_]
    metrics: Metrics


@dataclass(frozen=True)
class ReadingPart:
    """The quotes a second reader was sure of, or hesitated over, with the reader and the model
    scored on them alone."""

    reader: str
    part: str
    quotes: int
    positives: dict[Label, int]
    reader_metrics: Metrics
    model_metrics: Metrics


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    quotes: int
    mean_score: float
    positive_rate: float


@dataclass(frozen=True)
class Evaluation:
    data: str
    quotes: list[LabelledQuote]
    truth: NDArray[np.int_]
    scores: NDArray[np.float64]
    thresholds: dict[Label, float]
    model: System
    #: Other readers' labels for the same quotes, scored like systems.
    readers: list[System]
    #: Per reader who marked quotes unsure: the sure part, then the unsure part.
    reading_parts: list[ReadingPart]
    baselines: list[System]
    brier: dict[Label, float]
    average_precision: dict[Label, float]
    reliability: dict[Label, list[ReliabilityBin]]
    #: 95% bootstrap intervals of the model's F1 per label and of its macro-F1 (key "macro").
    f1_intervals: dict[str, tuple[float, float]]


def reliability_bins(truth: NDArray[np.int_], scores: NDArray[np.float64]) -> list[ReliabilityBin]:
    edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, RELIABILITY_BINS - 1)
    bins = []
    for i in range(RELIABILITY_BINS):
        members = which == i
        count = int(members.sum())
        bins.append(
            ReliabilityBin(
                low=float(edges[i]),
                high=float(edges[i + 1]),
                quotes=count,
                mean_score=float(scores[members].mean()) if count else float("nan"),
                positive_rate=float(truth[members].mean()) if count else float("nan"),
            )
        )
    return bins


def build_evaluation(
    data: str,
    quotes: list[LabelledQuote],
    scores: NDArray[np.float64],
    thresholds: Mapping[Label, float],
    model_name: str = "model",
    readers: Sequence[tuple[str, ReaderLabels]] = (),
) -> Evaluation:
    """Score given probabilities against the quotes' labels, with the two baselines and any other
    readers' labels beside them."""
    truth = label_matrix(quotes)
    predicted = apply_thresholds(scores, thresholds).astype(int)
    lexicon = lexicon_predict([q.text for q in quotes])
    majority = np.zeros_like(truth)  # the most common label set, in the corpus and in real text, is neutral
    return Evaluation(
        data=data,
        quotes=quotes,
        truth=truth,
        scores=scores,
        thresholds=dict(thresholds),
        model=System(model_name, predicted, score_predictions(data, truth, predicted, scores)),
        readers=[System(name, read.labels, score_predictions(data, truth, read.labels)) for name, read in readers],
        reading_parts=[
            part
            for name, read in readers
            if read.unsure.any()
            for part in _reading_parts(data, name, read, truth, predicted)
        ],
        baselines=[
            System("keyword lexicon", lexicon, score_predictions(data, truth, lexicon)),
            System("majority (always neutral)", majority, score_predictions(data, truth, majority)),
        ],
        brier=brier_scores(truth, scores),
        average_precision={
            label: round(float(average_precision_score(truth[:, i], scores[:, i])), 4) if truth[:, i].any() else 0.0
            for i, label in enumerate(LABELS)
        },
        reliability={label: reliability_bins(truth[:, i], scores[:, i]) for i, label in enumerate(LABELS)},
        f1_intervals=bootstrap_f1_intervals(truth, predicted),
    )


def _reading_parts(
    data: str, reader: str, read: ReaderLabels, truth: NDArray[np.int_], predicted: NDArray[np.int_]
) -> list[ReadingPart]:
    parts = []
    for part, rows in (("sure", ~read.unsure), ("unsure", read.unsure)):
        if not rows.any():  # a reader unsure of every quote leaves no sure part to score
            continue
        parts.append(
            ReadingPart(
                reader=reader,
                part=part,
                quotes=int(rows.sum()),
                positives={label: int(truth[rows, i].sum()) for i, label in enumerate(LABELS)},
                reader_metrics=score_predictions(data, truth[rows], read.labels[rows]),
                model_metrics=score_predictions(data, truth[rows], predicted[rows]),
            )
        )
    return parts


def reading_parts_table(evaluation: Evaluation) -> list[str]:
    """Markdown rows: the model on the quotes each reader was sure of and on those they hesitated over."""
    if not evaluation.reading_parts:
        return []
    rows = [
        "| reader | the reader was | quotes | positives ("
        + " / ".join(LABELS)
        + ") | reader macro-F1 | "
        + " | ".join(f"model {label} F1" for label in LABELS)
        + " | model macro-F1 |",
        "|---|---|---:|---|---:|" + "---:|" * (len(LABELS) + 1),
    ]
    for part in evaluation.reading_parts:
        model = part.model_metrics
        rows.append(
            f"| {part.reader} | {part.part} | {part.quotes} "
            f"| {' / '.join(str(part.positives[label]) for label in LABELS)} | {part.reader_metrics.macro_f1:.3f} | "
            + " | ".join(f"{model.per_label[label].f1:.3f}" for label in LABELS)
            + f" | {model.macro_f1:.3f} |"
        )
    return rows


def evaluate_bundle(model_dir: Path, data_path: Path, annotations: Sequence[Path] = ()) -> Evaluation:
    quotes = read_labelled(data_path).quotes
    readers = [(f"second reading ({path.name})", read_annotations(path, quotes)) for path in annotations]
    bundle = load_bundle(model_dir)
    scorer = Scorer(bundle.pipeline, bundle.card.thresholds)
    return build_evaluation(
        data_path.name,
        quotes,
        scorer.scores([q.text for q in quotes]),
        bundle.card.thresholds,
        model_name=f"{bundle.card.name} {bundle.card.version}",
        readers=readers,
    )


def comparison_table(evaluation: Evaluation) -> list[str]:
    """Markdown rows: F1 per label, macro and micro F1 and exact match for the model, any second
    readings and the baselines."""
    rows = [
        "| system | " + " | ".join(f"{label} F1" for label in LABELS) + " | macro-F1 | micro-F1 | exact match |",
        "|---|" + "---:|" * (len(LABELS) + 3),
    ]
    for system in (evaluation.model, *evaluation.readers, *evaluation.baselines):
        m = system.metrics
        cells = [f"{m.per_label[label].f1:.3f}" for label in LABELS]
        rows.append(
            f"| {system.name} | "
            + " | ".join(cells)
            + f" | {m.macro_f1:.3f} | {m.micro_f1:.3f} | {m.exact_match:.3f} |"
        )
    return rows


def _confusion(truth: NDArray[np.int_], predicted: NDArray[np.int_], column: int) -> dict[str, int]:
    t, p = truth[:, column].astype(bool), predicted[:, column].astype(bool)
    return {"tp": int((t & p).sum()), "fp": int((~t & p).sum()), "fn": int((t & ~p).sum()), "tn": int((~t & ~p).sum())}


def _worst_errors(evaluation: Evaluation, column: int) -> tuple[list[int], list[int]]:
    truth = evaluation.truth[:, column].astype(bool)
    predicted = evaluation.model.predicted[:, column].astype(bool)
    scores = evaluation.scores[:, column]
    false_positives = [int(i) for i in np.argsort(-scores) if predicted[i] and not truth[i]][:WORST_ERRORS]
    false_negatives = [int(i) for i in np.argsort(scores) if truth[i] and not predicted[i]][:WORST_ERRORS]
    return false_positives, false_negatives


def _shorten(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _save(figure: "Figure", title: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_figures(evaluation: Evaluation, directory: Path) -> dict[str, str]:
    """Precision-recall curves, reliability diagrams and confusion matrices as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    files = {"pr": "precision_recall.png", "reliability": "reliability.png", "confusion": "confusion.png"}
    lexicon = evaluation.baselines[0]

    figure, axes = plt.subplots(1, len(LABELS), figsize=(4.2 * len(LABELS), 4), squeeze=False)
    for i, (axis, label) in enumerate(zip(axes[0], LABELS, strict=True)):
        if evaluation.truth[:, i].any():
            precision, recall, _ = precision_recall_curve(evaluation.truth[:, i], evaluation.scores[:, i])
            axis.plot(recall, precision, label=f"model (AP {evaluation.average_precision[label]:.2f})")
        ours, keywords = evaluation.model.metrics.per_label[label], lexicon.metrics.per_label[label]
        axis.scatter([ours.recall], [ours.precision], marker="o", color="black", zorder=3, label="model at threshold")
        axis.scatter(
            [keywords.recall], [keywords.precision], marker="x", color="red", zorder=3, label="keyword lexicon"
        )
        for reader in evaluation.readers:
            theirs = reader.metrics.per_label[label]
            axis.scatter([theirs.recall], [theirs.precision], marker="^", zorder=3, label=reader.name)
        axis.set(title=label, xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.02))
        axis.legend(loc="lower left", fontsize=8)
    _save(figure, f"Precision-recall on {evaluation.data}", directory / files["pr"])

    figure, axes = plt.subplots(1, len(LABELS), figsize=(4.2 * len(LABELS), 4), squeeze=False)
    for axis, label in zip(axes[0], LABELS, strict=True):
        bins = [b for b in evaluation.reliability[label] if b.quotes]
        axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
        axis.plot([b.mean_score for b in bins], [b.positive_rate for b in bins], marker="o", label="model")
        for b in bins:
            axis.annotate(
                str(b.quotes), (b.mean_score, b.positive_rate), fontsize=7, xytext=(3, -9), textcoords="offset points"
            )
        axis.set(
            title=f"{label} (Brier {evaluation.brier[label]:.3f})",
            xlabel="mean predicted probability",
            ylabel="observed share positive",
            xlim=(0, 1),
            ylim=(0, 1),
        )
        axis.legend(loc="upper left", fontsize=8)
    _save(figure, f"Reliability on {evaluation.data} (numbers: quotes per bin)", directory / files["reliability"])

    figure, axes = plt.subplots(1, len(LABELS), figsize=(3.6 * len(LABELS), 3.4), squeeze=False)
    for i, (axis, label) in enumerate(zip(axes[0], LABELS, strict=True)):
        c = _confusion(evaluation.truth, evaluation.model.predicted, i)
        matrix = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
        axis.imshow(matrix, cmap="Blues")
        for (row, col), value in np.ndenumerate(matrix):
            colour = "white" if value > matrix.max() / 2 else "black"
            axis.text(col, row, str(value), ha="center", va="center", color=colour)
        axis.set(
            title=label,
            xticks=[0, 1],
            yticks=[0, 1],
            xticklabels=["no", "yes"],
            yticklabels=["no", "yes"],
            xlabel="predicted",
            ylabel="true",
        )
    _save(figure, f"Confusion per label on {evaluation.data}", directory / files["confusion"])
    return files


def write_report(evaluation: Evaluation, directory: Path) -> Path:
    """Write report.md and its PNG figures into directory; returns the report's path."""
    files = plot_figures(evaluation, directory)
    lines = [
        f"# Evaluation on {evaluation.data}",
        "",
        f"{len(evaluation.quotes)} quotes; model: {evaluation.model.name}; thresholds: "
        + ", ".join(f"{k} {v:.2f}" for k, v in evaluation.thresholds.items()),
        "",
        "## Model and baselines",
        "",
        *comparison_table(evaluation),
        "",
        _interval_sentence(evaluation),
        "",
        *(
            [
                "A second reading is another reader's labels for the same quotes, scored against the data's "
                "labels: how far two readers of the standard agree, and so how far a model can be expected to.",
                "",
            ]
            if evaluation.readers
            else []
        ),
        *_reading_parts_section(evaluation),
        "## Per label (model)",
        "",
        "| label | precision | recall | F1 | F1 95% interval | support | TP | FP | FN | TN "
        "| average precision | Brier |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, label in enumerate(LABELS):
        m = evaluation.model.metrics.per_label[label]
        c = _confusion(evaluation.truth, evaluation.model.predicted, i)
        low, high = evaluation.f1_intervals[label]
        lines.append(
            f"| {label} | {m.precision:.3f} | {m.recall:.3f} | {m.f1:.3f} | {low:.3f}-{high:.3f} | {m.support} "
            f"| {c['tp']} | {c['fp']} "
            f"| {c['fn']} | {c['tn']} | {evaluation.average_precision[label]:.3f} | {evaluation.brier[label]:.4f} |"
        )
    lines += [
        "",
        f"![precision-recall curves]({files['pr']})",
        "",
        "## Probability quality",
        "",
        f"![reliability diagrams]({files['reliability']})",
        "",
        "| label | bin | quotes | mean score | share positive |",
        "|---|---|---:|---:|---:|",
    ]
    for label in LABELS:
        for b in evaluation.reliability[label]:
            if b.quotes:
                lines.append(
                    f"| {label} | {b.low:.1f}-{b.high:.1f} | {b.quotes} | {b.mean_score:.3f} | {b.positive_rate:.3f} |"
                )
    lines += ["", "## Confusion", "", f"![confusion matrices]({files['confusion']})", "", "## Worst errors", ""]
    for i, label in enumerate(LABELS):
        false_positives, false_negatives = _worst_errors(evaluation, i)
        for title, indices in (("false positives", false_positives), ("false negatives", false_negatives)):
            lines += [f"### {label}: {title}", "", "| score | true labels | id | text |", "|---:|---|---|---|"]
            for j in indices:
                quote = evaluation.quotes[j]
                lines.append(
                    f"| {evaluation.scores[j, i]:.3f} | {', '.join(quote.labels) or 'neutral'} | {quote.id} "
                    f"| {_shorten(quote.text)} |"
                )
            if not indices:
                lines.append("| | | | none |")
            lines.append("")
    path = directory / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _interval_sentence(evaluation: Evaluation) -> str:
    spans = ", ".join(f"{key} {low:.3f}-{high:.3f}" for key, (low, high) in evaluation.f1_intervals.items())
    return (
        f"The model's F1, 95% bootstrap intervals over {BOOTSTRAP_RESAMPLES:,} resamples of these quotes: {spans}. "
        "An interval is how far a figure can move by the luck of which quotes were drawn."
    )


def _reading_parts_section(evaluation: Evaluation) -> list[str]:
    table = reading_parts_table(evaluation)
    if not table:
        return []
    return [
        "Split by the quotes a reader marked unsure, where the standard leaves room for two readings:",
        "",
        *table,
        "",
    ]


def format_evaluation(evaluation: Evaluation) -> str:
    parts = [
        format_metrics(evaluation.model.metrics),
        "",
        *comparison_table(evaluation),
        "",
        *_reading_parts_section(evaluation),
        _interval_sentence(evaluation),
        "",
    ]
    parts.append("Brier: " + ", ".join(f"{k} {v:.4f}" for k, v in evaluation.brier.items()))
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("models/default"), help="bundle directory")
    parser.add_argument("--data", type=Path, required=True, help="labelled JSONL (id, text, labels)")
    parser.add_argument("--report", type=Path, help="directory for report.md and its figures")
    parser.add_argument(
        "--annotations",
        type=Path,
        action="append",
        default=[],
        help="another reader's labels for the same quotes (JSONL: id, labels), scored beside the model (repeatable)",
    )
    args = parser.parse_args(argv)
    for path in (args.data, *args.annotations):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    try:
        evaluation = evaluate_bundle(args.model, args.data, args.annotations)
    except (BundleError, CorpusFormatError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_evaluation(evaluation))
    if args.report:
        print(f"report: {write_report(evaluation, args.report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
