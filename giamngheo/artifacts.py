"""Write a run's tables and manifest into its staging folder."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from . import PARSER_VERSION, __version__
from .cache import encode
from .discover import Skipped
from .layout.standards import load_standards
from .options import RunOptions
from .parsed import ParseResult
from .submissions import FileRecord, file_status, kind_file_status


def poverty_standard(year: int, province: str | None = None) -> str:
    """The poverty standard in force for the year (the province's own where it has one), from the catalogue."""
    return load_standards().for_year(year, province).describe()


def layout_of(data: ParseResult) -> str:
    """A short description of how the file was laid out, for the manifest."""
    fmt = data.format or "?"
    parts = []
    for t in data.tables:
        top, bottom = t.header_rows or (0, 0)
        kinds = t.rows.get("kind") or []
        total = "total first" if kinds and kinds[0] == "total" else ("total last" if "total" in kinds else "no total")
        sections = "sections" if "section" in kinds or "subtotal" in kinds else ""
        where = f"'{t.sheet}'" if t.sheet else "csv"
        parts.append(" ".join(x for x in (f"{t.kind}@{where}", f"header {top}-{bottom}", total, sections) if x))
    legacy = f" [{data.legacy_encoding}]" if data.legacy_encoding else ""
    # a roadmap's years down a column make a table per item column: said once, with their number ("× 13")
    counted = {part: parts.count(part) for part in parts}
    parts = [part if n == 1 else f"{part} × {n}" for part, n in counted.items()]
    return f"{fmt}{legacy}: " + "; ".join(parts) if parts else fmt


class ContractError(RuntimeError):
    """An output table that breaks its declared model: a bug, never published."""


def check_contract(name: str, frame: pl.DataFrame, models: list) -> None:
    """Raise ContractError when `frame` breaks one of its models (types, ranges, nulls, keys)."""
    from pandera.errors import SchemaErrors

    for model in models:
        try:
            model.validate(frame, lazy=True)
        except SchemaErrors as exc:
            cases = exc.failure_cases.select("column", "check").unique().head(10).rows()
            raise ContractError(f"{name} breaks {model.__name__}: {cases}") from None


def write_parquet(frames: dict[str, pl.DataFrame], folder: Path, contracts: dict[str, list] | None = None) -> None:
    """Each table checked against its contract (output name -> pandera models), then written (zstd)."""
    for name, frame in frames.items():
        check_contract(name, frame, (contracts or {}).get(name, ()))
        frame.write_parquet(folder / name, compression="zstd", statistics=True)


def manifest(
    run_id: str,
    started: datetime,
    options: RunOptions,
    year: int,
    reference_version: str,
    records: list[FileRecord],
    skipped: list[Skipped],
    kind_status: dict[tuple[str, str], str],
    counts: dict,
    targets: dict | None = None,
) -> dict:
    files = []
    for rec in records:
        kinds = sorted(rec.kinds)
        files.append(
            {
                "path": rec.entry.rel,
                "size": rec.entry.size,
                "sha256": rec.sha256,
                "commune_code": rec.commune_code,
                "kind": "+".join(kinds) if kinds else None,
                "layout": layout_of(rec.data),
                "status": file_status(rec, kind_status),
                # a workbook of several kinds: each kind's own ("plan": accepted, "roadmap": rejected), where `status`
                # says rejected for either
                "status_by_kind": {k: kind_file_status(rec, k, kind_status) for k in kinds} if rec.commune_code else None,
                "parsed": rec.parsed,
                "seconds": round(float(rec.data.seconds or 0.0), 4),
                "superseded_by": rec.superseded_by or None,
                "doc_date": "-".join(f"{x:02d}" for x in rec.data.doc_date) if rec.data.doc_date else None,
                "modified": datetime.fromtimestamp(rec.entry.mtime, timezone.utc).isoformat(),
            }
        )
    return {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
        "parameters": options.as_manifest(),
        "year": year,
        "package_version": __version__,
        "parser_version": PARSER_VERSION,
        "reference_version": reference_version,
        "poverty_standard": poverty_standard(year, options.province),
        "python": platform.python_version(),
        "counts": counts,
        "files": files,
        "targets": targets,  # the province's targets workbook read (path, size, SHA-256, communes listed), or None
        "skipped": [{"path": s.rel, "reason": s.reason} for s in skipped],
    }


def write_json(data: dict, path: Path) -> None:
    """UTF-8 JSON, indented (the national manifest, 3,321 files, in 10 ms instead of 0.1 s with json)."""
    path.write_bytes(encode(data, indent=True))
