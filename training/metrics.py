"""Scores of thresholded multi-label predictions, and threshold tuning."""

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from rhetoric.bundle import LabelMetrics, Metrics
from rhetoric.labels import LABELS, Label

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
#: Out-of-fold F1 a threshold may give up to the best one and still count as near-best. Chosen on
#: the corpus: over six fold seeds it narrowed the self_reliance thresholds from 0.37-0.54 to
#: 0.47-0.50 for under 0.001 of out-of-fold F1, with held-out F1 unchanged.
THRESHOLD_TOLERANCE = 0.005
BOOTSTRAP_RESAMPLES = 1000
#: The key of the macro-F1 interval beside the labels' in bootstrap_f1_intervals.
MACRO = "macro"


def score_predictions(
    data: str,
    truth: NDArray[np.int_],
    predicted: NDArray[np.int_],
    scores: NDArray[np.float64] | None = None,
) -> Metrics:
    """Metrics of thresholded predictions; with scores, also the Brier score of the probabilities."""
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, average=None, zero_division=0.0)
    return Metrics(
        data=data,
        quotes=int(truth.shape[0]),
        per_label={
            label: LabelMetrics(
                precision=round(float(precision[i]), 4),
                recall=round(float(recall[i]), 4),
                f1=round(float(f1[i]), 4),
                support=int(support[i]),
            )
            for i, label in enumerate(LABELS)
        },
        macro_f1=round(float(f1_score(truth, predicted, average="macro", zero_division=0.0)), 4),
        micro_f1=round(float(f1_score(truth, predicted, average="micro", zero_division=0.0)), 4),
        exact_match=round(float(accuracy_score(truth, predicted)), 4),
        brier=None if scores is None else brier_scores(truth, scores),
    )


def brier_scores(truth: NDArray[np.int_], scores: NDArray[np.float64]) -> dict[Label, float]:
    return {label: round(float(np.mean((scores[:, i] - truth[:, i]) ** 2)), 4) for i, label in enumerate(LABELS)}


def tune_thresholds(
    truth: NDArray[np.int_], scores: NDArray[np.float64], tolerance: float = THRESHOLD_TOLERANCE
) -> dict[Label, float]:
    """Per label, the middle of the thresholds whose out-of-fold F1 is within tolerance of the best.

    F1 curves are flat near their peak, so the single best point moves with the luck of the folds;
    the middle of the near-best ones stays put at almost no cost in F1.
    """
    thresholds: dict[Label, float] = {}
    for i, label in enumerate(LABELS):
        f1s = np.array([f1_score(truth[:, i], scores[:, i] >= t, zero_division=0.0) for t in THRESHOLD_GRID])
        near_best = THRESHOLD_GRID[f1s >= f1s.max() - tolerance]
        thresholds[label] = float(near_best[len(near_best) // 2])
    return thresholds


def bootstrap_f1_intervals(
    truth: NDArray[np.int_],
    predicted: NDArray[np.int_],
    resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of each label's F1 and of macro-F1 over quotes resampled with replacement.

    With a few dozen positives per label one quote moves F1 by several points; the interval says how
    far a figure can move by the luck of which sentences were drawn, not only by the model.
    """
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, truth.shape[0], size=(resamples, truth.shape[0]))
    sampled_truth, sampled_predicted = truth[rows].astype(bool), predicted[rows].astype(bool)
    tp = (sampled_truth & sampled_predicted).sum(axis=1)
    fp = (~sampled_truth & sampled_predicted).sum(axis=1)
    fn = (sampled_truth & ~sampled_predicted).sum(axis=1)
    denominator = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros(tp.shape, dtype=np.float64), where=denominator > 0)
    tail = (1.0 - level) / 2 * 100

    def interval(values: NDArray[np.float64]) -> tuple[float, float]:
        low, high = np.percentile(values, [tail, 100 - tail])
        return round(float(low), 4), round(float(high), 4)

    intervals: dict[str, tuple[float, float]] = {label: interval(f1[:, i]) for i, label in enumerate(LABELS)}
    intervals[MACRO] = interval(f1.mean(axis=1))
    return intervals


def format_metrics(metrics: Metrics) -> str:
    lines = [f"{metrics.data} ({metrics.quotes} quotes)", f"  {'label':<14}{'prec':>7}{'recall':>8}{'F1':>7}{'n':>6}"]
    for label, m in metrics.per_label.items():
        lines.append(f"  {label:<14}{m.precision:>7.3f}{m.recall:>8.3f}{m.f1:>7.3f}{m.support:>6}")
    lines.append(
        f"  macro-F1 {metrics.macro_f1:.3f}  micro-F1 {metrics.micro_f1:.3f}  exact match {metrics.exact_match:.3f}"
    )
    if metrics.brier:
        lines.append("  Brier " + ", ".join(f"{label} {value:.4f}" for label, value in metrics.brier.items()))
    return "\n".join(lines)
