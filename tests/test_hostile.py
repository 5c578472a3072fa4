"""Broken and hostile files never break the run or leak anything.

The corpus (tests/hostile/make_corpus.py) is written into one --raw folder next to five
good communes of the sample province, and consolidated once with `giamngheo run`; the
same five communes are consolidated alone as the baseline. Every case then checks its own
commune in the outputs: the rule (and the `readable` sub-reason), the severity, the
commune rejected or kept, the cell. Around them: exit status, time and memory, the good communes'
figures unchanged, --raw untouched, no formula or HTML injection in what we write, no
secret read through a link or an external entity.

A file that hangs a reader needs a short --file-timeout, so it has a run of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from conftest import ROOT, THAI_NGUYEN
from hostile.make_corpus import CANARY, CASES, HTML_PAYLOAD, LIMITS, MARK, SEPARATE, make_corpus
from schemas.rules import READABLE_REASONS, RULE_BY_ID

pytestmark = [pytest.mark.flow, pytest.mark.slow]

GIAMNGHEO = ROOT / ".venv" / "bin" / "giamngheo"
GOOD = {  # clean communes of the sample province (truth.json: accepted, no failure)
    "05710": "05710_phuong_linh_son.xlsx",
    "02083": "02083_xa_yen_phong.xlsx",
    "05860": "05860_phuong_pho_yen.xlsx",
    "05776": "05776_xa_duc_luong.xlsx",
    "05722": "05722_xa_nghinh_tuong.csv",
}
LIMIT_ARGS = [
    "--max-file-mb", str(LIMITS["max_file_mb"]),
    "--max-rows", str(LIMITS["max_rows"]),
    "--max-columns", str(LIMITS["max_columns"]),
    "--file-timeout", str(LIMITS["file_timeout"]),
]
RUN_SECONDS = 60  # the whole hostile run, zip bomb and million-row sheet included
PEAK_MEMORY_MB = 2600  # any process of the run: the parsing workers are capped at 2 GiB of address space
SHARED_CASES = sorted(n for n in CASES if n not in SEPARATE)


def giamngheo_run(
    raw: Path, out: Path, *extra: str, timeout: float = 600, env: dict | None = None
) -> tuple[subprocess.CompletedProcess, float]:
    """`giamngheo run` in a subprocess (it reaches the session's Prefect server through the environment)."""
    cmd = [str(GIAMNGHEO), "run", "--raw", str(raw), "--out", str(out), "--province", "19", "--no-progress", *extra]
    started = time.monotonic()
    proc = subprocess.run(cmd, env=os.environ | (env or {}), capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - started


def tree_state(root: Path) -> dict[str, tuple]:
    """Everything under `root`, links not followed: kind, content hash, size, mode and mtime of each entry."""
    state: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                state[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                state[rel] = ("dir", st.st_mode, st.st_mtime_ns)
            else:
                digest = hashlib.sha256()
                with path.open("rb") as fh:
                    while chunk := fh.read(1 << 20):
                        digest.update(chunk)
                state[rel] = ("file", digest.hexdigest(), st.st_size, st.st_mode, st.st_mtime_ns)
    return state


def copy_good(raw: Path) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for name in GOOD.values():
        shutil.copy2(THAI_NGUYEN / "communes" / name, raw / name)


@dataclass
class Outputs:
    out: Path
    proc: subprocess.CompletedProcess
    seconds: float
    villages: pl.DataFrame
    communes: pl.DataFrame
    provinces: pl.DataFrame
    failures: pl.DataFrame
    manifest: dict

    @classmethod
    def load(cls, out: Path, proc, seconds) -> "Outputs":
        assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        read = lambda name: pl.read_parquet(out / name)  # noqa: E731
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return cls(out, proc, seconds, read("villages.parquet"), read("communes.parquet"), read("provinces.parquet"),
                   read("validation_failures.parquet"), manifest)


@dataclass
class HostileRun:
    raw: Path
    outside: Path
    cases: dict
    baseline: Outputs
    run: Outputs
    raw_before: dict
    raw_after: dict
    outside_before: dict
    outside_after: dict
    baseline_raw_before: dict
    baseline_raw_after: dict
    peak_mb: float  # the largest resident set of any process of the runs (workers included)


@pytest.fixture(scope="module")
def hostile(prefect_server, tmp_path_factory) -> HostileRun:
    base = tmp_path_factory.mktemp("hostile")
    good_raw = base / "good"
    copy_good(good_raw)
    raw, outside = base / "raw", base / "outside"
    copy_good(raw)
    cases = make_corpus(raw, outside)

    baseline_before = tree_state(good_raw)
    proc, seconds = giamngheo_run(good_raw, base / "out-good")
    baseline = Outputs.load(base / "out-good", proc, seconds)
    baseline_after = tree_state(good_raw)

    raw_before, outside_before = tree_state(raw), tree_state(outside)
    proc, seconds = giamngheo_run(raw, base / "out", *LIMIT_ARGS)
    raw_after, outside_after = tree_state(raw), tree_state(outside)
    run = Outputs.load(base / "out", proc, seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    return HostileRun(raw, outside, cases, baseline, run, raw_before, raw_after, outside_before, outside_after,
                      baseline_before, baseline_after, peak_mb)


def rel(h: HostileRun, path: Path) -> str:
    return path.relative_to(h.raw).as_posix()


def _reason_texts(reason: str) -> tuple[str, str]:
    """The fixed part of a `readable` sub-reason, in Vietnamese and English (before any '(value...)')."""
    vi, en = READABLE_REASONS[reason]
    return vi.split("(")[0].strip(), en.split("(")[0].strip()


def _show(frame: pl.DataFrame) -> str:
    cols = [c for c in ("source_file", "cell", "rule", "severity", "value", "message_en") if c in frame.columns]
    return "\n".join(str(r) for r in frame.select(cols).to_dicts()) or "(none)"


# ------------------------------------------------------------------------------------------------ one test per case


@pytest.mark.parametrize("name", SHARED_CASES)
def test_hostile_case(hostile: HostileRun, name: str):
    case = hostile.cases[name]
    e = case.expect
    run = hostile.run
    source = e.source or rel(hostile, case.paths[0])
    mine = run.failures.filter(pl.col("source_file") == source)

    if e.rule is None:
        unexpected = mine.filter(pl.col("rule") != "outlier")  # outliers depend on the peers, not on the file
        assert unexpected.is_empty(), f"{name}: no failure expected for {source!r}, got:\n{_show(unexpected)}"
    else:
        rules = (e.rule, *e.alt_rules)
        hits = mine.filter(pl.col("rule").is_in(rules))
        assert not hits.is_empty(), f"{name}: expected rule {rules} on {source!r}; the file got:\n{_show(mine)}"
        assert set(hits["severity"]) == {e.severity}, _show(hits)
        if e.cell:
            assert e.cell in set(hits["cell"].drop_nulls()), f"{name}: expected a failure at {e.cell}:\n{_show(hits)}"
        for row in hits.iter_rows(named=True):  # a clear message, both languages, naming the file
            assert row["message"] and row["message_en"], row
            assert row["source_file"] == source
        if e.reasons:
            texts = {r: _reason_texts(r) for r in e.reasons}
            found = [r for r, (vi, en) in texts.items()
                     if any(en in m for m in hits["message_en"]) and any(vi in m for m in hits["message"])]
            assert found, f"{name}: readable sub-reason should be one of {e.reasons}; messages:\n{_show(hits)}"

    communes = run.communes.filter(pl.col("commune_code") == e.commune) if e.commune else None
    if e.status is None:
        if e.commune:
            assert communes.is_empty(), communes
    else:
        assert communes["status"].to_list() == [e.status], f"{name}: commune {e.commune}:\n{communes}"

    villages = run.villages.filter(pl.col("commune_code") == e.commune) if e.commune else pl.DataFrame()
    if e.status == "rejected":
        assert villages.is_empty(), f"{name}: a rejected commune must leave no village rows"
    if e.villages is not None:
        got = villages.sort("source_row").select(
            "village_name", "total_households", "poor_households", "near_poor_households",
            "poor_reduction_target", "near_poor_reduction_target",
        ).rows()
        assert got == [tuple(v) for v in e.villages], f"{name}: villages read differ"
        assert set(villages["source_file"]) == {rel(hostile, case.paths[-1])}  # exactly as on disk (NFD, spaces, newline)
        row = communes.row(0, named=True)
        assert row["villages"] == len(e.villages)
        assert row["total_households"] == sum(v[1] for v in e.villages)
        assert row["poor_households"] == sum(v[2] for v in e.villages)

    files = {f["path"]: f for f in run.manifest["files"]}
    if e.in_manifest:
        for path in case.paths:
            assert rel(hostile, path) in files, f"{name}: {rel(hostile, path)!r} missing from manifest files"
        if e.severity == "error":
            assert files[source]["status"] != "accepted", files[source]
    else:
        skipped = {s["path"]: s["reason"] for s in run.manifest["skipped"]}
        assert skipped.get(source) == "symlink", run.manifest["skipped"]
        assert not any(p == source or p.startswith(source + "/") for p in files), f"{name}: a link was followed"


# ------------------------------------------------------------------------------------------------ the run as a whole


def test_runs_complete_with_exit_zero_in_bounded_time(hostile: HostileRun):
    assert hostile.baseline.proc.returncode == 0 and hostile.run.proc.returncode == 0
    assert hostile.run.seconds < RUN_SECONDS, f"the hostile run took {hostile.run.seconds:.0f} s"
    assert hostile.peak_mb < PEAK_MEMORY_MB, f"a process of the run reached {hostile.peak_mb:.0f} MB"


def test_good_communes_identical_to_the_baseline(hostile: HostileRun):
    codes = list(GOOD)
    for table in ("villages", "communes"):
        base = getattr(hostile.baseline, table).drop("run_id").filter(pl.col("commune_code").is_in(codes))
        now = getattr(hostile.run, table).drop("run_id").filter(pl.col("commune_code").is_in(codes))
        key = ["commune_code", "source_row"] if table == "villages" else ["commune_code"]
        assert base.height > 0 and set(base["commune_code"]) == set(codes)
        assert now.sort(key).equals(base.sort(key)), f"{table}: good communes changed next to hostile files"
    # their own failures too (outliers are judged against the peers, which differ between the runs)
    keep = ["source_file", "source_sheet", "cell", "rule", "severity", "value", "expected", "message"]
    mine = pl.col("commune_code").is_in(codes) & (pl.col("rule") != "outlier")
    pick = lambda f: f.filter(mine).select(keep).sort(keep)  # noqa: E731
    assert pick(hostile.run.failures).equals(pick(hostile.baseline.failures))


def test_province_sums_only_accepted_communes(hostile: HostileRun):
    c, p = hostile.run.communes, hostile.run.provinces.row(0, named=True)
    accepted = c.filter(pl.col("status") == "accepted")
    assert p["communes_accepted"] == accepted.height
    assert p["communes_rejected"] == c.filter(pl.col("status") == "rejected").height
    assert p["total_households"] == accepted["total_households"].sum()
    assert p["poor_households"] == accepted["poor_households"].sum()
    assert hostile.run.villages["commune_code"].unique().sort().to_list() == accepted["commune_code"].sort().to_list()


def test_raw_folder_is_never_written(hostile: HostileRun):
    assert hostile.raw_after == hostile.raw_before, "the hostile run changed --raw"
    assert hostile.outside_after == hostile.outside_before, "the run changed files reached through links"
    assert hostile.baseline_raw_after == hostile.baseline_raw_before, "the baseline run changed --raw"


def test_every_failure_is_explained(hostile: HostileRun):
    f = hostile.run.failures
    assert f["source_file"].null_count() == 0
    assert set(f["severity"]) <= {"error", "warning"}
    assert set(f["rule"]) <= set(RULE_BY_ID)
    for col in ("message", "message_en"):
        assert f.filter(pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")).is_empty(), col
    for row in f.iter_rows(named=True):
        assert RULE_BY_ID[row["rule"]].severity == row["severity"], row


def test_every_regular_file_is_accounted_for(hostile: HostileRun):
    """Each file under --raw is in the manifest; each link is listed as skipped, not read."""
    files = {f["path"] for f in hostile.run.manifest["files"]}
    skipped = {s["path"] for s in hostile.run.manifest["skipped"]}
    for path in sorted(hostile.raw.rglob("*")):
        r = path.relative_to(hostile.raw).as_posix()
        if any(r == s or r.startswith(s + "/") for s in skipped):
            continue
        if path.is_symlink():
            pytest.fail(f"link {r!r} neither skipped nor reported")
        if path.is_file():
            assert r in files, f"{r!r} not in the manifest"


def _workbooks(out: Path) -> list[Path]:
    return [p for p in [out / "bao_cao_tong_hop.xlsx", out / "bao_cao_kiem_tra.xlsx", *sorted((out / "feedback").glob("*.xlsx"))]
            if p.exists()]


def test_no_formula_injection_in_any_workbook_written(hostile: HostileRun):
    """Commune text that looks like a formula stays a string cell (no <f>) in every workbook we write."""
    from openpyxl import load_workbook

    books = _workbooks(hostile.run.out)
    names = {p.name for p in books}
    assert {"bao_cao_tong_hop.xlsx", "bao_cao_kiem_tra.xlsx"} <= names
    seen_as_text = 0
    for book_path in books:
        with zipfile.ZipFile(book_path) as zf:
            for member in zf.namelist():
                if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                    for formula in re.findall(rb"<f\b[^>]*>(.*?)</f>", zf.read(member), re.S):
                        assert MARK.encode() not in formula, f"{book_path.name}:{member}: a payload became a formula"
        wb = load_workbook(book_path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and MARK in cell.value:
                        assert cell.data_type != "f", f"{book_path.name}!{ws.title}!{cell.coordinate}: {cell.value!r}"
                        if cell.value.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r")):
                            assert cell.data_type == "s" or cell.value.startswith("'"), (book_path.name, cell.coordinate)
                            seen_as_text += 1
    assert seen_as_text, "no formula-like payload reached any workbook: the test would prove nothing"


def test_no_html_injection_in_the_report(hostile: HostileRun):
    html = (hostile.run.out / "bao_cao_kiem_tra.html").read_text(encoding="utf-8")
    assert HTML_PAYLOAD not in html


def _output_texts(out: Path):
    """(path, text) for every output file: parquet cells, workbook parts, JSON/HTML as they are."""
    for path in sorted(out.rglob("*")):
        if not path.is_file() or ".cache" in path.parts:
            continue
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            for col, dtype in frame.schema.items():
                if dtype == pl.Utf8:
                    yield path, "\n".join(frame[col].drop_nulls().to_list())
        elif path.suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as zf:
                yield path, "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        else:
            yield path, path.read_bytes().decode("utf-8", "replace")


def test_nothing_outside_raw_leaks_and_no_entity_is_expanded(hostile: HostileRun):
    """The secret behind the XXE entity and the symlink never reaches an output; no 'lol' is ever expanded."""
    for path, text in _output_texts(hostile.run.out):
        assert CANARY not in text, f"{path}: holds text from outside --raw"
        assert "lollollollol" not in text, f"{path}: an XML entity was expanded"
    for rel_path in hostile.run.villages["source_file"].unique():
        assert not rel_path.startswith(("/", "..")), rel_path


# ------------------------------------------------------------------------------------------------ a file that hangs


HANG_TIMEOUT = 3  # --file-timeout of the hanging-file runs
HANG_CODES = ["05710", "02083"]


@pytest.fixture(scope="module")
def hanging(hostile, tmp_path_factory):
    """Two good communes and a file that hangs the reader, run with a short --file-timeout."""
    base = tmp_path_factory.mktemp("hanging")
    raw = base / "raw"
    raw.mkdir()
    for code in HANG_CODES:
        shutil.copy2(THAI_NGUYEN / "communes" / GOOD[code], raw / GOOD[code])
    case = make_corpus(raw, base / "outside", names=["slow_regex"])["slow_regex"]
    before = tree_state(raw)
    hang = {"GIAMNGHEO_FAULT": f"hang:{case.paths[0].name}"}  # the reader sleeps on this file (fault injection)
    proc, seconds = giamngheo_run(raw, base / "out", "--file-timeout", str(HANG_TIMEOUT), env=hang)
    run = Outputs.load(base / "out", proc, seconds)
    assert tree_state(raw) == before
    return {"raw": raw, "out": base / "out", "run": run, "source": case.paths[0].name, "env": hang}


def test_a_hanging_file_times_out_and_the_rest_is_read(hostile, hanging):
    run, source = hanging["run"], hanging["source"]
    hits = run.failures.filter((pl.col("source_file") == source) & (pl.col("rule") == "readable"))
    assert hits["severity"].to_list() == ["error"], _show(run.failures)
    vi, en = _reason_texts("timeout")
    assert en in hits["message_en"][0] and vi in hits["message"][0], hits["message_en"][0]
    status = dict(run.communes.select("commune_code", "status").iter_rows())
    assert status == {"05443": "rejected", "05710": "accepted", "02083": "accepted"}
    key = ["commune_code", "source_row"]
    base = hostile.baseline.villages.filter(pl.col("commune_code").is_in(HANG_CODES)).drop("run_id").sort(key)
    assert run.villages.drop("run_id").sort(key).equals(base)


def test_a_hanging_file_costs_about_its_timeout(hostile, hanging):
    """One hanging file should cost about its own time limit, not the batch's (files x limit + 30 s)."""
    seconds = hanging["run"].seconds
    allowed = hostile.baseline.seconds + 2 * HANG_TIMEOUT + 10
    assert seconds < allowed, (f"run took {seconds:.0f} s with one file timing out after {HANG_TIMEOUT} s "
                               f"(a run of five good files takes {hostile.baseline.seconds:.0f} s)")


def test_a_timed_out_file_is_read_again_next_run(hanging):
    """A time-out says as much about the machine as about the file: it is not cached as the file's result."""
    proc, seconds = giamngheo_run(hanging["raw"], hanging["out"], "--file-timeout", str(HANG_TIMEOUT), env=hanging["env"])
    run = Outputs.load(hanging["out"], proc, seconds)
    entry = next(f for f in run.manifest["files"] if f["path"] == hanging["source"])
    assert entry["parsed"] is True, f"the time-out was served from the cache: {entry}"
