"""Deprivation tables with the indicators as rows (commune level): dimension rows "I. Việc làm", indicator rows
"1. Việc làm", "4. Bảo hiểm y tế", …; columns of deprived poor and near-poor households and their rates (or a block of
indicators per group under columns that name none); the group sizes in a row above the indicators, in a column
beside each group, or on a group's own row. Also a targets workbook's sheet of indicator targets."""

from __future__ import annotations

import re

from ..parsed import ParsedTable
from ..readers.grid import Sheet
from ..text import fold
from .deprivation_cells import (
    KIND,
    MIN_INDICATORS,
    clean_text,
    code_column,
    deprivation_table,
    indicator_key,
    is_figure,
    numbering_of,
    shown_text,
    subject_of,
    target_unit,
)
from .header_rows import is_numbered_row
from .standards import dimension_of
from .tables import title_lines
from .vocabulary import load_vocabulary, row_label_tags

# a group's size in its column's label: "Hộ nghèo (205 hộ)", "Hộ cận nghèo: 75 hộ", "HỘ NGHÈO - 1.205 HỘ"
_SIZE_IN_LABEL = re.compile(r"(?:\(\s*|[:\-–]\s*)(\d{1,3}(?:[.,\s]\d{3})*|\d+)\s*hộ\b", re.IGNORECASE)
TRAILING_ROWS = 3  # rows with figures right below the last indicator named: an indicator under a label not known
TEXT_BEFORE_INDICATORS = 15  # title and header cells a label column may hold above its first indicator


def _label_column(sheet: Sheet, least: int = MIN_INDICATORS) -> tuple[int, dict[int, str]] | None:
    """The column whose cells name at least `least` indicators, and those cells' indicators by row. A column numbering
    them ("Chỉ số 1", "Chỉ số 2" …) left of their names is the names' STT column: the labels are the names (read as
    the labels, the row of group sizes and the dimension's row above the first were taken into the header, the
    plan's sizes used; independent probe, Hà Tĩnh)."""
    found = _indicators_in(sheet, 0, least)
    if found and all(key.startswith("#") for key in found[1].values()):
        named = _indicators_in(sheet, found[0] + 1, least, found[0] + 2)
        if named and not all(key.startswith("#") for key in named[1].values()):
            return named[0], {**found[1], **named[1]}  # a name the catalogue lacks keeps its number
    return found


def _indicators_in(sheet: Sheet, start: int, least: int, stop: int = 5) -> tuple[int, dict[int, str]] | None:
    """The first column from `start` (before `stop`) whose cells name at least `least` indicators."""
    for c in range(start, min(sheet.width, stop)):
        found = {}
        misses = 0
        for r, row in enumerate(sheet.rows):
            value = row[c] if c < len(row) else None
            if value.__class__ is not str:  # an indicator's label is text: numbers and blanks are passed over at once
                continue
            key = indicator_key(value)
            if key:
                found[r] = key
            elif not found and (misses := misses + 1) > TEXT_BEFORE_INDICATORS:
                break  # a column of village names, say: every sheet is asked, most hold no indicator at all
        if len(set(found.values())) >= least:
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
        if not header and any(is_figure(v) for v in row[c + 1:]):
            numeric.append(r)
            continue
        labels = [t for t in (clean_text(v) for v in row[c + 1:]) if t]
        if not labels or any(motto in fold(t) for t in labels for motto in load_vocabulary().units["motto"]):
            if header:
                break
            continue
        header.append(r)
        if len(header) == HEADER_ROWS:
            break
    return sorted(numeric), sorted(header)




# a row of the groups' households under their columns, named for no group ("Tổng số hộ", "Tổng số hộ của nhóm")
_HOUSEHOLDS_OF_GROUPS = re.compile(r"^(?:tong )?so ho(?: (?:cua|trong|theo) (?:tung )?nhom| cua (?:moi|tung) nhom)?$")


