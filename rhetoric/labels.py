"""The label set of the labelling standard (docs/LABELS.md)."""

from typing import Literal, get_args

Label = Literal["gratitude", "hostility", "self_reliance"]

#: Fixed order: columns of every score matrix and of every bundle follow it.
LABELS: tuple[Label, ...] = get_args(Label)


def check_labels(values: list[str]) -> list[Label]:
    """Return the labels in canonical order, or raise ValueError naming an unknown one."""
    unknown = sorted(set(values) - set(LABELS))
    if unknown:
        raise ValueError(f"unknown label(s) {unknown}; known labels are {list(LABELS)}")
    return [label for label in LABELS if label in values]
