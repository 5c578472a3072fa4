"""Publish a prepared run folder into an --out folder exactly as the flow's last step does, in a process of its own.

    python tests/hostile/publisher.py OUT RUN_ID SOURCE_DIR

Under the folder's lock: finish any interrupted publish (`outputs.recover`), stage
SOURCE_DIR as `.staging/RUN_ID/`, print "staged", then `outputs.commit`. With
GIAMNGHEO_FAULT set the product's own fault points kill this process (SIGKILL) where
they stand; a test may also SIGKILL it at any moment after "staged". Importing only
`giamngheo.outputs` keeps one publish to a fraction of a second, so the crash tests
can repeat every kill point many times where a full `giamngheo run` takes seconds.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    out, run_id, source = Path(argv[0]), argv[1], Path(argv[2])
    from giamngheo import outputs

    with outputs.run_lock(out, 0.0):
        outputs.recover(out)
        staged = outputs.staging_dir(out, run_id)
        shutil.rmtree(staged)
        shutil.copytree(source, staged)
        print("staged", flush=True)
        started = time.perf_counter()
        outputs.commit(out, run_id)
        print(f"committed {time.perf_counter() - started:.6f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main(sys.argv[1:]))
