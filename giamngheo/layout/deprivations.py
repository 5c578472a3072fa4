"""Recognise a deprivation table (hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản).

Two orientations. Indicators as rows (commune level): dimension rows "I. Việc làm", indicator
rows "1. Việc làm", "4. Bảo hiểm y tế", …; columns of deprived poor and near-poor households and
their rates; a row above the indicators may state the group sizes ("Tổng số hộ nghèo, cận nghèo").
Villages as rows: a 2–3 row header, dimension over indicator over HN / HCN (and rates), columns of
the villages' poor and near-poor households before the indicators.

Indicators are read by their labels in the catalogue of standards (standards.toml), whichever
standard names them: the kind's checks judge the set against the standard of the run's year.
A village table becomes one table per indicator (fields poor_deprived, near_poor_deprived and
their rates) plus one of group sizes, so that every figure keeps its exact cell. Every row carries
its indicator's key and its label as written. The province's targets workbook may hold a sheet of
indicator targets (coverage in percent): a `targets` table with subject "deprivations".

Worker side: no polars. These tables are claimed before the village-table engine looks at the
sheet: their HN / HCN columns would otherwise read as a plan's or a results report's.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ..parsed import ParsedTable, cell_columns, cell_json
from ..readers.grid import Sheet
from ..text import fold, match_key, nfc
from .standards import dimension_of, indicator_of
from .header import is_numbered_row
from .personal import texts_in
from .tables import title_lines
from .vocabulary import load_vocabulary, row_label_tags

KIND = "deprivations"
ATTRIBUTES = ("indicator", "indicator_label")
DEPRIVED = ("poor_deprived", "near_poor_deprived")
MIN_INDICATORS = 6  # distinct indicators a table names: fewer is some other table that mentions one
_ROMAN = re.compile(r"^\s*([IVX]{1,4})\s*[.)/:-]?\s+(?=\S)")
_ARABIC = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\s*[.)/:-]?\s*(?=\D)")  # "4.", "5.1." (a dimension's items)
_FIGURE_TEXT = re.compile(r"[-–—x0-9.,% ]+")  # a figure typed as text ("1.234", "12 %")
_YEAR = re.compile(r"(?:năm\s*)?20\d\d", re.IGNORECASE)
_LETTER = re.compile(r"^\s*(?:[a-zđ]\)|[-–+•*])\s*")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def _shown(sheet: Sheet, r: int, c: int) -> str:
    """The text shown at (r, c): its own, else that of the merged range covering it."""
    own = _text(sheet.value(r, c))
    if own:
        return own
    for r1, c1, r2, c2 in sheet.merged:
        if r1 <= r <= r2 and c1 <= c <= c2:
            return _text(sheet.value(r1, c1))
    return ""


def _merge_end(sheet: Sheet, r: int, c: int) -> int:
    """The last column of the merged range starting at (r, c), else c."""
    return next((c2 for r1, c1, r2, c2 in sheet.merged if r1 == r and c1 == c), c)


def _is_number(value) -> bool:
    cls = value.__class__
    if cls is float:  # a count as most cells of a table hold it (a reader's numbers), answered without a call
        return math.isfinite(value)
    if cls is int:
        return True
    if value is None:
        return False
    num, text = cell_json(value)
    return num is not None or (text is not None and bool(_FIGURE_TEXT.fullmatch(text)) and any(ch.isdigit() for ch in text))


def _numbering(label: str) -> tuple[str | None, str]:
    """('roman' | 'arabic' | None, the label without its numbering)."""
    m = _ROMAN.match(label)
    if m:
        return "roman", label[m.end():]
    m = _ARABIC.match(label)
    if m:
        return "arabic", label[m.end():]
    return None, _LETTER.sub("", label)


def _subject(label: str) -> tuple[str | None, bool]:
    """(poor / near_poor / None, is a rate) of a column's label."""
    tags = load_vocabulary().header.tags(label)
    poor, near = "subject.poor" in tags, "subject.near" in tags
    subject = "near_poor" if near and not poor else "poor" if poor and not near else None
    return subject, "measure.rate" in tags


