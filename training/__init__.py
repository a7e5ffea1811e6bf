"""Offline training, evaluation and corpus checks for the rhetoric classifier."""
