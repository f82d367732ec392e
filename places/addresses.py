"""Address text as people type it and as the register writes it.

Both sides go through `normalize()`: lower case, «ё» as «е», punctuation to
spaces, the usual abbreviations written out, so that «ул. Академическая Б.,
д 4», «Большая Академическая улица 4» and «академическая б 4» meet.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "ул": "улица",
    "пр-т": "проспект",
    "просп": "проспект",
    "пр-кт": "проспект",
    "пр": "проезд",
    "пр-д": "проезд",
    "пер": "переулок",
    "ш": "шоссе",
    "б-р": "бульвар",
    "бул": "бульвар",
    "наб": "набережная",
    "пл": "площадь",
    "туп": "тупик",
    "мкр": "микрорайон",
    "мкрн": "микрорайон",
    "д": "дом",
    "к": "корпус",
    "корп": "корпус",
    "стр": "строение",
    "вл": "владение",
    "г": "город",
    "пос": "поселок",
    "п": "поселок",
    "дер": "деревня",
    "б": "большая",
    "м": "малая",
    "ср": "средняя",
    "нов": "новая",
    "стар": "старая",
    "верхн": "верхняя",
    "нижн": "нижняя",
}
# Words that mark the kind of a street or a part of an address: they do not
# help to tell two addresses apart, so a query may leave them out.
STOP_WORDS = frozenset(
    {
        "улица",
        "проспект",
        "проезд",
        "переулок",
        "шоссе",
        "бульвар",
        "набережная",
        "площадь",
        "тупик",
        "дом",
        "город",
        "москва",
        "поселок",
        "деревня",
    }
)
_ADJ_VARIANTS = {"большой": "большая", "большое": "большая", "малый": "малая", "малое": "малая"}

_SPLIT = re.compile(r"[^0-9a-zа-я-]+")
_NUMBER_LETTER = re.compile(r"^(\d+)([а-я])$")


def tokens(text: str) -> list[str]:
    text = text.lower().replace("ё", "е")
    # «д.4к1» → «д 4 к 1»: split numbers from letters glued to them. A single
    # letter after a number is the house's letter («4а»), except «к» between
    # two numbers, which is «корпус».
    text = re.sub(r"(\d)к(?=\d)", r"\1 к ", text)
    # «д. 18 Б» (the register writes some letters apart) → «18б»; «к» and
    # «с» stay apart: after a number they start «корпус», «строение».
    text = re.sub(r"(\d)\s+([абвгдежзи])(?![а-я0-9.])", r"\1\2", text)
    text = re.sub(r"(\d)([а-я]{2,})", r"\1 \2", text)
    text = re.sub(r"([а-я])\.?(\d)", r"\1 \2", text)
    out = []
    for raw in _SPLIT.split(text):
        word = raw.strip("-")
        if not word:
            continue
        word = _ABBREVIATIONS.get(word, word)
        word = _ADJ_VARIANTS.get(word, word)
        out.append(word)
    return out


def normalize(text: str) -> str:
    """The register's form for matching: significant words, sorted, so that
    word order does not matter («Академическая Б.» = «Большая Академическая»)."""
    words = [w for w in tokens(text) if w not in STOP_WORDS]
    return " ".join(sorted(set(words)))


def query_terms(text: str) -> list[str]:
    """The words of a typed query that must each appear in a match."""
    return sorted({w for w in tokens(text) if w not in STOP_WORDS})
