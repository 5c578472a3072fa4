"""A parse result crosses from the parsing process to the flow, and into the cache, with its tables' repeated
columns sent once (parsed.packed / unpacked): what comes back is the result as parsed, value for value."""

from __future__ import annotations

import orjson

from giamngheo.cache import decode, encode
from giamngheo.parse import parse_workbook
from giamngheo.parsed import ParsedTable, ParseResult, packed, unpacked
from giamngheo.readers.grid import Limits
from samplegen.deprivations import write_deprivation_table

VILLAGES = [("Thôn Nà Khoang", 30, 20), ("Thôn Bản Chang", 34, 35), *((f"Tổ {i}", 10 + i, 9) for i in range(3, 25))]


def _table(rows: dict) -> ParsedTable:
    return ParsedTable(sheet="S", kind="deprivations", columns={}, rows=rows)


def test_a_village_table_comes_back_as_parsed_and_smaller(tmp_path):
    path = tmp_path / "thieu_hut.xlsx"
    write_deprivation_table(path, "villages_down_2row", "Phường Bắc Kạn", VILLAGES)
    parsed = parse_workbook(path, Limits())
    parsed.seconds = 0.0
    assert len(parsed.tables) >= 12  # a table per indicator over the same village rows
    plain = encode(parsed)
    sent = encode(packed(ParseResult.from_dict(decode(plain))))
    assert len(sent) < 0.5 * len(plain)
    got = ParseResult.from_dict(decode(sent))
    assert encode(got) == plain
    assert got.tables[5].rows["name"] == [name for name, _, _ in VILLAGES]


def test_repeated_and_shared_columns_are_references_and_others_stay_lists():
    first = _table({"row": [5, 6, 7], "indicator": ["bhyt", "bhyt", "bhyt"], "poor_deprived__num": [1.0, 2.0, 3.0]})
    second = _table({"row": [5, 6, 7], "indicator": ["nuoc", "nuoc", "nuoc"], "poor_deprived__num": [1.0, 2.0, 4.0]})
    result = ParseResult(parser_version="x", tables=[first, second])
    raw = orjson.loads(encode(packed(result)))
    rows = [t["rows"] for t in raw["tables"]]
    assert rows[0]["row"] == [5, 6, 7] and rows[1]["row"] == {"same": 0}
    assert rows[0]["indicator"] == {"repeat": "bhyt", "n": 3} and rows[1]["indicator"] == {"repeat": "nuoc", "n": 3}
    assert rows[1]["poor_deprived__num"] == [1.0, 2.0, 4.0]  # equal to no earlier column: sent in full
    back = unpacked([ParsedTable.from_dict(t) for t in raw["tables"]])
    assert back[1].rows == {"row": [5, 6, 7], "indicator": ["nuoc"] * 3, "poor_deprived__num": [1.0, 2.0, 4.0]}


def test_columns_of_one_value_or_none_stay_as_they_are():
    single = _table({"row": [9], "name": [None]})
    result = ParseResult(parser_version="x", tables=[single, _table({"row": [9], "name": [None]})])
    raw = orjson.loads(encode(packed(result)))
    assert [t["rows"] for t in raw["tables"]] == [{"row": [9], "name": [None]}] * 2
