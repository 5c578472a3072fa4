"""Village figures: plan baselines and targets, and year-end movements (diễn biến)."""

from __future__ import annotations

import math
import random

from .names import village_names
from .util import name_key, round_half_up

COUNT_FIELDS = ("total", "poor", "near", "pred", "nred")


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(max(0, int(n))) if rng.random() < p)


def _count(rng: random.Random, total: int, base_pct: float, zero_share: float) -> int:
    """Households of a group in one village: around base_pct % of total, capped at 10 %."""
    if rng.random() < zero_share:
        return 0
    pct = min(10.0, base_pct * math.exp(rng.gauss(0.0, 0.55)))
    return min(int(round(total * pct / 100)), total // 10)


def _allocate(rng: random.Random, villages: list[dict], amount: int, source: str, target: str, share: float) -> None:
    """Spread `amount` planned reductions over villages, never above the baseline, at most ~share of it."""
    caps = {i: min(v[source], max(1, math.ceil(v[source] * share))) for i, v in enumerate(villages) if v[source] > 0}
    for v in villages:
        v[target] = 0
    for _ in range(amount):
        open_ = [i for i, cap in caps.items() if villages[i][target] < cap]
        if not open_:
            break
        weights = [caps[i] - villages[i][target] for i in open_]
        villages[rng.choices(open_, weights=weights)[0]][target] += 1


def make_plan(rng: random.Random, ward: bool, n_range: tuple[int, int] = (10, 60), names: list[str] | None = None,
              sections: list[str] | None = None, name_style: str | None = None) -> tuple[list[dict], float]:
    """Villages of one commune with baselines and planned reductions; returns (villages, assigned_pp).

    With `sections`, villages are split over them and numbered names ("Thôn 1", "Tổ dân
    phố 1") repeat across sections, as in the tables of communes merged in 2025.
    """
    if names is None:
        n = rng.randint(*n_range)
        if sections:
            names, secs = [], []
            sizes = _split(rng, n, len(sections))
            style = name_style or ("tdp" if ward else rng.choice(["thon", "xom"]))
            for label, size in zip(sections, sizes):
                for name in village_names(rng, size, ward, style=style):
                    names.append(name)
                    secs.append(label)
        else:
            names = village_names(rng, n, ward, style=name_style)
            secs = [None] * n
    else:
        secs = [None] * len(names)
    base_poor = rng.uniform(0.2, 1.6) if ward else rng.uniform(1.2, 8.5)
    base_near = rng.uniform(0.3, 2.0) if ward else rng.uniform(1.0, 6.0)
    villages = []
    for name, sec in zip(names, secs):
        total = int(80 + 370 * rng.betavariate(2.0, 2.5)) if ward else int(50 + 400 * rng.betavariate(1.6, 3.2))
        v = {"village": name}
        if sec is not None:
            v["section"] = sec
        v.update(total=total, poor=_count(rng, total, base_poor, 0.12), near=_count(rng, total, base_near, 0.08), pred=0, nred=0)
        villages.append(v)
    total = sum(v["total"] for v in villages)
    poor = sum(v["poor"] for v in villages)
    near = sum(v["near"] for v in villages)
    rate_now = poor * 100 / total
    assigned = round_half_up(min(1.5, max(0.02, rate_now * rng.uniform(0.08, 0.3))), 2) if poor else 0.0
    target = math.ceil(assigned * total / 100)
    planned = max(0, target + rng.choice([-2, -1, 0, 0, 0, 1, 1, 2, 3]))
    _allocate(rng, villages, planned, "poor", "pred", 0.5)
    _allocate(rng, villages, math.ceil(near * rng.uniform(0.08, 0.25)), "near", "nred", 0.5)
    return villages, assigned


def _split(rng: random.Random, n: int, parts: int) -> list[int]:
    n = max(n, 3 * parts)
    cuts = sorted(rng.sample(range(3, n - 2), parts - 1)) if parts > 1 else []
    sizes, prev = [], 0
    for cut in cuts + [n]:
        sizes.append(cut - prev)
        prev = cut
    # every section keeps at least three villages
    while min(sizes) < 3:
        big = sizes.index(max(sizes))
        small = sizes.index(min(sizes))
        sizes[big] -= 1
        sizes[small] += 1
    return sizes


def ensure_unique(villages: list[dict], key=name_key) -> bool:
    """True when village names are unique within each section under `key`."""
    seen = set()
    for v in villages:
        k = (v.get("section"), key(v["village"]))
        if k in seen:
            return False
        seen.add(k)
    return True


def make_results(rng: random.Random, villages: list[dict]) -> list[dict]:
    """Year-end movements per village; start = the plan baseline. Every row balances."""
    out = []
    for v in villages:
        p, q, t = v["poor"], v["near"], v["total"]
        r = {"village": v["village"]}
        if "section" in v:
            r["section"] = v["section"]
        p_exit = _binomial(rng, p, 0.2)
        p_to_near = _binomial(rng, p - p_exit, 0.12)
        p_other_dec = 1 if p - p_exit - p_to_near > 0 and rng.random() < 0.05 else 0
        p_from_near = _binomial(rng, q, 0.03)
        p_fell_back = 1 if rng.random() < 0.06 else 0
        p_new = _binomial(rng, 2, 0.08)
        p_other_inc = 1 if rng.random() < 0.02 else 0
        n_exit = _binomial(rng, q - p_from_near, 0.2)
        n_other_dec = 1 if q - p_from_near - n_exit > 0 and rng.random() < 0.04 else 0
        n_fell_back = 1 if rng.random() < 0.05 else 0
        n_new = _binomial(rng, max(1, t // 60), 0.25)
        n_other_inc = 1 if rng.random() < 0.02 else 0
        r.update(
            total_start=t, total_end=t + rng.randint(-2, 6),
            poor_start=p, p_to_near=p_to_near, p_exit=p_exit, p_other_dec=p_other_dec,
            p_from_near=p_from_near, p_fell_back=p_fell_back, p_new=p_new, p_other_inc=p_other_inc,
            near_start=q, n_to_poor=p_from_near, n_exit=n_exit, n_other_dec=n_other_dec,
            n_from_poor=p_to_near, n_fell_back=n_fell_back, n_new=n_new, n_other_inc=n_other_inc,
            persons=rng.choice([3, 4, 4, 4, 5]),
        )
        r["poor_end"] = p - p_to_near - p_exit - p_other_dec + p_from_near + p_fell_back + p_new + p_other_inc
        r["near_end"] = q - p_from_near - n_exit - n_other_dec + p_to_near + n_fell_back + n_new + n_other_inc
        out.append(r)
    return out


POOR_DEC = ("p_to_near", "p_exit", "p_other_dec")
POOR_INC = ("p_from_near", "p_fell_back", "p_new", "p_other_inc")
NEAR_DEC = ("n_to_poor", "n_exit", "n_other_dec")
NEAR_INC = ("n_from_poor", "n_fell_back", "n_new", "n_other_inc")
