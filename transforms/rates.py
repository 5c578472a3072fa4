"""Rates the way Excel's ROUND gives them: half-up, computed exactly from integer counts."""

from __future__ import annotations

import polars as pl


def rate_pct(numerator: pl.Expr, denominator: pl.Expr, decimals: int | pl.Expr = 2) -> pl.Expr:
    """numerator / denominator x 100, rounded half-up to `decimals`; null when the denominator is not positive.

    Integer arithmetic: round_half_up(n*100*s/d) = floor((2*n*100*s + d) / (2*d)), s = 10**decimals.
    """
    scale = pl.lit(10, dtype=pl.Int64).pow(decimals) if isinstance(decimals, pl.Expr) else pl.lit(10**decimals, dtype=pl.Int64)
    n = numerator.cast(pl.Int64)
    d = denominator.cast(pl.Int64)
    scaled = (2 * n * 100 * scale + d) // (2 * d)
    value = scaled.cast(pl.Float64) / scale.cast(pl.Float64)
    if isinstance(decimals, int):
        value = value.round(decimals)  # the float nearest the decimal result (2.51, not 2.5100000000000002)
    return pl.when(d > 0).then(value).otherwise(None)


def pct_of(numerator: int, denominator: int, decimals: int = 2) -> float | None:
    """rate_pct for two Python integers, by the same integer arithmetic: for a figure recomputed outside a frame."""
    if not denominator or denominator < 0:
        return None
    scale = 10**decimals
    return round(((2 * numerator * 100 * scale + denominator) // (2 * denominator)) / scale, decimals)


def exact_pct(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator x 100, unrounded."""
    return pl.when(denominator > 0).then(numerator.cast(pl.Float64) * 100.0 / denominator.cast(pl.Float64))


def excel_round(value: pl.Expr, decimals: int = 2) -> pl.Expr:
    """Half-up rounding of a float as Excel shows it (0.145 -> 0.15, not 0.14)."""
    scale = 10**decimals
    scaled = (value * scale).round(6)
    return ((scaled.abs() + 0.5).floor() * scaled.sign() / scale).round(decimals)


def pp_difference(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """a - b for two 2-decimal rates, without float noise (0.3 - 0.1 = 0.2 exactly)."""
    return (((a * 100).round(0) - (b * 100).round(0)) / 100).round(2)
