"""Splitting an article into quotes, reported speech and narration, and finding who speaks.

Every unit keeps character offsets into the article, so text[start:end] is the unit. Units never
overlap, and what lies between them has no letters or digits (white space, quotation marks,
punctuation), so no words are lost or counted twice.
"""

import re
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["quote", "reported", "narration"]

#: Opening mark -> closing mark. Single quotes are left alone: they double as apostrophes.
QUOTE_MARKS = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201d"}
#: A quotation with fewer words and no sentence end inside is a scare quote, part of its sentence.
MIN_QUOTE_WORDS = 4
_SEPARATORS = ' \t\r\n,;:\u2014\u2013-"\u201c\u201d\u00ab\u00bb\u201e'

_ABBREVIATIONS = {
    "u.s",
    "u.n",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "gen",
    "lt",
    "col",
    "maj",
    "capt",
    "sgt",
    "no",
    "nos",
    "jan",
    "feb",
    "mar",
    "apr",
    "aug",
    "sept",
    "sep",
    "oct",
    "nov",
    "dec",
    "a.m",
    "p.m",
    "e.g",
    "i.e",
    "vs",
    "etc",
    "inc",
    "co",
    "corp",
    "jr",
    "sr",
    "prof",
    "gov",
    "sen",
    "rep",
    "mt",
    "ft",
    "d.p.r.k",
    "r.o.k",
    "u.k",
}
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)]*(?=\s+|$)")

_SPEECH_VERBS = (
    "said|says|stated|states|noted|notes|stressed|stresses|warned|warns|added|adds|declared|declares|"
    "emphasized|emphasised|emphasizes|emphasises|pointed out|points out|told|tells|expressed|expresses|urged|urges|"
    "called|calls|denounced|denounces|condemned|condemns|thanked|thanks|asserted|asserts|insisted|insists|"
    "claimed|claims|accused|accuses|vowed|vows|affirmed|affirms|underscored|underlined|remarked|wrote|writes|"
    "announced|announces|recalled|recalls|observed|explained|referred|reiterated|reiterates|charged|slammed|"
    "lambasted|blasted|praised|hailed|argued|argues|mocked|branded|quoted|cited"
)
_ROLE_WORDS = re.compile(
    r"\b(?:spokes(?:man|woman|person)|ministry|agency|commentary|statement|analyst|expert|professor|official|"
    r"officials|paper|newspaper|article|editorial|researcher|director|minister|leader|president|chairman|"
    r"secretary|ambassador|committee|council|kcna|rodong|sinmun|yonhap|reuters|he|she|they|it|i|we)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    r"\b(?:is|was|were|are|be|been|being|would|will|had|has|have|should|could|can|may|might|must|that|which)\b"
)
_TIME_LEAD = re.compile(
    r"^(?:(?:days|weeks|months|hours|years|minutes) (?:later|earlier)|later|earlier|meanwhile|then|also|"
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\s+",
    re.IGNORECASE,
)
_PRONOUNS = {"he", "she", "they", "it", "him", "her", "them"}
_INSTITUTION = re.compile(
    r"\b(?:statement|commentary|ministry|agency|paper|newspaper|article|editorial|kcna|report|committee|"
    r"council|sinmun)\b",
    re.IGNORECASE,
)
_INTRO = re.compile(
    r"^(?:(?:In|At|On|During|Speaking|Referring|Asked|Meanwhile|However|But|And|Also|Then)\b[^,]{0,80},\s*)"
)
_SUBJECT_FIRST = re.compile(
    rf"^(?P<speaker>[^;:\"\u201c\u201d]{{1,160}}?),?\s+(?:also\s+|further\s+|then\s+|again\s+|later\s+)?"
    rf"(?P<verb>{_SPEECH_VERBS})\b(?P<rest>.*)$",
    re.DOTALL,
)
_VERB_FIRST_TAIL = re.compile(
    r"(?:^|,)\s*(?P<verb>said|says|added|adds|noted|stressed|warned|explained|wrote|declared)\s+"
    r"(?P<speaker>[^;:\"\u201c\u201d]{2,160}?)\s*[.,;]?\s*$"
)
_LEAD_IN = re.compile(
    r"^(?P<speaker>[^;:\"\u201c\u201d]{1,160}?)\s+(?:released|issued|published|made public|sent|carried|"
    r"said|says|stated|declared|wrote|writes|goes on|went on|reads)\b[^:]*:\s*$"
)
_DOCUMENT_REFERENCE = re.compile(
    r"^(?:The|This|That) (?:statement|letter|message|commentary|article|editorial|report|speech)\b"
)
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'-]+,\s[^\n]{0,40}?(?:--|\u2014|\u2013)\s*")
_SUBJECT_VERB_TAIL = re.compile(
    rf"(?:^|,)\s*(?P<speaker>[^,;:\"\u201c\u201d]{{1,140}}?)\s+(?P<verb>{_SPEECH_VERBS})"
    rf"(?:\s+(?:reporters|journalists|KCNA|the\s+\w+))?\s*[.,;:]?\s*$"
)


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    kind: UnitKind
    speaker: str | None
    speaker_start: int | None = None
    speaker_end: int | None = None


