"""Unit names in a file's title and name: the official list's units and former units indexed by name (made once a
reference), their names found in text as written or accent-folded, with or without their type word, and the lines a
failure quotes. The Resolver (giamngheo/resolve.py) decides among what they find."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .layout.vocabulary import load_vocabulary
from .reference import Reference, Unit
from .text import fold, match_key, nfc

_UNITS = load_vocabulary().units  # type words, words that are not a commune's before one, the motto
TYPE_WORDS = load_vocabulary().unit_types["current"]
LEGACY_TYPE_WORDS = load_vocabulary().unit_types["legacy"]
_FOLDED_TYPES = frozenset(_UNITS["types"])
_NOT_COMMUNE_BEFORE = frozenset(_UNITS["not_before"])
CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
MAX_NAME_WORDS = 6


def key_words(text: str) -> str:
    """match_key with punctuation turned into spaces: accents kept, case folded."""
    return " ".join(re.sub(r"[^\w]+", " ", match_key(text)).split())


def _without_type(name: str) -> str:
    """A former unit's name without its type word: "Xã Phi Hải" -> "Phi Hải", "Thị trấn Hùng Sơn" -> "Hùng Sơn"."""
    for word in LEGACY_TYPE_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1 :]
    return name


def typed_keys(text_key: str, index: dict[str, list], type_words) -> list:
    """Units whose '<type> <name>' occurs in `text_key` (longest name at each occurrence)."""
    words = text_key.split()
    starts = _type_starts(type_words)
    hits = []
    i = 0
    while i < len(words):
        matched = False
        for tw in starts.get(words[i], ()):  # the type words that start here, in their order
            if words[i : i + len(tw)] == tw:
                for n in range(MAX_NAME_WORDS, 0, -1):
                    j = i + len(tw) + n
                    if j > len(words):
                        continue
                    key = " ".join(words[i:j])
                    if key in index:
                        hits.extend(index[key])
                        i = j
                        matched = True
                        break
            if matched:
                break
        if not matched:
            i += 1
    return hits


