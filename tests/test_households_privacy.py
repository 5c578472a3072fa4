"""Personal data stays home (issue 17): marker strings planted in every personal column of two household
lists are searched for in every byte the real flow leaves under --out (but the communes' own feedback
copies) and under Prefect's home and database: Parquet read column by column, workbooks and other zips
member by member, SQLite files (the parse cache, Prefect's database) row by row and as raw bytes."""

from __future__ import annotations

import csv
import io
import random
import shutil
import sqlite3
import stat
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from conftest import THAI_NGUYEN
from samplegen.households import make_households, write_household_list
from test_deprivations import plan

BAC_KAN = [("Tổ 1", 30, 20), ("Tổ 2", 34, 35)]  # test_deprivations.plan's villages (01843)
CAO_MINH = "01879_xa_cao_minh.xlsx"
BACH_THONG = "ỦY BAN NHÂN DÂN XÃ BẠCH THÔNG"  # 02014


def _variants(raw: Path, base: int) -> list[str]:
    """Lists the first reader missed, markers in their personal cells: under a 30-village plan annex on its sheet
    (too little to read: refused), in TCVN3 bytes with other header wording (read), and a list the reader
    chokes on (an XML entity its text quotes). The markers."""
    import openpyxl

    from samplegen.encodings import tcvn3

    names = [f"Lường QZVAR{base + i:04d}" for i in range(8)]
    ids = [f"0019{base + i:04d}5553" for i in range(8)]
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (
        [BACH_THONG],
        ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"],
        *[[k, f"Thôn {k}", 100 + k, 3, 2, 1] for k in range(1, 31)],
        [None, "Tổng cộng", 3465, 90, 60, 30],
        [],
        ["DANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO NĂM 2026"],
        ["STT", "Họ và tên chủ hộ", "Thôn", "Cơ quan giúp đỡ", "Ghi chú"],
        *[[i + 1, names[i], f"Thôn {i + 1}", "Hội Phụ nữ", f"CCCD {ids[i]}"] for i in range(4)],
    ):
        ws.append(row)
    wb.save(raw / "ke hoach bach thong.xlsx")
    lines = [["DANH SÁCH HỘ NGHÈO NĂM 2026"], ["TT", "Tên chủ hộ", "Số CMND", "Thôn, bản", "Số khẩu", "Diện hộ"]]
    lines += [[str(i + 1), names[i], ids[i], "Bản Nà", "4", "Hộ nghèo"] for i in range(4, 7)]
    text = io.StringIO()
    csv.writer(text).writerows([[tcvn3(v) for v in r] for r in lines])  # "Thôn, bản" quoted
    (raw / "02155 danh sach ho ngheo.csv").write_bytes(text.getvalue().encode("cp1252"))
    good = raw.parent / "hong.xlsx"
    rows = make_households(random.Random(9), [("Tổ 1", 3, 2)])
    rows[0]["name"] = names[7]
    write_household_list(good, "Phường Phan Đình Phùng", rows)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(raw / "05443 danh sach ho ngheo.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(
                info, zin.read(info.filename).replace(names[7].split()[-1].encode(), f"&{names[7].split()[-1]};".encode())
            )
    return [n.split()[-1] for n in names] + ids


def _planted(rows: list[dict], base: int) -> list[str]:
    """Unique markers in every personal field of every household; the markers."""
    markers = []
    for k, h in enumerate(rows):
        i = base + k
        h["code"] = f"QZHO{i:04d}"
        h["name"] = f"Nguyễn QZNAME{i:04d} Văn"
        h["id"] = f"08{i:04d}7{i:04d}9"
        h["birth"] = f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/19{50 + i % 40}"
        h["phone"] = f"09{i:04d}6{i:03d}"[:10] + "7"
        h["note"] = f"QZNOTE{i:04d} bệnh mãn tính"
        markers += [h["code"], f"QZNAME{i:04d}", h["id"], h["phone"], f"QZNOTE{i:04d}", h["birth"]]
    return markers


def _texts(path: Path) -> list[bytes]:
    """The file's bytes, and what it holds decompressed or decoded."""
    data = path.read_bytes()
    found = [data]
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        for column in frame.columns:
            if frame[column].dtype == pl.Utf8:
                found.append("\n".join(v for v in frame[column].to_list() if v).encode())
            found.append(column.encode())
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as zf:
            found += [zf.read(name) for name in zf.namelist()]
    if data[:16] == b"SQLite format 3\x00":
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    found += [v if isinstance(v, bytes) else str(v).encode() for v in row if v is not None]
        except sqlite3.DatabaseError:
            pass
        finally:
            db.close()
    return found


def _leaks(root: Path, markers: list[str], skip=lambda p: False) -> list[tuple[str, str]]:
    """The markers in the bytes of every file under `root` but those skipped, and in every path's name."""
    leaks = []
    lowered = [(m, m.lower().encode()) for m in markers]
    for path in root.rglob("*"):
        leaks += [(str(path.relative_to(root)), m) for m in markers if m.lower() in str(path.relative_to(root)).lower()]
        if not path.is_file() or path.is_symlink() or skip(path):
            continue
        for blob in _texts(path):
            low = blob.lower()
            leaks += [(str(path.relative_to(root)), m) for m, b in lowered if b in low]
    return sorted(set(leaks))