def _table(sheet: Sheet, columns: dict[str, int], cells: list[tuple], header: tuple[int, int], title: list[str],
           name_column: int | None, kind: str = KIND, subject: str | None = None) -> ParsedTable:
    """One table: each cell tuple (row, row kind, name, indicator, indicator label, {field: value})."""
    at, row_kinds, names, keys, labels, values = zip(*cells) if cells else ((),) * 6
    figures = {f: [v.get(f) for v in values] for f in columns}
    return _columns_table(sheet, columns, _Rows(at, row_kinds, names), keys, labels, figures, header, title, name_column, kind, subject)


class _Rows:
    """The rows of a table as columns: 0-based sheet rows, row kinds, names and their keys (made once, shared by
    the tables of one sheet: a village table's indicators are a dozen tables over the same rows)."""

    def __init__(self, at, row_kinds, names):
        self.at, self.kinds, self.names = list(at), list(row_kinds), list(names)
        self.rows = [r + 1 for r in self.at]
        self.keys = [match_key(n) if n else None for n in self.names]

    def values(self, sheet: Sheet, j: int) -> list:
        """The cells of column j (0-based) in these rows."""
        grid = sheet.rows
        return [grid[r][j] if j < len(grid[r]) else None for r in self.at]


def _columns_table(sheet: Sheet, columns: dict[str, int], rows_of: _Rows, keys, labels, figures: dict[str, list],
                   header: tuple[int, int], title: list[str], name_column: int | None, kind: str = KIND,
                   subject: str | None = None) -> ParsedTable:
    """One table from its columns: the rows, each row's indicator and label, each field's cells."""
    n = len(rows_of.at)
    rows: dict[str, list] = {"row": list(rows_of.rows), "kind": list(rows_of.kinds), "name": list(rows_of.names),
                             "name_key": list(rows_of.keys), "section": [None] * n, "section_index": [0] * n,
                             "indicator": list(keys), "indicator_label": list(labels)}
    for f in columns:
        rows[f + "__num"], rows[f + "__text"] = cell_columns(figures[f])
    return ParsedTable(sheet=sheet.name, kind=kind, subject=subject, columns={f: c + 1 for f, c in columns.items()}, rows=rows,
                       header_rows=[header[0] + 1, header[1] + 1], name_column=None if name_column is None else name_column + 1,
                       labels={str(c + 1): f for f, c in columns.items()}, title=list(title))


# ---------------------------------------------------------------- indicators as rows


TRAILING_ROWS = 3  # rows with figures right below the last indicator named: an indicator under a label not known
TEXT_BEFORE_INDICATORS = 15  # title and header cells a label column may hold above its first indicator


@lru_cache(maxsize=100_000)
def _indicator_key(value: str) -> str | None:
    """The indicator a cell's text names, or None: asked of every text cell of every sheet's first
    columns and rows (village names, labels), which repeat from file to file, so answered once each."""
    label = _text(value)
    if not label or len(label) >= 120:
        return None
    key = indicator_of(_numbering(label)[1])
    return key if key and not _is_number(label) else None


def _label_column(sheet: Sheet) -> tuple[int, dict[int, str]] | None:
    """The column whose cells name at least MIN_INDICATORS indicators, and those cells' indicators by row."""
    for c in range(min(sheet.width, 5)):
        found = {}
        misses = 0
        for r, row in enumerate(sheet.rows):
            value = row[c] if c < len(row) else None
            if value.__class__ is not str:  # an indicator's label is text: numbers and blanks are passed over at once
                continue
            key = _indicator_key(value)
            if key:
                found[r] = key
            elif not found and (misses := misses + 1) > TEXT_BEFORE_INDICATORS:
                break  # a column of village names, say: every sheet is asked, most hold no indicator at all
        if len(set(found.values())) >= MIN_INDICATORS:
            return c, found
    return None


HEADER_ROWS = 3  # a header is one to three rows


