"""The model bundle: a joblib artifact and the model card JSON beside it.

joblib runs code when it loads a file, so nothing is unpickled until the card has been read and
validated and the artifact's size and SHA-256 match what the card records.
"""

import hashlib
import platform
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sklearn.pipeline import Pipeline

from rhetoric.labels import LABELS, Label
from rhetoric.text import NORMALISATION_VERSION

BUNDLE_FORMAT_VERSION = 1
ARTIFACT_FILE = "model.joblib"
CARD_FILE = "model.card.json"
#: Libraries whose versions must match between training and serving for a pickle to be trusted.
PINNED_LIBRARIES = ("scikit-learn", "numpy", "scipy", "joblib")


class BundleError(Exception):
    """A bundle that is missing, inconsistent or unsafe to load; the message says what to run."""


class LabelMetrics(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class Metrics(BaseModel):
    """Scores of the thresholded predictions on one data set."""

    data: str
    quotes: int
    per_label: dict[Label, LabelMetrics]
    macro_f1: float
    micro_f1: float
    exact_match: float
    brier: dict[Label, float] | None = Field(default=None, description="mean squared error of the probabilities")


class DataFile(BaseModel):
    path: str
    sha256: str
    bytes: int
    quotes: int


class TrainingData(BaseModel):
    files: list[DataFile]
    sha256: str = Field(description="SHA-256 over the training files' hashes, in order")
    quotes: int
    label_counts: dict[str, int]


class Artifact(BaseModel):
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(gt=0)


class Environment(BaseModel):
    python: str
    libraries: dict[str, str]


class ModelCard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int
    name: str
    version: str
    created: datetime
    labels: list[Label]
    thresholds: dict[Label, float]
    normalisation_version: int
    seed: int
    hyperparameters: dict[str, Any]
    training_data: TrainingData
    metrics: dict[str, Metrics]
    environment: Environment
    artifact: Artifact


@dataclass(frozen=True)
class Bundle:
    card: ModelCard
    pipeline: Pipeline


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_environment() -> Environment:
    return Environment(
        python=platform.python_version(),
        libraries={name: metadata.version(name) for name in PINNED_LIBRARIES},
    )


def _retrain_hint(directory: Path) -> str:
    return f"build it with `python -m training.train --out {directory}`"


def save_bundle(directory: Path, pipeline: Pipeline, card_fields: dict[str, Any]) -> ModelCard:
    """Write the artifact, then the card that vouches for it. Returns the card written."""
    directory.mkdir(parents=True, exist_ok=True)
    artifact_path = directory / ARTIFACT_FILE
    joblib.dump(pipeline, artifact_path)
    card = ModelCard(
        format_version=BUNDLE_FORMAT_VERSION,
        labels=list(LABELS),
        normalisation_version=NORMALISATION_VERSION,
        environment=current_environment(),
        artifact=Artifact(
            file=ARTIFACT_FILE,
            sha256=sha256_file(artifact_path),
            bytes=artifact_path.stat().st_size,
        ),
        **card_fields,
    )
    temporary = directory / (CARD_FILE + ".tmp")
    temporary.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    temporary.replace(directory / CARD_FILE)
    return card


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def read_card(directory: Path) -> ModelCard:
    """Read and validate a bundle's card without touching the artifact."""
    card_path = directory / CARD_FILE
    if not card_path.is_file():
        raise BundleError(f"no model card at {card_path}; {_retrain_hint(directory)}")
    try:
        card = ModelCard.model_validate_json(card_path.read_bytes())
    except ValidationError as error:
        raise BundleError(
            f"model card {card_path} is invalid ({error.error_count()} problem(s), first: "
            f"{_first_problem(error)}); {_retrain_hint(directory)}"
        ) from error
    if card.format_version != BUNDLE_FORMAT_VERSION:
        raise BundleError(
            f"bundle format {card.format_version} is not the supported {BUNDLE_FORMAT_VERSION}; "
            f"{_retrain_hint(directory)}"
        )
    if tuple(card.labels) != LABELS or set(card.thresholds) != set(LABELS):
        raise BundleError(f"bundle labels {card.labels} differ from {list(LABELS)}; {_retrain_hint(directory)}")
    if card.normalisation_version != NORMALISATION_VERSION:
        raise BundleError(
            f"bundle was trained with text normalisation v{card.normalisation_version}, this code "
            f"has v{NORMALISATION_VERSION}; {_retrain_hint(directory)}"
        )
    installed = current_environment().libraries
    mismatched = {
        name: (card.environment.libraries.get(name), version)
        for name, version in installed.items()
        if card.environment.libraries.get(name) != version
    }
    if mismatched:
        described = ", ".join(f"{n} {old} (bundle) vs {new} (installed)" for n, (old, new) in mismatched.items())
        raise BundleError(f"library versions differ: {described}; {_retrain_hint(directory)}")
    return card


def verify_bundle(directory: Path) -> ModelCard:
    """Check the card and that the artifact is byte for byte the one it describes, without loading it."""
    card = read_card(directory)
    artifact_path = directory / card.artifact.file
    if artifact_path.name != card.artifact.file or not artifact_path.is_file():
        raise BundleError(f"artifact {artifact_path} is missing; {_retrain_hint(directory)}")
    size = artifact_path.stat().st_size
    if size != card.artifact.bytes:
        raise BundleError(
            f"artifact {artifact_path} has {size} bytes, its card says {card.artifact.bytes}; "
            f"{_retrain_hint(directory)}"
        )
    digest = sha256_file(artifact_path)
    if digest != card.artifact.sha256:
        raise BundleError(
            f"artifact {artifact_path} has SHA-256 {digest}, its card says {card.artifact.sha256}; "
            f"refusing to load it; {_retrain_hint(directory)}"
        )
    return card


def load_bundle(directory: Path) -> Bundle:
    """Verify a bundle against its card and only then unpickle it."""
    card = verify_bundle(directory)
    artifact_path = directory / card.artifact.file
    try:
        pipeline = joblib.load(artifact_path)
    except Exception as error:  # a verified file that still fails to unpickle is corrupt
        raise BundleError(
            f"artifact {artifact_path} cannot be loaded ({error!r}); {_retrain_hint(directory)}"
        ) from error
    if not isinstance(pipeline, Pipeline) or not hasattr(pipeline, "predict_proba"):
        raise BundleError(f"artifact {artifact_path} is not a pipeline; {_retrain_hint(directory)}")
    return Bundle(card=card, pipeline=pipeline)
