"""Killing a run at any moment leaves complete, readable, consistent outputs; one run per folder at a time.

After every kill the top of --out must hold exactly one run: manifest.json names it,
runs/<run_id>/ holds it, every published file at the top is that run's file (same bytes),
no other run's file is left there, every parquet opens and its run_id column is that run
id. That run is either the previous one or the killed one. The next run must then
succeed, finish what was interrupted and leave no debris.

- `giamngheo run` killed at the product's fault points (GIAMNGHEO_FAULT, a SIGKILL where
  it stands: every one before publishing and three while publishing), one after another
  on one folder, then by real SIGKILLs at random moments, each followed by a normal run;
- the publish step alone (tests/hostile/publisher.py: the same `outputs.commit` and
  `outputs.recover`, no flow) killed at every fault point five times over and at random
  instants, which a full run (seconds each) could not afford;
- two runs started together on one --out with --wait: both succeed, one after the
  other; without --wait the second is refused with exit status 3 and a clear message.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest

from conftest import ROOT, THAI_NGUYEN
from giamngheo import outputs

pytestmark = [pytest.mark.flow, pytest.mark.slow]

GIAMNGHEO = ROOT / ".venv" / "bin" / "giamngheo"
PUBLISHER = ROOT / "tests" / "hostile" / "publisher.py"
SMALL = ["05710_phuong_linh_son.xlsx", "02083_xa_yen_phong.xlsx", "05851_xa_quan_chu.xlsx"]  # 2 accepted, 1 rejected
PRE_PUBLISH = ["staged", "run_saved", "journal_written"]  # the killed run is not visible yet at these points
REPEATS = 5
SEED = 20260520


# ------------------------------------------------------------------------------------------------ helpers


def start_run(raw: Path, out: Path, *extra: str, fault: str | None = None) -> subprocess.Popen:
    """`giamngheo run` in its own process group (a SIGKILL of the group also takes its parsing workers)."""
    env = os.environ.copy()
    env.pop("GIAMNGHEO_FAULT", None)
    if fault:
        env["GIAMNGHEO_FAULT"] = fault
    cmd = [str(GIAMNGHEO), "run", "--raw", str(raw), "--out", str(out), "--province", "19", "--no-progress", *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        kill_group(proc)
    return proc.returncode, stdout, stderr


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL what is left of a run we started (its process group), e.g. workers orphaned by a kill."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_ok(raw: Path, out: Path, *extra: str) -> str:
    code, stdout, stderr = finish(start_run(raw, out, *extra))
    assert code == 0, f"exit {code}\n{stdout[-2000:]}\n{stderr[-3000:]}"
    # a run served from the cache stopped its workers while they were starting: each printed a traceback
    assert "Traceback" not in stderr, stderr[-3000:]
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run_id"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): digest(p) for p in sorted(path.rglob("*")) if p.is_file()}


def top_level(out: Path) -> tuple[str | None, list[str]]:
    """The run the top of `out` holds, and every way it is not exactly one complete run."""
    problems: list[str] = []
    try:
        run_id = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    except (OSError, ValueError, KeyError) as exc:
        return None, [f"manifest.json unreadable: {exc!r}"]
    run_dir = out / outputs.RUNS / run_id
    if not (run_dir / "manifest.json").is_file():
        return run_id, [f"manifest names {run_id}, which is not a complete run under runs/"]
    foreign = []
    for name in outputs.PUBLISHED:
        top, own = out / name, run_dir / name
        if own.exists() and not top.exists():
            problems.append(f"{name}: missing at the top")
        elif top.exists() and not own.exists():
            foreign.append(name)
        elif top.is_dir():
            if _tree(top) != _tree(own):
                foreign.append(name + "/")
        elif top.exists() and digest(top) != digest(own):
            foreign.append(name)
    if foreign:
        problems.append(f"not the files of run {run_id} (named by manifest.json): {', '.join(foreign)}")
    for path in sorted(out.glob("*.parquet")):
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
            problems.append(f"{path.name}: cannot be read ({type(exc).__name__})")
            continue
        if "run_id" in frame.columns and frame.height and frame["run_id"].unique().to_list() != [run_id]:
            if path.name not in foreign:
                problems.append(f"{path.name}: run_id {sorted(frame['run_id'].unique().to_list())} != manifest {run_id}")
    for path in [*out.glob("*.xlsx"), *(out / "feedback").glob("*.xlsx")]:
        try:
            with zipfile.ZipFile(path) as zf:
                if zf.testzip() is not None:
                    problems.append(f"{path.name}: damaged")
        except (OSError, zipfile.BadZipFile) as exc:
            problems.append(f"{path.name}: cannot be opened ({exc})")
    return run_id, problems


def debris(out: Path) -> list[str]:
    """What a finished run must not leave behind: a journal, half-published names, staged runs."""
    left = [p.name for p in out.iterdir() if p.name.startswith((".new-", ".old-", outputs.JOURNAL_NAME))]
    staging = out / outputs.STAGING
    if staging.exists():
        left += [f"{outputs.STAGING}/{p.name}" for p in staging.iterdir()]
    return left


def run_ids(out: Path) -> set[str]:
    """Every run id present in `out`, staged or saved."""
    found = set()
    for folder in (out / outputs.RUNS, out / outputs.STAGING):
        if folder.is_dir():
            found |= {p.name for p in folder.iterdir()}
    return found


def figures(out: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(out / f"{name}.parquet").drop("run_id").sort(pl.all())
            for name in ("villages", "communes", "provinces")}


def same_figures(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> bool:
    return all(a[k].equals(b[k]) for k in a)


def journal_run(out: Path) -> str | None:
    try:
        return json.loads((out / outputs.JOURNAL_NAME).read_text(encoding="utf-8"))["run_id"]
    except (OSError, ValueError, KeyError):
        return None


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("crash") / "raw"
    raw.mkdir()
    for name in SMALL:
        shutil.copy2(THAI_NGUYEN / "communes" / name, raw / name)
    return raw


@pytest.fixture(scope="module")
def reference(prefect_server, small_raw, tmp_path_factory):
    """One complete run of the small folder: its figures are what every recovered run must show."""
    out = tmp_path_factory.mktemp("crash-ref") / "out"
    first = run_ok(small_raw, out)
    second = run_ok(small_raw, out)  # a second run also publishes diff.json
    names = [n for n in outputs.PUBLISHED if (out / outputs.RUNS / second / n).exists()]
    return {"out": out, "figures": figures(out), "published": names, "run_dir": out / outputs.RUNS / second, "first": first}


# ------------------------------------------------------------------------------------------------ real runs killed


def chain_of_faults(published: list[str]) -> list[str]:
    """Fault points for real runs, chained on one folder.

    A run first finishes any publish left pending (recover), and the fault fires there
    too; so every kill that leaves a journal is followed by a kill before publishing
    (staged / run_saved), whose run recovers the pending one and is itself never shown.
    """
    chosen = [published[0], "manifest.json", published[-1]]
    chain = ["journal_written"]
    for i, name in enumerate(chosen):
        chain += ["staged" if i % 2 == 0 else "run_saved", f"published:{name}"]
    return chain


def test_real_run_killed_at_every_fault_point(reference, small_raw, tmp_path):
    """Real runs killed at the fault points (all before publishing, and three publishing ones), then a normal run."""
    out = tmp_path / "out"
    expected = run_ok(small_raw, out)
    problems: list[str] = []
    for fault in chain_of_faults(reference["published"]):
        before = run_ids(out)
        code, _, stderr = finish(start_run(small_raw, out, fault=fault))
        assert code == -signal.SIGKILL, f"{fault}: the fault point was not reached (exit {code})\n{stderr[-2000:]}"
        new = run_ids(out) - before
        assert len(new) == 1, f"{fault}: runs before {sorted(before)}, after {sorted(run_ids(out))}"
        killed = new.pop()
        # the killed run first finished the publish interrupted before it: the top is that run, or this one
        now, found = top_level(out)
        problems += [f"after a kill at {fault}: {p}" for p in found]
        if now not in (expected, killed):
            problems.append(f"after a kill at {fault}: the top holds {now}, neither the previous run {expected} nor {killed}")
        if fault in ("staged", "run_saved"):
            assert now == expected and not found, f"{fault}: the pending publish was not recovered: {now} {found}"
            assert journal_run(out) is None
        else:
            assert journal_run(out) == killed
            expected = killed
    final = run_ok(small_raw, out)
    now, found = top_level(out)
    assert (now, found) == (final, []), found
    assert debris(out) == []
    assert same_figures(figures(out), reference["figures"])
    assert not problems, "outputs not one consistent run after a kill:\n" + "\n".join(problems)


def test_real_run_killed_at_random_moments_then_recovered(reference, small_raw, tmp_path):
    """Real SIGKILLs (the whole process group) at random moments of a run, parsing included; the next run recovers."""
    out = tmp_path / "out"
    previous = run_ok(small_raw, out)
    rng = random.Random(SEED)
    problems: list[str] = []
    durations = []
    for attempt in range(5):
        extra = ("--no-cache",) if attempt % 2 else ()  # every other run parses again (worker processes alive)
        started = time.monotonic()
        proc = start_run(small_raw, out, *extra)
        delay = rng.uniform(0.3, 5.0)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            pass
        kill_group(proc)
        proc.wait()
        durations.append((round(delay, 2), proc.returncode))
        now, found = top_level(out)
        newest = sorted(run_ids(out))[-1] if run_ids(out) else None
        problems += [f"kill after {delay:.2f}s: {p}" for p in found]
        if now not in (previous, newest):
            problems.append(f"kill after {delay:.2f}s: the top holds {now}, neither {previous} nor {newest}")
        recovered = run_ok(small_raw, out)
        now, found = top_level(out)
        assert (now, found) == (recovered, []), f"after the recovery run: {found}"
        assert debris(out) == []
        assert same_figures(figures(out), reference["figures"])
        previous = recovered
        assert time.monotonic() - started < 120
    assert not problems, f"kills (delay s, exit): {durations}\n" + "\n".join(problems)


# ------------------------------------------------------------------------------------------------ the publish step alone


class FakeRuns:
    """Copies of a real run under new run ids, every file's bytes made unique to its run."""

    def __init__(self, template: Path, folder: Path):
        self.template, self.folder, self.n = template, folder, 0

    def make(self) -> tuple[str, Path]:
        self.n += 1
        run_id = f"20991231T235959{self.n:03d}Z-99999"
        dest = self.folder / run_id
        shutil.copytree(self.template, dest)
        for path in sorted(dest.rglob("*")):
            if path.suffix == ".parquet":
                frame = pl.read_parquet(path)
                if "run_id" in frame.columns:
                    frame = frame.with_columns(pl.lit(run_id).alias("run_id"))
                frame.with_columns(pl.lit(run_id).alias("_fake_run")).write_parquet(path)
            elif path.name == "manifest.json" or path.suffix == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                data["run_id"] = run_id
                path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            elif path.suffix == ".xlsx":
                with zipfile.ZipFile(path, "a") as zf:
                    zf.comment = run_id.encode()
            elif path.suffix == ".html":
                path.write_text(path.read_text(encoding="utf-8") + f"\n<!-- {run_id} -->\n", encoding="utf-8")
        return run_id, dest


