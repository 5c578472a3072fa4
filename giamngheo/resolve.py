"""Which commune a file is about, in the contract's order: code, exact name, folded name, legacy name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .reference import Reference, Unit
from .layout.vocabulary import load_vocabulary
from .text import fold, match_key, nfc  # noqa: F401

_UNITS = load_vocabulary().units  # type words, words that are not a commune's before one, the motto
TYPE_WORDS = load_vocabulary().unit_types["current"]
LEGACY_TYPE_WORDS = load_vocabulary().unit_types["legacy"]
_FOLDED_TYPES = frozenset(_UNITS["types"])
_NOT_COMMUNE_BEFORE = frozenset(_UNITS["not_before"])
_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
MAX_NAME_WORDS = 6


@dataclass
class Resolution:
    unit: Unit | None
    method: str  # code, title, file_name, folded_title, folded_file_name, legacy_title, legacy_file_name, ..._other_type, none
    rule: str | None = None  # commune_resolved / wrong_province / legacy_unit_name
    candidates: list[str] = field(default_factory=list)
    value: str = ""  # the text the decision was made on


def key_words(text: str) -> str:
    """match_key with punctuation turned into spaces: accents kept, case folded."""
    return " ".join(re.sub(r"[^\w]+", " ", match_key(text)).split())


def _without_type(name: str) -> str:
    """A former unit's name without its type word: "Xã Phi Hải" -> "Phi Hải", "Thị trấn Hùng Sơn" -> "Hùng Sơn"."""
    for word in LEGACY_TYPE_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1 :]
    return name


def _typed_keys(text_key: str, index: dict[str, list], type_words) -> list:
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


def _spelt(folded: str) -> str:
    """Folded text with its abbreviated type words written out ("tt pac miau" -> "thi tran pac miau")."""
    return _ABBREVIATION.sub(lambda m: _ABBREVIATED[m.group(1)], folded)


