"""Article analysis: labelled, attributed units with targets, and a summary by speaker."""

from collections import Counter
from dataclasses import dataclass, field

from rhetoric.article import UnitKind, segment
from rhetoric.explain import LabelExplanation, explain
from rhetoric.gazetteer import Mention, mentions
from rhetoric.labels import LABELS, Label
from rhetoric.scoring import Scorer

#: Labels whose frame is aimed at someone.
AIMED_LABELS: tuple[Label, ...] = ("gratitude", "hostility")
#: The speaker's own side is not the target of its hostility.
NOT_HOSTILITY_TARGETS = {"leader", "party"}


@dataclass(frozen=True)
class Target:
    label: Label
    entity: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Unit:
    text: str
    start: int
    end: int
    kind: UnitKind
    speaker: str | None
    labels: list[Label]
    scores: dict[Label, float]
    targets: list[Target]
    explanation: dict[Label, LabelExplanation] | None = None


@dataclass
class Summary:
    units: int
    labels: dict[Label, dict[str, float]]
    by_speaker: dict[str, dict[str, int]]
    strongest: dict[Label, dict[str, float] | None] = field(default_factory=dict)


def _targets(unit_labels: list[Label], found: list[Mention], speaker: tuple[int, int] | None) -> list[Target]:
    targets = []
    for label in AIMED_LABELS:
        if label not in unit_labels:
            continue
        for mention in found:
            inside_speaker = speaker is not None and speaker[0] <= mention.start < speaker[1]
            if inside_speaker or (label == "hostility" and mention.entity in NOT_HOSTILITY_TARGETS):
                continue
            targets.append(Target(label, mention.entity, mention.text, mention.start, mention.end))
    return targets


def analyze(text: str, scorer: Scorer, with_explanations: bool = False) -> tuple[list[Unit], Summary]:
    segments = segment(text)
    predictions = scorer.predict([text[s.start : s.end] for s in segments])
    units = []
    for piece, prediction in zip(segments, predictions, strict=True):
        unit_text = text[piece.start : piece.end]
        speaker_span = (
            (piece.speaker_start, piece.speaker_end)
            if piece.speaker_start is not None and piece.speaker_end is not None
            else None
        )
        explanation = None
        if with_explanations and scorer.compiled is not None:
            explanation = {
                label: _shift(detail, piece.start) for label, detail in explain(scorer.compiled, unit_text).items()
            }
        units.append(
            Unit(
                text=unit_text,
                start=piece.start,
                end=piece.end,
                kind=piece.kind,
                speaker=piece.speaker,
                labels=prediction.labels,
                scores=prediction.scores,
                targets=_targets(prediction.labels, mentions(unit_text, piece.start), speaker_span),
                explanation=explanation,
            )
        )
    return units, summarise(units)


def _shift(detail: LabelExplanation, offset: int) -> LabelExplanation:
    def moved(items: list) -> list:  # type: ignore[type-arg]
        return [
            type(e)(e.feature, e.kind, e.contribution, [(a + offset, b + offset) for a, b in e.spans]) for e in items
        ]

    return LabelExplanation(detail.intercept, detail.logit, moved(detail.up), moved(detail.down))


def summarise(units: list[Unit]) -> Summary:
    total = len(units)
    counts = Counter(label for unit in units for label in unit.labels)
    by_speaker: dict[str, Counter[str]] = {}
    for unit in units:
        tally = by_speaker.setdefault(unit.speaker or "(unattributed)", Counter())
        tally["units"] += 1
        tally.update(unit.labels)
    strongest: dict[Label, dict[str, float] | None] = {}
    for label in LABELS:
        carrying = [(unit.scores[label], index) for index, unit in enumerate(units) if label in unit.labels]
        score, index = max(carrying) if carrying else (0.0, -1)
        strongest[label] = {"unit": index, "score": score} if carrying else None
    return Summary(
        units=total,
        labels={label: {"units": counts[label], "share": counts[label] / total if total else 0.0} for label in LABELS},
        by_speaker={speaker: {key: tally[key] for key in ("units", *LABELS)} for speaker, tally in by_speaker.items()},
        strongest=strongest,
    )
