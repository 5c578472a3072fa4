"""A file parses the same in every process: nothing in the reading may hang on the interpreter's hash seed
(a set's order), or a rerun would read a file differently from the run before it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
PARSE = """
import sys, orjson
from pathlib import Path
from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits
result = parse_workbook(Path(sys.argv[1]), Limits())
result.seconds = 0.0
print(";".join(str(t.subject) for t in result.tables))
sys.stdout.buffer.write(orjson.dumps(result))
"""


def _combined_results(path: Path) -> None:
    """A year-end results form giving the poor and the near-poor side by side, as many columns each."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Kết quả 2026"
    ws.append(["UBND PHƯỜNG VĨNH TUY"])
    ws.append(["KẾT QUẢ GIẢM NGHÈO NĂM 2026 THEO TỔ DÂN PHỐ"])
    ws.append([])
    ws.append(["STT", "Tổ dân phố", "Tổng số hộ cuối năm", "Hộ nghèo đầu năm", "Số hộ thoát nghèo", "Hộ nghèo phát sinh mới",
               "Hộ tái nghèo", "Hộ nghèo cuối năm", "Hộ cận nghèo đầu năm", "Số hộ thoát cận nghèo", "Hộ cận nghèo phát sinh mới",
               "Hộ cận nghèo cuối năm"])
    for i in range(1, 6):
        ws.append([i, f"Tổ dân phố {i}", 200 + i, 4, 1, 0, 0, 3, 6, 2, 1, 5])
    book.save(path)


def test_a_results_form_of_both_groups_parses_alike_under_every_hash_seed(tmp_path):
    path = tmp_path / "00283_ket_qua.xlsx"
    _combined_results(path)
    outputs = set()
    subjects = set()
    for seed in ("0", "1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", PARSE, str(path)], cwd=ROOT, capture_output=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        first, _, rest = done.stdout.partition(b"\n")
        subjects.add(first.decode())
        outputs.add(rest)
    # the start and end columns name the poor and the near-poor as often: the leftmost, the poor, is the table's subject
    assert subjects == {"poor"}
    assert len(outputs) == 1
