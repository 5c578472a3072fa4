"""A CSV cell longer than any commune writes is reported as too long, whatever limit catches it first."""

from __future__ import annotations

import pytest

from giamngheo.readers.csvfile import read_csv
from giamngheo.readers.grid import Limits, UnreadableFile


@pytest.mark.parametrize("length", [40_000, 200_000])  # above our limit; above the csv module's own (131,072)
def test_a_cell_beyond_the_limits_is_cell_too_long_not_a_crash(length):
    text = "STT;Thôn;Tổng số hộ\n1;Thôn A;120\n2;" + "x" * length + ";80\n"
    with pytest.raises(UnreadableFile) as caught:
        read_csv(text.encode("utf-8"), Limits())
    assert caught.value.reason == "cell_too_long"
    if length < 131_072:  # ours: the cell is named (a note in a column not read rejected the file with no cell given)
        assert caught.value.detail.startswith("B3: ")


def test_an_xlsx_cell_too_long_is_named_by_its_sheet_and_cell(tmp_path):
    import zipfile

    import openpyxl

    from giamngheo.readers.excel import read_excel

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["STT", "Thôn", "Tổng số hộ", "Ghi chú"])
    ws.append([1, "Thôn A", 120, "x" * 32_767])  # openpyxl cuts a longer text to Excel's limit: lengthened in the file
    wb.save(tmp_path / "saved.xlsx")
    with zipfile.ZipFile(tmp_path / "saved.xlsx") as src, zipfile.ZipFile(tmp_path / "bieu.xlsx", "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename).replace(b"x" * 32_767, b"x" * 40_000))
    with pytest.raises(UnreadableFile) as caught:
        read_excel(tmp_path / "bieu.xlsx", "zip", Limits())
    assert caught.value.reason == "cell_too_long" and caught.value.detail == "Phụ lục!D2: 40000 characters"


def test_a_long_but_allowed_cell_is_read():
    text = "STT;Thôn;Tổng số hộ\n1;" + "Thôn A " * 1000 + ";120\n"
    sheet = read_csv(text.encode("utf-8"), Limits()).sheets[0]
    assert sheet.rows[1][2] == "120"


def test_the_delimiter_is_the_one_every_candidate_scored_would_give():
    """Delimiters absent from the sample are scored once (they all read it alike): the choice is the one
    scoring each of them gives, on texts of every mix of delimiters, quotes and line ends."""
    import random

    from giamngheo.readers.csvfile import _DELIMITERS, _score, sniff_delimiter

    rnd = random.Random(3)
    parts = [";", ",", "\t", "|", '"', "a", "1", "\n", " ", "x,y", '"a;b"', "\r\n", "Thôn 1"]
    for _ in range(5_000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 40)))
        sample = "\n".join(text.splitlines()[:60])
        assert sniff_delimiter(text) == max(_DELIMITERS, key=lambda d: _score(sample, d)), repr(text)


def test_a_utf16_csv_without_its_byte_order_mark_is_read(tmp_path):
    """Tab-separated UTF-16LE with no BOM (what some exports write) was refused as "binary" (operations probe, 12-06)."""
    from giamngheo.parse import parse_workbook

    text = "STT\tTên thôn\tTổng số hộ\tSố hộ nghèo\tSố hộ cận nghèo\n1\tThôn Na Thành\t120\t5\t4\n2\tThôn Đồng Tâm\t200\t8\t6\n"
    (tmp_path / "05800_phu_thinh.csv").write_bytes(text.encode("utf-16-le"))
    parsed = parse_workbook(tmp_path / "05800_phu_thinh.csv", Limits())
    assert parsed.failures == [] and parsed.encoding == "utf-16"
    (table,) = parsed.tables
    assert table.rows["name"] == ["Thôn Na Thành", "Thôn Đồng Tâm"] and table.rows["total_households__text"] == ["120", "200"]


HEADER = "STT;Tên thôn;Tổng số hộ;Hộ nghèo;Hộ cận nghèo\n"
WHOLE = HEADER + "1;Thôn A;120;5;3\n2;Lập Hòa;250;14;18\n;Tổng cộng;370;19;21\n"


def test_a_csv_cut_short_is_refused_not_read_with_its_last_figures_empty():
    """Half a CSV (copied or downloaded half way) was accepted: the village cut mid-row read with its missing figures
    as empty, the villages after it lost (independent probe). Cut where a line lacks columns and the file does not
    end a line: refused (readable, truncated), at that line."""
    cut = WHOLE[: WHOLE.index(";18")]
    with pytest.raises(UnreadableFile) as caught:
        read_csv(cut.encode("utf-8"), Limits())
    assert (caught.value.reason, caught.value.detail) == ("truncated", "3: 4 / 5")


@pytest.mark.parametrize("text", [
    WHOLE,
    WHOLE.rstrip("\n"),  # Google Sheets ends its last line without a break
    HEADER + "1;Thôn A;120;5;3\nNgười lập biểu",  # a last line of one field: a note or a signature typed by hand
    "UBND XÃ PHÚ THỊNH\n" + HEADER + "1;Thôn A;120;5;3\n2;Thôn B;250;14",  # lines never of one width
])
def test_a_whole_csv_is_read_whatever_its_last_line(text):
    assert read_csv(text.encode("utf-8"), Limits()).sheets[0].rows[1]