def publish(out: Path, run_id: str, source: Path, fault: str | None = None) -> subprocess.Popen:
    env = os.environ.copy()
    env.pop("GIAMNGHEO_FAULT", None)
    if fault:
        env["GIAMNGHEO_FAULT"] = fault
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, str(PUBLISHER), str(out), run_id, str(source)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def recover_like_the_next_run(out: Path) -> None:
    with outputs.run_lock(out, 30):
        outputs.recover(out)


@pytest.fixture
def publish_folder(reference, tmp_path):
    """An --out holding the reference run, and a factory of distinct fake runs to publish over it."""
    out = tmp_path / "out"
    shutil.copytree(reference["out"], out, symlinks=True)
    now, found = top_level(out)
    assert found == []
    return out, now, FakeRuns(reference["run_dir"], tmp_path / "fakes")


@pytest.mark.parametrize(
    "fault", PRE_PUBLISH + ["published:first", "published:middle", "published:manifest.json", "published:last"]
)
def test_publish_killed_at_fault_point_five_times(reference, publish_folder, fault):
    """The publish step killed at one fault point, five times in a row; each time the next run must recover."""
    out, previous, fakes = publish_folder
    names = reference["published"]
    fault = {"published:first": f"published:{names[0]}", "published:middle": f"published:{names[len(names) // 2]}",
             "published:last": f"published:{names[-1]}"}.get(fault, fault)
    problems: list[str] = []
    for attempt in range(REPEATS):
        run_id, source = fakes.make()
        proc = publish(out, run_id, source, fault)
        code, _, stderr = finish(proc, timeout=60)
        assert code == -signal.SIGKILL, f"{fault}: not reached (exit {code}): {stderr[-2000:]}"
        now, found = top_level(out)
        problems += [f"#{attempt + 1} killed at {fault}: {p}" for p in found]
        if now not in (previous, run_id):
            problems.append(f"#{attempt + 1} killed at {fault}: top holds {now}")
        recover_like_the_next_run(out)
        expected = previous if fault in ("staged", "run_saved") else run_id
        now, found = top_level(out)
        assert (now, found) == (expected, []), f"#{attempt + 1} {fault}: after recovery {now}: {found}"
        assert debris(out) == []
        previous = expected
    assert not problems, "\n".join(problems)