@pytest.mark.flow
def test_no_personal_value_leaves_the_communes_own_feedback_copy(run_flow, prefect_server, tmp_path, capfd, monkeypatch):
    import os

    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    from giamngheo.cli import main

    monkeypatch.delenv("GIAMNGHEO_SECRET", raising=False)
    monkeypatch.delenv("GIAMNGHEO_SECRET_FILE", raising=False)
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    plan(raw / "ke hoach bac kan.xlsx")
    accepted = make_households(random.Random(1), BAC_KAN)
    markers = _planted(accepted, 0)
    accepted[3]["id"] = "QZBADID77"  # neither 12 nor 9 digits: a warning, its value masked
    markers.append("QZBADID77")
    # its file and its sheet named after listed households: published starred and by the sheet's place (hostile files
    # judge, Cao Bằng), the feedback copy still made from the file and marked on that sheet
    listed = raw / f"danh sach ho ngheo bac kan - {accepted[0]['name']}.xlsx"
    write_household_list(listed, "Phường Bắc Kạn", accepted)
    book = openpyxl.load_workbook(listed)
    book.worksheets[0].title = accepted[1]["name"]
    book.save(listed)
    shutil.copy(THAI_NGUYEN / "communes" / CAO_MINH, raw / CAO_MINH)
    rejected = make_households(random.Random(2), [("Xóm 1", 5, 2), ("Xóm 2", 13, 7)])
    markers += _planted(rejected, 500)
    rejected[4]["code"] = rejected[1]["code"]  # household_unique: the list is rejected, the plan is not
    write_household_list(raw / "danh sach cao minh.ods", "Xã Cao Minh", rejected, "sections", "ods", "mark", "numbers")
    markers += _variants(raw, 900)

    run_flow(raw, out, province="19")
    first = pl.read_parquet(out / "households.parquet")
    run_flow(raw, out, province="19")  # from the cache: the same keys
    again = pl.read_parquet(out / "households.parquet")
    assert first.height == 119 + 3 and first["household_key"].to_list() == again["household_key"].to_list()
    status = dict(pl.read_parquet(out / "households_communes.parquet").select("commune_code", "status").iter_rows())
    # 02014's list refused: no list; 05443's "danh sach ho ngheo.xlsx" unreadable: its list, rejected
    assert status == {"01843": "accepted", "01879": "rejected", "02155": "accepted", "05443": "rejected"}
    communes = pl.read_parquet(out / "communes.parquet").sort("commune_code")
    assert communes.select("commune_code", "list_poor_households", "list_near_poor_households").rows() == [
        ("01843", 64, 55), ("01879", None, None), ("02014", None, None)]  # 05443 sent its (unreadable) list, no plan
    villages = pl.read_parquet(out / "villages.parquet").filter(pl.col("commune_code") == "02014")
    assert sorted(villages["village_name"]) == sorted(f"Thôn {k}" for k in range(1, 31))  # the list under the annex: no village
    failures = pl.read_parquet(out / "validation_failures.parquet")
    assert {"household_unique", "id_number_format"} <= set(failures["rule"])
    assert failures.filter(pl.col("rule") == "personal_list")["commune_code"].to_list() == ["02014"]
    assert (
        failures.filter((pl.col("rule") == "readable") & (pl.col("commune_code") == "05443"))["value"]
        .str.contains("entity")
        .all()
    )

    # giamngheo trace follows a list's counts to cells named, never their values
    from giamngheo.trace import render, trace

    traced = trace(out, "01843", "list_poor_households")
    assert traced.total == traced.reported == 64 and traced.cells.height == 64
    shown = render(traced)
    assert not [m for m in markers if m.lower() in shown.lower()] and set(traced.cells["value"]) == {1}

    # owner-only: the key and the feedback copies (the only files that hold what the commune sent)
    assert stat.S_IMODE((out / ".secret.key").stat().st_mode) == 0o600
    copies = [p for p in out.rglob("feedback/*") if p.is_file()]
    assert copies and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in copies)

    assert main(["prune", "--out", str(out), "--keep", "1"]) == 0
    assert len(list((out / "runs").iterdir())) == 1 and (out / ".secret.key").exists()

    captured = capfd.readouterr()
    home = Path(os.environ["PREFECT_HOME"])
    database = Path(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split("///", 1)[1]).parent
    leaks = _leaks(out, markers, skip=lambda p: "feedback" in p.relative_to(out).parts)
    leaks += _leaks(home, markers) + _leaks(database, markers)
    leaks += [("stdout/stderr", m) for m in markers if m.lower() in (captured.out + captured.err).lower()]
    assert not leaks, leaks[:20]
    copy = next(p for p in copies if p.name.startswith("01843_danh sach ho ngheo bac kan"))
    sheet = openpyxl.load_workbook(copy)[accepted[1]["name"]]  # a copy of the file itself, its sheet marked
    assert any(cell.comment for row in sheet.iter_rows() for cell in row)
    # the search itself finds what is there: the feedback copies hold the commune's own values
    assert _leaks(out, markers, skip=lambda p: "feedback" not in p.relative_to(out).parts)