def _rows_above(sheet: Sheet, first: int, c: int) -> tuple[list[int], list[int]]:
    """(rows of group sizes, header rows) above an indicators-as-rows table whose first row is `first` and labels
    in column c: walking up, rows of figures (group sizes) under the header, then up to HEADER_ROWS rows of
    labels right of column c; a row of column numbers ("A | B | 1 | 2 | 3 | 4") is neither. The header stops at
    a row with no label of its own right of c (a blank row, a title merged across from column A) or at the
    national motto sharing its rows with the commune's name."""
    numeric, header = [], []
    for r in range(first - 1, max(-1, first - 7), -1):
        row = sheet.rows[r]
        if is_numbered_row(row):
            if header:
                break
            continue
        if not header and any(_is_number(v) for v in row[c + 1:]):
            numeric.append(r)
            continue
        labels = [t for t in (_text(v) for v in row[c + 1:]) if t]
        if not labels or any(_MOTTO.search(fold(t)) for t in labels):
            if header:
                break
            continue
        header.append(r)
        if len(header) == HEADER_ROWS:
            break
    return sorted(numeric), sorted(header)


_MOTTO = re.compile(r"cong hoa xa hoi|doc lap tu do")


def _row_kind(sheet: Sheet, r: int, c: int, label: str, key: str | None, figures: bool) -> str | None:
    """indicator, section (a dimension row) or None."""
    numbering, bare = _numbering(label)
    if numbering is None and c > 0:  # the numbering in an STT column to the left
        numbering, _ = _numbering(_text(sheet.value(r, c - 1)) + " x")
    if numbering == "roman":
        return "section"
    if numbering == "arabic":
        return "indicator"
    dimension = dimension_of(bare)
    if key and not (dimension and not figures):
        return "indicator"
    return "section" if dimension else None


def _down(sheet: Sheet) -> list[ParsedTable]:
    found = _label_column(sheet)
    if found is None:
        return []
    c, keys = found
    first = min(keys)
    # the dimension row above the first indicator belongs to the table too
    while first > 0 and dimension_of(_numbering(_text(sheet.value(first - 1, c)))[1]):
        first -= 1
    numeric, header_rows = _rows_above(sheet, first, c)
    if not header_rows:
        return []
    top, bottom = header_rows[0], header_rows[-1]
    columns: dict[str, int] = {}
    counts: dict[str, list[tuple[int, str]]] = {}  # subject -> its count columns (j, label)
    targets, last = None, None
    for j in range(c + 1, sheet.width):
        label = " ".join(dict.fromkeys(t for t in (_shown(sheet, r, j) for r in range(top, bottom + 1)) if t))
        subject, rate = _subject(label)
        if subject is None and rate and last:  # "Tỷ lệ" beside its count, under an unmerged "Hộ nghèo"
            subject = last
        last = subject
        if subject and rate:
            columns.setdefault(f"{subject}_deprived_rate", j)
        elif subject:
            counts.setdefault(subject, []).append((j, label))
        elif targets is None and "aspect.reduction" in load_vocabulary().header.tags(label):
            targets = j
    in_columns = {}  # a group's size in a column of its own ("Hộ nghèo: Tổng số | Số hộ thiếu hụt | Tỷ lệ")
    for subject, found in counts.items():
        deprived = [j for j, label in found if "thieu hut" in fold(label)]
        columns[f"{subject}_deprived"] = deprived[0] if deprived else found[0][0]
        others = [j for j, label in found if deprived and j not in deprived]
        if others:
            in_columns[f"{subject}_households"] = others[0]
    columns = dict(sorted(columns.items(), key=lambda item: item[1]))  # in the sheet's order
    title = title_lines(sheet, top)
    if not columns and targets is not None:
        return [_targets_down(sheet, c, keys, targets, (top, bottom), title)]
    if not columns:
        return _by_group(sheet, c, keys, (top, bottom), title)
    cells = []
    group = {"poor_deprived": "poor_households", "near_poor_deprived": "near_poor_households"}
    sizes = {g: columns[f] for f, g in group.items() if f in columns}
    for r in numeric:  # a row of group sizes above the indicators
        label = _text(sheet.value(r, c)) or _text(sheet.value(r, c - 1) if c else None)
        if label and not row_label_tags(label) & {"row.stop"}:
            cells.append((r, "group", label, None, None, {g: sheet.value(r, j) for g, j in sizes.items()}))
    last = max(keys)
    for r in range(last + 1, min(len(sheet.rows), last + 1 + TRAILING_ROWS)):  # indicators past the last one named
        label = _text(sheet.value(r, c))
        if label and row_label_tags(label) & {"row.stop", "row.total"}:
            break
        if label and any(_is_number(sheet.value(r, j)) for j in columns.values()):
            last = r
    unused = []
    for r in range(first, last + 1):
        label = _text(sheet.value(r, c))
        figures = any(_is_number(sheet.value(r, j)) for j in columns.values())
        if not label:
            if figures:
                unused.append([r + 1, None])
            continue
        key = keys.get(r)
        kind = _row_kind(sheet, r, c, label, key, figures)
        if kind == "indicator" and (key or figures):
            cells.append((r, "indicator", None, key, label, {f: sheet.value(r, j) for f, j in columns.items()}))
        elif kind is None and figures:  # figures beside a label that names no indicator nor dimension
            unused.append([r + 1, label])
    cells = _without_dimension_rows(cells)
    if not any(k == "indicator" for _, k, *_ in cells):
        return []
    stated = any(k == "group" for _, k, *_ in cells)  # sizes are read from that row alone
    if not stated and in_columns:  # else from the size columns, on the first indicator's row
        r = next(at for at, k, *_ in cells if k == "indicator")
        cells.insert(0, (r, "group", _text(sheet.value(r, c)), None, None, {g: sheet.value(r, j) for g, j in in_columns.items()}))
        sizes, stated = in_columns, True
    table = _table(sheet, {**columns, **(sizes if stated else {})}, cells, (top, bottom), title, None)
    table.unused = unused
    return [table]