def _names_a_group(label: str) -> bool:
    """Whether a row's label names the poor or the near-poor households ("Tổng số hộ nghèo, hộ cận nghèo"), or the
    households of the groups under their columns ("Tổng số hộ", "Tổng số hộ của nhóm": below the indicators it was
    passed over, the plan's sizes used; independent probe, Quảng Ngãi), not an indicator."""
    tags = load_vocabulary().header.tags(label)
    if _HOUSEHOLDS_OF_GROUPS.match(" ".join(re.sub(r"[^a-z0-9]+", " ", fold(label)).split())):
        return True
    return bool(tags & {"subject.poor", "subject.near"}) and indicator_key(label) is None


def _row_kind(sheet: Sheet, r: int, c: int, label: str, key: str | None, figures: bool) -> str | None:
    """indicator, section (a dimension row) or None."""
    numbering, bare = numbering_of(label)
    if numbering is None and c > 0:  # the numbering in an STT column to the left
        numbering, _ = numbering_of(clean_text(sheet.value(r, c - 1)) + " x")
    if numbering == "roman":
        return "section"
    if numbering == "arabic":
        return "indicator"
    dimension = dimension_of(bare)
    if key and not (dimension and not figures):
        return "indicator"
    return "section" if dimension else None


def down(sheet: Sheet, targets_only: bool = False) -> list[ParsedTable]:
    """The tables of indicators down the rows (`targets_only`: a sheet of indicator targets alone, which a province may
    give for a few indicators: "Bảo hiểm y tế 95 %, Nguồn nước sinh hoạt 85 %")."""
    found = _label_column(sheet, 1 if targets_only else MIN_INDICATORS)
    if found is None:
        return []
    c, keys = found
    first = min(keys)
    # the dimension row above the first indicator belongs to the table too
    while first > 0 and dimension_of(numbering_of(clean_text(sheet.value(first - 1, c)))[1]):
        first -= 1
    numeric, header_rows = _rows_above(sheet, first, c)
    if not header_rows and targets_only and first > 0:
        header_rows = [first - 1]  # "STT | Chỉ tiêu" over sentences that hold their targets: no column right of them
    if not header_rows:
        return []
    top, bottom = header_rows[0], header_rows[-1]
    columns: dict[str, int] = {}
    counts: dict[str, list[tuple[int, str]]] = {}  # subject -> its count columns (j, label)
    targets, last = None, None
    for j in range(c + 1, sheet.width):
        label = " ".join(dict.fromkeys(t for t in (shown_text(sheet, r, j) for r in range(top, bottom + 1)) if t))
        subject, rate = subject_of(label)
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
    if targets_only and targets is None:
        targets = _target_column(sheet, c, keys, top, bottom)
    if (not columns or targets_only) and targets is not None:
        return [_targets_down(sheet, c, keys, targets, (top, bottom), title)]
    if targets_only:
        return []
    if not columns:
        return _by_group(sheet, c, keys, (top, bottom), title)
    cells = []
    group = {"poor_deprived": "poor_households", "near_poor_deprived": "near_poor_households"}
    sizes = {g: columns[f] for f, g in group.items() if f in columns}
    for r in numeric:  # a row of group sizes above the indicators
        label = clean_text(sheet.value(r, c)) or clean_text(sheet.value(r, c - 1) if c else None)
        if label and not row_label_tags(label) & {"row.stop"}:
            cells.append((r, "group", label, None, None, {g: sheet.value(r, j) for g, j in sizes.items()}))
    last = max(keys)
    for r in range(last + 1, min(len(sheet.rows), last + 1 + TRAILING_ROWS)):  # indicators past the last one named
        label = clean_text(sheet.value(r, c))
        if label and not cells and _names_a_group(label) and any(is_figure(sheet.value(r, j)) for j in sizes.values()):
            cells.append((r, "group", label, None, None, {g: sheet.value(r, j) for g, j in sizes.items()}))  # sizes below
            break
        if label and row_label_tags(label) & {"row.stop", "row.total"}:
            break
        if label and any(is_figure(sheet.value(r, j)) for j in columns.values()):
            last = r
    unused = []
    for r in range(first, last + 1):
        label = clean_text(sheet.value(r, c))
        figures = any(is_figure(sheet.value(r, j)) for j in columns.values())
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
    if not stated and not in_columns and (in_header := _sizes_in_header(sheet, sizes, (top, bottom))):
        for r, values in sorted(in_header.items(), reverse=True):  # else from the labels, at their header cells
            cells.insert(0, (r, "group", clean_text(sheet.value(r, c)) or "", None, None, values))
        stated = True
    indicator_rows = [at for at, k, *_ in cells if k == "indicator"]
    # a size column left blank states no size: the plan's is used (it was read as 0 households, and every count above
    # it rejected the table; standards judge, Lai Châu)
    in_columns = {g: j for g, j in in_columns.items() if any(is_figure(sheet.value(r, j)) for r in indicator_rows)}
    if not stated and in_columns:  # else from the size columns, on the first indicator's row that gives one
        r = next(r for r in indicator_rows if any(is_figure(sheet.value(r, j)) for j in in_columns.values()))
        cells.insert(
            0, (r, "group", clean_text(sheet.value(r, c)), None, None, {g: sheet.value(r, j) for g, j in in_columns.items()})
        )
        sizes, stated = in_columns, True
    table = deprivation_table(sheet, {**columns, **(sizes if stated else {})}, cells, (top, bottom), title, None)
    table.unused = unused
    return [table]


