"""Text normalisation applied to every quote before feature extraction.

State-media text arrives with typographic quotes, glued words ("toKim Jong Un"), stray comma runs
left by scraping (", , ,") and end marks ("-0-"). Normalising these keeps the features about wording,
not about the quirks of one scrape. Any change here changes what a trained model sees, so a change
must bump NORMALISATION_VERSION; bundles record it and are refused when it differs.
"""

import re
import unicodedata

NORMALISATION_VERSION = 2

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
# Two lower-case letters directly followed by a capitalised word or an acronym, as in "toKim" or
# "byKCNA"; "McDonald" and "iPhone" are left alone.
_GLUED_WORDS = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z]|[A-Z]{2,}\b)")
_MAYBE_GLUED = re.compile(r"[a-z][A-Z]")
_END_MARK = re.compile(r"(?:^|\s)-0-(?=\s|$)")
_COMMA_RUNS = re.compile(r"(?:\s*,){2,}")
_TWO_COMMAS = re.compile(r",\s*,")
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[,.;:!?])")
_THANKS_TO = re.compile(r"\b(?:(\w+)\s+)?thanks to\b", re.IGNORECASE)
#: Words before "thanks to" that make it the noun "thanks", said to someone ("expressed deep thanks
#: to"); after anything else it is the preposition "owing to", which credits rather than thanks.
_THANKING_WORDS = frozenset(
    [
        "express",
        "expressed",
        "expresses",
        "expressing",
        "extend",
        "extended",
        "extends",
        "extending",
        "convey",
        "conveyed",
        "conveys",
        "conveying",
        "send",
        "sent",
        "sends",
        "sending",
        "offer",
        "offered",
        "offers",
        "offering",
        "give",
        "gave",
        "gives",
        "giving",
        "return",
        "returned",
        "pay",
        "paid",
        "heartfelt",
        "deep",
        "deepest",
        "sincere",
        "sincerest",
        "warm",
        "warmest",
        "boundless",
        "special",
        "many",
        "profound",
        "hearty",
        "our",
        "my",
        "his",
        "her",
        "their",
        "its",
        "your",
        "of",
        "no",
        "words",
        "letter",
        "letters",
        "message",
        "messages",
        "song",
        "songs",
    ]
)


def clean(text: str) -> str:
    """Repair the typographic and scraping quirks of a quote, keeping its case and wording."""
    # Each pass runs only when its cheap pre-check finds something to do: this is on the
    # latency path of every single-quote request.
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if "-0-" in text:
        text = _END_MARK.sub(" ", text)
    if _MAYBE_GLUED.search(text):
        text = _GLUED_WORDS.sub(" ", text)
    if _TWO_COMMAS.search(text):
        text = _COMMA_RUNS.sub(",", text)
    text = _SPACE_BEFORE_PUNCT.sub("", " ".join(text.split()))
    return text.strip(" ,")


def _credit_or_thanks(match: re.Match[str]) -> str:
    before = match.group(1)
    if before is not None and before.lower() in _THANKING_WORDS:
        return match.group(0)
    return f"{before} owing to" if before is not None else "owing to"


def normalise(text: str) -> str:
    """The form the feature extractors see: cleaned, lower-cased, and the crediting "thanks to"
    told apart from thanks said to someone (the labelling standard counts only the second)."""
    lowered = clean(text).lower()
    return _THANKS_TO.sub(_credit_or_thanks, lowered) if "thanks to" in lowered else lowered