def _folded_hits(text: str, index: dict[str, list], other_type: bool = False, bare: bool = True,
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
    lines = [_spelt(fold(part)) for line in text.split("\n") for part in _PUNCTUATION.split(line)]
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


_FORMER_ASIDE = re.compile(r"\([^()]*\bcũ\s*\)|(?:xã|phường|thị trấn)\s+[^,;()\n]+?\s*\(\s*cũ\s*\)", re.IGNORECASE)


def _without_former(text: str) -> str:
    """A title without the former units it names as such: "(xã Vĩnh Hòa cũ)", "xã Vĩnh Hòa (cũ)"."""
    if "cũ" not in nfc(text).lower():
        return text
    return "\n".join(_FORMER_ASIDE.sub(" ", nfc(line)) for line in text.split("\n"))  # line by line: nfc joins lines


def _naming_line(text: str, hits: list[Unit], named: list[str] = ()) -> str:
    """The line of a text that names one of the units found (or the provinces `named`), quoted in a failure, else its
    first line: a title's first line is often the plan's ("KẾ HOẠCH PHÂN BỔ …"), the commune on the third (independent
    probe)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    names = {_bare_folded(u.bare_name) for u in hits} | {_bare_folded(n) for n in named if n}
    return next((line for line in lines if any(f" {n} " in f" {_spelt(' '.join(fold(line).split()))} " for n in names)),
                lines[0] if lines else "")


def _unit_line(title: list[str]) -> str | None:
    """The title line that names a unit by its type ("UBND XÃ …", "Phường …"), else the first."""
    lines = [line for line in title if line.strip()]
    typed = [line for line in lines if _FOLDED_TYPES & set(_spelt(" ".join(fold(line).split())).split())
             or "ubnd" in fold(line).split()]
    return (typed or lines or [None])[0]


_TYPES_WRITTEN = tuple(sorted({*TYPE_WORDS, *LEGACY_TYPE_WORDS}, key=len, reverse=True))


def _bare_folded(name: str) -> str:
    """A unit's name folded without its type word, as accents tell it ("Xã Vạn Phú" -> "van phu"; "Phượng Tiến" has
    none: "phuong tien", where folding first made it "tien")."""
    written = " ".join(nfc(name).split())
    for word in _TYPES_WRITTEN:
        if written.lower().startswith(word + " "):
            written = written[len(word) + 1:]
            break
    return " ".join(fold(written).split())


def _typed_lines(text: str, index: dict[str, list], type_words) -> list:
    """Units named in full with their type word on any line of `text` (lines apart: a name never spans two)."""
    return [u for line in text.split("\n") for u in _typed_keys(key_words(line), index, type_words)]


def _without_motto(line: str) -> str:
    """A title line cut where the national motto that shares its row begins ("UBND XÃ AN NGHĨA   CỘNG HÒA XÃ HỘI …"),
    the motto as vocabulary.toml words it."""
    words = nfc(line).split()
    folded = [fold(w) for w in words]
    for i in range(1, len(words)):
        rest = " ".join(f for f in folded[i:] if f)
        if any(rest.startswith(motto) for motto in _MOTTO):
            return " ".join(words[:i])
    return line


def _file_words(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return re.sub(r"[_\-.+]+", " ", stem)


def _name_indexes(ref: Reference) -> tuple[dict[str, list[Unit]], ...]:
    """The units by name (exact, folded) and by former name, read only: made once a reference and kept on it
    (a run makes a resolver for its files and up to three for the targets workbook: 0.36 s each)."""
    made = ref.__dict__.get("_name_indexes")
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
        made = ref.__dict__["_name_indexes"] = (exact, bare, folded, legacy_exact, legacy_bare, legacy_folded)
    return made


class Resolver:
    """Resolves files to units of the official list, optionally within one province."""

    def __init__(self, ref: Reference, province: str | None = None):
        self.ref = ref
        self.province = province
        self.exact, self.bare, self.folded, self.legacy_exact, self.legacy_bare, self.legacy_folded = _name_indexes(ref)

    def _decide(self, units: list[Unit], method: str, value: str, legacy: bool = False) -> Resolution | None:
        distinct = list({u.commune_code: u for u in units}.values())
        if not distinct:
            return None
        inside = [u for u in distinct if not self.province or u.province_code == self.province]
        if self.province and not inside:
            return Resolution(None, method, "wrong_province", [u.describe() for u in distinct], value)
        if len(inside) > 1 and legacy:  # "Phường 12, Quận Gò Vấp": a former ward's name repeats, its district does not
            inside = self._in_district(inside, value) or inside
        if len(inside) > 1:
            if legacy:  # a former unit split between several: say so, not the whole title block (probe, Gia Lai)
                names = sorted({n for u in inside for n in self.legacy_names_in(value, u)})
                value = f"{', '.join(names)}: đơn vị cũ, nay thuộc nhiều xã, phường" if names else _without_motto(value)[:160]
            return Resolution(None, method, "commune_resolved", [u.describe() for u in inside], value)
        unit = inside[0]
        if legacy:
            value = ", ".join(self.legacy_names_in(value, unit)) or value
        return Resolution(unit, method, "legacy_unit_name" if legacy else None, [], value)

    def resolve(self, file_name: str, title: list[str], codes: list[str]) -> Resolution:
        """The unit a file belongs to, or a Resolution carrying the error and the candidates."""
        decided = self._resolve(file_name, title, codes)
        if (self.province and decided.unit is not None and decided.rule == "legacy_unit_name"
                and self.province not in self._provinces_named(" \n ".join(title))):
            # a former unit of the run's province by a name other provinces' former units bear too ("Phường 12"): the
            # file is another province's where a national run places it there by what else it names ("Phường 12, Q. Gò
            # Vấp" in a Lâm Đồng run was Đà Lạt's former Phường 12; independent re-judge, 23 files of 5 runs)
            there = Resolver(self.ref, None)._resolve(file_name, title, codes)
            if there.unit is not None and there.unit.province_code != self.province:
                return Resolution(None, there.method, "wrong_province", [there.unit.describe()], there.value)
        return decided

    def _resolve(self, file_name: str, title: list[str], codes: list[str]) -> Resolution:
        title_text = " \n ".join(title)
        for code in _CODE.findall(_file_words(file_name)) + list(codes):
            if code in self.ref.by_code:
                unit = self.ref.by_code[code]
                decided = self._decide([unit], "code", code)
                others = self._named_instead(unit, title_text) if decided.unit else []
                if others:  # the code and the title name two units: which is the file's is for a person to say
                    first = next((line.strip() for line in title if line.strip()), "")
                    return Resolution(None, "code", "commune_resolved", [u.describe() for u in [unit, *others]],
                                      f"mã {code}; {_without_motto(first)[:120]}")
                return decided
        for code in _CODE.findall(_file_words(file_name)):  # a former unit's code ("29176_ke hoach.xlsx")
            if (new := _former_codes(self.ref).get(code)) in self.ref.by_code:
                decided = self._decide([self.ref.by_code[new]], "code", f"mã cũ {code}")
                if decided.unit:
                    decided.rule = "legacy_unit_name"
                return decided
        named = self._provinces_named(title_text)
        if self.province and named and self.province not in named:
            # the title names another province ("UBND xã Tân Tiến, tỉnh Đắk Lắk"): whatever unit of the run's province
            # bears its commune's name (Hưng Yên's Xã Tân Tiến took Đắk Lắk's plan; independent probe); its unit there
            # named when a national run finds it
            there = Resolver(self.ref, None).resolve(file_name, title, codes)
            if there.unit is not None and there.unit.province_code in named:
                return Resolution(None, there.method, "wrong_province", [there.unit.describe()], there.value)
            return Resolution(None, "title", "wrong_province", sorted(self.ref.province_name(c) or c for c in named),
                              _naming_line(title_text, [], named=[self.ref.province_name(c) or "" for c in named])[:160])
        file_text = _file_words(file_name)
        elsewhere = None  # the first match, when it is a unit of another province than the run's
        named_elsewhere: list[str] = []  # its units' names, folded
        for method, text, legacy, hits_of in self._file_tiers(title_text, file_text):
            if elsewhere is not None and method.endswith("_other_type"):
                break  # a unit of another province named as written beats a guess under another type word
            hits = hits_of(text)
            decided = self._prefer_province(hits, method, text, legacy)
            if not decided:
                continue
            if decided.rule == "wrong_province":
                # named as written: with its type word, not words of prose ("tỷ lệ hộ nghèo" is no Phường Lê Hồ)
                if elsewhere is None and (not method.startswith("folded") or _folded_hits(
                        _without_former(text), self.folded, untyped_too=False)):
                    elsewhere, named_elsewhere = decided, [_bare_folded(u.bare_name) for u in hits]
                continue
            if elsewhere is not None:
                # a unit of the run's province found after one of another province named as written: only a former
                # unit of the same name whole ("Xã Thượng Hà": Lào Cai's today, Cao Bằng's before, now Xã Cô Ba), and
                # it is the file's only where the title names its former district or the run's province; else either
                # could be meant. A guess from folded words, or a shorter name ("Xã Đông Trà" in "Xã Đông Trà
                # Bồng"), is none: Hưng Yên took five other provinces' plans that way (independent probe)
                if decided.unit is None or not legacy or self._inside_names(decided, text, named_elsewhere):
                    continue
                if self._in_district([decided.unit], text) or self.province in named:
                    return decided
                return Resolution(None, method, "commune_resolved", [*elsewhere.candidates, decided.unit.describe()],
                                  decided.value)
            return (None if legacy else self._former_over(hits, method, text)) or decided
        return elsewhere or Resolution(None, "none", "commune_resolved", [], _without_motto(_unit_line(title) or file_name)[:200])

    def _former_over(self, hits: list[Unit], method: str, text: str) -> Resolution | None:
        """The current units found, less those whose name is only part of a former unit's longer name found there ("UBND
        xã An Hòa Tây, Huyện Ba Tri" is no Xã An Hòa: a former commune, now Xã Tân Thủy; "UBND xã Tân Thủy (xã An Hòa Tây
        cũ)" is Tân Thủy's); none of them when the text names a former unit of another unit with its former district
        ("UBND xã Vĩnh Hòa, huyện Ninh Giang": now Xã Ninh Giang, not today's Xã Vĩnh Hòa of another district). The
        longest name wins, the most precise place too. None when that changes nothing."""
        former = _typed_lines(text, self.legacy_exact, LEGACY_TYPE_WORDS) or _folded_hits(text, self.legacy_folded, bare=False)
        if not former:
            return None
        as_former = "legacy_file_name" if "file_name" in method else "legacy_title"
        codes = {u.commune_code for u in hits}
        placed = self._in_district(former, text)
        # another unit than the one current name found, or one of several it found ("xã Hạ Long, huyện Vân Đồn": the
        # former commune of Vân Đồn, not Thanh Hóa's Xã Hà Long)
        if placed and (len(codes) > 1 or any(u.commune_code not in codes for u in placed)):
            return self._prefer_province(placed, as_former, text, True)
        longer = {_bare_folded(n) for u in former for n in self.legacy_names_in(text, u)}
        kept = [u for u in hits if not any(_bare_folded(u.bare_name) != n and f" {_bare_folded(u.bare_name)} " in f" {n} "
                                           for n in longer)]
        if len(kept) == len(hits):
            return None
        return self._prefer_province(kept, method, text) if kept else self._prefer_province(former, as_former, text, True)

    def _inside_names(self, decided: Resolution, text: str, longer: list[str]) -> bool:
        """Whether a unit was found by words that are only part of a longer name found before (folded, whole words):
        the longest name wins."""
        if decided.unit is None:
            return False
        found = self.legacy_names_in(text, decided.unit) if decided.rule else []
        shorter = [_bare_folded(n) for n in found or [decided.unit.bare_name]]
        return all(any(n != name and f" {n} " in f" {name} " for name in longer) for n in shorter)

    def _named_instead(self, unit: Unit, title_text: str) -> list[Unit]:
        """Other units of `unit`'s province its title names in full with their type word ("UBND XÃ ĐỨC LƯƠNG" in a file
        named 05665_xa_van_lang…), when it names neither `unit` nor one of its former units. Such a file was counted
        as the code's commune, its villages twice in the province (independent probe)."""
        named = _typed_lines(title_text, self.exact, TYPE_WORDS)
        if not named or any(u.commune_code == unit.commune_code for u in named) or self.legacy_names_in(title_text, unit):
            return []
        return list({u.commune_code: u for u in named if u.province_code == unit.province_code}.values())

    def _file_tiers(self, title_text: str, file_text: str):
        """(method, text, legacy, hits of the text) in the order a file's unit is looked for: current names as typed in
        the title then the file name, accent-folded, then former units' names."""
        def typed(text: str) -> list[Unit]:
            return _typed_lines(text, self.exact, TYPE_WORDS)

        def legacy(text: str) -> list[Unit]:  # folded legacy names are indexed with their type word: "xa phu thinh"
            return (_typed_lines(text, self.legacy_exact, LEGACY_TYPE_WORDS)
                    or _folded_hits(text, self.legacy_folded, bare=False))

        # a former unit the title names as such ("UBND xã Ba Tri (xã Vĩnh Hòa cũ)") is no current unit's name there
        yield "title", title_text, False, lambda text: typed(_without_former(text))
        yield "file_name", file_text, False, typed
        yield "folded_title", title_text, False, lambda text: _folded_hits(_without_former(text), self.folded)
        # a former unit the title names with its type word, before a guess from the file name's folded words
        # ("UBND PHƯỜNG 12, QUẬN GÒ VẤP" in "KH giam ngheo phuong 12 go vap.xlsx" was Phường Gò Vấp)
        yield "legacy_title", title_text, True, lambda text: _typed_lines(text, self.legacy_exact, LEGACY_TYPE_WORDS)
        yield "folded_file_name", file_text, False, lambda text: _folded_hits(text, self.folded)
        yield "legacy_title", title_text, True, legacy
        yield "legacy_file_name", file_text, True, legacy
        # a current name under another type word that no former unit's name explains ("Phường X" for Xã X)
        yield "folded_title_other_type", title_text, False, lambda text: _folded_hits(text, self.folded, other_type=True)
        yield "folded_file_name_other_type", file_text, False, lambda text: _folded_hits(text, self.folded, other_type=True)

    def _in_district(self, units: list[Unit], text: str) -> list[Unit]:
        """The units of a former unit the text names together with the former district it was in ("Phường 12, Quận Gò
        Vấp", "Phường 10, Vũng Tàu", "H. Ba Tri")."""
        folded = f" {_spelt(' '.join(re.sub(r'[^a-z0-9 ]+', ' ', fold(text)).split()))} "
        codes = {u.commune_code for u in units}
        def bare_named(bare: str | None, name: str) -> bool:  # "Vũng Tàu" alone; not the province's "tỉnh Thái Nguyên"
            return bool(bare) and bare not in name and folded.count(f" {bare} ") > sum(
                folded.count(f" {kind} {bare} ") for kind in ("tinh", "thanh pho"))

        named = {new for new in codes for name, district, bare in _former_places(self.ref).get(new, ())
                 if f" {name} " in folded and (f" {district} " in folded or bare_named(bare, name))}
        return [u for u in units if u.commune_code in named]

    def legacy_names_in(self, text: str, unit: Unit) -> list[str]:
        """The former unit names of `unit` that occur in `text` (what a legacy match was made on)."""
        folded = f" {_spelt(' '.join(fold(text).split()))} "
        return sorted({name for name, key in _former_names(self.ref).get(unit.commune_code, ()) if f" {key} " in folded})

    def _prefer_province(self, hits: list[Unit], method: str, text: str, legacy: bool = False) -> Resolution | None:
        """Within a known province, its own units win over same-named units elsewhere; in a national run, those of the
        province the text names ("UBND xã Tân Tiến, tỉnh Đắk Lắk", a former province's name too)."""
        if not hits:
            return None
        if self.province:
            inside = [u for u in hits if u.province_code == self.province]
            if inside:
                hits = inside
        elif len({u.province_code for u in hits}) > 1 and (named := self._provinces_named(text)):
            # 35 files of a national run named their province and were refused as ambiguous (independent probe)
            hits = [u for u in hits if u.province_code in named] or hits
        return self._decide(hits, method, text if legacy else _naming_line(text, hits)[:160], legacy)

    def _provinces_named(self, text: str) -> set[str]:
        """The codes of the provinces a text names with their type word ("tỉnh Đắk Lắk", "TP. Hồ Chí Minh", "tỉnh Bắc
        Kạn" as it was before 2025)."""
        folded = f" {_spelt(' '.join(re.sub(r'[^a-z0-9 ]+', ' ', fold(text)).split()))} "
        return {code for phrase, code in _province_phrases(self.ref) if phrase in folded}

    def resolve_name(self, name: str | None, code: str | None = None) -> Resolution:
        """A unit named in a table cell (the targets workbook), in the contract's order: its code (a code column, or
        five digits in the cell), its name with or without its type word, accents kept ("Văn Lang" is not "Văn Lăng"),
        then accent-folded, then a former unit's name (reported as `legacy_unit_name`)."""
        for c in [c for c in [code_of(code)] if c] + _CODE.findall(name or ""):
            if c in self.ref.by_code:
                return self._decide([self.ref.by_code[c]], "code", c) or Resolution(None, "none", "commune_resolved", [], c)
        name = name or ""
        key = key_words(name)
        tiers = (
            ("name", lambda: _typed_keys(key, self.exact, TYPE_WORDS) or list(self.bare.get(key, ()))),
            ("name", lambda: list(self.folded.get(fold(name), ()))),
            ("legacy", lambda: _typed_keys(key, self.legacy_exact, LEGACY_TYPE_WORDS)),
            ("legacy", lambda: list(self.legacy_bare.get(key, ()))),  # "Phi Hải": a former commune named without its type
            ("name", lambda: _folded_hits(name, self.folded)),
            ("legacy", lambda: _folded_hits(name, self.legacy_folded, bare=False)),
            ("name", lambda: _folded_hits(name, self.folded, other_type=True)),
        )
        first = None  # the first tier that names units, when none of them is of the run's province
        for method, hits_of in tiers:
            hits = hits_of()
            if hits and (not self.province or any(u.province_code == self.province for u in hits)):
                return self._prefer_province(hits, method, name, legacy=method == "legacy")
            first = first or (hits and (method, hits))
        if first:
            return self._prefer_province(first[1], first[0], name, legacy=first[0] == "legacy")
        return Resolution(None, "none", "commune_resolved", [], name or (code or ""))

