"""Core of the rhetoric classifier, shared by the service and the training code."""

from rhetoric.labels import LABELS, Label

__all__ = ["LABELS", "Label"]