def _sizes_in_header(sheet: Sheet, sizes: dict[str, int], header: tuple[int, int]) -> dict[int, dict[str, str]]:
    """Header row -> {"<group>_households": the size as written} of the groups whose column label states it ("Hộ nghèo
    (205 hộ)"): the rates were computed on the plan's size, and stated rates on 205 called wrong (independent probe,
    Sơn La)."""
    found: dict[int, dict[str, str]] = {}
    for field, j in sizes.items():
        for r in range(header[0], header[1] + 1):
            if m := _SIZE_IN_LABEL.search(clean_text(sheet.value(r, j)) or ""):
                found.setdefault(r, {})[field] = m.group(1)
                break
    return found


def _by_group(sheet: Sheet, c: int, keys: dict[int, str], header: tuple[int, int], title: list[str]) -> list[ParsedTable]:
    """Indicators as rows in a block per group ("A. HỘ NGHÈO (48 hộ)" over the indicators, "B. HỘ CẬN NGHÈO" over
    them again) under columns that name no group ("Số hộ thiếu hụt | Tỷ lệ"): a table per group; the figure on a
    group's own row is its size."""
    top, bottom = header
    count = rate = None
    for j in range(c + 1, sheet.width):
        label = " ".join(t for t in (shown_text(sheet, r, j) for r in range(top, bottom + 1)) if t)
        if label and "measure.rate" in load_vocabulary().header.tags(label):
            rate = j if rate is None else rate
        elif label and count is None:
            count = j
    if count is None:
        return []
    blocks: dict[str, list[tuple]] = {}
    unused: list[list] = []
    # a sheet per group ("Hộ nghèo", "Hộ cận nghèo"; "TỔNG HỢP HỘ NGHÈO THIẾU HỤT …"): its indicators are that group's
    # before any group row says otherwise, and "Tổng số hộ nghèo: 171 hộ" above the header its size
    current = _sheet_group(sheet, title)
    size_column: dict[str, int] = {}  # a group's size stated above the header: its own column
    if current:
        blocks[current] = []
        if found := _size_above(sheet, top, current):
            cell, size_column[current] = found
            blocks[current].append(cell)
    for r in range(bottom + 1, min(len(sheet.rows), max(keys) + 1)):
        label = clean_text(sheet.value(r, c))
        figures = is_figure(sheet.value(r, count))
        subject = subject_of(label)[0] if label and r not in keys else None
        if subject:
            current = subject
            cells = blocks.setdefault(current, [])
            if figures:
                cells.append((r, "group", label, None, None, {f"{current}_households": sheet.value(r, count)}))
            elif m := _SIZE_IN_LABEL.search(label):  # "A. HỘ NGHÈO (86 hộ)": the size in the group's own label (it was
                # taken from the plan, 89, and the table's right rates called wrong: independent probe, Hà Tĩnh)
                size = int(re.sub(r"\D", "", m.group(1)))
                cells.append((r, "group", label, None, None, {f"{current}_households": size}))
        elif (
            current and label and _row_kind(sheet, r, c, label, keys.get(r), figures) == "indicator" and (keys.get(r) or figures)
        ):
            values = {f"{current}_deprived": sheet.value(r, count)} | (
                {f"{current}_deprived_rate": sheet.value(r, rate)} if rate else {}
            )
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
            columns[f"{g}_households"] = size_column.get(g, count)
        tables.append(deprivation_table(sheet, columns, cells, header, title, None))
    if tables:
        tables[0].unused = unused
    return tables


