"""Parse identity: what the parser makes of each file, as one hash per file, to show a reader change moves
only the files it was meant to move.

    python scripts/parse_digest.py OUT.json [--every N] DIR …     # digest every Nth file under the folders
    python scripts/parse_digest.py --compare OLD.json NEW.json     # the files whose parse result changed
    python scripts/parse_digest.py OUT.json --ignore title_cells DIR …  # a field the change adds left out

Run it with the code to measure first on the path (PYTHONPATH=SNAPSHOT, from outside the checkout), then
with the changed code, and compare. The parse time and the parser's version are left out of the hash; everything else a run reads
from a file (tables, rows, failures, title, year, date) is in it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import orjson


def digest(paths: list[Path], ignore: tuple[str, ...] = ()) -> dict[str, str]:
    os.environ.setdefault("GIAMNGHEO_SECRET", "parse digest")  # a household list's keys: the same key in both runs
    from giamngheo.parallel import ParseJob, parse_one
    from giamngheo.readers.grid import Limits

    out = {}
    for path in paths:
        result = asdict(parse_one(ParseJob(str(path), ""), Limits()))
        result.pop("seconds", None)
        result.pop("parser_version", None)  # a hash of the parser's code: changes with any change
        for name in ignore:  # a field the change adds, to compare the rest
            result.pop(name, None)
        body = orjson.dumps(result, option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY, default=repr)
        out[str(path)] = hashlib.sha256(body).hexdigest()
    return out


def files_under(dirs: list[str], every: int) -> list[Path]:
    found = sorted(p for d in dirs for p in Path(d).rglob("*") if p.is_file())
    return found[::every]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    ap.add_argument("--ignore", action="append", default=[], help="a result field left out (one a change adds)")
    args = ap.parse_intermixed_args(argv)
    if args.compare:
        old, new = (json.loads(Path(p).read_text()) for p in args.compare)
        changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
        for k in changed:
            print("changed", k)
        for k in sorted(old.keys() ^ new.keys()):
            print("only in one", k)
        print(f"{len(old.keys() & new.keys())} files compared, {len(changed)} changed")
        return 1 if changed else 0
    result = digest(files_under(args.dirs, args.every), tuple(args.ignore))
    Path(args.out).write_text(json.dumps(result, indent=0, ensure_ascii=False))
    print(f"{len(result)} files digested")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
