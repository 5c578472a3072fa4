"""The real annex of xã Phú Thịnh (Thái Nguyên, commune 05800), transcribed from the public
plan "Kế hoạch thực hiện công tác giảm nghèo năm 2026 trên địa bàn xã Phú Thịnh"
(shared/seeds/000_b0b648b8a3cacd38.txt). Kept exactly, mistakes included: the total row
says 5.441 households and 43 / 43 planned reductions while the 40 rows sum to 5,053 and
45 / 45 (poor 127 and near-poor 118 do match).
"""

from __future__ import annotations

CODE = "05800"
COMMUNE = "Xã Phú Thịnh"
PROVINCE_CODE = "19"
SIGNER = "Hoàng Minh Hòa"
ASSIGNED_PP = 0.79  # the "0,79" the annex states on its total row

# STT, Tên xóm, Tổng số hộ, Số hộ nghèo, Số hộ cận nghèo, Số hộ nghèo giảm, Tỷ lệ giảm %,
# Số hộ cận nghèo giảm, Tỷ lệ giảm%  — None is an empty cell, "-" is written as such.
ROWS = [
    (1, "Ba Giăng", 199, 3, 2, 1, 0.5, 1, 0.5),
    (2, "Lê Lợi", 113, 3, 2, 1, 0.9, 1, 0.9),
    (3, "Ninh Giang", 121, 4, 1, 1, 0.8, None, None),
    (4, "Rừng Vằn", 104, 2, 1, 1, 1.0, 1, 1.0),
    (5, "Rừng Lâm", 140, 2, None, 1, 0.7, None, None),
    (6, "Đồng Ninh", 92, 5, None, 1, 1.1, None, None),
    (7, "Cao Khản", 101, 4, 1, 1, 1.0, None, None),
    (8, "La Mận", 79, 2, 2, 1, 1.3, 1, 1.3),
    (9, "Quang Trung", 161, 3, None, 1, 0.6, None, None),
    (10, "Khâu Giang", 148, 2, 2, None, None, 1, 0.7),
    (11, "Khâu Giáo 1", 78, 2, 4, 1, 1.3, 1, 1.3),
    (12, "Khâu giáo 2", 78, 4, 2, 1, 1.3, 1, 1.3),
    (13, "Đàm Mua", 100, 3, 3, 1, 1.0, 1, 1.0),
    (14, "Phú Hạ", 123, 3, None, 1, 0.8, None, "-"),
    (15, "Vai Cày", 159, 3, 2, 1, 0.6, 1, 0.6),
    (16, "Đồng Ngõ", 168, 2, None, 1, 0.6, None, "-"),
    (17, "Chiềng", 177, 1, 3, None, None, 1, 0.6),
    (18, "Khuân Thông", 176, 2, 4, 1, 0.6, 2, 1.1),
    (19, "Thanh Mỹ", 90, 2, 4, 1, 1.1, 1, 1.1),
    (20, "Na Quýt", 134, 4, 4, 2, 1.5, 1, 0.7),
    (21, "Na Mẩn", 110, 2, 6, 1, 0.9, 2, 1.8),
    (22, "Bán Luông", 189, 1, 6, 1, 0.5, 1, 0.5),
    (23, "Đèo", 144, 4, 5, 1, 0.7, 2, 1.4),
    (24, "Văn Cường 1", 109, 5, 5, 1, 0.9, 2, 1.8),
    (25, "Văn Cường 2", 110, 3, 3, 1, 0.9, 2, 1.8),
    (26, "Văn Cường 3", 136, 4, 3, 1, 0.7, 2, 1.5),
    (27, "Trung Tâm", 165, 6, 8, 3, 1.8, 3, 1.8),
    (28, "Cây Lai", 122, 3, 6, 1, 0.8, 1, 0.8),
    (29, "Ao Soi", 127, 3, 3, 1, 0.8, 1, 0.8),
    (30, "Minh Thắng", 113, 5, 4, 2, 1.8, 1, 0.9),
    (31, "Cường Thịnh", 125, 3, 4, 1, 0.8, 2, 1.6),
    (32, "Làng Thượng", 166, 5, 1, 2, 1.2, 1, 0.6),
    (33, "Đồng Kim", 145, 5, 6, 2, 1.4, 3, 2.1),
    (34, "Tân Quy", 107, 3, 2, 1, 0.9, 1, 0.9),
    (35, "Gò Vũ", 109, 3, 2, 1, 0.9, 1, 0.9),
    (36, "Xóm Gò", 89, 4, 3, 2, 2.2, 1, 1.1),
    (37, "Xóm Phố", 150, 4, 5, 1, 0.7, 2, 1.3),
    (38, "Phú Thịnh 1", 101, 2, 4, 1, 1.0, 1, 1.0),
    (39, "Phú Thịnh 2", 77, 2, 2, 1, 1.3, 1, 1.3),
    (40, "Hùng Cường", 118, 4, 3, 1, 0.8, 1, 0.8),
]
TOTAL_ROW = {"total": 5441, "poor": 127, "near": 118, "pred": 43, "pred_rate": 0.79, "nred": 43, "nred_rate": 0.79}

