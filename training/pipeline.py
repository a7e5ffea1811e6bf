"""The classifier: TF-IDF word and character n-grams into one-vs-rest logistic regression."""

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from rhetoric.text import normalise

#: The grid searched by default; keys are Pipeline parameter names.
DEFAULT_SEARCH_SPACE: dict[str, list[Any]] = {
    "classifier__estimator__C": [2.0, 8.0, 32.0, 128.0],
    "classifier__estimator__class_weight": [None, "balanced"],
}


def build_pipeline(seed: int) -> Pipeline:
    word_ngrams = TfidfVectorizer(
        preprocessor=normalise,
        token_pattern=r"(?u)\b\w[\w'-]*\b",
        ngram_range=(1, 2),
        min_df=1,
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
    classifier = OneVsRestClassifier(LogisticRegression(C=8.0, max_iter=2000, random_state=seed, solver="liblinear"))
    return Pipeline(
        [
            ("features", FeatureUnion([("word", word_ngrams), ("char", char_ngrams)])),
            ("classifier", classifier),
        ]
    )