@lru_cache(maxsize=8)
def _type_starts(type_words: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """First word -> the type words ("xã", "đặc khu") starting with it, as word lists, in order."""
    starts: dict[str, list[list[str]]] = {}
    for t in type_words:
        tw = t.split()
        starts.setdefault(tw[0], []).append(tw)
    return starts


_MOTTO = _UNITS["motto"]
_PUNCTUATION = re.compile(r"[,;:()\[\]]")
# type words as offices abbreviate them, folded: "TT. Pác Miầu", "X. Tân Tiến", "P.Bến Thành", "ĐK Côn Đảo"
# and of districts and cities, which say the name after them is no commune's ("Phường 12, Q. Gò Vấp", "TX. Gò Công")
_ABBREVIATED = {"tt": "thi tran", "x": "xa", "p": "phuong", "dk": "dac khu", "q": "quan", "h": "huyen", "tx": "thi xa",
                "tp": "thanh pho"}
_ABBREVIATION = re.compile(r"(?<![a-z0-9])(tt|x|p|dk|q|h|tx|tp)(?= [a-z0-9])")


def spelt(folded: str) -> str:
    """Folded text with its abbreviated type words written out ("tt pac miau" -> "thi tran pac miau")."""
    return _ABBREVIATION.sub(lambda m: _ABBREVIATED[m.group(1)], folded)


def place_words(text: str) -> str:
    """A text as place names are looked for in it: folded, punctuation as spaces, abbreviated type words written out,
    padded with a space each side (" ubnd phuong 12 quan go vap ")."""
    return f" {spelt(' '.join(re.sub(r'[^a-z0-9 ]+', ' ', fold(text)).split()))} "


def folded_hits(text: str, index: dict[str, list], other_type: bool = False, bare: bool = True,
                 untyped_too: bool = True) -> list:
    """Units whose accent-folded bare name occurs as whole words.

    A name right after its own type word ("xa kep", "phuong phu tan") beats
    any untyped one; an untyped name needs two words or more (so that "Bo" or
    "Phan" in ordinary prose is not a unit). Among equals the longest wins.
    A name after another type word is no hit ("Phường Tây Sơn", a former ward of Pleiku, is not Xã Tây Sơn; "Thị trấn
    Tây Sơn" became Xã Sơn Tây): those are what `other_type` asks for, the last resort once former names found none.
    An index of bare names (`bare`) has no name begun by a type word: "phường Bình Thọ" holds no "Phương Bình" (the
    former units' index is of names with their type word, "xa phu thinh").
    """
    # a name never runs across a comma or a bracket ("phường Hội Nghĩa, Thành phố Tân Uyên" is no "Nghĩa Thành")
    lines = [spelt(fold(part)) for line in text.split("\n") for part in _PUNCTUATION.split(line)]
    for motto in _MOTTO:  # the national motto shares its row with the unit's name in most headers
        lines = [line.replace(motto, " | ") for line in lines]
    typed: dict[int, list] = {}
    untyped: dict[int, list] = {}
    other: dict[int, list] = {}
    for line in lines:
        words = line.split()
        for i in range(len(words)):
            for n in range(MAX_NAME_WORDS + 2, 0, -1):
                if i + n > len(words):
                    continue
                key = " ".join(words[i : i + n])
                if key not in index:
                    continue
                last = words[i - 1] if i else ""
                before = " ".join(words[max(0, i - 2) : i])
                if last in _NOT_COMMUNE_BEFORE or before in _NOT_COMMUNE_BEFORE:
                    # "UBND huyện Lý Sơn": an island district is a special zone (đặc khu) today, of the same name
                    islands = [u for u in index[key] if last == "huyen" and fold(u.unit_type) == "dac khu"]
                elif before == "huyen dao":  # "UBND HUYỆN ĐẢO CÔ TÔ"
                    islands = [u for u in index[key] if fold(u.unit_type) == "dac khu"]
                else:
                    islands = None
                if islands is not None:
                    if islands:
                        typed.setdefault(n, []).extend(islands)
                        break
                    continue
                type_word = before if before in _FOLDED_TYPES else (last if last in _FOLDED_TYPES else None)
                for unit in index[key]:
                    if type_word is None:
                        # a type word is no name's first word when it names none ("phường Bình Thọ" is no "Phương Bình")
                        if n >= 2 and (not bare or words[i] not in _FOLDED_TYPES):
                            untyped.setdefault(n, []).append(unit)
                    elif fold(unit.unit_type) == type_word:
                        typed.setdefault(n, []).append(unit)
                    else:
                        other.setdefault(n, []).append(unit)
                break
    found = other if other_type else (typed or (untyped if untyped_too else {}))
    return found[max(found)] if found else []


# the former units merged into the commune, said so: "(xã A cũ)", "(… xã A, xã B trước sắp xếp)", "(sáp nhập từ xã A, xã
# B)", "(hợp nhất …)" (a line naming its three former units made a plan ambiguous: one is a commune's name today too;
# layouts judge, Điện Biên)
_MERGING = "sắp xếp|sáp nhập|hợp nhất"
_MERGED = rf"(?:cũ|{_MERGING})"
_FORMER_ASIDE = re.compile(rf"\([^()]*\b{_MERGED}\b[^()]*\)|(?:xã|phường|thị trấn)\s+[^,;()\n]+?\s*\(\s*cũ\s*\)",
                           re.IGNORECASE)
_SAID_MERGED = re.compile(rf"\b{_MERGED}\b")


_MERGER_NOTE = re.compile(rf"\([^()]*\b(?:{_MERGING})\b[^()]*\)", re.IGNORECASE)


def without_merger_notes(text: str) -> str:
    """A title without its notes of the units merged into the commune ("(Sáp nhập từ thị trấn A, xã B - huyện C cũ)"),
    a former district named alone kept ("(HUYỆN QUAN HÓA CŨ)" places the commune)."""
    if not _SAID_MERGED.search(nfc(text).lower()):
        return text
    return "\n".join(_MERGER_NOTE.sub(" ", nfc(line)) for line in text.split("\n"))


def without_former(text: str) -> str:
    """A title without the former units it names as such: "(xã Vĩnh Hòa cũ)", "xã Vĩnh Hòa (cũ)", "(… xã A, xã B trước
    sắp xếp)"."""
    if not _SAID_MERGED.search(nfc(text).lower()):
        return text
    return "\n".join(_FORMER_ASIDE.sub(" ", nfc(line)) for line in text.split("\n"))  # line by line: nfc joins lines


def naming_line(text: str, hits: list[Unit], named: list[str] = ()) -> str:
    """The line of a text that names one of the units found (or the provinces `named`), quoted in a failure, else its
    first line: a title's first line is often the plan's ("KẾ HOẠCH PHÂN BỔ …"), the commune on the third (independent
    probe)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    names = {bare_folded(u.bare_name) for u in hits} | {bare_folded(n) for n in named if n}
    return next((line for line in lines if any(f" {n} " in f" {spelt(' '.join(fold(line).split()))} " for n in names)),
                lines[0] if lines else "")


def unit_line(title: list[str]) -> str | None:
    """The title line that names a unit by its type ("UBND XÃ …", "Phường …"), else the first."""
    lines = [line for line in title if line.strip()]
    typed = [line for line in lines if _FOLDED_TYPES & set(spelt(" ".join(fold(line).split())).split())
             or "ubnd" in fold(line).split()]
    return (typed or lines or [None])[0]


_TYPES_WRITTEN = tuple(sorted({*TYPE_WORDS, *LEGACY_TYPE_WORDS}, key=len, reverse=True))


def bare_folded(name: str) -> str:
    """A unit's name folded without its type word, as accents tell it ("Xã Vạn Phú" -> "van phu"; "Phượng Tiến" has
    none: "phuong tien", where folding first made it "tien")."""
    written = " ".join(nfc(name).split())
    for word in _TYPES_WRITTEN:
        if written.lower().startswith(word + " "):
            written = written[len(word) + 1:]
            break
    return " ".join(fold(written).split())


def typed_lines(text: str, index: dict[str, list], type_words) -> list:
    """Units named in full with their type word on any line of `text` (lines apart: a name never spans two)."""
    return [u for line in text.split("\n") for u in typed_keys(key_words(line), index, type_words)]


def without_motto(line: str) -> str:
    """A title line cut where the national motto that shares its row begins ("UBND XÃ AN NGHĨA   CỘNG HÒA XÃ HỘI …"),
    the motto as vocabulary.toml words it."""
    words = nfc(line).split()
    folded = [fold(w) for w in words]
    for i in range(1, len(words)):
        rest = " ".join(f for f in folded[i:] if f)
        if any(rest.startswith(motto) for motto in _MOTTO):
            return " ".join(words[:i])
    return line


def file_words(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return re.sub(r"[_\-.+]+", " ", stem)


def name_indexes(ref: Reference) -> tuple[dict[str, list[Unit]], ...]:
    """The units by name (exact, folded) and by former name, read only: made once a reference and kept on it
    (a run makes a resolver for its files and up to three for the targets workbook: 0.36 s each)."""
    made = ref.__dict__.get("name_indexes")
    if made is None:
        exact: dict[str, list[Unit]] = {}
        bare: dict[str, list[Unit]] = {}
        folded: dict[str, list[Unit]] = {}
        for u in ref.units:
            exact.setdefault(key_words(u.commune_name), []).append(u)
            bare.setdefault(key_words(u.bare_name), []).append(u)
            folded.setdefault(fold(u.bare_name), []).append(u)
        legacy_exact: dict[str, list[Unit]] = {}
        legacy_bare: dict[str, list[Unit]] = {}
        legacy_folded: dict[str, list[Unit]] = {}
        for old in ref.legacy:
            unit = ref.by_code.get(old.new_code)
            if unit is None:
                continue
            legacy_exact.setdefault(key_words(old.old_name), []).append(unit)
            legacy_bare.setdefault(key_words(_without_type(old.old_name)), []).append(unit)
            legacy_folded.setdefault(fold(old.old_name), []).append(unit)
        made = ref.__dict__["name_indexes"] = (exact, bare, folded, legacy_exact, legacy_bare, legacy_folded)
    return made


def former_places(ref: Reference) -> dict[str, list[tuple[str, str, str | None]]]:
    """A unit's code -> its former units as (name, district, the district's bare name when of two words or more), folded
    ("phuong 12", "quan go vap", "go vap"); made once a reference."""
    made = ref.__dict__.get("former_places")
    if made is None:
        made = {}
        for old in ref.legacy:
            district = " ".join(fold(old.old_district.split("(")[0]).split())
            if not district:
                continue
            bare = next((district[len(t) + 1:] for t in ("thanh pho", "thi xa", "quan", "huyen") if district.startswith(t + " ")),
                        None)
            made.setdefault(old.new_code, []).append((fold(old.old_name), district, bare if bare and " " in bare else None))
        ref.__dict__["former_places"] = made
    return made


def former_codes(ref: Reference) -> dict[str, str]:
    """A former unit's code -> the code of the unit it is part of now."""
    made = ref.__dict__.get("former_codes")
    if made is None:
        made = ref.__dict__["former_codes"] = {old.old_code: old.new_code for old in ref.legacy if old.old_code}
    return made


