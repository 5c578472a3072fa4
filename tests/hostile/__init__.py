"""The hostile corpus: generated on the fly, never committed."""
