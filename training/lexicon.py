"""A keyword-lexicon classifier: the baseline every model must clearly beat.

Written for the project from the labelling standard, not fitted to any data: a label is given
when any of its patterns occurs in the normalised quote.
"""

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from rhetoric.labels import LABELS, Label
from rhetoric.text import normalise

LEXICON: dict[Label, tuple[str, ...]] = {
    "gratitude": (
        r"\bthank(?:s|ed|ing|ful)?\b(?! to\b)",
        r"\bgrat(?:eful|itude)\b",
        r"\bappreciat(?:e|es|ed|ion)\b",
        r"\bindebted",
        r"\brepay",
        r"\bloving care\b",
        r"\bbenevolence\b",
        r"\bmoved to tears\b",
    ),
    "hostility": (
        r"\bpuppets?\b",
        r"\btraitors?\b|\btraitorous\b",
        r"\bimperialists?\b",
        r"\baggress(?:or|ors|ion|ive)\b",
        r"\bwarmongers?\b",
        r"\bdenounc",
        r"\bcondemn",
        r"\bprovocat",
        r"\bhostile\b",
        r"\breckless\b",
        r"\bsinister\b",
        r"\bscum\b",
        r"\bpay dearly\b",
        r"\bmerciless",
        r"\bpunish",
        r"\benem(?:y|ies)\b",
        r"\bfascis",
        r"\bracket\b",
        r"\bsmear",
        r"\bgangster",
    ),
    "self_reliance": (
        r"\bself-reli",
        r"\bself-support",
        r"\bself-sufficien",
        r"\bown (?:efforts?|strength|hands|way|style|technology|resources|raw materials)\b",
        r"\b(?:local|domestic) (?:raw )?materials\b",
        r"\bjuche\b",
        r"\bby our nation itself\b",
        r"\bindependent national economy\b",
        r"\b(?:outside|foreign) (?:help|aid|forces|interference)\b",
        r"\bdependence on\b",
        r"\bnever beg\b",
    ),
}

_COMPILED = {label: re.compile("|".join(patterns)) for label, patterns in LEXICON.items()}


def lexicon_predict(texts: Sequence[str]) -> NDArray[np.int_]:
    """0/1 per label (LABELS order) for each text."""
    rows = [[int(bool(_COMPILED[label].search(normalise(text)))) for label in LABELS] for text in texts]
    return np.array(rows, dtype=int).reshape(len(texts), len(LABELS))