def former_names(ref: Reference) -> dict[str, list[tuple[str, str]]]:
    """A unit's code -> its former units' names, as written and folded; made once a reference."""
    made = ref.__dict__.get("former_names")
    if made is None:
        made = {}
        for old in ref.legacy:
            made.setdefault(old.new_code, []).append((old.old_name, fold(old.old_name)))
        ref.__dict__["former_names"] = made
    return made


def province_phrases(ref: Reference) -> list[tuple[str, str]]:
    """(" tinh dak lak ", "66"), (" tp ho chi minh ", "79"), …: the current provinces and the former ones, each with its
    type word and the abbreviations offices write, folded; made once a reference."""
    made = ref.__dict__.get("province_phrases")
    if made is None:
        names = dict(ref.provinces().items())
        province_of = {u.commune_code: u.province_code for u in ref.units}
        now_in: dict[str, Counter] = {}
        for old in ref.legacy:  # "Tỉnh Bắc Kạn (06)" -> the province its units are in now
            if old.old_province and old.new_code in province_of:
                now_in.setdefault(f"_{old.old_province.split('(')[0].strip()}", Counter())[province_of[old.new_code]] += 1
        # most of its units' (the official list says Tân An's Phường 4 was Tiền Giang's: the first row made every title
        # naming "Tỉnh Tiền Giang" Tây Ninh's, 164 rows say Đồng Tháp; independent probe, national run)
        for key, provinces in now_in.items():
            names.setdefault(key, provinces.most_common(1)[0][0])
        made = []
        for key, value in names.items():
            name, code = (key[1:], value) if key.startswith("_") else (value, key)
            bare = " ".join(fold(name).split())
            for typed in ("tinh ", "thanh pho ", "tp "):
                if bare.startswith(typed):
                    bare = bare[len(typed):]
            kinds = ("thanh pho", "tp") if fold(name).startswith("thanh pho") else ("tinh",)
            made += [(f" {k} {bare} ", code) for k in kinds]
            if bare == "ho chi minh":  # "TP.HCM", "TPHCM"
                made += [(" thanh pho hcm ", code), (" tphcm ", code)]
        ref.__dict__["province_phrases"] = made
    return made
