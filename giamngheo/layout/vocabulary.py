"""The layout vocabulary (vocabulary.toml) loaded once, and the phrase matcher that applies it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..text import fold, match_key

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")


@lru_cache(maxsize=131072)
def folded_words(text: str) -> tuple[str, ...]:
    """The folded words of a label (its first 500 characters), made once: a row's label is asked for its
    total / stop tags and for the subsets it names, each a phrase match over the same words."""
    return tuple(fold(text[:500]).split())


_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PhraseIndex:
    """Folded phrases (as word tuples) to the tags they carry."""

    phrases: dict[tuple[str, ...], frozenset[str]]
    longest: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "_memo", {})  # the same labels recur in file after file
        object.__setattr__(self, "_leading", {})
        # the first words of the phrases: most words of a text start none, and are passed over at once
        object.__setattr__(self, "starts", frozenset(k[0] for k in self.phrases))

    def tags(self, text: str) -> frozenset[str]:
        """Tags of a text: greedy longest whole-word phrases, left to right."""
        memo = self._memo
        if text in memo:
            return memo[text]
        if len(memo) > 200_000:
            memo.clear()
        memo[text] = found = self._tags(text)
        return found

    def exact(self, text: str) -> frozenset[str]:
        """Tags of a text that is, whole, one phrase."""
        return self.phrases.get(tuple(fold(text).split()), frozenset())

    def leading(self, text: str) -> frozenset[str]:
        """Tags of the longest phrase the text starts with (asked of every cell of a sheet's first rows, by
        several recognisers: answered once a text)."""
        memo = self._leading
        found = memo.get(text)
        if found is None:
            if len(memo) > 200_000:
                memo.clear()
            memo[text] = found = self._leading_of(text)
        return found

    def _leading_of(self, text: str) -> frozenset[str]:
        words = folded_words(text)
        if not words or words[0] not in self.starts:  # no phrase starts with its first word: most texts
            return _NONE
        for n in range(min(self.longest, len(words)), 0, -1):
            hit = self.phrases.get(tuple(words[:n]))
            if hit is not None:
                return hit
        return frozenset()

    def first(self, text: str) -> frozenset[str]:
        """Tags of the leftmost phrase in the text (the longest one starting there)."""
        words = fold(text[:500]).split()
        for i, word in enumerate(words):
            if word not in self.starts:
                continue
            for n in range(min(self.longest, len(words) - i), 0, -1):
                hit = self.phrases.get(tuple(words[i : i + n]))
                if hit is not None:
                    return hit
        return frozenset()

    def _tags(self, text: str) -> frozenset[str]:
        words = folded_words(text)
        found: set[str] = set()
        i = 0
        while i < len(words):
            if words[i] not in self.starts:
                i += 1
                continue
            for n in range(min(self.longest, len(words) - i), 0, -1):
                hit = self.phrases.get(tuple(words[i : i + n]))
                if hit is not None:
                    found |= hit
                    i += n
                    break
            else:
                i += 1
        return frozenset(found)


def phrase_index(groups: dict[str, list[str]]) -> PhraseIndex:
    """A phrase index of tag -> label phrases (folded here)."""
    phrases: dict[tuple[str, ...], set[str]] = {}
    for tag, items in groups.items():
        for item in items:
            key = tuple(fold(item).split())
            if key:
                phrases.setdefault(key, set()).add(tag)
    return PhraseIndex({k: frozenset(v) for k, v in phrases.items()}, max(map(len, phrases), default=1))


@dataclass(frozen=True)
class Vocabulary:
    header: PhraseIndex
    rows: PhraseIndex
    zero_markers: frozenset[str]
    documents: PhraseIndex
    units: dict[str, tuple[str, ...]]  # folded word lists about unit names: types (current and legacy), not_before, motto
    unit_types: dict[str, tuple[str, ...]]  # type words of units as written: "current", "legacy"
    village_types: tuple[str, ...]  # type words of villages, matching keys ("thôn", "tổ dân phố")
    grand_total: PhraseIndex  # words anywhere in a total's label that make it the commune's
    roadmap_items: PhraseIndex  # roadmap item labels -> "item.<canonical id>"
    roadmap_words: PhraseIndex  # roadmap table, unit and section words -> "word.<name>"
    roadmap_sources: PhraseIndex  # a budget source's bare name under a budget section -> "item.<canonical id>"
    households: PhraseIndex = phrase_index({})  # household list column labels -> "hh.<field>"
    household_words: PhraseIndex = phrase_index({})  # list titles, groups, marks -> "word.<name>"
    personal_fields: frozenset[str] = frozenset()  # household fields marked `personal = true`


def _folded_units(units: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """The [units] lists folded, with `types`: the current and legacy type words together."""
    folded = {k: tuple(dict.fromkeys(fold(w) for w in v)) for k, v in units.items()}
    folded["types"] = tuple(dict.fromkeys(folded.pop("current") + folded.pop("legacy")))
    return folded


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Parse vocabulary.toml into phrase indexes."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rows = data["rows"]
    row_groups = {f"row.{k}": v for k, v in rows.items() if k not in ("zero_markers", "grand_total")}
    docs = {f"doc.{k}": v for k, v in data["documents"].items()}
    households = data.get("households", {"fields": {}, "words": {}})
    return Vocabulary(
        header=phrase_index(data["tags"]),
        rows=phrase_index(row_groups),
        zero_markers=frozenset(m.strip().casefold() for m in rows["zero_markers"]),
        documents=phrase_index(docs),
        units=_folded_units(data["units"]),
        unit_types={k: tuple(data["units"][k]) for k in ("current", "legacy")},
        village_types=tuple(match_key(w) for w in data["villages"]["types"]),
        grand_total=phrase_index({"row.grand_total": rows["grand_total"]}),
        roadmap_items=phrase_index({f"item.{k}": v for k, v in data["roadmap"]["items"].items()}),
        roadmap_words=phrase_index({f"word.{k}": v for k, v in data["roadmap"]["words"].items()}),
        roadmap_sources=phrase_index({f"item.{k}": v for k, v in data["roadmap"]["sources"].items()}),
        households=phrase_index({f"hh.{k}": v["labels"] for k, v in households["fields"].items()}),
        household_words=phrase_index({f"word.{k}": v for k, v in households["words"].items()}),
        personal_fields=frozenset(k for k, v in households["fields"].items() if v.get("personal")),
    )


@lru_cache(maxsize=65536)
def row_label_tags(text: str) -> frozenset[str]:
    """Row tags (row.total, row.stop, ...) when the label *starts* with a known phrase."""
    return load_vocabulary().rows.leading(text)
