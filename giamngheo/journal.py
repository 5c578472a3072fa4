"""The approval journal: `--out/journal.jsonl`, append-only and hash-chained.

Each line is one entry, canonical JSON (sorted keys, no spaces) with `seq` (1, 2, ...), `prev`
(the `hash` of the entry before; GENESIS for the first) and `hash`, the SHA-256 of the entry's
canonical JSON without `hash`. So `hash` covers every other field of its entry, `prev` and `seq`
included, and altering any field of any entry breaks either that entry's own hash or the next
entry's `prev`. Nothing is ever rewritten: an entry is appended under an exclusive lock on the
journal (fcntl), so two auditors approving at once both keep their entry.

A chain alone cannot show entries cut from its end (what is left is still a valid chain): each published
run records the journal it read in its manifest (`journal`: entries and the last entry's hash, `anchor`),
and `verify` holds the journal to every run's record (`anchors_in`). Entries appended since the last run
are covered from the next run on.

The journal lives at the top of --out, beside `runs/` and `.cache/`, never inside either: pruning
runs or clearing the cache leaves it alone, and publishing a run never touches it (outputs.PUBLISHED).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .outputs import RUNS, previous_runs

JOURNAL = "journal.jsonl"
GENESIS = "0" * 64


def canonical(entry: dict) -> bytes:
    """The entry's bytes as hashed and written: sorted keys, no spaces, UTF-8."""
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    """SHA-256 of the entry without its own `hash` field."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def chained(body: dict, previous: dict | None) -> dict:
    """`body` made the entry that follows `previous` (seq, prev and hash set)."""
    entry = {k: v for k, v in body.items() if k not in ("seq", "prev", "hash")}
    entry["seq"] = previous["seq"] + 1 if previous else 1
    entry["prev"] = previous["hash"] if previous else GENESIS
    entry["hash"] = entry_hash(entry)
    return entry


def path_of(out: Path) -> Path:
    return Path(out) / JOURNAL


def append(out: Path, body: dict) -> dict:
    """Append `body` as the next entry of out/journal.jsonl and return it as written (fsynced).

    The lock is held from reading the last entry to the fsync, so concurrent writers queue."""
    path = path_of(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            entry = chained(body, _last_entry(fd))
            data = canonical(entry) + b"\n"
            size, written = os.fstat(fd).st_size, 0
            try:
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            except OSError:  # a full disk mid-entry: the journal as it was, never a cut-off line
                os.ftruncate(fd, size)
                raise
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return entry


def _last_entry(fd: int) -> dict | None:
    """The last complete line of the open journal, parsed (None when empty)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    chunk, start = b"", size
    while start > 0:  # read backwards until the last line is whole: entries can be long
        step = min(65536, start)
        start -= step
        chunk = os.pread(fd, step, start) + chunk
        body = chunk.rstrip(b"\n")
        if b"\n" in body or start == 0:
            break
    last = chunk.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        return json.loads(last)
    except ValueError:
        # a torn or altered last line: chain on as best we can; `journal verify` reports it
        lines = os.pread(fd, size, 0).rstrip(b"\n").split(b"\n")
        return {"seq": len(lines), "hash": hashlib.sha256(last).hexdigest()}


def read(out: Path) -> list[dict]:
    """Every entry, in order (lines that are not JSON objects are skipped; `verify` names them)."""
    path = path_of(out)
    if not path.exists():
        return []
    entries = []
    for line in path.read_bytes().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


@dataclass
class Verdict:
    """What `journal verify` found: entries checked, and the first altered one (1-based line) with why."""

    entries: int
    bad_line: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_line is None


def verify_lines(lines: list[bytes]) -> Verdict:
    """Check the chain of the journal's lines; name the first entry that was altered."""
    previous: dict | None = None
    for n, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            return Verdict(n - 1, n, "không đọc được dòng (not valid JSON)")
        if not isinstance(entry, dict) or "hash" not in entry:
            return Verdict(n - 1, n, "dòng không phải một mục nhật ký (not a journal entry)")
        if entry.get("seq") != n:
            return Verdict(
                n - 1, n, f"số thứ tự {entry.get('seq')!r}, cần {n}: có mục bị xoá hoặc chèn (entry removed or inserted)"
            )
        if entry_hash(entry) != entry["hash"]:
            return Verdict(n - 1, n, "nội dung không khớp mã băm của chính nó (its content no longer matches its hash)")
        expected = previous["hash"] if previous else GENESIS
        if entry.get("prev") != expected:
            # this entry still matches its own hash, so the one before it was rewritten (hash recomputed)
            return Verdict(
                max(n - 2, 0),
                n - 1 if previous else n,
                "mã băm đã bị tính lại: mục sau ghi mã khác (rewritten: the next entry records another hash)",
            )
        previous = entry
    return Verdict(len(lines))


def anchor(entries: list[dict]) -> dict:
    """What a run records of the journal it read: how many entries, and the last one's hash."""
    return {"entries": len(entries), "head": entries[-1].get("hash") if entries else GENESIS}


def anchors_in(out: Path) -> list[tuple[str, dict]]:
    """(run id, anchor) of every published run under out/runs that recorded one."""
    found = []
    for run_id in previous_runs(Path(out)):
        try:
            recorded = json.loads((Path(out) / RUNS / run_id / "manifest.json").read_bytes()).get("journal")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(recorded, dict) and isinstance(recorded.get("entries"), int):
            found.append((run_id, recorded))
    return found


def verify_anchors(lines: list[bytes], anchors: list[tuple[str, dict]]) -> Verdict:
    """The journal against what each run read of it: as many entries at least, the same entry where it ended. A run's
    record pins the chain up to the entry it ended at, so a difference is placed after the longest record that still
    holds: an entry altered and the chain re-hashed from it on was named as the last entry a later run read, the ones
    before it said intact (operations probe, Lâm Đồng)."""
    intact = 0  # entries a run's record vouches for
    for run_id, recorded in sorted(anchors, key=lambda a: a[1]["entries"]):
        k = recorded["entries"]
        if k == 0:
            continue
        if len(lines) < k:
            return Verdict(len(lines), len(lines) + 1, f"lần chạy {run_id} đã đọc {k} mục, nay chỉ còn {len(lines)}: "
                                                       f"các mục cuối đã bị xoá (entries removed from the end)")
        if json.loads(lines[k - 1]).get("hash") != recorded.get("head"):
            first = intact + 1
            if first == k:
                return Verdict(k - 1, k, f"khác mục thứ {k} mà lần chạy {run_id} đã đọc (not the entry run {run_id} read)")
            return Verdict(intact, first, f"các mục {first}–{k} khác những gì lần chạy {run_id} đã đọc: một mục trong số đó đã "
                                          f"bị sửa và mã băm được tính lại từ đó (entries {first}-{k} differ from what run "
                                          f"{run_id} read: one was altered and the chain re-hashed)")
        intact = max(intact, k)
    return Verdict(len(lines))


def verify(out: Path) -> Verdict:
    """Verify out/journal.jsonl (an absent journal is an empty, valid one, unless a run read entries in it)."""
    path = path_of(out)
    lines = path.read_bytes().split(b"\n") if path.exists() else []
    if lines and lines[-1] == b"":
        lines.pop()
    verdict = verify_lines(lines)
    return verify_anchors(lines, anchors_in(out)) if verdict.ok else verdict
