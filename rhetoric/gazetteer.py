"""Parties a frame can aim at, with the names state media and the wires use for them."""

import re
from dataclasses import dataclass

#: entity id -> aliases (case-sensitive where case tells a name from a word, e.g. "US" vs "us").
ENTITIES: dict[str, tuple[str, ...]] = {
    "united_states": (
        "U.S.",
        "US",
        "USA",
        "United States",
        "America",
        "American",
        "Americans",
        "Washington",
        "Yankee",
        "Yankees",
        "Pentagon",
        "White House",
        "U.S. imperialists",
        "U.S. imperialist",
    ),
    "south_korea": (
        "south Korea",
        "South Korea",
        "south Korean",
        "South Korean",
        "ROK",
        "Republic of Korea",
        "Seoul",
        "puppet",
        "puppets",
        "puppet group",
        "puppet authorities",
        "Lee Myung Bak",
        "traitor Lee",
        "Lee group",
        "Saenuri",
        "Park Geun Hye",
        "Yoon Suk Yeol",
        "Cheong Wa Dae",
        "the South",
    ),
    "japan": ("Japan", "Japanese", "Tokyo"),
    "russia": ("Russia", "Russian", "Russians", "Moscow", "Putin", "Kremlin", "Russian Federation"),
    "china": ("China", "Chinese", "Beijing", "Xi Jinping", "PRC"),
    "united_nations": ("UN", "U.N.", "United Nations", "Security Council", "UNSC", "UN Security Council"),
    "eu": ("EU", "European Union", "Brussels"),
    "nato": ("NATO",),
    "iaea": ("IAEA",),
    "israel": ("Israel", "Israeli", "Zionist", "Zionists"),
    "defectors": ("defectors", "human scum", "defector"),
    "leader": (
        "Kim Jong Un",
        "Kim Jong Il",
        "Kim Il Sung",
        "the leader",
        "the General",
        "the Marshal",
        "the respected Comrade",
        "General Secretary",
        "the Supreme Leader",
    ),
    "party": ("Workers' Party of Korea", "WPK", "the Party"),
}


@dataclass(frozen=True)
class Mention:
    entity: str
    text: str
    start: int
    end: int


_ALIASES = sorted(
    ((alias, entity) for entity, names in ENTITIES.items() for alias in names), key=lambda pair: -len(pair[0])
)
# One alternation, longest alias first; a name must not sit inside a longer word ("US" in "USSR").
_PATTERN = re.compile(
    "|".join(f"(?P<a{index}>(?<![\\w.]){re.escape(alias)}(?!\\w))" for index, (alias, _) in enumerate(_ALIASES))
)


def mentions(text: str, offset: int = 0) -> list[Mention]:
    """Every alias in text, longest match first, with offsets shifted by offset."""
    found = []
    for match in _PATTERN.finditer(text):
        index = int(match.lastgroup.removeprefix("a")) if match.lastgroup else -1
        found.append(Mention(_ALIASES[index][1], match.group(), match.start() + offset, match.end() + offset))
    return found
