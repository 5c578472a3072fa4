"""Prefect flows: the consolidation (consolidate.py) and its nightly deployment (nightly.py)."""

import giamngheo  # noqa: F401 - first: it sets polars' allocator up before polars loads
