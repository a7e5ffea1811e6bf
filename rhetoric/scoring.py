"""Turning a fitted pipeline's probabilities into labelled predictions."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from rhetoric.labels import LABELS, Label


@dataclass(frozen=True)
class Prediction:
    labels: list[Label]
    scores: dict[Label, float]


def apply_thresholds(scores: NDArray[np.float64], thresholds: Mapping[Label, float]) -> NDArray[np.bool_]:
    """A label is assigned when its score reaches that label's threshold."""
    cutoffs = np.array([thresholds[label] for label in LABELS])
    return scores >= cutoffs


class Scorer:
    """Scores quotes with a fitted pipeline and the per-label thresholds of its model card."""

    def __init__(self, pipeline: Pipeline, thresholds: Mapping[Label, float]) -> None:
        self.pipeline = pipeline
        self.thresholds = dict(thresholds)

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Probability of each label (columns in LABELS order) for each text."""
        if not texts:
            return np.zeros((0, len(LABELS)))
        probabilities: NDArray[np.float64] = np.asarray(self.pipeline.predict_proba(list(texts)), dtype=np.float64)
        return probabilities

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        scores = self.scores(texts)
        assigned = apply_thresholds(scores, self.thresholds)
        return [
            Prediction(
                labels=[label for label, on in zip(LABELS, row_assigned, strict=True) if on],
                scores={label: float(score) for label, score in zip(LABELS, row_scores, strict=True)},
            )
            for row_scores, row_assigned in zip(scores, assigned, strict=True)
        ]
