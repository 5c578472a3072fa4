"""A merged range over cells that keep their values: only the range's first cell shows, yet the file holds the rest
(LibreOffice's "keep the contents of hidden cells", a program's merge written over cells). A roadmap's year rows under
one merge were published with no failure, no figure of them on screen (hostile-file judge, Cao Bằng). The figures are
read, as hidden rows' are, and the range is said (hidden_content), in a village table and in the other kinds alike."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from test_deprivation_variants import village_rows
from test_deprivations import plan

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits


def _merge_over(path: Path, ref: str) -> Path:
    """The workbook with `ref` merged in its first sheet, the cells under it keeping their values."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    merge = f'<mergeCell ref="{ref}"/>'
    if "<mergeCells" in xml:
        xml = re.sub(r"<mergeCells count=\"(\d+)\">", lambda m: f'<mergeCells count="{int(m.group(1)) + 1}">{merge}', xml)
    else:
        xml = xml.replace("</sheetData>", f'</sheetData><mergeCells count="1">{merge}</mergeCells>')
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _said(path: Path) -> list[tuple]:
    return [(f["cell"], f["value"]) for f in parse_workbook(path, Limits()).failures
            if f["rule"] == "hidden_content" and f.get("detail") == "merged"]


def test_a_plan_s_village_rows_under_one_merge(tmp_path):
    path = _merge_over(plan(tmp_path / "ke hoach.xlsx"), "A5:F6")
    assert _said(path) == [("A5", "A5:F6")]
    table = next(t for t in parse_workbook(path, Limits()).tables if t.kind == "plan")
    assert table.rows["name"] == ["Tổ 1", "Tổ 2"]  # read, as a hidden row is


def test_a_deprivation_table_s_villages_under_one_merge(tmp_path):
    path = _merge_over(village_rows(tmp_path / "thieu hut.xlsx"), "C5:E6")
    assert _said(path) == [("C5", "C5:E6")]


def test_a_sound_merge_is_not_said(tmp_path):
    """A title merged across the sheet, its other cells empty, as Excel leaves them: nothing to say."""
    assert _said(_merge_over(plan(tmp_path / "ke hoach.xlsx"), "A2:F2")) == []
