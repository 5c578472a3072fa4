"""Which commune a file is about, in the contract's order: code, exact name, folded name, legacy name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .layout.vocabulary import row_label_tags
from .reference import Reference, Unit
from .text import fold
from .unit_names import (
    CODE,
    LEGACY_TYPE_WORDS,
    TYPE_WORDS,
    bare_folded,
    file_words,
    folded_hits,
    former_codes,
    former_names,
    former_places,
    key_words,
    name_indexes,
    naming_line,
    place_words,
    province_phrases,
    spelt,
    typed_keys,
    typed_lines,
    unit_line,
    without_former,
    without_merger_notes,
    without_motto,
)

@dataclass
class Resolution:
    unit: Unit | None
    method: str  # code, title, file_name, folded_title, folded_file_name, legacy_title, legacy_file_name, ..._other_type, none
    rule: str | None = None  # commune_resolved / wrong_province / legacy_unit_name
    candidates: list[str] = field(default_factory=list)
    value: str = ""  # the text the decision was made on


class Resolver:
    """Resolves files to units of the official list, optionally within one province."""

    def __init__(self, ref: Reference, province: str | None = None):
        self.ref = ref
        self.province = province
        self.exact, self.bare, self.folded, self.legacy_exact, self.legacy_bare, self.legacy_folded = name_indexes(ref)

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
                value = f"{', '.join(names)}: đơn vị cũ, nay thuộc nhiều xã, phường" if names else without_motto(value)[:160]
            return Resolution(None, method, "commune_resolved", [u.describe() for u in inside], value)
        unit = inside[0]
        if legacy:
            names = self.legacy_names_in(value, unit)
            value = ", ".join(names) or value
            # a unit that kept its name ("Xã Long Hòa" of Huyện Châu Thành, Trà Vinh, now Vĩnh Long's Xã Long Hòa): found
            # by its former district, named as it is today; no old name used (independent probe, national run)
            legacy = not names or any(fold(n) != fold(unit.commune_name) for n in names)
        return Resolution(unit, method, "legacy_unit_name" if legacy else None, [], value)

    def resolve(self, file_name: str, title: list[str], codes: list[str]) -> Resolution:
        """The unit a file belongs to, or a Resolution carrying the error and the candidates."""
        decided = self._resolve(file_name, title, codes)
        if (self.province and decided.unit is not None and decided.rule == "legacy_unit_name"
                and self.province not in self._provinces_named(" \n ".join(title))):
            # a former unit of the run's province by a name other provinces' former units bear too ("Phường 12"): the
            # file is another province's where a national run places it there by what else it names ("Phường 12, Q. Gò
            # Vấp" in a Lâm Đồng run was Đà Lạt's former Phường 12; independent re-judge, 23 files of 5 runs)
            there = self._national(file_name, title, codes)
            if there.unit is not None and there.unit.province_code != self.province:
                return Resolution(None, there.method, "wrong_province", [there.unit.describe()], there.value)
        return decided

    def _national(self, file_name: str, title: list[str], codes: list[str]) -> Resolution:
        """The file's unit as a national run finds it (where a --province run asks which province it is of)."""
        return Resolver(self.ref, None)._resolve(file_name, title, codes)

    def _resolve(self, file_name: str, title: list[str], codes: list[str]) -> Resolution:
        title_text = " \n ".join(title)
        for code in CODE.findall(file_words(file_name)) + list(codes):
            if code in self.ref.by_code:
                unit = self.ref.by_code[code]
                decided = self._decide([unit], "code", code)
                others = self._named_instead(unit, title_text) if decided.unit else []
                if others:  # the code and the title name two units: which is the file's is for a person to say
                    first = next((line.strip() for line in title if line.strip()), "")
                    return Resolution(None, "code", "commune_resolved", [u.describe() for u in [unit, *others]],
                                      f"mã {code}; {without_motto(first)[:120]}")
                return decided
        for code in CODE.findall(file_words(file_name)):  # a former unit's code ("29176_ke hoach.xlsx")
            if (new := former_codes(self.ref).get(code)) in self.ref.by_code:
                decided = self._decide([self.ref.by_code[new]], "code", f"mã cũ {code}")
                if decided.unit:
                    decided.rule = "legacy_unit_name"
                return decided
        named = self._provinces_named(title_text)
        if self.province and named and self.province not in named:
            # the title names another province ("UBND xã Tân Tiến, tỉnh Đắk Lắk"): whatever unit of the run's province
            # bears its commune's name (Hưng Yên's Xã Tân Tiến took Đắk Lắk's plan; independent probe); its unit there
            # named when a national run finds it
            there = self._national(file_name, title, codes)
            if there.unit is not None and there.unit.province_code in named:
                return Resolution(None, there.method, "wrong_province", [there.unit.describe()], there.value)
            return Resolution(None, "title", "wrong_province", sorted(self.ref.province_name(c) or c for c in named),
                              naming_line(title_text, [], named=[self.ref.province_name(c) or "" for c in named])[:160])
        file_text = file_words(file_name)
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
                # (and with its accents where the title writes them: "UBND PHƯỜNG TÂN THANH", a former ward of Điện Biên
                # Phủ, is no Phường Tân Thành of Hồ Chí Minh City; layouts judge, Điện Biên)
                if elsewhere is None and (not method.startswith("folded") or folded_hits(
                        without_former(text), self.folded, untyped_too=False)) and (
                        method != "folded_title" or any(_as_written(u, text) for u in hits)):
                    elsewhere, named_elsewhere = decided, [bare_folded(u.bare_name) for u in hits]
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
        return elsewhere or Resolution(None, "none", "commune_resolved", [], without_motto(unit_line(title) or file_name)[:200])

    def _former_over(self, hits: list[Unit], method: str, text: str) -> Resolution | None:
        """The current units found, less those whose name is only part of a former unit's longer name found there ("UBND
        xã An Hòa Tây, Huyện Ba Tri" is no Xã An Hòa: a former commune, now Xã Tân Thủy; "UBND xã Tân Thủy (xã An Hòa Tây
        cũ)" is Tân Thủy's); none of them when the text names a former unit of another unit with its former district
        ("UBND xã Vĩnh Hòa, huyện Ninh Giang": now Xã Ninh Giang, not today's Xã Vĩnh Hòa of another district). The
        longest name wins, the most precise place too. None when that changes nothing."""
        # a merger note under the current name ("(Sáp nhập từ thị trấn Châu Thành, …)") names no former unit of the file:
        # its split town made the plan ambiguous (southern names judge, Vĩnh Long); its former district still places it
        noted = without_merger_notes(text)
        former = typed_lines(noted, self.legacy_exact, LEGACY_TYPE_WORDS) or folded_hits(noted, self.legacy_folded, bare=False)
        if not former:
            return None
        as_former = "legacy_file_name" if "file_name" in method else "legacy_title"
        codes = {u.commune_code for u in hits}
        placed = self._in_district(former, text, current=hits)
        # another unit than the one current name found, or one of several it found ("xã Hạ Long, huyện Vân Đồn": the
        # former commune of Vân Đồn, not Thanh Hóa's Xã Hà Long)
        if placed and (len(codes) > 1 or any(u.commune_code not in codes for u in placed)):
            return self._prefer_province(placed, as_former, text, True)
        longer = {bare_folded(n) for u in former for n in self.legacy_names_in(text, u)}
        kept = [u for u in hits if not any(bare_folded(u.bare_name) != n and f" {bare_folded(u.bare_name)} " in f" {n} "
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
        shorter = [bare_folded(n) for n in found or [decided.unit.bare_name]]
        return all(any(n != name and f" {n} " in f" {name} " for name in longer) for n in shorter)

    def _named_instead(self, unit: Unit, title_text: str) -> list[Unit]:
        """Other units of `unit`'s province its title names in full with their type word ("UBND XÃ ĐỨC LƯƠNG" in a file
        named 05665_xa_van_lang…), when it names neither `unit` nor one of its former units. Such a file was counted
        as the code's commune, its villages twice in the province (independent probe)."""
        named = typed_lines(title_text, self.exact, TYPE_WORDS)
        if not named or any(u.commune_code == unit.commune_code for u in named) or self.legacy_names_in(title_text, unit):
            return []
        return list({u.commune_code: u for u in named if u.province_code == unit.province_code}.values())

    def _file_tiers(self, title_text: str, file_text: str):
        """(method, text, legacy, hits of the text) in the order a file's unit is looked for: current names as typed in
        the title then the file name, accent-folded, then former units' names."""
        def typed(text: str) -> list[Unit]:
            return typed_lines(text, self.exact, TYPE_WORDS)

        def legacy(text: str) -> list[Unit]:  # folded legacy names are indexed with their type word: "xa phu thinh"
            return (typed_lines(text, self.legacy_exact, LEGACY_TYPE_WORDS)
                    or folded_hits(text, self.legacy_folded, bare=False))

        # a former unit the title names as such ("UBND xã Ba Tri (xã Vĩnh Hòa cũ)") is no current unit's name there
        yield "title", title_text, False, lambda text: typed(without_former(text))
        yield "file_name", file_text, False, typed
        yield "folded_title", title_text, False, lambda text: folded_hits(without_former(text), self.folded, untyped_too=False)
        # a former unit the title names with its type word, before a guess from the file name's folded words
        # ("UBND PHƯỜNG 12, QUẬN GÒ VẤP" in "KH giam ngheo phuong 12 go vap.xlsx" was Phường Gò Vấp)
        yield "legacy_title", title_text, True, lambda text: typed_lines(text, self.legacy_exact, LEGACY_TYPE_WORDS)
        yield "folded_file_name", file_text, False, lambda text: folded_hits(text, self.folded, untyped_too=False)
        # a name without its type word only then: words of prose hold names ("TỔNG HỢP DIỄN BIẾN HỘ NGHÈO" holds Xã Biển
        # Hồ of Gia Lai; it took the results of "UBND XÃ LAO XẢ PHÌNH" in "… - Xa Sin Chai.xlsx"; layouts judge, Điện Biên)
        yield "folded_title", title_text, False, lambda text: folded_hits(without_former(text), self.folded)
        yield "folded_file_name", file_text, False, lambda text: folded_hits(text, self.folded)
        yield "legacy_title", title_text, True, legacy
        yield "legacy_file_name", file_text, True, legacy
        # a current name under another type word that no former unit's name explains ("Phường X" for Xã X)
        yield "folded_title_other_type", title_text, False, lambda text: folded_hits(text, self.folded, other_type=True)
        yield "folded_file_name_other_type", file_text, False, lambda text: folded_hits(text, self.folded, other_type=True)

    def _in_district(self, units: list[Unit], text: str, current: list[Unit] = ()) -> list[Unit]:
        """The units of a former unit the text names together with the former district it was in ("Phường 12, Quận Gò
        Vấp", "Phường 10, Vũng Tàu", "H. Ba Tri"), outside the names of the `current` units found that hold the former
        name: "UBND XÃ NAM TIỀN HẢI" reads "Nam Tiến" and "Tiền Hải", and is today's Xã Nam Tiền Hải, no former Xã Nam
        Tiến of Huyện Tiền Hải (it lost its file to Xã Nam Cường; independent probe, Hưng Yên)."""
        folded = place_words(text)
        codes = {u.commune_code for u in units}
        longer = {place_words(u.commune_name).strip() for u in current}  # with their type word, as former_places's names

        def placed(name: str, district: str, bare: str | None) -> bool:
            rest = folded
            for own in longer:
                if own != name and f" {name} " in f" {own} ":
                    rest = rest.replace(f" {own} ", " | ")
            # "Vũng Tàu" alone names the district; not the province's "tỉnh Thái Nguyên"
            bare_named = bool(bare) and bare not in name and rest.count(f" {bare} ") > sum(
                rest.count(f" {kind} {bare} ") for kind in ("tinh", "thanh pho"))
            # in words of their own: "xa an thanh | phu luc" holds "thanh phu" across a line, sharing "thanh"
            return f" {name} " in rest and (_apart(rest, name, district) or bare_named and _apart(rest, name, bare))

        named = {new for new in codes for name, district, bare in former_places(self.ref).get(new, ())
                 if placed(name, district, bare)}
        return [u for u in units if u.commune_code in named]

    def legacy_names_in(self, text: str, unit: Unit) -> list[str]:
        """The former unit names of `unit` that occur in `text` (what a legacy match was made on)."""
        folded = f" {spelt(' '.join(fold(text).split()))} "
        return sorted({name for name, key in former_names(self.ref).get(unit.commune_code, ()) if f" {key} " in folded})

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
        return self._decide(hits, method, text if legacy else naming_line(text, hits)[:160], legacy)

    def _provinces_named(self, text: str) -> set[str]:
        """The codes of the provinces a text names with their type word ("tỉnh Đắk Lắk", "TP. Hồ Chí Minh", "tỉnh Bắc
        Kạn" as it was before 2025)."""
        folded = place_words(text)
        return {code for phrase, code in province_phrases(self.ref) if phrase in folded}

    def resolve_name(self, name: str | None, code: str | None = None) -> Resolution:
        """A unit named in a table cell (the targets workbook), in the contract's order: its code (a code column, or
        five digits in the cell), its name with or without its type word, accents kept ("Văn Lang" is not "Văn Lăng"),
        then accent-folded, then a former unit's name (reported as `legacy_unit_name`)."""
        for c in [c for c in [code_of(code)] if c] + CODE.findall(name or ""):
            if c in self.ref.by_code:
                return self._decide([self.ref.by_code[c]], "code", c) or Resolution(None, "none", "commune_resolved", [], c)
        name = name or ""
        key = key_words(name)
        typed = typed_keys(key, self.exact, TYPE_WORDS)
        if typed and self.province and not any(u.province_code == self.province for u in typed):
            # a unit of another province named whole, type and all ("Phường Thành Vinh", Nghệ An's): never a folded or
            # other-type name of the run's ("Xã Thành Vinh" took its target without a word; targets judge, Thanh Hóa);
            # a former unit of the run's province of that very name is its own workbook's ("Phường Sông Cầu")
            former = [u for u in typed_keys(key, self.legacy_exact, LEGACY_TYPE_WORDS) if u.province_code == self.province]
            return self._prefer_province(former, "legacy", name, legacy=True) if former else self._prefer_province(
                typed, "name", name)
        tiers = (
            ("name", lambda: typed or list(self.bare.get(key, ()))),
            ("name", lambda: list(self.folded.get(fold(name), ()))),
            ("legacy", lambda: typed_keys(key, self.legacy_exact, LEGACY_TYPE_WORDS)),
            ("legacy", lambda: list(self.legacy_bare.get(key, ()))),  # "Phi Hải": a former commune named without its type
            ("name", lambda: folded_hits(name, self.folded)),
            ("legacy", lambda: folded_hits(name, self.legacy_folded, bare=False)),
            ("name", lambda: folded_hits(name, self.folded, other_type=True)),
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


def _as_written(unit: Unit, text: str) -> bool:
    """Whether a text writes a unit's name as the unit does, accents and all, on a line naming it (a line with no accent
    at all, "UBND XA TAN THANH", could be either)."""
    folded, written = f" {bare_folded(unit.bare_name)} ", f" {key_words(unit.bare_name)} "
    lines = [line for line in text.split("\n") if folded in f" {' '.join(fold(line).split())} "]
    return any(written in f" {key_words(line)} " or line.isascii() for line in lines) or not lines


def _apart(folded: str, name: str, district: str) -> bool:
    """Whether `folded` names a unit and its district in words of their own, not in shared ones."""
    def spans(words: str) -> list[tuple[int, int]]:
        found, at = [], folded.find(f" {words} ")
        while at >= 0:
            found.append((at + 1, at + len(words)))
            at = folded.find(f" {words} ", at + 1)
        return found

    return any(a_end < b_start or b_end < a_start for a_start, a_end in spans(name) for b_start, b_end in spans(district))


def code_of(cell: str | None) -> str | None:
    """A unit code as a cell holds it: "01840", or 1840 as a number that lost its leading zero."""
    m = re.fullmatch(r"\s*(\d{1,5})(?:\.0+)?\s*", cell or "")
    return m.group(1).zfill(5) if m else None


def province_wide(name: str, ref: Reference) -> bool:
    """Whether a targets row's unit is the province, not a commune: "Toàn tỉnh", "Cả tỉnh", or a province's name
    ("Tỉnh Điện Biên"). Such rows were dropped without a word, every commune left without the target (deprivations
    judge, Điện Biên)."""
    folded = " ".join(fold(name).split())
    words = f" {folded} "
    if folded in _WHOLE_PROVINCE or ("row.total" in row_label_tags(name) and " xa " not in words and " phuong " not in words):
        return True  # "Toàn tỉnh", "Tổng cộng"; not "Toàn xã"
    return folded in _province_names(ref)  # (not "Lào Cai" alone: a ward's name too)


_WHOLE_PROVINCE = frozenset({"toan tinh", "ca tinh", "chung toan tinh", "chung ca tinh", "tinh", "toan thanh pho"})


@lru_cache(maxsize=4)
def _province_names(ref: Reference) -> frozenset[str]:
    """Each province's name folded with its type word, either one ("tinh dien bien", "thanh pho ha noi"): made once a
    reference (it was remade from every unit of the list for each name asked)."""
    bare = [fold(re.sub(r"^(?:Tỉnh|Thành phố)\s+", "", n)) for n in ref.provinces().values()]
    return frozenset(f"{kind} {b}" for b in bare for kind in ("tinh", "thanh pho"))