def _by_group(sheet: Sheet, c: int, keys: dict[int, str], header: tuple[int, int], title: list[str]) -> list[ParsedTable]:
    """Indicators as rows in a block per group ("A. HỘ NGHÈO (48 hộ)" over the indicators, "B. HỘ CẬN NGHÈO" over
    them again) under columns that name no group ("Số hộ thiếu hụt | Tỷ lệ"): a table per group; the figure on a
    group's own row is its size."""
    top, bottom = header
    count = rate = None
    for j in range(c + 1, sheet.width):
        label = " ".join(t for t in (_shown(sheet, r, j) for r in range(top, bottom + 1)) if t)
        if label and "measure.rate" in load_vocabulary().header.tags(label):
            rate = j if rate is None else rate
        elif label and count is None:
            count = j
    if count is None:
        return []
    blocks: dict[str, list[tuple]] = {}
    unused: list[list] = []
    current = None
    for r in range(bottom + 1, min(len(sheet.rows), max(keys) + 1)):
        label = _text(sheet.value(r, c))
        figures = _is_number(sheet.value(r, count))
        subject = _subject(label)[0] if label and r not in keys else None
        if subject:
            current = subject
            cells = blocks.setdefault(current, [])
            if figures:
                cells.append((r, "group", label, None, None, {f"{current}_households": sheet.value(r, count)}))
        elif current and label and _row_kind(sheet, r, c, label, keys.get(r), figures) == "indicator" and (keys.get(r) or figures):
            values = {f"{current}_deprived": sheet.value(r, count)} | ({f"{current}_deprived_rate": sheet.value(r, rate)} if rate else {})
            blocks[current].append((r, "indicator", None, keys.get(r), label, values))
        elif figures and (not label or _row_kind(sheet, r, c, label, None, figures) is None):
            unused.append([r + 1, label or None])
    tables = []
    for g, cells in blocks.items():
        cells = _without_dimension_rows(cells)
        if not any(k == "indicator" for _, k, *_ in cells):
            continue
        columns = {f"{g}_deprived": count} | ({f"{g}_deprived_rate": rate} if rate else {})
        if any(k == "group" for _, k, *_ in cells):
            columns[f"{g}_households"] = count
        tables.append(_table(sheet, columns, cells, header, title, None))
    if tables:
        tables[0].unused = unused
    return tables


