"""From parsed files to submissions: whose file it is, which report it carries, which version counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

from .discover import FileEntry
from .kind_words import kind_named
from .layout.dates import document_date
from .layout.fields import REDUCTIONS
from .layout.tables import document_year
from .failure_row import failure
from .parsed import ParseResult
from .resolve import Resolution, Resolver
from .text import fold

PLAN = "plan"  # a file with no table competes as a plan (choose_submissions)
HOUSEHOLDS = "households"
NOT_REPORTS = ("targets", "summary")  # table kinds that are no commune's report


@dataclass
class FileRecord:
    """One input file through the run."""

    entry: FileEntry
    sha256: str
    parsed: bool  # parsed in this run (False: served from the cache)
    data: ParseResult
    resolution: Resolution | None = None
    superseded_by: dict[str, str] = field(default_factory=dict)  # kind -> rel path of the winner
    failures: list[dict] = field(default_factory=list)  # file-level failures (each may carry a "kind")

    @property
    def commune_code(self) -> str | None:
        return self.resolution.unit.commune_code if self.resolution and self.resolution.unit else None

    @property
    def kinds(self) -> set[str]:
        """The report kinds its tables give; a household list refused whole (personal_list) is one all the same, not a
        plan without a table (it was listed as a superseded plan, and the commune's list as never received); so is a
        file with no table that names one kind ("01336_danh_sach_ho_2026.xlsx" cut in half, hostile-file judge)."""
        found = {t.kind for t in self.data.tables if t.kind not in NOT_REPORTS}
        if not found and any(f.get("rule") == "personal_list" for f in self.data.failures):
            return {HOUSEHOLDS}
        if not found and self.named_kind not in (None, PLAN):
            return {self.named_kind}
        return found

    @property
    def has_tables(self) -> bool:
        """It gives a report's table (a file without one competes for a kind, never over one that gives it)."""
        return any(t.kind not in NOT_REPORTS for t in self.data.tables)

    @cached_property
    def named_kind(self) -> str | None:
        """The one report kind its path, else its first title line naming any, names (Kind.file_words): a roadmap's
        section row "I. Chỉ tiêu giảm nghèo" under its title names the plan's words too (a broken "lo_trinh_….xlsx"
        was the plan's superseded copy; independent probe, Gia Lai)."""
        return kind_named([self.entry.rel, *self.data.title[:6]])

    @property
    def doc_date(self) -> tuple:
        return tuple(self.data.doc_date or (0, 0, 0))

    @cached_property
    def _own_dates(self) -> dict[str, list[int] | None]:
        """Each kind's date in its own tables' titles (kind_date asks it for each kind its file contends for)."""
        return {k: document_date([line for t in self.data.tables if t.kind == k for line in t.title]) for k in self.kinds}

    def kind_date(self, kind: str) -> tuple | None:
        """The date a report of `kind` in the file was signed: its own tables' titles', else, where no other kind of the
        file dates its own, the file's (a cover letter's); None, unknown, where only other kinds of the file are dated.
        A bundle's undated list took the plan sheet's date, and a corrected list sent later alone never replaced it
        (bundles judge, Lào Cai)."""
        own = self._own_dates
        if own.get(kind):
            return tuple(own[kind])
        return None if any(own.values()) else self.doc_date

    def partial_year(self, kind: str) -> bool:
        """Its tables of `kind` report part of the year only (a half-year results report)."""
        tables = [t for t in self.data.tables if t.kind == kind]
        return bool(tables) and all(t.partial_year for t in tables)

    def whole(self, kind: str) -> bool:
        """Its table of `kind` is the report whole: it has the columns the kind requires and, a plan, its reductions. A
        table of the commune's households by group sent after its annex ("Số hộ nghèo | Trong đó: hộ DTTS | Hộ không
        có KNLĐ") reads as a plan: as the later submission it replaced the annex, the commune rejected (no "Tổng số
        hộ") or its planned cuts gone (independent probe, Điện Biên)."""
        tables = [t for t in self.data.tables if t.kind == kind]
        if any(f.get("rule") == "required_columns" and _table_kind(self, f.get("sheet")) == kind for f in self.data.failures):
            return False
        return kind != PLAN or any(REDUCTIONS & set(t.columns) for t in tables)

    def part(self, kind: str) -> frozenset | None:
        """What of a report in parts (Kind.in_parts) the file gives: the (group, village) of each of its rows, a row of no
        group being of both; None, the whole, when it gives no row."""
        from .frames import COMPACTED  # (frames reads this module's FileRecord)

        pairs = set()
        for t in self.data.tables:
            if t.kind == kind:
                rows = t.rows
                if (piece := getattr(t, COMPACTED, None)) is not None:  # its rows a span of its batch's frame by now
                    frame, start, n = piece
                    rows = frame.slice(start, n).select(c for c in ("group", "name_key") if c in frame.columns).to_dict(
                        as_series=False)
                for group, village in zip(rows.get("group") or [], rows.get("name_key") or []):
                    for g in [group or t.subject] if group or t.subject else ["poor", "near_poor"]:
                        pairs.add((g, village))
        return frozenset(pairs) or None

    def used_for(self, kind: str) -> bool:
        return kind not in self.superseded_by and (kind in self.kinds or not self.kinds)

    def used_for_any(self) -> bool:
        """In use for some report (not superseded for every kind it carries)."""
        return any(self.used_for(k) for k in (self.kinds or {PLAN}))


def _kind_sheet(record: FileRecord, kind: str) -> str | None:
    """The sheet of a file's first table of a kind."""
    return next((t.sheet for t in record.data.tables if t.kind == kind), None)


def _table_kind(record: FileRecord, sheet: str | None) -> str | None:
    for t in record.data.tables:
        if t.sheet == sheet:
            return t.kind
    return None


def candidates(units: list[str], room: int = 480) -> str:
    """The candidate units, whole, as many as a failure's cell holds, and how many more ("… và 12 đơn vị khác"): a
    list of 40 former "Phường 1" was cut in the middle of a name (independent probe)."""
    shown: list[str] = []
    for unit in units:
        if len("; ".join([*shown, unit])) > room:
            return f"{'; '.join(shown)}; … và {len(units) - len(shown)} đơn vị khác"
        shown.append(unit)
    return "; ".join(shown)


def resolve_files(records: list[FileRecord], resolver: Resolver) -> None:
    """Give each file its commune, or the failure saying why not; collect parse failures."""
    for rec in records:
        data = rec.data
        rec.failures = []
        for f in data.failures:
            kind = f.get("kind") or (_table_kind(rec, f.get("sheet")) if f["rule"] in ("required_columns",) else None) or (
                next(iter(rec.kinds)) if not rec.has_tables and len(rec.kinds) == 1 else None)  # the kind its name names
            rec.failures.append({**f, "kind": kind})  # the parser names the kind of a failure of one kind's table
        if any(f["rule"] == "readable" for f in rec.failures) and not data.title:
            rec.resolution = resolver.resolve(rec.entry.path.name, [], [])
        else:
            rec.resolution = resolver.resolve(rec.entry.path.name, data.title, data.codes)
        res = rec.resolution
        if res.rule in ("commune_resolved", "wrong_province"):  # no sheet of it is used: none "used instead" of another
            rec.failures = [f for f in rec.failures if f["rule"] != "sheet_not_used"]
        at = _naming_cell(data, res.value) or [None, None, None]  # the title's cell that named it, if the title did
        if res.rule == "commune_resolved":
            rec.failures.append(failure("commune_resolved", *at, value=res.value, expected=candidates(res.candidates) or "—"))
        elif res.rule == "wrong_province":
            rec.failures.append(failure("wrong_province", *at, value=res.value, expected=candidates(res.candidates)))
        elif res.rule == "legacy_unit_name" and res.unit:
            rec.failures.append(failure("legacy_unit_name", *at, value=res.value[:120], expected=res.unit.describe()))
    _documents_of_their_folder(records)


def _documents_of_their_folder(records: list[FileRecord]) -> None:
    """A document naming no commune ("Email 15-3/Cong van.docx") in a folder of one commune's spreadsheets is that
    commune's (its companion, choose_submissions): a commune_resolved and a readable error about a cover letter, and
    the summary asked the province to name the commune in it (intake folder judge, Nghệ An). Among several communes'
    spreadsheets it stays unresolved."""
    communes: dict[PurePosixPath, set] = defaultdict(set)
    units = {}
    for rec in records:
        if rec.has_tables and rec.resolution.unit is not None and rec.resolution.rule != "wrong_province":
            communes[PurePosixPath(rec.entry.rel).parent].add(rec.commune_code)
            units[rec.commune_code] = rec.resolution.unit
    for rec in records:
        if rec.resolution.rule != "commune_resolved" or _document_kind(rec) is None:
            continue
        found = communes.get(PurePosixPath(rec.entry.rel).parent, set())
        if len(found) == 1:
            rec.resolution = Resolution(units[next(iter(found))], "folder", value=rec.entry.rel)
            rec.failures = [f for f in rec.failures if f["rule"] != "commune_resolved"]


def _naming_cell(data: ParseResult, value: str | None) -> list | None:
    """[sheet, row, column] of the title line a resolution's value was read from (a file's name has none)."""
    if not value:
        return None
    # the value as the resolver quotes it: the line, a part of it, or the former unit's name it found there ("Phường Cam
    # Giá: đơn vị cũ, nay thuộc nhiều xã, phường"), in any case
    folded = fold(value)
    said = [s for s in (folded[:60], fold(value.split(":")[0].split(",")[0])) if s]
    for line, cell in zip(data.title, data.title_cells):
        text = fold(line or "")
        if cell and text and (any(s in text for s in said) or text[:60] in folded):
            return cell
    return None


_NO_TABLE = ("readable", "table_found", "personal_list")


def choose_submissions(records: list[FileRecord], province: str | None, year: int | None = None) -> None:
    """Among files of one commune and kind, the latest document date (then file time) wins; of a report in parts
    (Kind.in_parts: household lists), every file whose rows no better-ranked file gives is used too. A report of the
    run's `year` (run_year's, when not given) wins over one of another year, whatever their dates: last year's table
    sent again after this year's displaced it, rejected as wrong_year, and the commune had none (standards judge, Lai
    Châu).

    A file without any recognisable table (unreadable, damaged, no table found) competes for every kind its
    commune sent (for the one kind its name or title names, if so: FileRecord.named_kind), but never wins over a file
    that gives one: a broken resubmission loses no figures of the
    file before it. It keeps its own failure (the commune is not rejected for it: it is not the file in use)
    beside `superseded_submission`, so it is never silently ignored.
    """
    from .kinds import KINDS  # (the kinds' modules read this one's FileRecord)

    in_parts = {k.name for k in KINDS if k.in_parts}
    year = year or run_year(records, None)
    by_commune: dict[str, list[FileRecord]] = defaultdict(list)
    for rec in records:
        if rec.commune_code and rec.resolution.rule != "wrong_province":
            by_commune[rec.commune_code].append(rec)
    for recs in by_commune.values():
        # the plan, which every commune owes, among them: a commune's one file with no table beside its results is its
        # plan, rejected (was set aside as a superseded results report: the ledger said no plan came, its commune
        # table that one came and was rejected, the summary both)
        kinds = set().union(*(r.kinds for r in recs)) | {PLAN}
        for kind in sorted(kinds):
            contenders = [r for r in recs if kind in r.kinds or not r.kinds]
            if len(contenders) < 2:
                continue
            # a report of the whole year over one of part of it ("6 tháng đầu năm"), whatever their dates
            # and a whole report over a part of one (a plan without its reductions, a table lacking a required column)
            # by their dates where each is known, else by the files' times
            dates = {id(r): r.kind_date(kind) for r in contenders}
            dated = all(d is not None for d in dates.values())
            other_year = {id(r) for r in contenders if any(f["kind"] == kind for f in year_failures(r, year))}
            ranked = sorted(contenders, reverse=True, key=lambda r: (
                r.has_tables, id(r) not in other_year, r.whole(kind), not r.partial_year(kind), dates[id(r)] if dated else (),
                r.entry.mtime, r.entry.rel))
            used = [ranked[0]]
            for r in ranked[1:]:
                # a report in parts: each file used whose rows no file ranked before it gives
                over = next((u for u in used if kind not in in_parts or _overlap(r.part(kind), u.part(kind))), None)
                if over is None:
                    used.append(r)
                else:
                    r.superseded_by[kind] = over.entry.rel
    for rec in records:
        if rec.superseded_by and rec.used_for_any():
            # a bundle whose plan a corrected file replaced, still used for its results: said for that kind, at its sheet
            # (the auditors' report never said the bundle's plan was set aside; bundles judge, Lào Cai)
            rec.failures = rec.failures + [
                {**failure("superseded_submission", _kind_sheet(rec, kind), value=rec.entry.rel, expected=winner, detail=kind),
                 "kind": kind} for kind, winner in sorted(rec.superseded_by.items())]
        elif rec.superseded_by:
            winners = sorted(set(rec.superseded_by.values()))
            document = _document_kind(rec)
            if document is not None and not rec.has_tables:
                # the signed scan or the plan's text beside the commune's spreadsheet: no error of the commune's, which
                # is accepted (a readable error on an accepted commune; independent probe, Khánh Hòa)
                # the spreadsheets in its own folder where there are any (a March letter named the November results
                # too; intake folder judge, Nghệ An)
                near = [w for w in winners if PurePosixPath(w).parent == PurePosixPath(rec.entry.rel).parent]
                rec.failures = [failure("companion_document", None, value=rec.entry.rel, expected=", ".join(near or winners),
                                        detail=document)]
                continue
            # what is wrong with a file that gives no table is said even when another file is used
            kept = [
                f
                for f in rec.failures
                if f["rule"] in ("legacy_unit_name", "partial_year") or (not rec.has_tables and f["rule"] in _NO_TABLE)
            ]
            rec.failures = kept + [failure("superseded_submission", None, value=rec.entry.rel, expected=", ".join(winners))]


# a document, no spreadsheet (readers.container's names for them): beside the commune's spreadsheet, its companion
_DOCUMENTS = ("PDF", "PNG", "JPEG", "GIF", "RTF", "Word", "PowerPoint")


def _document_kind(rec: FileRecord) -> str | None:
    """"PDF", "Word (.docx)", "zip", …: what a file that is no spreadsheet is, when it is a document, an image or an
    archive (a commune's files zipped, beside them extracted: an error on an accepted commune; intake folder judge)."""
    for f in rec.data.failures:
        if f["rule"] == "readable" and f.get("detail") == "not_spreadsheet" and str(f.get("value") or "").startswith(_DOCUMENTS):
            return str(f["value"])
        if f["rule"] == "readable" and f.get("detail") == "archive":
            return str(f["value"])
    return None


def _overlap(a: frozenset | None, b: frozenset | None) -> bool:
    """Whether two parts of a report share a row's place (either whole: they do), a row of no village being anywhere in
    its group (a list naming no village beside one naming them: two versions of one list, not two parts)."""
    if a is None or b is None or not a.isdisjoint(b):
        return True
    anywhere = {g for g, village in a | b if village is None}
    return any(g in anywhere for g in {g for g, _ in a} & {g for g, _ in b})


def forget_parsed_cells(records: list[FileRecord]) -> None:
    """Drop each file's parsed cells once its tables are frames: only the kind of each row stays
    (the manifest's layout line). A national run's parse results are ~90 MB of Python objects,
    most of it cells; the memory goes back to the interpreter for the steps that follow."""
    for rec in records:
        for table in rec.data.tables:
            table.__dict__.pop("_rows_frame", None)  # its rows as a span of a frame (frames.compact_tables)
            if table.rows:
                table.rows = {"kind": table.rows.get("kind") or []}


def run_year(records: list[FileRecord], year: int | None, targets_year: int | None = None) -> int:
    """--year, else the year most documents state, else the targets workbook's, else next year. (An empty --raw with a
    targets workbook "NĂM 2026" ran as 2027 in December, over a 2026 result; operations probe, Lâm Đồng.)"""
    if year:
        return year
    years = Counter(r.data.year for r in records if r.data.year)
    if years:
        return years.most_common(1)[0][0]
    if targets_year:
        return targets_year
    from datetime import date

    return date.today().year + 1


def year_failures(rec: FileRecord, year: int) -> list[dict]:
    """wrong_year: the document is for another year than the run's. A table that states a period
    (a roadmap's 2026-2030) is judged on it; the others on the year of the document's title."""
    found = []
    stated = rec.data.year
    several = len({t.sheet for t in rec.data.tables}) > 1  # one sheet's title is the document's: asked only of workbooks
    for table in rec.data.tables:
        period = table.period
        # a sheet's own title may state its year (Biểu 02 "KẾT QUẢ … NĂM 2025" in the workbook of a plan for 2026)
        own = document_year(table.title) if several and table.title and not period else None
        if period and not period[0] <= year <= period[1]:
            found.append(
                {**failure("wrong_year", table.sheet, value=f"{period[0]}-{period[1]}", expected=year), "kind": table.kind}
            )
        elif not period and (own or stated) and (own or stated) != year:
            sheet, row, col = _year_cell(rec.data, own or stated, table.sheet if own else None) or (table.sheet, None, None)
            found.append({**failure("wrong_year", sheet, row, col, value=own or stated, expected=year), "kind": table.kind})
    if stated and stated != year and not rec.data.tables and not any(f["rule"] == "readable" for f in rec.failures):
        sheet, row, col = _year_cell(rec.data, stated, None) or (None, None, None)
        found.append({**failure("wrong_year", sheet, row, col, value=stated, expected=year), "kind": None})
    # once a sheet's cell and kind: a village deprivation table is a parsed table per indicator, and its one wrong year
    # was said 13 times (standards judge, Lai Châu)
    return list({(f["sheet"], f["row"], f["column"], f["value"], f["kind"]): f for f in found}.values())


def _year_cell(data: ParseResult, year: int, sheet: str | None) -> list | None:
    """[sheet, row, column] of the title line naming the document's `year` (on `sheet`, if given): a wrong_year had no
    cell though its title's was known (bundles judge, Lào Cai)."""
    for line, cell in zip(data.title, data.title_cells):
        if cell and (sheet is None or cell[0] == sheet) and document_year([line]) == year:
            return cell
    return None


def kind_file_status(rec: FileRecord, kind: str, kind_status: dict[tuple[str, str], str]) -> str:
    """accepted / rejected / superseded: what became of one kind of a file of a resolved commune."""
    if not rec.used_for(kind):
        return "superseded"
    return kind_status.get((rec.commune_code, kind), "rejected")


def file_status(rec: FileRecord, kind_status: dict[tuple[str, str], str]) -> str:
    """accepted / rejected / superseded / companion / unresolved / wrong_province, for the manifest. A companion (a
    scan, a cover letter, an archive beside the commune's spreadsheet) is no version of any report: it was counted as a
    superseded version of every kind the commune sent (intake folder judge, Nghệ An)."""
    if rec.resolution is None or rec.resolution.unit is None:
        return "wrong_province" if rec.resolution and rec.resolution.rule == "wrong_province" else "unresolved"
    if rec.resolution.rule == "wrong_province":
        return "wrong_province"
    used = [k for k in (rec.kinds or {PLAN}) if rec.used_for(k)]
    if not used:
        return "companion" if any(f["rule"] == "companion_document" for f in rec.failures) else "superseded"
    statuses = {kind_status.get((rec.commune_code, k), "rejected") for k in used}
    return "rejected" if "rejected" in statuses else "accepted"