def _former_places(ref: Reference) -> dict[str, list[tuple[str, str, str | None]]]:
    """A unit's code -> its former units as (name, district, the district's bare name when of two words or more), folded
    ("phuong 12", "quan go vap", "go vap"); made once a reference."""
    made = ref.__dict__.get("_former_places")
    if made is None:
        made = {}
        for old in ref.legacy:
            district = " ".join(fold(old.old_district.split("(")[0]).split())
            if not district:
                continue
            bare = next((district[len(t) + 1:] for t in ("thanh pho", "thi xa", "quan", "huyen") if district.startswith(t + " ")),
                        None)
            made.setdefault(old.new_code, []).append((fold(old.old_name), district, bare if bare and " " in bare else None))
        ref.__dict__["_former_places"] = made
    return made


def _former_codes(ref: Reference) -> dict[str, str]:
    """A former unit's code -> the code of the unit it is part of now."""
    made = ref.__dict__.get("_former_codes")
    if made is None:
        made = ref.__dict__["_former_codes"] = {old.old_code: old.new_code for old in ref.legacy if old.old_code}
    return made


def _former_names(ref: Reference) -> dict[str, list[tuple[str, str]]]:
    """A unit's code -> its former units' names, as written and folded; made once a reference."""
    made = ref.__dict__.get("_former_names")
    if made is None:
        made = {}
        for old in ref.legacy:
            made.setdefault(old.new_code, []).append((old.old_name, fold(old.old_name)))
        ref.__dict__["_former_names"] = made
    return made


def _province_phrases(ref: Reference) -> list[tuple[str, str]]:
    """(" tinh dak lak ", "66"), (" tp ho chi minh ", "79"), …: the current provinces and the former ones, each with its
    type word and the abbreviations offices write, folded; made once a reference."""
    made = ref.__dict__.get("_province_phrases")
    if made is None:
        names = dict(ref.provinces().items())
        province_of = {u.commune_code: u.province_code for u in ref.units}
        for old in ref.legacy:  # "Tỉnh Bắc Kạn (06)" -> the province its units are in now
            if old.old_province and old.new_code in province_of:
                names.setdefault(f"_{old.old_province.split('(')[0].strip()}", province_of[old.new_code])
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
        ref.__dict__["_province_phrases"] = made
    return made


def code_of(cell: str | None) -> str | None:
    """A unit code as a cell holds it: "01840", or 1840 as a number that lost its leading zero."""
    m = re.fullmatch(r"\s*(\d{1,5})(?:\.0+)?\s*", cell or "")
    return m.group(1).zfill(5) if m else None
