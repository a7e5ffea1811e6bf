import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhetoric.analysis import Unit, analyze
from rhetoric.article import find_quotes, segment
from rhetoric.bundle import load_bundle
from rhetoric.explain import explain, find_spans
from rhetoric.gazetteer import mentions
from rhetoric.scoring import Scorer

FIXTURES = Path(__file__).parent / "fixtures"
#: What may lie between units: anything but letters and digits (white space, quotation marks, punctuation).
GAP = re.compile(r"[^\w]*")


@pytest.fixture(scope="module")
def scorer(bundle_dir: Path) -> Scorer:
    bundle = load_bundle(bundle_dir)
    return Scorer(bundle.pipeline, bundle.card.thresholds)


def _analyse(name: str, scorer: Scorer) -> tuple[str, list[Unit]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    units, _ = analyze(text, scorer)
    return text, units


def _unit(units: list[Unit], starts_with: str) -> Unit:
    return next(u for u in units if u.text.startswith(starts_with))


def test_wire_story_quotes_reported_speech_and_speakers(scorer: Scorer) -> None:
    text, units = _analyse("wire_story.txt", scorer)
    assert all(text[u.start : u.end] == u.text for u in units)
    first = units[0]
    assert (first.kind, first.speaker, first.labels) == ("reported", "North Korean leader Kim Jong Un", ["gratitude"])
    assert {(t.entity, t.text) for t in first.targets} == {("russia", "Russian"), ("russia", "Putin")}
    thanks = _unit(units, "I sincerely thank you")
    assert (thanks.kind, thanks.speaker, thanks.labels) == ("quote", "Kim", ["gratitude"])
    plan = _unit(units, "The recovery will proceed")
    assert (plan.kind, plan.speaker, plan.labels) == ("quote", "Kim", ["self_reliance"])
    ask = _unit(units, "He said the country would ask")
    assert (ask.kind, ask.speaker, ask.labels) == ("reported", "Kim", ["self_reliance"])
    enemy = _unit(units, "Days later Kim called")
    assert (enemy.speaker, enemy.labels) == ("Kim", ["hostility"])
    assert [(t.entity, text[t.start : t.end]) for t in enemy.targets] == [("south_korea", "south Korea")]
    analyst = _unit(units, "North Korea typically stresses")
    assert (analyst.kind, analyst.speaker) == ("quote", "Lee Jae-hoon, an analyst at a Seoul research institute")
    note = _unit(units, "It reads like a thank-you note")
    assert note.speaker == "Another analyst, Choi Min-ji of a university in Busan"  # "she" resolved
    assert _unit(units, "The floods destroyed").kind == "narration"
    assert _unit(units, "The floods destroyed").labels == []


def test_state_media_letter_is_split_into_attributed_sentences(scorer: Scorer) -> None:
    _, units = _analyse("kcna_letter.txt", scorer)
    letter = [u for u in units if u.kind == "quote"]
    assert [u.speaker for u in letter] == ["The letter"] * 3
    assert [u.labels for u in letter] == [["gratitude"], ["gratitude", "self_reliance"], ["hostility"]]
    assert [(t.label, t.entity) for t in letter[0].targets] == [("gratitude", "leader")]
    assert {(t.label, t.entity) for t in letter[2].targets} == {
        ("hostility", "south_korea"),
        ("hostility", "united_states"),
    }
    assert (units[-1].kind, units[-1].speaker) == ("narration", None)


def test_unquoted_statement_after_a_lead_in_belongs_to_its_speaker(scorer: Scorer) -> None:
    _, units = _analyse("ministry_statement.txt", scorer)
    body = units[1:-1]
    assert {u.speaker for u in body} == {"A DPRK Foreign Ministry spokesman"}
    assert {u.kind for u in body} == {"quote"}
    assert [u.labels for u in body] == [["hostility"], ["hostility"], ["hostility"], ["self_reliance"]]
    assert units[-1].speaker is None  # "The statement was carried ..." speaks about the statement


def test_summary_counts_labels_by_speaker_and_names_the_strongest_unit(scorer: Scorer) -> None:
    text = (FIXTURES / "wire_story.txt").read_text(encoding="utf-8")
    units, summary = analyze(text, scorer)
    assert summary.units == len(units)
    assert summary.labels["hostility"]["units"] == sum("hostility" in u.labels for u in units)
    assert summary.by_speaker["Kim"]["units"] == sum(u.speaker == "Kim" for u in units)
    strongest = summary.strongest["gratitude"]
    assert strongest is not None
    assert strongest["score"] == max(u.scores["gratitude"] for u in units if "gratitude" in u.labels)


def test_scare_quotes_stay_inside_their_sentence() -> None:
    text = 'The spokesman denounced the "provocative" drills. "We will answer them with a merciless strike," he said.'
    assert [text[a:b] for a, b in find_quotes(text)] == ["We will answer them with a merciless strike,"]


def test_gazetteer_finds_aliases_but_not_words_inside_words() -> None:
    found = mentions("Washington, the ROK puppets and Tokyo; USSR and us", offset=10)
    assert [(m.entity, m.text, m.start) for m in found] == [
        ("united_states", "Washington", 10),
        ("south_korea", "ROK", 26),
        ("south_korea", "puppets", 30),
        ("japan", "Tokyo", 42),
    ]


_ARTICLE_PIECES = st.sampled_from(
    [
        "Kim said the plan would proceed.",
        '"We thank you for your help," he said.',
        "\u201cThe puppets will pay dearly. We will never forgive them,\u201d the spokesman warned.",
        "The talks ended on Friday, said an official.",
        "The letter said:\n",
        "\u00abIndependence is our lifeline\u00bb",
        "U.S. officials met in Seoul on Feb. 3.",
        '"unfinished quote',
        "\n\n",
        " , , -0- ",
        "It said: ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ARTICLE_PIECES | st.text(max_size=40), max_size=12).map(" ".join))
def test_units_slice_the_text_without_losing_or_repeating_any(text: str) -> None:
    units = segment(text)
    cursor = 0
    for unit in units:
        assert unit.start >= cursor, "units overlap or are out of order"
        assert GAP.fullmatch(text[cursor : unit.start]), f"lost text {text[cursor : unit.start]!r}"
        assert unit.start < unit.end
        cursor = unit.end
    assert GAP.fullmatch(text[cursor:]), f"lost text {text[cursor:]!r}"


def test_explanations_add_up_to_the_logit_and_point_at_the_words(scorer: Scorer) -> None:
    assert scorer.compiled is not None
    text = "The puppet traitors will pay dearly, but we thank our friends."
    detail = explain(scorer.compiled, text, top=1000)
    logits = scorer.compiled.logits(text)
    for column, label in enumerate(("gratitude", "hostility", "self_reliance")):
        parts = detail[label]  # type: ignore[index]
        total = parts.intercept + sum(e.contribution for e in parts.up + parts.down)
        assert total == pytest.approx(float(logits[column]), abs=1e-5)
        assert parts.logit == pytest.approx(float(logits[column]))
    top_hostile = detail["hostility"].up[0]
    top_words = set(re.split(r"[ |]", top_hostile.feature))
    assert top_words <= {"puppet", "traitors", "will", "pay", "dearly"}, top_hostile
    assert {text[a:b].lower() for a, b in top_hostile.spans} == top_words
    assert any(e.feature == "thank" for e in detail["gratitude"].up)
    pairs = [e for label in detail.values() for e in label.up + label.down if e.kind == "pair"]
    assert pairs, "no word pair in the explanation"
    for pair in pairs:
        assert {text[a:b].lower() for a, b in pair.spans} == set(pair.feature.split("|"))


def test_feature_spans_tolerate_case_apostrophes_and_glued_words() -> None:
    text = "The Party\u2019s care reached toKim and the PUPPETS."
    assert find_spans(text, "ngram", "party's care") == [(4, 16)]
    assert find_spans(text, "ngram", "to kim") == [(25, 30)]
    assert find_spans(text, "word", "puppets") == [(39, 46)]
    assert find_spans(text, "word", "care") == [(12, 16)]
    assert find_spans("Built thanks to the Party.", "ngram", "owing to") == [(6, 15)]


def test_a_word_pair_spans_every_occurrence_of_both_its_words() -> None:
    text = "Need we help? We need no Help from others."
    assert find_spans(text, "pair", "help|need") == [(0, 4), (8, 12), (17, 21), (25, 29)]


def test_feature_spans_find_the_british_spelling_the_feature_was_folded_from() -> None:
    text = "The Defence Ministry honoured its defense plan."
    assert find_spans(text, "word", "defense") == [(4, 11), (34, 41)]
    assert find_spans(text, "ngram", "ministry honored") == [(12, 29)]


def test_explanations_of_analyzed_units_use_article_offsets(scorer: Scorer) -> None:
    text = "Nothing to see here. The puppet traitors will pay dearly."
    units, _ = analyze(text, scorer, with_explanations=True)
    hostile = units[1]
    assert hostile.explanation is not None
    spans = [span for e in hostile.explanation["hostility"].up for span in e.spans]
    assert spans
    assert all(hostile.start <= a < b <= hostile.end for a, b in spans)
    word_evidence = [e for e in hostile.explanation["hostility"].up if e.kind == "word"]
    assert all(text[a:b].lower() == e.feature for e in word_evidence for a, b in e.spans)
