"""One spelling per word: British forms are read as their American forms.

Real KCNA English mostly spells the American way ("honor", "labor", "organization") while writers
and other outlets often use British forms ("honour", "labour", "organisation"). TF-IDF features of
the two spellings would be different words, so a cue learned in one spelling would be lost in the
other. Only words listed here change; the rest of the text is left as it is.
"""

import re

#: Words built on these take "or" for "our" (favour, favourable, favourite, unfavourable ...).
_OUR_STEMS = [
    "ardour",
    "armour",
    "behaviour",
    "candour",
    "clamour",
    "colour",
    "endeavour",
    "favour",
    "fervour",
    "flavour",
    "harbour",
    "honour",
    "humour",
    "labour",
    "neighbour",
    "odour",
    "parlour",
    "rigour",
    "rumour",
    "saviour",
    "savour",
    "splendour",
    "tumour",
    "valour",
    "vigour",
]
#: Words built on these take "iz" for "is" before -e, -ed, -es, -ing, -ation(s), -er(s), -able.
_ISE_STEMS = [
    "apolog",
    "author",
    "capital",
    "central",
    "character",
    "civil",
    "colon",
    "critic",
    "democrat",
    "denuclear",
    "emphas",
    "energ",
    "familiar",
    "fertil",
    "final",
    "global",
    "harmon",
    "ideal",
    "industrial",
    "jeopard",
    "legal",
    "legit",
    "local",
    "mechan",
    "memorial",
    "militar",
    "minim",
    "mobil",
    "modern",
    "moral",
    "national",
    "neutral",
    "normal",
    "optim",
    "organ",
    "popular",
    "priorit",
    "public",
    "real",
    "recogn",
    "revital",
    "scrutin",
    "special",
    "stabil",
    "standard",
    "subsid",
    "summar",
    "symbol",
    "sympath",
    "util",
    "visual",
    "vital",
]
_ISE_ENDINGS = ("e", "ed", "es", "ing", "ation", "ations", "er", "ers", "able")
_PREFIXES = ("", "re", "de", "un", "dis", "non", "over")
#: -re and -bre nouns, with their plurals.
_RE_WORDS = {
    "centre": "center",
    "metre": "meter",
    "kilometre": "kilometer",
    "centimetre": "centimeter",
    "millimetre": "millimeter",
    "theatre": "theater",
    "litre": "liter",
    "lustre": "luster",
    "fibre": "fiber",
    "calibre": "caliber",
    "sabre": "saber",
    "sombre": "somber",
    "spectre": "specter",
    "manoeuvre": "maneuver",
}
_WORDS = {
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "licence": "license",
    "pretence": "pretense",
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "programme": "program",
    "programmes": "programs",
    "manoeuvred": "maneuvered",
    "manoeuvring": "maneuvering",
    "centred": "centered",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "fulfilment": "fulfillment",
    "overfulfil": "overfulfill",
    "enrolment": "enrollment",
    "instalment": "installment",
    "skilful": "skillful",
    "wilful": "willful",
    "jewellery": "jewelry",
    "aluminium": "aluminum",
    "sulphur": "sulfur",
    "grey": "gray",
    "plough": "plow",
    "mould": "mold",
    "practise": "practice",
    "practised": "practiced",
    "practises": "practices",
    "practising": "practicing",
    "paediatric": "pediatric",
    "paediatrics": "pediatrics",
    "anaemia": "anemia",
    "encyclopaedia": "encyclopedia",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "paralyse": "paralyze",
    "paralysed": "paralyzed",
}
#: Verbs and nouns that double their final l in British forms (travelled, counsellor, refuelling).
_DOUBLE_L = [
    "cancel",
    "channel",
    "council",
    "counsel",
    "fuel",
    "label",
    "level",
    "marshal",
    "model",
    "quarrel",
    "signal",
    "total",
    "travel",
    "tunnel",
]


def _build() -> dict[str, str]:
    words = dict(_WORDS)
    for british, american in _RE_WORDS.items():
        words[british] = american
        words[british + "s"] = american + "s"
    for stem in _OUR_STEMS:
        base = stem.removesuffix("our")
        for ending in ("", "s", "ed", "ing", "able", "ably", "ite", "ites", "er", "ers", "ful", "hood", "hoods", "ly"):
            for prefix in ("", "dis", "un"):
                words[prefix + stem + ending] = prefix + base + "or" + ending
    for stem in _ISE_STEMS:
        for ending in _ISE_ENDINGS:
            for prefix in _PREFIXES:
                words[prefix + stem + "is" + ending] = prefix + stem + "iz" + ending
    for stem in _DOUBLE_L:
        for ending in ("ed", "ing", "er", "ers", "or", "ors"):
            for prefix in ("", "re"):
                words[prefix + stem + "l" + ending] = prefix + stem + ending
    return words


AMERICAN: dict[str, str] = _build()
_WORD = re.compile(r"[a-z]+")


def americanise(lowered: str) -> str:
    """Lower-case text with every listed British spelling replaced by its American form."""
    if AMERICAN.keys().isdisjoint(_WORD.findall(lowered)):
        return lowered  # the common case, and twice as fast as substituting
    return _WORD.sub(lambda match: AMERICAN.get(match.group(), match.group()), lowered)


def _british_forms() -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    for british, american in sorted(AMERICAN.items()):
        forms.setdefault(american, []).append(british)
    return forms


_BRITISH_FORMS = _british_forms()


def spellings_of(word: str) -> list[str]:
    """The forms normalisation reads as this word: itself and the British spellings mapped to it."""
    return [word, *_BRITISH_FORMS.get(word, [])]