def _sheet_group(sheet: Sheet, title: list[str]) -> str | None:
    """The group a sheet is of, by its name, else its title, when it names one group alone."""
    for text in (sheet.name, " ".join(title)):
        subject = subject_of(text)[0]
        if subject:
            return subject
    return None


def _size_above(sheet: Sheet, top: int, group: str) -> tuple[tuple, int] | None:
    """(a group row, its column) for the size a line above the header states ("Tổng số hộ nghèo: 171 hộ")."""
    for r in range(top):
        for j, value in enumerate(sheet.rows[r]):
            text = clean_text(value)
            if text and subject_of(text)[0] == group and (m := _SIZE_IN_LABEL.search(text)):
                return (r, "group", text, None, None, {f"{group}_households": m.group(1)}), j
    return None


def _without_dimension_rows(cells: list[tuple]) -> list[tuple]:
    """A dimension's own row whose label names an indicator too, right above that indicator ("Việc làm" over
    "1. Việc làm", "5. Nước sinh hoạt và vệ sinh" over "5.1. Nguồn nước sinh hoạt"): a section, not the indicator twice."""
    kept = []
    for i, cell in enumerate(cells):
        after = cells[i + 1] if i + 1 < len(cells) else None
        if (cell[1] == "indicator" and after is not None and after[1] == "indicator" and after[3] == cell[3]
                and dimension_of(numbering_of(cell[4])[1])):
            continue
        kept.append(cell)
    return kept


_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")


def _target_column(sheet: Sheet, c: int, keys: dict[int, str], top: int, bottom: int) -> int | None:
    """In a targets workbook's sheet of indicator targets, the column of the targets when its header says no "Chỉ tiêu":
    a rate's ("Tỷ lệ (%)", "Tỷ lệ hộ … được đáp ứng"), else the first with figures on the indicators' rows, else the
    indicator's own cell when it writes the target in its sentence ("85 % hộ nghèo … nước sinh hoạt hợp vệ sinh").
    Such sheets were passed over without a word (independent probe, Hà Tĩnh)."""
    words = load_vocabulary().header
    rated = [j for j in range(c + 1, sheet.width)
             if "measure.rate" in words.tags(" ".join(shown_text(sheet, r, j) for r in range(top, bottom + 1)))]
    filled = [j for j in range(c + 1, sheet.width) if any(is_figure(sheet.value(r, j)) for r in keys)]
    found = next((j for j in rated if j in filled), None) or next(iter(filled), None)
    if found is None and any(_PERCENT.search(clean_text(sheet.value(r, c)) or "") for r in keys):
        return c
    return found


def _targets_down(
    sheet: Sheet, c: int, keys: dict[int, str], value: int, header: tuple[int, int], title: list[str]
) -> ParsedTable:
    """A sheet of indicator targets: one row per indicator, or per commune x indicator (a name column)."""
    names = [
        j
        for j in range(sheet.width)
        if j != c
        and j != value
        and "role.name"
        in load_vocabulary().header.tags(" ".join(shown_text(sheet, r, j) for r in range(header[0], header[1] + 1)))
    ]
    name_col = names[0] if names else None
    code_col = code_column(sheet, *header)
    cells, current = [], None
    for r in range(header[1] + 1, len(sheet.rows)):
        current = target_unit(sheet, r, name_col, code_col) or current
        if r in keys:
            target = sheet.value(r, value)
            if value == c:  # the target written in the indicator's sentence
                found = _PERCENT.search(clean_text(target) or "")
                target = float(found.group(1).replace(",", ".")) if found else None
            cells.append((r, "village", current, keys[r], clean_text(sheet.value(r, c)), {"target_coverage_pct": target}))
    return deprivation_table(sheet, {"target_coverage_pct": value}, cells, header, title, name_col, kind="targets", subject=KIND)
