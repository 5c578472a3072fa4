"""Year-end results layouts (kết quả rà soát, diễn biến hộ nghèo / hộ cận nghèo).

Movements per village come from data.make_results. Balance:
end = start − decreases + increases, for poor and near-poor, per row and per total.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from .data import NEAR_DEC, NEAR_INC, POOR_DEC, POOR_INC
from .names import person_name
from .util import CommuneTitled, nfc, rate, sub_rng
from .writers import Book, Sheet, save_book

RESULT_LAYOUTS = ("official", "simple", "grouped")


@dataclass
class ResultSpec(CommuneTitled):
    commune: str
    rows: list[dict]  # from data.make_results
    year: int = 2026
    title_name: str | None = None
    balance_error: tuple | None = None  # (row index, "poor" | "near", amount added to the stated end)
    seed: int | str = 0
    signer: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def type_word(self) -> str:
        return "phường" if self.ward else ("đặc khu" if self.commune.startswith("Đặc khu") else "xã")


def _end(spec: ResultSpec, i: int, kind: str) -> int:
    r = spec.rows[i]
    value = r[f"{kind}_end"]
    if spec.balance_error and spec.balance_error[0] == i and spec.balance_error[1] == kind:
        value += spec.balance_error[2]
    return value


def _header(sheet: Sheet, top: int, cols: list[tuple], style: str = "b bd c w") -> int:
    """cols: label tuples; equal labels under equal parents merge across, None merges down."""
    from .layouts import Col, Render, write_header

    return write_header(sheet, [Col(str(i), labels) for i, labels in enumerate(cols)], top, 1, Render(), style)


def _section_row(spec: ResultSpec, i: int) -> str | None:
    """The section heading to write before village i (a commune merged in 2025 keeps its former
    communes as sections in its results too, as in its plan), or None."""
    here = spec.rows[i].get("section")
    before = spec.rows[i - 1].get("section") if i else None
    return here if here and here != before else None


def _truth_row(spec: ResultSpec, i: int, row: int) -> dict:
    r = spec.rows[i]
    out = {"village": nfc(r["village"]).strip()}
    if "section" in r:
        out["section"] = r["section"]
    out.update(
        total_end=r["total_end"], poor_start=r["poor_start"], poor_end=_end(spec, i, "poor"),
        poor_decrease=sum(r[k] for k in POOR_DEC), poor_increase=sum(r[k] for k in POOR_INC),
        near_start=r["near_start"], near_end=_end(spec, i, "near"),
        near_decrease=sum(r[k] for k in NEAR_DEC), near_increase=sum(r[k] for k in NEAR_INC), row=row,
    )
    return out


def results_official(spec: ResultSpec, rng: random.Random) -> tuple[Book, list[dict]]:
    """The official form package: "Kết quả rà soát" (end counts and rates) and the two
    "Diễn biến" sheets, each village on two rows (Hộ / Khẩu), numbered row "9=1-2-3-4+5+6+7+8"."""
    book = Book()
    unit = f"UBND {spec.title.upper()}" if spec.title else "ỦY BAN NHÂN DÂN"
    y = spec.year
    s = book.add("Kết quả rà soát")
    s.set(1, 1, unit, "b")
    s.set(3, 1, f"TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {y}", "b")
    row = _header(s, 5, [("STT", None), ("Đơn vị", None), ("Tổng số hộ", None), ("Hộ nghèo", "Số hộ"), ("Hộ nghèo", "Tỷ lệ (%)"),
                         ("Hộ cận nghèo", "Số hộ"), ("Hộ cận nghèo", "Tỷ lệ (%)")])
    s.put_row(row, ["A", "B", "1", "2", "3=2/1*100", "4", "5=4/1*100"], style="i bd c")
    row += 1
    sums = {"t": 0, "p": 0, "n": 0}
    for i, r in enumerate(spec.rows):
        if heading := _section_row(spec, i):
            s.put_row(row, [None, heading], style="b bd")
            row += 1
        p_end, n_end = _end(spec, i, "poor"), _end(spec, i, "near")
        s.put_row(
            row,
            [i + 1, r["village"], r["total_end"], p_end, rate(p_end, r["total_end"]), n_end, rate(n_end, r["total_end"])],
            style="bd",
        )
        sums["t"] += r["total_end"]
        sums["p"] += p_end
        sums["n"] += n_end
        row += 1
    s.put_row(
        row,
        [None, "Tổng cộng", sums["t"], sums["p"], rate(sums["p"], sums["t"]), sums["n"], rate(sums["n"], sums["t"])],
        style="b bd",
    )
    s.widths[2] = 22
    truth: list[dict] = []
    for kind, sheet_name, subject in (("poor", "Diễn biến HN", "HỘ NGHÈO"), ("near", "Diễn biến HCN", "HỘ CẬN NGHÈO")):
        d = book.add(sheet_name)
        d.set(1, 1, unit, "b")
        d.set(3, 1, f"TỔNG HỢP DIỄN BIẾN {subject} NĂM {y}", "b")
        noun = "hộ nghèo" if kind == "poor" else "hộ cận nghèo"
        if kind == "poor":
            dec = ("Trở thành hộ cận nghèo", "Thoát nghèo", "Giảm khác")
            inc = ("Từ hộ cận nghèo", "Tái nghèo", "Phát sinh mới", "Tăng khác")
            dec_keys, inc_keys = ("p_to_near", "p_exit", "p_other_dec"), ("p_from_near", "p_fell_back", "p_new", "p_other_inc")
        else:
            dec = ("Trở thành hộ nghèo", "Thoát cận nghèo", "Giảm khác")
            inc = ("Từ hộ nghèo", "Tái cận nghèo", "Phát sinh mới", "Tăng khác")
            dec_keys, inc_keys = ("n_to_poor", "n_exit", "n_other_dec"), ("n_from_poor", "n_fell_back", "n_new", "n_other_inc")
        cols = [("STT", None), ("Đơn vị", None), ("Phân tổ", None), (f"Số {noun} đầu kỳ", None)]
        cols += [("Số giảm trong kỳ", label) for label in dec] + [("Số tăng trong kỳ", label) for label in inc]
        cols += [(f"Số {noun} cuối kỳ", None)]
        row = _header(d, 6, cols)
        d.put_row(row, ["A", "B", "C", "1", "2", "3", "4", "5", "6", "7", "8", "9=1-2-3-4+5+6+7+8"], style="i bd c")
        row += 1
        tot_h = [0] * 9
        tot_k = [0] * 9
        for i, r in enumerate(spec.rows):
            if heading := _section_row(spec, i):
                d.put_row(row, [None, heading], style="b bd")
                row += 1
            m = r["persons"]
            end = _end(spec, i, kind)
            values = [r[f"{kind}_start"]] + [r[k] for k in dec_keys] + [r[k] for k in inc_keys] + [end]
            d.put_row(row, [i + 1, r["village"], "Hộ"] + values, style="bd")
            persons = [v * m for v in values[:-1]] + [r[f"{kind}_end"] * m]  # the person row stays balanced
            d.put_row(row + 1, [None, None, "Khẩu"] + persons, style="bd")
            if kind == "poor":
                truth.append(_truth_row(spec, i, row))
            for j in range(9):
                tot_h[j] += values[j]
                tot_k[j] += persons[j]
            row += 2
        d.put_row(row, [None, "Tổng cộng", "Hộ"] + tot_h, style="b bd")
        d.put_row(row + 1, [None, None, "Khẩu"] + tot_k, style="b bd")
        d.set(row + 3, 9, "Người lập biểu", "b c")
        d.widths[2] = 22
    return book, truth


def results_simple(spec: ResultSpec, rng: random.Random) -> tuple[Book, list[dict]]:
    """One table: start, exits, new, fell back, end for poor; start, exits, new, end for near-poor;
    total households at the end of the year."""
    book = Book()
    s = book.add(f"Kết quả {spec.year}")
    if spec.title:
        s.set(1, 1, f"UBND {spec.title.upper()}", "b")
    s.set(2, 1, f"KẾT QUẢ GIẢM NGHÈO NĂM {spec.year} THEO {'TỔ DÂN PHỐ' if spec.ward else 'THÔN'}", "b")
    label = "Tổ dân phố" if spec.ward else "Tên thôn"
    labels = ["STT", label, "Tổng số hộ cuối năm", "Hộ nghèo đầu năm", "Số hộ thoát nghèo", "Hộ nghèo phát sinh mới",
              "Hộ tái nghèo", "Hộ nghèo cuối năm", "Hộ cận nghèo đầu năm", "Số hộ thoát cận nghèo",
              "Hộ cận nghèo phát sinh mới", "Hộ cận nghèo cuối năm"]
    s.put_row(4, labels, style="b bd c w")
    row = 5
    truth = []
    for i, r in enumerate(spec.rows):
        if heading := _section_row(spec, i):
            s.put_row(row, [None, heading], style="b bd")
            row += 1
        p_out = sum(r[k] for k in POOR_DEC)
        p_new = r["p_new"] + r["p_from_near"] + r["p_other_inc"]
        n_out = sum(r[k] for k in NEAR_DEC)
        n_new = sum(r[k] for k in NEAR_INC)
        s.put_row(
            row,
            [
                i + 1,
                r["village"],
                r["total_end"],
                r["poor_start"],
                p_out,
                p_new,
                r["p_fell_back"],
                _end(spec, i, "poor"),
                r["near_start"],
                n_out,
                n_new,
                _end(spec, i, "near"),
            ],
            style="bd",
        )
        truth.append(_truth_row(spec, i, row))
        row += 1
    s.widths[2] = 22
    return book, truth


def results_grouped(spec: ResultSpec, rng: random.Random) -> tuple[Book, list[dict]]:
    """3-row header: subject (HỘ NGHÈO / HỘ CẬN NGHÈO), then "Số hộ giảm trong năm" /
    "Số hộ tăng trong năm" groups, then the movements; the total row comes first."""
    book = Book()
    s = book.add("Diễn biến")
    if spec.title:
        s.set(1, 1, f"UBND {spec.title.upper()}", "b")
    s.set(2, 1, f"BÁO CÁO DIỄN BIẾN HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {spec.year}", "b")
    s.set(3, 1, "(Kèm theo Báo cáo kết quả thực hiện công tác giảm nghèo năm " + str(spec.year) + ")", "i")
    label = "Tổ dân phố" if spec.ward else "Thôn, xóm"
    P, N = "HỘ NGHÈO", "HỘ CẬN NGHÈO"
    dg, ig = "Số hộ giảm trong năm", "Số hộ tăng trong năm"
    cols = [("STT", None, None), (label, None, None), ("Tổng số hộ\ncuối năm", None, None),
            (P, "Đầu năm", None), (P, dg, "Thoát nghèo"), (P, dg, "Chuyển sang cận nghèo"), (P, dg, "Giảm khác"),
            (P, ig, "Phát sinh mới"), (P, ig, "Tái nghèo"), (P, ig, "Từ cận nghèo"), (P, "Cuối năm", None),
            (N, "Đầu năm", None), (N, dg, "Thoát cận nghèo"), (N, dg, "Chuyển sang hộ nghèo"), (N, dg, "Giảm khác"),
            (N, ig, "Phát sinh mới"), (N, ig, "Tái cận nghèo"), (N, ig, "Từ hộ nghèo"), (N, "Cuối năm", None)]
    row = _header(s, 5, cols)

    def values(i: int | None) -> list:
        rows = spec.rows if i is None else [spec.rows[i]]
        idx = range(len(spec.rows)) if i is None else [i]
        tot = lambda k: sum(r[k] for r in rows)  # noqa: E731
        p_end = sum(_end(spec, j, "poor") for j in idx)
        n_end = sum(_end(spec, j, "near") for j in idx)
        return [tot("total_end"), tot("poor_start"), tot("p_exit"), tot("p_to_near"), tot("p_other_dec"),
                tot("p_new") + tot("p_other_inc"), tot("p_fell_back"), tot("p_from_near"), p_end,
                tot("near_start"), tot("n_exit"), tot("n_to_poor"), tot("n_other_dec"),
                tot("n_new") + tot("n_other_inc"), tot("n_fell_back"), tot("n_from_poor"), n_end]

    s.put_row(row, [None, f"Toàn {spec.type_word}"] + values(None), style="b bd")
    row += 1
    truth = []
    for i, r in enumerate(spec.rows):
        if heading := _section_row(spec, i):
            s.put_row(row, [None, heading], style="b bd")
            row += 1
        s.put_row(row, [i + 1, r["village"]] + values(i), style="bd")
        truth.append(_truth_row(spec, i, row))
        row += 1
    s.set(row + 1, 2, "Người lập biểu", "b c")
    s.set(row + 1, 14, "TM. ỦY BAN NHÂN DÂN", "b c")
    s.set(row + 2, 14, "CHỦ TỊCH", "b c")
    s.set(row + 6, 14, spec.signer or person_name(rng), "b c")
    s.widths[2] = 22
    return book, truth


RESULT_FUNCTIONS = {"official": results_official, "simple": results_simple, "grouped": results_grouped}


def write_results_table(path, layout: str, commune_name: str, rows: list[dict], year: int = 2026, **opts) -> list[dict]:
    """Write one commune's year-end results in `layout` (.xlsx); return per-village truth rows
    (village, total_end, poor/near start, end, decrease, increase, row of the household figures)."""
    if layout not in RESULT_FUNCTIONS:
        raise ValueError(f"unknown results layout {layout!r}; expected one of {', '.join(RESULT_LAYOUTS)}")
    when = opts.pop("when", None)
    spec = ResultSpec(commune=commune_name, rows=rows, year=year, **opts)
    book, truth = RESULT_FUNCTIONS[layout](spec, sub_rng(spec.seed, "results", layout, commune_name))
    if when is not None:
        book.created = when
    save_book(book, Path(path), "xlsx")
    return truth
