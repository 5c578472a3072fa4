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

from ..failure_row import failure
from ..readers.grid import Sheet
from ..text import fold, match_key
from .vocabulary import load_vocabulary

MIN_WORDS = 3
# a person's name where a village is wanted, no head of the list ("Hoàng Thị Nguềnh Slưởng"): three words or more, no
# village type word, no number, a surname then a middle name "Văn"/"Thị" (accents kept: "Bàn" a surname, "Bản" a
# village)
_MIDDLE = frozenset({"văn", "thị"})
_SURNAMES = frozenset("""nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý lò quàng lường cầm bế nông ma
hầu thào giàng sùng vàng mùa lầu lù chảo triệu bàn lương vi la lục tẩn đinh mai trịnh đào cao lâm tạ lưu kiều mông sầm hứa
lộc hà tòng mè điêu vừ ly""".split())
VILLAGE_WORDS = tuple(w.split() for w in load_vocabulary().village_types)  # [villages] types: ["thôn"], ["tổ", "dân", "phố"]
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# what joins a village to the person it names ("Xóm 1 nhà ông …", "TDP 2 - ở nhờ …"): dropped with the name
_JOINING = frozenset({"nha", "ong", "ba", "cua", "o", "nho", "ho", "gia", "dinh", "chu", "-", "–", ",", ":", "("})
SIGNED = re.compile(r"\bnguoi (?:lap|ky|duyet|kiem tra)\b")  # "Người lập danh sách: …": a person, never a title


def listed_names(sheet: Sheet, rows: list[int], column: int, key=fold) -> frozenset[str]:
    """The names (three words or more) in a list's name column (1-based rows and column), folded (`key`)."""
    found = set()
    j = column - 1
    for r in rows:
        cells = sheet.rows[r - 1] if 0 < r <= len(sheet.rows) else []
        value = cells[j] if j < len(cells) else None
        if isinstance(value, str):
            name = " ".join(key(value).split())
            if name.count(" ") >= MIN_WORDS - 1:
                found.add(name)
    return frozenset(found)


def as_written(text: str) -> str:
    """A text's words as written, accents kept (match_key), punctuation as spaces."""
    return re.sub(r"[^\w]+", " ", match_key(text))


def names_one(text: str, names: frozenset[str], key=fold) -> bool:
    """Whether the text names a listed person (whole words), both folded by `key`."""
    folded = f" {' '.join(key(text).split())} "
    return any(f" {name} " in folded for name in names)


def without_names(text: str, names: frozenset[str], key=fold) -> str | None:
    """A village cell with no listed name in it: its bracket naming one dropped, else the words before the name."""
    text = _BRACKETED.sub(lambda m: "" if names_one(m.group(0)[1:-1], names, key) else m.group(0), text)
    if not names_one(text, names, key):
        return " ".join(text.split()) or None
    words = text.split()
    folded = [key(w) for w in words]
    for i in range(len(words)):
        if any(" ".join(folded[i:i + n.count(" ") + 1]) == n for n in names):
            if folded[:i] in VILLAGE_WORDS:  # "Ấp Danh Sa Rươn": a hamlet named as a head is (Khmer names)
                return " ".join(text.split())
            kept = words[:i]
            while kept and (fold(kept[-1]) in _JOINING or not fold(kept[-1])):
                kept.pop()
            return " ".join(kept) or None
    return None


def scrub(title: list[str], tables: list, sheets: dict[str, Sheet], kind: str,
          said: list | None = None) -> tuple[list[str], frozenset[str]]:
    """The title lines with no listed name (nor a signer's line, on a file with a list); each table's title
    alike, and each household's village (`tables`: the parse result's, `kind`: the household lists'): a village cell
    that is a person's name is none, list_village_named into `said`. And the listed names."""
    lists = [t for t in tables if t.kind == kind and t.sheet in sheets and "head_name" in t.columns]
    if not lists:
        return title, frozenset()
    names = frozenset().union(*(listed_names(sheets[t.sheet], t.rows["row"], t.columns["head_name"]) for t in lists))

    def kept(lines: list[str]) -> list[str]:
        return [line for line in lines if not SIGNED.search(fold(line)) and not (names and names_one(line, names))]

    for t in tables:
        t.title = kept(t.title)
    # a village's cell against the names as written, accents and all: Khmer names and hamlets share words ("Ấp Lâm Sa
    # Rết" lost "Lâm Sa Rết" to the head "Lâm Sà Rết", its households counted in an "Ấp"; southern names judge, Vĩnh Long).
    # Made only for a cell the folded names find (as written implies folded): a national run's million heads twice cost
    # ~5 s of parsing
    written: list[frozenset[str]] = []

    def as_written_names() -> frozenset[str]:
        if not written:
            written.append(frozenset().union(*(listed_names(sheets[t.sheet], t.rows["row"], t.columns["head_name"],
                                                            as_written) for t in lists)))
        return written[0]

    for t in lists:
        for row in _villages_without_names(t.rows, names, as_written_names):
            if said is not None and "village" in t.columns:
                said.append({**failure("list_village_named", t.sheet, row, t.columns["village"], "village_name"),
                             "kind": kind})
    return kept(title), names


def _villages_without_names(rows: dict[str, list], names: frozenset[str], as_written_names) -> list[int]:
    """Each village cell without the listed names in it, and none where it is a person's name: the rows of those
    (`names` folded; `as_written_names()`: the same as written)."""
    cleaned: dict[str, str | None] = {}
    persons = []
    for i, village in enumerate(rows["name"]):
        if not village:
            continue
        if village not in cleaned:
            cleaned[village] = village
            if names and names_one(village, names) and names_one(village, written := as_written_names(), as_written):
                cleaned[village] = without_names(village, written, as_written)
            if cleaned[village] and person_like(cleaned[village]):
                cleaned[village] = None
        if cleaned[village] != village:
            rows["name"][i] = cleaned[village]
            rows["name_key"][i] = match_key(cleaned[village]) if cleaned[village] else None
            if cleaned[village] is None:  # (a listed head's name alone in it too)
                persons.append(rows["row"][i])
    return persons


def village_named(key: str) -> bool:
    """Whether a matching key starts with a village's type word ("thôn nà rì", "khu phố 3")."""
    words = key.split()
    return any(words[: len(w)] == w for w in VILLAGE_WORDS)


def person_like(text: str) -> bool:
    """Whether a village cell reads as a person's name (_MIDDLE, _SURNAMES), not a village's."""
    words = match_key(text).split()
    if len(words) < MIN_WORDS or len(words) > 6 or any(ch.isdigit() for ch in text) or village_named(" ".join(words)):
        return False
    return words[1] in _MIDDLE and words[0] in _SURNAMES  # (a surname alone begins villages too: "Vàng Ma Chải")


