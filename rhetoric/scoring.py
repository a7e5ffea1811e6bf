"""Turning a fitted pipeline's probabilities into labelled predictions."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from rhetoric.compiled import CompiledScorer, UnsupportedPipelineError
from rhetoric.labels import LABELS, Label

log = logging.getLogger(__name__)

#: Batches at least this large go through the scikit-learn pipeline; None: never. The compiled
#: scorer was faster at every batch size measured (bench/inprocess.py prints the crossover).
PIPELINE_FROM_BATCH_SIZE: int | None = None


@dataclass(frozen=True)
class Prediction:
    labels: list[Label]
    scores: dict[Label, float]


def apply_thresholds(scores: NDArray[np.float64], thresholds: Mapping[Label, float]) -> NDArray[np.bool_]:
    """A label is assigned when its score reaches that label's threshold."""
    cutoffs = np.array([thresholds[label] for label in LABELS])
    return scores >= cutoffs


class Scorer:
    """Scores quotes with a fitted pipeline and the per-label thresholds of its model card.

    The pipeline is compiled into a CompiledScorer when its steps allow; both give the same
    probabilities, and each batch goes to whichever is faster for its size.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        thresholds: Mapping[Label, float],
        compile_pipeline: bool = True,
        pipeline_from_batch_size: int | None = PIPELINE_FROM_BATCH_SIZE,
    ) -> None:
        self.pipeline = pipeline
        self.thresholds = dict(thresholds)
        self.pipeline_from_batch_size = pipeline_from_batch_size
        self.compiled: CompiledScorer | None = None
        if compile_pipeline:
            try:
                self.compiled = CompiledScorer(pipeline)
            except UnsupportedPipelineError as error:
                log.warning("scoring with the scikit-learn pipeline: %s", error)

    def pipeline_scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if not texts:
            return np.zeros((0, len(LABELS)))
        return np.asarray(self.pipeline.predict_proba(list(texts)), dtype=np.float64)

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Probability of each label (columns in LABELS order) for each text."""
        large = self.pipeline_from_batch_size is not None and len(texts) >= self.pipeline_from_batch_size
        if self.compiled is None or large:
            return self.pipeline_scores(texts)
        return self.compiled.scores(texts)

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
