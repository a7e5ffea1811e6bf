"""Text normalisation applied to every quote before feature extraction.

State-media text arrives with typographic quotes, glued words ("toKim Jong Un"), stray comma runs
left by scraping (", , ,") and end marks ("-0-"). Normalising these keeps the features about wording,
not about the quirks of one scrape. British and American spellings ("defence", "defense") are
folded to one form: real feeds mix them, and our corpus and our users each favour one. Any change
here changes what a trained model sees, so a change must bump NORMALISATION_VERSION; bundles
record it and are refused when it differs.
"""

import re
import unicodedata

NORMALISATION_VERSION = 3

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


_OUR_ENDINGS = ("", "s", "ed", "ing", "able", "ably", "er", "ers", "ful", "ite", "ites", "y", "ly", "hood", "hoods")


def _spelling_table() -> dict[str, str]:
    """British spellings, with their inflections, mapped to the American ones."""
    table: dict[str, str] = {}
    our_stems = (
        "armour behaviour candour clamour colour endeavour favour fervour flavour harbour honour "
        "humour labour neighbour odour parlour rancour rumour saviour savour splendour tumour valour "
        "vapour vigour"
    )
    for stem in our_stems.split():
        american = stem.removesuffix("our") + "or"
        for ending in _OUR_ENDINGS:
            table[stem + ending] = american + ending
    re_stems = "centre centimetre fibre kilometre litre manoeuvre metre millimetre sabre sombre spectre theatre"
    for stem in re_stems.split():
        american = stem.removesuffix("re") + "er"
        for british_ending, american_ending in (("", ""), ("s", "s"), ("d", "ed")):
            table[stem + british_ending] = american + american_ending
    ise_stems = (
        "agon antagon apolog author capital categor central character civil colon commercial critic "
        "custom decentral democrat demoral denuclear emphas energ equal fertil final galvan global "
        "harmon ideal immortal industrial internation legal legitim local margin material maxim "
        "mechan memorial militar minim mobil modern moral national neutral normal optim organ "
        "popular privat prior public rational real recogn reorgan revital scrutin special stabil "
        "standard steril summar symbol sympath synchron terror urban util vandal visual"
    )
    for stem in ise_stems.split():
        for ending in ("e", "es", "ed", "ing", "er", "ers", "ation", "ations", "ational"):
            table[f"{stem}is{ending}"] = f"{stem}iz{ending}"
    for stem in ("anal", "catal", "paral"):
        for ending in ("e", "es", "ed", "ing", "er", "ers"):
            table[f"{stem}ys{ending}"] = f"{stem}yz{ending}"
    double_l_stems = (
        "cancel channel counsel equal fuel label level marvel model quarrel rival signal total travel tunnel"
    )
    for stem in double_l_stems.split():
        for ending in ("ed", "ing", "er", "ers"):
            table[f"{stem}l{ending}"] = stem + ending
    table.update(
        {
            "defence": "defense",
            "defences": "defenses",
            "defenceless": "defenseless",
            "offence": "offense",
            "offences": "offenses",
            "pretence": "pretense",
            "licence": "license",
            "judgement": "judgment",
            "judgements": "judgments",
            "programme": "program",
            "programmes": "programs",
            "tonne": "ton",
            "tonnes": "tons",
            "fulfil": "fulfill",
            "fulfils": "fulfills",
            "fulfilment": "fulfillment",
            "enrol": "enroll",
            "enrolment": "enrollment",
            "instil": "instill",
            "skilful": "skillful",
            "wilful": "willful",
            "jewellery": "jewelry",
            "woollen": "woolen",
            "medallist": "medalist",
            "medallists": "medalists",
            "aluminium": "aluminum",
            "sulphur": "sulfur",
            "plough": "plow",
            "ploughing": "plowing",
            "grey": "gray",
            "ageing": "aging",
            "mould": "mold",
            "moulding": "molding",
            "practise": "practice",
            "practised": "practiced",
            "practising": "practicing",
            "catalogue": "catalog",
            "catalogues": "catalogs",
        }
    )
    return table


_AMERICAN_SPELLING = _spelling_table()
_LOWER_WORD = re.compile(r"[a-z]+")


def _british_forms_by_american(table: dict[str, str]) -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    for british, american in table.items():
        forms.setdefault(american, []).append(british)
    return forms


_BRITISH_FORMS = _british_forms_by_american(_AMERICAN_SPELLING)


def surface_forms(token: str) -> list[str]:
    """The words a text may have said where its normalised form has token: the token itself, the
    British spellings folded into it, and "thanks" for the "owing" of a crediting "thanks to"."""
    return [token, *_BRITISH_FORMS.get(token, []), *(["thanks"] if token == "owing" else [])]


def american_spelling(lowered: str) -> str:
    """Lower-cased text with British spellings replaced by American ones."""
    # One findall and a set test are several times cheaper than a regex of a thousand spellings,
    # and most quotes need no replacement at all.
    if _AMERICAN_SPELLING.keys().isdisjoint(_LOWER_WORD.findall(lowered)):
        return lowered
    return _LOWER_WORD.sub(lambda match: _AMERICAN_SPELLING.get(match.group(0), match.group(0)), lowered)


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
    """The form the feature extractors see: cleaned, lower-cased, in American spelling, and the
    crediting "thanks to" told apart from thanks said to someone (the labelling standard counts
    only the second)."""
    lowered = american_spelling(clean(text).lower())
    return _THANKS_TO.sub(_credit_or_thanks, lowered) if "thanks to" in lowered else lowered