TITLE = "KẾ HOẠCH PHÂN ĐẦU GIẢM TỶ LỆ HỘ NGHÈO VÀ HỘ CẬN NGHÈO NĂM 2026"
SUBTITLE = "(Kèm theo Kế hoạch số /KH-UBND ngày tháng 5 năm 2026 của UBND xã Phú Thịnh)"
VILLAGE_LABEL = "Tên xóm"

PROSE = [
    "Số /KH-UBND",
    "Phú Thịnh, ngày tháng 5 năm 2026",
    "KẾ HOẠCH",
    "Thực hiện công tác giảm nghèo năm 2026 trên địa bàn xã Phú Thịnh",
    "Căn cứ Quyết định số 417/QĐ-BNNMT ngày 31/01/2026 của Bộ Nông nghiệp và Môi trường phê duyệt Chương trình "
    "mục tiêu quốc gia xây dựng nông thôn mới, giảm nghèo bền vững và phát triển kinh tế - xã hội vùng đồng bào dân "
    "tộc thiểu số và miền núi giai đoạn 2026-2035, giai đoạn I: Từ năm 2026 đến năm 2030;",
    "Căn cứ Quyết định số 2612/QĐ-UBND ngày 30/12/2025 của UBND tỉnh về việc giao kế hoạch phát triển kinh tế - xã "
    "hội tỉnh Thái Nguyên năm 2026;",
    "Căn cứ Quyết định số 358/QĐ-UBND ngày 13/02/2026 của UBND tỉnh về việc điều chỉnh kế hoạch phát triển kinh tế "
    "- xã hội tỉnh Thái Nguyên năm 2026;",
    "Căn cứ Quyết định số 313/QĐ-UBND ngày 06/04/2026 của UBND xã Phú Thịnh về việc điều chỉnh kế hoạch phát triển "
    "kinh tế - xã hội xã Phú Thịnh năm 2026.",
    "Ủy ban nhân dân xã Phú Thịnh xây dựng Kế hoạch thực hiện công tác giảm nghèo năm 2026 trên địa bàn xã, như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "Trên đây là kế hoạch thực hiện công tác giảm nghèo năm 2026 trên địa bàn xã Phú Thịnh, đề nghị Ủy ban Mặt trận "
    "tổ quốc xã, các phòng, ban, ngành chuyên môn, các thôn trên địa bàn xã triển khai, thực hiện. Trong quá trình "
    "thực hiện, nếu có khó khăn, vướng mắc phát sinh kịp thời phản ánh về UBND xã (qua Phòng Kinh tế) để phối hợp, "
    "thực hiện./.",
    "(Có biểu chi tiết phân đấu giảm tỷ lệ hộ nghèo, hộ cận nghèo của từng xóm kèm theo)",
    "Nơi nhận:",
    "- Chi cục KTHT và PTNT;",
    "- Thường trực ĐU, HĐND xã;",
    "- Ủy ban MTTQ Việt Nam xã;",
    "- Chủ tịch, các PCT UBND xã;",
    "- Các phòng chuyên môn thuộc xã;",
    "- Trung tâm PV HCC xã;",
    "- Trung tâm DVTH xã;",
    "- Lưu VP-UBND.",
]


def villages() -> list[dict]:
    """The 40 rows as village dicts (empty and "-" cells are zero)."""
    out = []
    for _stt, name, total, poor, near, pred, _pr, nred, _nr in ROWS:
        out.append({"village": name, "total": total, "poor": poor or 0, "near": near or 0, "pred": pred or 0, "nred": nred or 0})
    return out


def cell_overrides() -> dict:
    """Cells the seed layout must write exactly as in the document ("-" where a zero rate is shown so)."""
    out = {}
    for i, row in enumerate(ROWS):
        for field, value in (("near", row[4]), ("pred", row[5]), ("pred_rate", row[6]), ("nred", row[7]), ("nred_rate", row[8])):
            if value == "-":
                out[(i, field)] = "-"
    return out


def write_options() -> dict:
    """Options for layouts.write_plan_table(..., "seed", COMMUNE, villages(), **write_options())."""
    return {
        "declared": dict(TOTAL_ROW),
        "cells": cell_overrides(),
        "texts": {"title": TITLE, "subtitle": SUBTITLE, "prose": PROSE, "village_label": VILLAGE_LABEL, "zero": "blank"},
        "signer": SIGNER,
        "province": "tỉnh Thái Nguyên",
    }