def _without_dimension_rows(cells: list[tuple]) -> list[tuple]:
    """A dimension's own row whose label names an indicator too, right above that indicator ("Việc làm" over
    "1. Việc làm", "5. Nước sinh hoạt và vệ sinh" over "5.1. Nguồn nước sinh hoạt"): a section, not the indicator twice."""
    kept = []
    for i, cell in enumerate(cells):
        after = cells[i + 1] if i + 1 < len(cells) else None
        if (cell[1] == "indicator" and after is not None and after[1] == "indicator" and after[3] == cell[3]
                and dimension_of(_numbering(cell[4])[1])):
            continue
        kept.append(cell)
    return kept


def _targets_down(sheet: Sheet, c: int, keys: dict[int, str], value: int, header: tuple[int, int], title: list[str]) -> ParsedTable:
    """A sheet of indicator targets: one row per indicator, or per commune x indicator (a name column)."""
    names = [j for j in range(sheet.width) if j != c and j != value
             and "role.name" in load_vocabulary().header.tags(" ".join(_shown(sheet, r, j) for r in range(header[0], header[1] + 1)))]
    name_col = names[0] if names else None
    cells, current = [], None
    for r in range(header[1] + 1, len(sheet.rows)):
        if name_col is not None and _text(sheet.value(r, name_col)):
            current = _text(sheet.value(r, name_col))
        if r in keys:
            cells.append((r, "village", current, keys[r], _text(sheet.value(r, c)), {"target_coverage_pct": sheet.value(r, value)}))
    return _table(sheet, {"target_coverage_pct": value}, cells, header, title, name_col, kind="targets", subject=KIND)


# ---------------------------------------------------------------- villages as rows

INDICATOR_ROWS = 20  # a sheet's first rows, where a header naming the indicators across is looked for


def _indicator_row(sheet: Sheet) -> tuple[int, dict[int, str]] | None:
    """The header row that names at least MIN_INDICATORS indicators, and their first columns."""
    for r in range(min(len(sheet.rows), INDICATOR_ROWS)):
        found = {}
        for j, v in enumerate(sheet.rows[r]):
            if not isinstance(v, str):
                continue
            key = _indicator_key(v)
            if key and key not in found.values():
                found[j] = key
        if len(set(found.values())) >= MIN_INDICATORS:
            return r, found
    return None


