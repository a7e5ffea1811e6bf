"""Reading labelled quotes: the project's corpus and any labelled JSONL used for evaluation."""

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rhetoric.labels import LABELS, Label, check_labels
from rhetoric.text import normalise

T = TypeVar("T")

Kind = Literal[
    "speech", "statement", "commentary", "editorial", "letter", "report", "analyst", "wire", "interview", "feedback"
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class Annotation(BaseModel):
    """One reader's labels for a quote named by id; other fields are kept but not required."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    labels: list[Label]

    @field_validator("labels", mode="before")
    @classmethod
    def _known_labels(cls, value: object) -> list[Label]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError("labels must be a list of strings")
        return check_labels(value)


class Reading(Annotation):
    """A second reader's labels for a quote of an evaluation set."""

    #: The reader hesitated over this quote, marked before seeing the set's labels.
    unsure: bool = False


@dataclass(frozen=True)
class ReaderLabels:
    """A second reading of an evaluation set, row for row with its quotes."""

    labels: NDArray[np.int_]
    unsure: NDArray[np.bool_]


class LabelledQuote(Annotation):
    """The fields every labelled file needs; other fields are kept but not required."""

    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value


class CorpusQuote(LabelledQuote):
    """A quote of the project's own corpus, with the metadata the standard asks for."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z]{2,8}-\d{4,6}$")
    kind: Kind
    speaker: str | None = Field(default=None, max_length=40)
    target: str | None = Field(default=None, max_length=40)
    topic: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)


class CorpusFormatError(ValueError):
    """A labelled file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class LabelledFile:
    path: Path
    sha256: str
    bytes: int
    quotes: list[LabelledQuote]


AnyAnnotation = TypeVar("AnyAnnotation", bound=Annotation)


def _read_jsonl(raw: bytes, path: Path, schema: type[AnyAnnotation]) -> list[AnyAnnotation]:
    rows: list[AnyAnnotation] = []
    problems: list[str] = []
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(schema.model_validate(json.loads(line)))
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not JSON ({error.msg})")
        except ValidationError as error:
            detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in error.errors())
            problems.append(f"{path}:{number}: {detail}")
    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise CorpusFormatError(f"{len(problems)} invalid line(s):\n{shown}{more}")
    return rows


def read_labelled(path: Path, strict: bool = False) -> LabelledFile:
    """Read a JSONL file of labelled quotes; strict applies the corpus schema."""
    schema: type[LabelledQuote] = CorpusQuote if strict else LabelledQuote
    raw = path.read_bytes()
    quotes = _read_jsonl(raw, path, schema)
    return LabelledFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), bytes=len(raw), quotes=quotes)


def read_annotations(path: Path, quotes: Sequence[LabelledQuote]) -> ReaderLabels:
    """Another reader's labels for exactly these quotes (matched by id), in their order."""
    by_id: dict[str, Reading] = {}
    for annotation in _read_jsonl(path.read_bytes(), path, Reading):
        if annotation.id in by_id:
            raise CorpusFormatError(f"{path}: id {annotation.id!r} is labelled twice")
        by_id[annotation.id] = annotation
    wanted = [quote.id for quote in quotes]
    missing = [quote_id for quote_id in wanted if quote_id not in by_id]
    unknown = sorted(by_id.keys() - set(wanted))
    if missing or unknown:
        gaps = [
            f"{len(ids)} {what} (first: {', '.join(ids[:3])})"
            for what, ids in (("missing", missing), ("unknown", unknown))
            if ids
        ]
        raise CorpusFormatError(
            f"{path}: the annotations must label exactly the data's quotes by id; " + "; ".join(gaps)
        )
    readings = [by_id[quote_id] for quote_id in wanted]
    return ReaderLabels(label_matrix(readings), np.array([reading.unsure for reading in readings], dtype=bool))


def latest_per_text(items: Iterable[T], text_of: Callable[[T], str]) -> list[T]:
    """One item per text (compared normalised): the last one wins, in the order of that last one."""
    latest: dict[str, T] = {}
    for item in items:
        key = normalise(text_of(item))
        latest.pop(key, None)
        latest[key] = item
    return list(latest.values())


def quote_topic(quote: LabelledQuote) -> str:
    """The topic a quote is grouped by; a quote of a file without topics is its own topic."""
    return str(getattr(quote, "topic", None) or quote.id)


def unique_quotes(files: Sequence[LabelledFile]) -> list[tuple[LabelledQuote, str]]:
    """Each text once with the path of the file it came from; a text given twice keeps its last label."""
    return latest_per_text(
        [(quote, labelled.path.as_posix()) for labelled in files for quote in labelled.quotes], lambda q: q[0].text
    )


def label_matrix(quotes: Sequence[Annotation]) -> NDArray[np.int_]:
    """One row per quote, one 0/1 column per label in LABELS order."""
    return np.array([[int(label in quote.labels) for label in LABELS] for quote in quotes], dtype=int).reshape(
        len(quotes), len(LABELS)
    )


def label_counts(quotes: Iterable[LabelledQuote]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for quote in quotes:
        counts.update(quote.labels)
        if not quote.labels:
            counts["neutral"] += 1
        if len(quote.labels) > 1:
            counts["multi_label"] += 1
    return {key: counts[key] for key in (*LABELS, "neutral", "multi_label")}


def combined_sha256(files: Sequence[LabelledFile]) -> str:
    digest = hashlib.sha256()
    for labelled_file in files:
        digest.update(labelled_file.sha256.encode())
    return digest.hexdigest()
