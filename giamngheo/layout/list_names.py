"""The names a household list holds, kept out of every text the parse result takes from its file.

A list's cells never leave the parsing process as they are (its recogniser keys and masks them), but other
texts of the same file do: the title lines (the commune, the year, the date are read from them) and a
household's village cell. Communes write names there too: "DANH SÁCH HỘ NGHÈO (BỔ SUNG HỘ ÔNG LƯỜNG HỮU
KHƯƠNG XUYẾN)" over the list, "TDP 1 (ở nhờ nhà ông Ma Thị Chiến)" as a village. A title line that names a
listed head of household is dropped; a village keeps what comes before the name (its bracket dropped whole),
else none. Names of three words or more are looked for ("Nguyễn Văn An"): two-word names are also places
("Trần Phú"), and one word is no name. Worker side: no polars.
"""

from __future__ import annotations

import re

from ..readers.grid import Sheet
from ..text import fold, match_key

MIN_WORDS = 3
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# what joins a village to the person it names ("Xóm 1 nhà ông …", "TDP 2 - ở nhờ …"): dropped with the name
_JOINING = frozenset({"nha", "ong", "ba", "cua", "o", "nho", "ho", "gia", "dinh", "chu", "-", "–", ",", ":", "("})
SIGNED = re.compile(r"\bnguoi (?:lap|ky|duyet|kiem tra)\b")  # "Người lập danh sách: …": a person, never a title


def listed_names(sheet: Sheet, rows: list[int], column: int) -> frozenset[str]:
    """The folded names (three words or more) in a list's name column (1-based rows and column)."""
    found = set()
    j = column - 1
    for r in rows:
        cells = sheet.rows[r - 1] if 0 < r <= len(sheet.rows) else []
        value = cells[j] if j < len(cells) else None
        if isinstance(value, str):
            name = fold(value)
            if name.count(" ") >= MIN_WORDS - 1:
                found.add(name)
    return frozenset(found)


def names_one(text: str, names: frozenset[str]) -> bool:
    """Whether the text names a listed person (whole words)."""
    folded = f" {fold(text)} "
    return any(f" {name} " in folded for name in names)


def without_names(text: str, names: frozenset[str]) -> str | None:
    """A village cell with no listed name in it: its bracket naming one dropped, else the words before the name."""
    text = _BRACKETED.sub(lambda m: "" if names_one(m.group(0)[1:-1], names) else m.group(0), text)
    if not names_one(text, names):
        return " ".join(text.split()) or None
    words = text.split()
    folded = [fold(w) for w in words]
    for i in range(len(words)):
        if any(" ".join(folded[i:i + n.count(" ") + 1]) == n for n in names):
            kept = words[:i]
            while kept and (fold(kept[-1]) in _JOINING or not fold(kept[-1])):
                kept.pop()
            return " ".join(kept) or None
    return None


def scrub(title: list[str], tables: list, sheets: dict[str, Sheet], kind: str) -> list[str]:
    """The title lines with no listed name (nor a signer's line, on a file with a list); each table's title
    alike, and each household's village (`tables`: the parse result's, `kind`: the household lists')."""
    lists = [t for t in tables if t.kind == kind and t.sheet in sheets and "head_name" in t.columns]
    if not lists:
        return title
    names = frozenset().union(*(listed_names(sheets[t.sheet], t.rows["row"], t.columns["head_name"]) for t in lists))

    def kept(lines: list[str]) -> list[str]:
        return [line for line in lines if not SIGNED.search(fold(line)) and not (names and names_one(line, names))]

    for t in tables:
        t.title = kept(t.title)
    for t in lists:
        if names:
            _villages_without_names(t.rows, names)
    return kept(title)


def _villages_without_names(rows: dict[str, list], names: frozenset[str]) -> None:
    cleaned: dict[str, str | None] = {}
    for i, village in enumerate(rows["name"]):
        if not village:
            continue
        if village not in cleaned:
            cleaned[village] = without_names(village, names) if names_one(village, names) else village
        if cleaned[village] != village:
            rows["name"][i] = cleaned[village]
            rows["name_key"][i] = match_key(cleaned[village]) if cleaned[village] else None
