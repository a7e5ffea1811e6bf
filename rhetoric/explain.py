"""Why a quote got its scores: the features that pushed each label's logit up or down most.

The model is linear in its features, so each feature's contribution is exact and they sum, with
the intercept, to the logit. Character n-grams are reported per word, which is what a reader can
highlight, and a word pair by the spans of both its words; every feature carries its character
spans in the original text.
"""

import re
from dataclasses import dataclass

import numpy as np

from rhetoric.compiled import CompiledScorer
from rhetoric.labels import LABELS, Label
from rhetoric.text import surface_forms

_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class Evidence:
    feature: str
    kind: str
    contribution: float
    spans: list[tuple[int, int]]


@dataclass(frozen=True)
class LabelExplanation:
    intercept: float
    logit: float
    up: list[Evidence]
    down: list[Evidence]


def _token_pattern(token: str) -> str:
    return "(?:" + "|".join(re.escape(form).replace("'", "['\u2019]") for form in surface_forms(token)) + ")"


def find_spans(text: str, kind: str, term: str) -> list[tuple[int, int]]:
    """Where a normalised feature occurs in the original text (case and apostrophes aside)."""
    if not term:
        return []
    if kind == "ngram":
        pattern = r"(?<!\w)" + r"[\W_]*".join(_token_pattern(token) for token in term.split(" ")) + r"(?!\w)"
    elif kind == "pair":
        pattern = r"(?<!\w)(?:" + "|".join(_token_pattern(word) for word in term.split("|")) + r")(?!\w)"
    else:
        pattern = r"(?<!\w)" + _token_pattern(term) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]


def explain(scorer: CompiledScorer, text: str, top: int = 8) -> dict[Label, LabelExplanation]:
    merged: dict[tuple[str, str], np.ndarray] = {}
    for item in scorer.contributions(text):
        term = _EDGE_PUNCTUATION.sub("", item.term) if item.kind == "word" else item.term
        key = (item.kind, term)
        merged[key] = merged.get(key, 0.0) + item.logit
    logits = scorer.logits(text)
    result: dict[Label, LabelExplanation] = {}
    for column, label in enumerate(LABELS):
        ranked = sorted(merged.items(), key=lambda entry: float(entry[1][column]))
        evidence = [
            Evidence(term, kind, round(float(vector[column]), 6), find_spans(text, kind, term))
            for (kind, term), vector in ranked
        ]
        result[label] = LabelExplanation(
            intercept=float(scorer.intercepts[column]),
            logit=float(logits[column]),
            up=[e for e in reversed(evidence) if e.contribution > 0][:top],
            down=[e for e in evidence if e.contribution < 0][:top],
        )
    return result
