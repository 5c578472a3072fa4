"""The BIFF8 record scan for hidden sheets, rows and columns, and error cells, agrees with xlrd's formatting pass."""

from __future__ import annotations

import pytest

from giamngheo.readers.excel import xls_hidden_facts, xls_hidden_xlrd
from giamngheo.readers.xls_inspect import NotBiff8, xls_hidden

xlwt = pytest.importorskip("xlwt")


def _book(path, hide_rows=(), hide_cols=(), hidden_sheet=False, rows=40, errors=()):
    wb = xlwt.Workbook(encoding="utf-8")
    letter = wb.add_sheet("Công văn")
    letter.write(0, 0, "UBND XÃ PHÚ THỊNH")
    table = wb.add_sheet("Phụ lục 1 (thôn, bản)")
    for r in range(rows):
        for c in range(8):
            if (r, c) in errors:
                table.row(r).set_cell_error(c, errors[(r, c)])
            else:
                table.write(r, c, r * 10 + c)
    for r in hide_rows:
        table.row(r).hidden = True
    for c in hide_cols:
        table.col(c).hidden = True
    if hidden_sheet:
        letter.visibility = 1
    wb.save(str(path))
    return path


@pytest.mark.parametrize(
    "hide_rows, hide_cols, hidden_sheet, errors",
    [((), (), False, {}), ((5,), (), False, {(5, 2): 0x17}), ((3, 4, 39), (2, 6), True, {(0, 0): 0x07, (39, 7): 0x2A}),
     ((), (0, 1, 7), False, {}), ((0,), (), True, {(1, 1): 0x1D})],
)
def test_record_scan_agrees_with_xlrd(tmp_path, hide_rows, hide_cols, hidden_sheet, errors):
    path = _book(tmp_path / "bieu.xls", hide_rows, hide_cols, hidden_sheet, errors=errors)
    found = xls_hidden(path)
    assert found == xls_hidden_xlrd(path)
    texts = {0x07: "#DIV/0!", 0x17: "#REF!", 0x1D: "#NAME?", 0x2A: "#N/A"}
    assert found["Phụ lục 1 (thôn, bản)"] == (False, {r + 1 for r in hide_rows}, {c + 1 for c in hide_cols},
                                              sorted((r + 1, c + 1, texts[code]) for (r, c), code in errors.items()))
    assert found["Công văn"][0] is hidden_sheet


def test_a_damaged_stream_falls_back_to_xlrd(tmp_path):
    path = _book(tmp_path / "bieu.xls", hide_rows=(5,))
    data = bytearray(path.read_bytes())
    start = data.find(b"\x08\x02\x10\x00")  # the first ROW record (type 0x0208, 16 bytes)
    assert start > 0
    data[start + 2 : start + 4] = b"\xff\xff"  # its length now runs past the end of the stream
    path.write_bytes(bytes(data))
    with pytest.raises(NotBiff8):
        xls_hidden(path)
    assert xls_hidden_facts(path) == xls_hidden_xlrd(path)  # what xlrd could read, without raising
