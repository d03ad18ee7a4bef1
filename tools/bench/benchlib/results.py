"""Per-scenario figures from a set of runs: icount per op, wall per round, ratios to native, counters."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import scenarios, stats


@dataclass
class Result:
    """Figures of one scenario. Wall values are per round (None where that round gave nothing)."""
    scenario: scenarios.Scenario
    status: str = "ok"          # ok | SKIPPED | FAILED
    notes: list = field(default_factory=list)
    icount: float | None = None         # guest instructions per op (boot: to first line)
    icount_native: float | None = None  # counterpart x scale
    icount_ratio: float | None = None
    wall_unit: str = ""                 # ns (per op), tsc (per op, no clock), ms (boot)
    wall: list = field(default_factory=list)
    wall_stats: dict = field(default_factory=dict)
    wall_native: float | None = None
    wall_ratio: float | None = None     # median of per-round ratios
    counters: dict = field(default_factory=dict)

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


def _wall_series(s: scenarios.Scenario, wall_runs: list) -> tuple:
    """(unit, values per round). Per-op figures are ns when every round had a TSC clock."""
    if s.kind == "boot":
        return "ms", [None if r is None or r.first_line_s is None else r.first_line_s * 1000
                      for r in wall_runs]
    pairs = []
    for r in wall_runs:
        m = r.parsed.measurements.get(s.line_name) if r else None
        pairs.append(None if m is None else (m.per_op, r.parsed.khz_for(m)))
    got = [p for p in pairs if p]
    if got and all(khz for _, khz in got):
        return "ns", [None if p is None else p[0] * 1e6 / p[1] for p in pairs]
    return "tsc", [None if p is None else p[0] for p in pairs]


def _counters(s: scenarios.Scenario, run) -> dict:
    if run is None:
        return {}
    out = dict(run.parsed.counters)
    out.update(run.parsed.scenario_counters.get(s.line_name, {}))
    return out


def _one(s: scenarios.Scenario, ic_run, wall_runs: list) -> Result:
    res = Result(scenario=s)
    m = ic_run.parsed.measurements.get(s.line_name) if ic_run else None
    res.icount = m.per_op if m else None
    res.wall_unit, res.wall = _wall_series(s, wall_runs)
    res.wall_stats = stats.summarize(res.wall)
    if ic_run is not None and ic_run.problem:
        res.notes.append("icount run: " + ic_run.problem)
    bad = [r.problem for r in wall_runs if r is not None and r.problem]
    if bad:
        res.notes.append(f"{len(bad)}/{len(wall_runs)} wall runs: {bad[0]}")
    if res.icount is None and res.wall_stats["n"] == 0:
        res.status = "FAILED"
        if not res.notes:
            res.notes.append(f"{s.line_name} not reported by {s.image}")
    icount_counters = _counters(s, ic_run)
    wall_counters = [_counters(s, r) for r in wall_runs]
    if icount_counters:
        res.counters["icount"] = icount_counters
    if any(wall_counters):
        res.counters["wall"] = wall_counters
    return res


def _compare(res: Result, nat: Result, scale: float) -> None:
    if nat.status != "ok":
        res.notes.append(f"native {nat.scenario.name}: {nat.status}")
        return
    if nat.icount is not None:
        res.icount_native = nat.icount * scale
    res.icount_ratio = stats.ratio(res.icount, res.icount_native)
    if res.wall_unit != nat.wall_unit:
        res.notes.append(f"wall units differ ({res.wall_unit} vs {nat.wall_unit}): no wall ratio")
        return
    if nat.wall_stats.get("median") is not None:
        res.wall_native = nat.wall_stats["median"] * scale
    res.wall_ratio = stats.paired_ratio(res.wall, [None if v is None else v * scale for v in nat.wall])


def build(selected: list, runs: list, missing: dict, n_rounds: int,
          table: list = scenarios.SCENARIOS) -> list:
    """Results for selected. missing: image key -> path of images not built (SKIPPED)."""
    by_name = {s.name: s for s in table}
    icount = {r.image: r for r in runs if r.mode == "icount"}
    wall = {}
    for r in runs:
        if r.mode == "wall":
            wall.setdefault(r.image, [None] * n_rounds)[r.round] = r
    done = {}

    def get(s: scenarios.Scenario) -> Result:
        if s.name not in done:
            if s.image in missing:
                done[s.name] = Result(scenario=s, status="SKIPPED",
                                      notes=[f"not built yet ({missing[s.image]})"])
            else:
                done[s.name] = _one(s, icount.get(s.image), wall.get(s.image, [None] * n_rounds))
                if s.counterpart:
                    _compare(done[s.name], get(by_name[s.counterpart]), s.scale)
        return done[s.name]

    return [get(s) for s in selected]
