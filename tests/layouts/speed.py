"""Keep the reader tests fast without changing what they test.

`inspect_file` builds a fresh `Resolver` on every call: an index of the 3,321 official
units and some 10,000 pre-2025 names, about 0.1 s, as long as the rest of a small file's
inspection. A Resolver only reads its indexes once built, so the tests share one per
(reference, province); every file is still parsed, resolved and validated in full.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest


@contextmanager
def shared_resolver():
    import giamngheo.inspect as inspect_module

    original = inspect_module.Resolver
    made: dict = {}

    def resolver(ref, province=None):
        key = (id(ref), province)
        if key not in made:
            made[key] = (ref, original(ref, province))  # keep `ref` alive so its id is not reused
        return made[key][1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(inspect_module, "Resolver", resolver)
        yield
