"""Tiny test files for tests/test_layouts.py and tests/test_rules.py, written on the fly (see grids.py)."""
