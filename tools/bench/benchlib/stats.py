"""Order statistics for a handful of runs; every function accepts None entries and ignores them."""
from __future__ import annotations


def _values(xs) -> list:
    return sorted(x for x in xs if x is not None)


def median(xs) -> float | None:
    v = _values(xs)
    if not v:
        return None
    mid = len(v) // 2
    return float(v[mid]) if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def quartiles(xs) -> tuple | None:
    """(Q1, Q3) as Tukey's hinges: medians of the lower and upper halves (middle value excluded)."""
    v = _values(xs)
    if not v:
        return None
    half = len(v) // 2
    if len(v) == 1:
        return float(v[0]), float(v[0])
    return median(v[:half]), median(v[len(v) - half:])


def iqr(xs) -> float | None:
    q = quartiles(xs)
    return None if q is None else q[1] - q[0]


def spread_pct(xs) -> float | None:
    """(max - min) / median, in percent: how far apart the runs were."""
    v = _values(xs)
    med = median(v)
    if not v or not med:
        return None
    return (v[-1] - v[0]) / abs(med) * 100.0


def summarize(xs) -> dict:
    v = _values(xs)
    return {
        "n": len(v),
        "median": median(v),
        "min": float(v[0]) if v else None,
        "max": float(v[-1]) if v else None,
        "iqr": iqr(v),
        "spread_pct": spread_pct(v),
    }


def ratio(a, b) -> float | None:
    """a / b, or None when either is missing or b is not positive."""
    if a is None or b is None or b <= 0:
        return None
    return a / b


def paired_ratio(a_values, b_values) -> float | None:
    """Median of a[i] / b[i] over the rounds where both exist: the ratio alternation is for."""
    return median([ratio(a, b) for a, b in zip(a_values, b_values)])
