"""The classifier: TF-IDF word n-grams, character n-grams and near word pairs into one-vs-rest
logistic regression on naive Bayes-scaled features."""

from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from rhetoric.model import NaiveBayesLogisticRegression, content_word_pairs
from rhetoric.text import normalise

#: The regularisation strength's parameter name in the uncalibrated pipeline (smaller is stronger).
REGULARISATION = "classifier__estimator__C"
#: The grid searched by default; keys are parameter names of the uncalibrated pipeline.
DEFAULT_SEARCH_SPACE: dict[str, list[Any]] = {
    REGULARISATION: [2.0, 8.0, 32.0, 128.0],
    "classifier__estimator__class_weight": [None, "balanced"],
}
#: Folds of the sigmoid calibration inside each label's classifier.
CALIBRATION_FOLDS = 3


def build_pipeline(seed: int, calibrated: bool = False, params: dict[str, Any] | None = None) -> Pipeline:
    """The pipeline with params (named as for the uncalibrated pipeline) applied."""
    word_ngrams = TfidfVectorizer(
        preprocessor=normalise,
        token_pattern=r"(?u)\b\w[\w'-]*\b",
        ngram_range=(1, 2),
        # Bigrams seen once are most of the vocabulary and none of the accuracy on real text.
        min_df=2,
        sublinear_tf=True,
        dtype=np.float64,
    )
    # char_wb n-grams catch inflections and compounds the word features split ("anti-DPRK", "puppets").
    char_ngrams = TfidfVectorizer(
        preprocessor=normalise,
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=2,
        sublinear_tf=True,
        dtype=np.float64,
    )
    word_pairs = TfidfVectorizer(
        preprocessor=normalise,
        tokenizer=content_word_pairs,
        token_pattern=None,
        min_df=5,
        sublinear_tf=True,
        dtype=np.float64,
    )
    logistic = NaiveBayesLogisticRegression(C=8.0, max_iter=2000, random_state=seed, solver="liblinear")
    # ensemble=False: one logistic regression and one sigmoid per label, fitted on inner
    # out-of-fold scores, so the model stays a single linear scorer per label.
    estimator = (
        CalibratedClassifierCV(logistic, method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False)
        if calibrated
        else logistic
    )
    pipeline = Pipeline(
        [
            ("features", FeatureUnion([("word", word_ngrams), ("char", char_ngrams), ("pairs", word_pairs)])),
            ("classifier", OneVsRestClassifier(estimator)),
        ]
    )
    if params:
        prefix = "classifier__estimator__"
        inner = "classifier__estimator__estimator__" if calibrated else prefix
        pipeline.set_params(
            **{(inner + k.removeprefix(prefix)) if k.startswith(prefix) else k: v for k, v in params.items()}
        )
    return pipeline