def test_publish_killed_at_every_published_name(reference, publish_folder):
    """Every name the publish step replaces, as a kill point (once each; the parametrized test repeats four of them)."""
    out, previous, fakes = publish_folder
    problems: list[str] = []
    for name in reference["published"]:
        run_id, source = fakes.make()
        code, _, stderr = finish(publish(out, run_id, source, f"published:{name}"), timeout=60)
        assert code == -signal.SIGKILL, stderr[-2000:]
        now, found = top_level(out)
        problems += [f"killed after publishing {name}: {p}" for p in found]
        if now not in (previous, run_id):  # a reader sees one run's files or the next's, never a third
            problems.append(f"killed after publishing {name}: top holds {now}")
        recover_like_the_next_run(out)
        assert top_level(out) == (run_id, [])
        previous = run_id
    assert not problems, "\n".join(problems)


def test_publish_killed_at_random_instants(reference, publish_folder):
    """SIGKILL at random instants of the publish step itself (60 times), each followed by recovery."""
    out, previous, fakes = publish_folder
    rng = random.Random(SEED)
    run_id, source = fakes.make()  # time one undisturbed publish to aim the kills
    proc = publish(out, run_id, source)
    code, stdout, stderr = finish(proc, timeout=60)
    assert code == 0, stderr
    span = float(stdout.split("committed")[1])
    previous = run_id
    problems: list[str] = []
    for attempt in range(60):
        run_id, source = fakes.make()
        proc = publish(out, run_id, source)
        assert proc.stdout.readline().strip() == "staged"
        time.sleep(rng.uniform(0, span * 1.2))
        kill_group(proc)
        proc.communicate()
        now, found = top_level(out)
        problems += [f"#{attempt + 1}: {p}" for p in found]
        if now not in (previous, run_id):
            problems.append(f"#{attempt + 1}: top holds {now}")
        pending = journal_run(out)
        recover_like_the_next_run(out)
        now, found = top_level(out)
        assert found == [] and now in (previous, run_id) and (pending is None or now == pending), (now, found)
        problems += [f"#{attempt + 1}: left behind after recovery: {d}" for d in debris(out)]
        previous = now
    assert not problems, f"publish takes {span * 1000:.1f} ms;\n" + "\n".join(problems)


