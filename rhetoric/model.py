"""The project's own pieces of the fitted pipeline. They live in the core package because a saved
bundle names them: the service must import them to load a model that training built."""

import re
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

#: How many following content words each content word is paired with.
PAIR_WINDOW = 8
#: Add-one smoothing of the feature counts behind the log-count ratio.
RATIO_SMOOTHING = 1.0

_WORD = re.compile(r"(?u)\b\w[\w'-]*\b")
# Function words that pair with everything and mean nothing. Not scikit-learn's English list: it
# drops words that carry frames here ("own", "sincere", "fire", "never", "against", "without").
_FUNCTION_WORDS = frozenset(
    """the and but for nor yet with that this these those which who whom whose what when where
    while are was were been being has have had will would shall should can could may might must
    also than then there here from into onto upon about such its it's his her him she they them
    said says did does done just very too via per""".split()  # noqa: SIM905 (65 words read better as text)
)


def content_words(normalised: str) -> list[str]:
    """The words of a normalised text that word pairs are made of, in text order."""
    return [word for word in _WORD.findall(normalised) if len(word) > 2 and word not in _FUNCTION_WORDS]


def content_word_pairs(normalised: str) -> list[str]:
    """The unordered pairs of content words that stand near each other in a normalised text, once
    each, in no particular order.

    A frame often rests on two words apart rather than on one phrase: "independence" is pride
    said of the country but neutral said of other countries, and "help" is gratitude near
    "sincere" but self-reliance near "need no". Pairs let a linear model see that.
    """
    words = content_words(normalised)
    return list(
        {
            f"{first}|{second}" if first < second else f"{second}|{first}"
            for distance in range(1, PAIR_WINDOW + 1)
            for first, second in zip(words, words[distance:], strict=False)
            if first != second
        }
    )


def log_count_ratio(features: Any, positive: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Per feature, the log of how much more often it is present in the positive rows than in the
    others, each side's presence counts smoothed and scaled to sum to one."""
    present = sp.csr_matrix(features, dtype=np.float64)
    present.data = (present.data != 0).astype(np.float64)
    in_label = np.asarray(present[positive].sum(axis=0)).ravel() + RATIO_SMOOTHING
    elsewhere = np.asarray(present[~positive].sum(axis=0)).ravel() + RATIO_SMOOTHING
    ratio: NDArray[np.float64] = np.log(in_label / in_label.sum()) - np.log(elsewhere / elsewhere.sum())
    return ratio


class NaiveBayesLogisticRegression(LogisticRegression):  # type: ignore[misc]
    """Logistic regression on features scaled by their naive Bayes log-count ratio (NBSVM-style).

    Each feature is weighted by how much more often it occurs in the label's quotes than in the
    others before the regression is fitted, so evidence the counts already find strong needs less
    weight from the regression to count. The scaling is folded into `coef_` after fitting: the
    fitted model scores unscaled features, and is a plain linear scorer like its parent.
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:  # noqa: N803 (scikit-learn's name)
        labels = np.unique(y)
        if labels.size != 2:
            raise ValueError(f"NaiveBayesLogisticRegression needs two classes, got {labels.size}")
        ratio = log_count_ratio(X, np.asarray(y) == labels[1])
        super().fit(sp.csr_matrix(X) @ sp.diags(ratio), y, sample_weight=sample_weight)
        # Not kept apart: a copy of the ratio per label would cost as much memory as coef_ itself.
        self.coef_: NDArray[np.float64] = self.coef_ * ratio
        return self