def _words(text: str) -> int:
    return len(text.split())


def find_quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each quotation long enough to be a unit of its own."""
    spans = []
    i = 0
    while i < len(text):
        closing = QUOTE_MARKS.get(text[i])
        if closing is None:
            i += 1
            continue
        end = text.find(closing, i + 1)
        paragraph_break = text.find("\n", i + 1)
        # A quotation running on to the next paragraph reopens it; the paragraph ends this piece.
        if paragraph_break != -1 and (end == -1 or paragraph_break < end):
            rest = text[paragraph_break:].lstrip()
            end = paragraph_break if rest[:1] in QUOTE_MARKS else end
        if end == -1:
            i += 1
            continue
        inner = text[i + 1 : end]
        if _words(inner) >= MIN_QUOTE_WORDS or re.search(r"[.!?]\s*$", inner.strip()):
            spans.append((i + 1, end))
            i = end + 1
        else:
            i = end + 1 if end > i else i + 1
    return spans


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start() + 1]
    word = re.search(r"([A-Za-z.]+)\.?$", before)
    token = word.group(1).lower().rstrip(".") if word else ""
    if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
        return False
    after = text[match.end() :].lstrip()
    return not after[:1].islower()


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as absolute spans, trimmed of separators at both ends."""
    pieces = []
    cursor = start
    region = text[start:end]
    cuts = [start + m.end() for m in _SENTENCE_END.finditer(region) if _is_boundary(region, m)]
    cuts += [start + m.start() for m in re.finditer(r"\n", region)]
    for cut in [*sorted(set(cuts)), end]:
        pieces.append((cursor, cut))
        cursor = cut
    trimmed = [_trim(text, low, high) for low, high in pieces]
    return [(low, high) for low, high in trimmed if low < high and re.search(r"\w", text[low:high])]


def _trim(text: str, low: int, high: int) -> tuple[int, int]:
    while low < high and text[low] in _SEPARATORS:
        low += 1
    while high > low and text[high - 1] in _SEPARATORS:
        high -= 1
    return low, high


def _speaker_ok(phrase: str) -> bool:
    words = phrase.split()
    if not words or len(words) > 14 or _CLAUSE.search(phrase):
        return False
    return bool(re.search(r"\b[A-Z][a-z]|\b[A-Z]{2,}\b", phrase) or _ROLE_WORDS.search(phrase))


def attribution(text: str, start: int, end: int) -> tuple[str, int, int, str] | None:
    """(speaker, start, end, what follows the verb) of a sentence that reports speech, or None."""
    sentence = text[start:end]
    # "..., said Lee, an analyst." names the speaker at the end; it wins over a verb earlier on.
    for tail in (_VERB_FIRST_TAIL, _SUBJECT_VERB_TAIL):
        found = tail.search(sentence)
        if found and _speaker_ok(found.group("speaker")):
            low = start + found.start("speaker")
            return found.group("speaker"), low, low + len(found.group("speaker")), sentence[: found.start()]
    skip = 0
    for prefix in (_DATELINE, _INTRO):
        matched = prefix.match(sentence[skip:])
        skip += matched.end() if matched else 0
    subject = _SUBJECT_FIRST.match(sentence[skip:])
    if subject and _speaker_ok(subject.group("speaker")):
        low = start + skip + subject.start("speaker")
        return subject.group("speaker"), low, low + len(subject.group("speaker")), subject.group("rest")
    return None


def _clean_speaker(phrase: str) -> str:
    return _TIME_LEAD.sub("", re.sub(r"\s+", " ", phrase).strip(' ,;:"\u201c\u201d'))


def _speaker_segment(start: int, end: int, kind: UnitKind, phrase: str, phrase_start: int) -> Segment:
    """A unit whose speaker is phrase, found at phrase_start, with its span narrowed to the cleaned name."""
    cleaned = _clean_speaker(phrase)
    shift = max(phrase.find(cleaned), 0)
    return Segment(start, end, kind, cleaned, phrase_start + shift, phrase_start + shift + len(cleaned))