# ------------------------------------------------------------------------------------------------ one run at a time


def test_two_runs_started_together_with_wait_both_succeed(reference, small_raw, tmp_path):
    """Five times: two runs started at the same instant on one --out with --wait 120 run one after the other."""
    out = tmp_path / "out"
    seen: set[str] = set()
    for attempt in range(REPEATS):
        barrier = threading.Barrier(2)
        procs: list[subprocess.Popen] = [None, None]

        def launch(i: int) -> None:
            barrier.wait()
            procs[i] = start_run(small_raw, out, "--wait", "120")

        threads = [threading.Thread(target=launch, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results = [finish(p) for p in procs]
        for code, stdout, stderr in results:
            assert code == 0, f"attempt {attempt + 1}: exit {code}\n{stderr[-2000:]}"
        lines = [line for _, stdout, _ in results for line in stdout.splitlines() if "lần chạy " in line]
        ids = [line.split("lần chạy ")[1].split()[0] for line in lines]
        assert len(ids) == 2 and ids[0] != ids[1], ids
        assert not (set(ids) & seen)
        seen |= set(ids)
        now, found = top_level(out)
        assert found == [] and now == max(ids), (now, ids, found)
        for run_id in ids:
            assert (out / outputs.RUNS / run_id / "manifest.json").exists()
            frame = pl.read_parquet(out / outputs.RUNS / run_id / "villages.parquet")
            assert frame["run_id"].unique().to_list() == [run_id]
        assert debris(out) == []
        assert same_figures(figures(out), reference["figures"])


def test_second_run_without_wait_is_refused_with_exit_3(reference, small_raw, tmp_path):
    """While another process holds the folder's lock, a run without --wait exits 3 at once and says why."""
    out = tmp_path / "out"
    first = run_ok(small_raw, out)
    for attempt in range(3):
        with open(out / outputs.LOCK_NAME, "a+") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            held.seek(0)
            held.truncate()
            held.write("pid=4242 host=test since=now")
            held.flush()
            started = time.monotonic()
            code, stdout, stderr = finish(start_run(small_raw, out))
            elapsed = time.monotonic() - started
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
        assert code == 3, f"exit {code}\n{stdout[-1000:]}\n{stderr[-2000:]}"
        assert "--wait" in stderr and str(out) in stderr and "pid=4242" in stderr, stderr[-2000:]
        assert elapsed < 30
        assert top_level(out) == (first, [])  # the refused run touched nothing


@pytest.fixture(scope="module")
def refused(reference, small_raw, tmp_path_factory):
    """A real run paused while it holds the folder, a second run started meanwhile without --wait, then the first resumed."""
    out = tmp_path_factory.mktemp("busy") / "out"
    first = start_run(small_raw, out)
    lock = out / outputs.LOCK_NAME
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the lock file names its holder once the first run has it
        if lock.exists() and f"pid={first.pid}" in lock.read_text(encoding="utf-8", errors="replace"):
            break
        time.sleep(0.02)
    else:
        kill_group(first)
        pytest.fail("the first run never took the lock")
    os.killpg(first.pid, signal.SIGSTOP)  # hold it there: the second run must find the folder busy
    try:
        started = time.monotonic()
        code, stdout, stderr = finish(start_run(small_raw, out))
        elapsed = time.monotonic() - started
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    first_code, _, first_err = finish(first)
    return {"out": out, "code": code, "stdout": stdout, "stderr": stderr, "seconds": elapsed,
            "first_code": first_code, "first_stderr": first_err, "first_pid": first.pid}


def test_second_real_run_without_wait_is_refused_while_the_first_runs(refused):
    """Two real runs: the second, started while the first holds the folder, exits 3 and says why; the first completes."""
    assert refused["first_code"] == 0, refused["first_stderr"][-2000:]
    assert refused["code"] == 3, f"exit {refused['code']}\n{refused['stderr'][-2000:]}"
    last = refused["stderr"].strip().splitlines()[-1]
    assert "--wait" in last and str(refused["out"]) in last and f"pid={refused['first_pid']}" in last, last
    assert refused["seconds"] < 30
    now, found = top_level(refused["out"])
    assert found == [] and outputs.previous_runs(refused["out"]) == [now]


def test_refusal_is_a_plain_message_not_a_traceback(refused):
    """The refused run says why in one line; an expected condition is not reported as a crash."""
    assert refused["code"] == 3
    stderr = refused["stderr"]
    assert "Traceback" not in stderr and "ERROR" not in stderr, stderr[-3000:]
