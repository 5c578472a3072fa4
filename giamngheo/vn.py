"""Numbers written the Vietnamese way, for every page, workbook line and message a person reads: "." groups
thousands, "," marks the decimals, "—" stands for a missing value. Rounding is half-up, as Excel's ROUND."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _half_up(x, digits: int) -> Decimal:
    return Decimal(str(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def vn_dec(x, digits: int = 2) -> str:
    """0.79 -> '0,79'; 1234.5 -> '1.234,50'; 0.145 -> '0,15' (half-up, on the number as written, not its binary float)."""
    if _missing(x):
        return "—"
    return f"{_half_up(x, digits):,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_int(n) -> str:
    """5441 -> '5.441'; a fraction rounded half-up (2.5 -> '3')."""
    return vn_dec(n, 0)


def vn_figure(x) -> str:
    """A figure as it is, its decimals kept (to 6, trailing zeros dropped): 1250.5 -> '1.250,5'; 5441.0 -> '5.441'."""
    if _missing(x):
        return "—"
    text = vn_dec(x, 6)
    return text.rstrip("0").rstrip(",") if "," in text else text


def vn_pct(x) -> str:
    """A rate or a cut in points, two decimals: 3.4 -> '3,40' (the sign % is the caller's)."""
    return vn_dec(x, 2)