def segment(text: str) -> list[Segment]:
    """Units of an article in text order, each with its kind and speaker where the text gives one."""
    quotes = find_quotes(text)
    raw: list[tuple[int, int, UnitKind]] = []
    cursor = 0
    for low, high in quotes:
        raw += [(s, e, "narration") for s, e in split_sentences(text, cursor, low - 1)]
        # A long quotation is scored sentence by sentence: one score for a whole letter says little.
        raw += [(s, e, "quote") for s, e in split_sentences(text, low, high)]
        cursor = high + 1
    raw += [(s, e, "narration") for s, e in split_sentences(text, cursor, len(text))]

    segments: list[Segment] = []
    for low, high, kind in raw:
        if kind == "quote":
            segments.append(Segment(low, high, "quote", None))
            continue
        found = attribution(text, low, high)
        if found is None:
            segments.append(Segment(low, high, "narration", None))
            continue
        speaker, s_low, _, content = found
        # "Kim thanked Putin." reports speech; "he said." only attributes the quotation next to it.
        reports = _words(content) >= 1
        segments.append(_speaker_segment(low, high, "reported" if reports else "narration", speaker, s_low))
    return _attribute_quotes(text, _follow_lead_ins(text, segments))


def _follow_lead_ins(text: str, segments: list[Segment]) -> list[Segment]:
    """Paragraphs after "X released the following statement:" are X's words, until the article
    speaks about the document again ("The statement was carried by ...")."""
    result = []
    owner: Segment | None = None
    for unit in segments:
        sentence = text[unit.start : unit.end]
        if _DOCUMENT_REFERENCE.match(sentence) or _DATELINE.match(sentence):
            owner = None
        if owner is not None and unit.kind != "quote":
            result.append(Segment(unit.start, unit.end, "quote", owner.speaker, owner.speaker_start, owner.speaker_end))
            continue
        # A lead-in owns the unquoted paragraphs after it; a quotation that follows marks its own end.
        if unit.kind != "quote" and re.match(r"\s*:\s*\n\s*[^\s\"\u201c\u00ab\u201e]", text[unit.end :]):
            dateline = _DATELINE.match(sentence)
            body = sentence[dateline.end() :] if dateline else sentence
            lead = _LEAD_IN.match(body + ":")
            if unit.speaker is None and lead and _speaker_ok(lead.group("speaker")):
                phrase_start = unit.start + len(sentence) - len(body) + lead.start("speaker")
                unit = _speaker_segment(unit.start, unit.end, unit.kind, lead.group("speaker"), phrase_start)
            if unit.speaker is not None:
                owner = unit
        result.append(unit)
    return result


def _attribute_quotes(text: str, segments: list[Segment]) -> list[Segment]:
    """Give each quote the speaker of the attribution right after or right before it."""
    result = list(segments)
    for i, unit in enumerate(segments):
        if unit.kind != "quote":
            continue
        speaker = None
        after = segments[i + 1] if i + 1 < len(segments) else None
        before = segments[i - 1] if i > 0 else None
        if after and after.speaker and re.fullmatch(r"[\s,;:\"\u201d\u00bb\u2014-]*", text[unit.end : after.start]):
            speaker = after
        elif (
            before
            and before.speaker
            and re.fullmatch(r"\s*[:,]\s*[\"\u201c\u00ab\u201e]?\s*", text[before.end : unit.start])
        ):
            speaker = before
        if speaker is not None:
            result[i] = Segment(
                unit.start, unit.end, "quote", speaker.speaker, speaker.speaker_start, speaker.speaker_end
            )
    result = _resolve_pronouns(result)
    # A quote with no attribution of its own continues the previous quote of the same paragraph.
    for i, unit in enumerate(result):
        if unit.kind == "quote" and unit.speaker is None:
            for previous in reversed(result[:i]):
                if "\n\n" in text[previous.end : unit.start]:
                    break
                if previous.kind == "quote" and previous.speaker:
                    result[i] = Segment(unit.start, unit.end, "quote", previous.speaker)
                    break
    return result


def _resolve_pronouns(segments: list[Segment]) -> list[Segment]:
    """he/she/they/it -> the nearest earlier named speaker ("it" prefers a statement or agency)."""
    named: list[str] = []
    resolved = []
    for unit in segments:
        speaker = unit.speaker
        if speaker is not None:
            head = speaker.split()[0].lower()
            if speaker.lower() in _PRONOUNS or (head in _PRONOUNS and len(speaker.split()) <= 2):
                if head == "it":
                    institutional = [name for name in named if _INSTITUTION.search(name)]
                    speaker = institutional[-1] if institutional else (named[-1] if named else None)
                else:
                    people = [name for name in named if not _INSTITUTION.search(name)]
                    speaker = people[-1] if people else (named[-1] if named else None)
            else:
                named.append(speaker)
        resolved.append(Segment(unit.start, unit.end, unit.kind, speaker, unit.speaker_start, unit.speaker_end))
    return resolved