def _across(sheet: Sheet) -> list[ParsedTable]:
    found = _indicator_row(sheet)
    if found is None:
        return []
    h, keys = found
    starts = sorted(keys)
    spans = {}
    for i, j in enumerate(starts):
        end = _merge_end(sheet, h, j)
        if end == j:
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            end = nxt - 1 if nxt is not None else j + (spans[starts[i - 1]][1] - starts[i - 1] if i else 0)
        spans[j] = (j, min(end, sheet.width - 1))
    bottom = h
    while bottom + 1 < len(sheet.rows) and bottom < h + 2 and not any(
        _is_number(sheet.value(bottom + 1, j)) for j in range(starts[0], sheet.width)
    ) and any(_text(sheet.value(bottom + 1, j)) for j in range(starts[0], sheet.width)):
        bottom += 1
    top = h
    while top > 0 and top > h - 2 and any(dimension_of(_numbering(_text(v))[1]) for v in sheet.rows[top - 1][starts[0]:]):
        top -= 1
    first = starts[0]
    header_text = lambda j, rows: " ".join(dict.fromkeys(t for t in (_shown(sheet, r, j) for r in rows) if t))  # noqa: E731
    name_col, sizes = None, {}
    after = max(hi for _, hi in spans.values()) + 1  # the group sizes may follow the indicators
    for j in (*range(first), *range(after, sheet.width)):
        label = header_text(j, range(top, bottom + 1))
        tags = load_vocabulary().header.tags(label)
        subject, rate = _subject(label)
        if "role.name" in tags and name_col is None and subject is None and j < first:
            name_col = j
        elif subject and not rate:
            sizes.setdefault(f"{subject}_households", j)
    if name_col is None:
        name_col = next((j for j in range(first) if "role.stt" not in load_vocabulary().header.tags(header_text(j, range(top, bottom + 1)))), None)
    if name_col is None:
        return []
    rows, unused = [], []
    for r in range(bottom + 1, len(sheet.rows)):
        name = _text(sheet.value(r, name_col))
        tags = row_label_tags(name) if name else frozenset()
        if "row.stop" in tags:
            break
        if "row.ignore" in tags or (len(name) <= 3 and is_numbered_row(sheet.rows[r])):  # a "Trong đó" subset; "B | 1 | 2 …"
            continue
        figures = any(_is_number(v) for v in sheet.rows[r][first:])
        if not figures or not name:
            if figures:
                unused.append([r + 1, None])  # figures with no village named: reported
            continue
        rows.append((r, "total" if "row.total" in tags else "village", name))
    if not rows or sum(_YEAR.fullmatch(name) is not None for _, _, name in rows) * 2 > len(rows):
        return []  # years down the rows: a roadmap whose support items name indicators ("Cấp thẻ BHYT")
    title = title_lines(sheet, top)
    tables = []
    villages = _Rows(*zip(*rows))
    none = [None] * len(rows)
    if sizes:
        tables.append(_columns_table(sheet, sizes, villages, none, none, {f: villages.values(sheet, j) for f, j in sizes.items()},
                                     (top, bottom), title, name_col))
    for j in starts:
        columns: dict[str, int] = {}
        lo, hi = spans[j]
        last = None
        for k in range(lo, hi + 1):
            subject, rate = _subject(header_text(k, range(h + 1, bottom + 1)))
            if subject is None and lo == hi:
                subject, rate = _subject(" ".join(title) + " " + header_text(k, range(top, h + 1)))
            if subject is None and rate and last:  # "HN | Tỷ lệ | HCN | Tỷ lệ": a rate beside its count
                subject = last
            last = subject
            if subject:
                columns.setdefault(f"{subject}_deprived_rate" if rate else f"{subject}_deprived", k)
        if not columns:
            continue
        label = _text(sheet.value(h, j))
        tables.append(_columns_table(sheet, columns, villages, [keys[j]] * len(rows), [label] * len(rows),
                                     {f: villages.values(sheet, k) for f, k in columns.items()}, (top, bottom), title, name_col))
    if tables:
        tables[0].unused = unused
    return tables if any(t.rows["indicator"][0] for t in tables) else []


def recognise(sheet: Sheet, title: list[str] | None = None) -> list[ParsedTable] | None:
    """The deprivation tables of a sheet (indicators down the rows, else across the columns), or None."""
    if not sheet.rows or not _names_indicators(sheet):
        return None
    tables = _down(sheet) or _across(sheet)
    return tables or None


def _names_indicators(sheet: Sheet) -> bool:
    """Whether the sheet's text names MIN_INDICATORS indicators at all, as either orientation needs: asked of
    its distinct texts at once (every sheet is asked; most, a plan annex's, name none)."""
    if len(_NAMES_NONE) > 200_000:
        _NAMES_NONE.clear()
    keys = set()
    for text in texts_in(sheet, 0, len(sheet.rows)) - _NAMES_NONE:  # labels, figures as text recur file after file
        key = _indicator_key(text)
        if key is None:
            _NAMES_NONE.add(text)
            continue
        keys.add(key)
        if len(keys) >= MIN_INDICATORS:
            return True
    return False


_NAMES_NONE: set[str] = set()  # texts that name no indicator
