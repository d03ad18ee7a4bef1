"""Per-scenario figures from a set of runs: icount per op, wall per round, ratios to native, counters."""
from __future__ import annotations

import re
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
    per_op: dict = field(default_factory=dict)  # icount run's counters (all domains) / ops
    model_ns: float | None = None       # modelled hardware estimate, ns per op (model.py)
    model_terms: dict = field(default_factory=dict)     # its parts: {"insn": ns, EVENT: ns}
    model_ratio: float | None = None    # model_ns over the counterpart's

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


def wall_clock_khz(runs: list) -> float | None:
    """The TSC rate every wall figure is converted with: the median of the clocks the wall runs
    measured. Without icount the TSC is the host's, one constant; each boot's 20 ms calibration
    is a noisy estimate of it (a descheduled vCPU moves it by tens of percent on a loaded host),
    so no single run's clock is trusted, and PV and native ratios do not depend on it."""
    return stats.median([r.parsed.tsc_khz for r in runs if r.mode == "wall" and r.parsed.tsc_khz])


def _wall_series(s: scenarios.Scenario, wall_runs: list, clock_khz: float | None = None) -> tuple:
    """(unit, values per round). Per-op figures are ns when every round had a TSC clock
    (converted with clock_khz when given, else with the round's own)."""
    if s.kind == "boot":
        return "ms", [None if r is None or r.first_line_s is None else r.first_line_s * 1000
                      for r in wall_runs]
    pairs = []
    for r in wall_runs:
        m = r.parsed.measurements.get(s.line_name) if r else None
        pairs.append(None if m is None else (m.per_op, r.parsed.khz_for(m)))
    got = [p for p in pairs if p]
    if got and all(khz for _, khz in got):
        return "ns", [None if p is None else p[0] * 1e6 / (clock_khz or p[1]) for p in pairs]
    return "tsc", [None if p is None else p[0] for p in pairs]


def _counters(s: scenarios.Scenario, run) -> dict:
    if run is None:
        return {}
    out = dict(run.parsed.counters)
    out.update(run.parsed.scenario_counters.get(s.line_name, {}))
    return out


_DOMAIN_KEY = re.compile(r"^d\d+\.")


def per_op_counters(counters: dict, ops) -> dict:
    """Each numeric counter summed over the domains (d<N>.<key> and plain <key>) and divided
    by ops, the operations the kernel says the run performed (warm-up included). The run's
    fixed costs (boot, set-up, printing) are in the sums too: a few dozen events."""
    if not isinstance(ops, int) or ops <= 0:
        return {}
    sums = {}
    for k, v in counters.items():
        if isinstance(v, int) and not isinstance(v, bool):
            base = _DOMAIN_KEY.sub("", k)
            sums[base] = sums.get(base, 0) + v
    return {k: v / ops for k, v in sums.items()}


def _ops(m) -> int | None:
    try:
        return int(m.fields["ops"]) if m and "ops" in m.fields else None
    except ValueError:
        return None


def minus_baseline(counters: dict, base: dict) -> dict:
    """counters less a baseline run's (the same boot doing nothing): what the scenario added.
    Keys the baseline lacks are kept; a key it has more of than the run goes to 0."""
    out = {}
    for k, v in counters.items():
        b = base.get(k)
        ok = isinstance(v, int) and isinstance(b, int) and not isinstance(v, bool)
        out[k] = max(v - b, 0) if ok else v
    return out


def guest_events(m) -> dict:
    """The guest's own events of a BENCH line (ev.NAME=COUNT over marked=OPS operations, the
    benchmark program under HVM) per operation; {} without them."""
    if m is None or "marked" not in m.fields:
        return {}
    try:
        ops = int(m.fields["marked"])
        ev = {k[3:]: int(v) for k, v in m.fields.items() if k.startswith("ev.")}
    except ValueError:
        return {}
    return {k: v / ops for k, v in ev.items()} if ops > 0 else {}


def _one(s: scenarios.Scenario, ic_run, wall_runs: list, clock_khz: float | None = None,
         base_run=None) -> Result:
    res = Result(scenario=s)
    m = ic_run.parsed.measurements.get(s.line_name) if ic_run else None
    res.icount = m.per_op if m else None
    res.wall_unit, res.wall = _wall_series(s, wall_runs, clock_khz)
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
        if s.baseline:
            if base_run is not None and not base_run.problem and base_run.parsed.counters:
                res.counters["baseline"] = dict(base_run.parsed.counters)
                icount_counters = minus_baseline(icount_counters, base_run.parsed.counters)
            else:
                res.notes.append(f"no baseline {s.baseline}: counters include boot")
        res.per_op = per_op_counters(icount_counters, _ops(m))
        if res.per_op:
            res.counters["per_op"] = res.per_op
    if any(wall_counters):
        res.counters["wall"] = wall_counters
    # The guest's events: the icount run's; a wall-only image's (scenarios.Image.icount_run False),
    # or one whose icount run did not report this scenario, from the first wall run that did.
    ev_m = m or next((w.parsed.measurements[s.line_name] for w in wall_runs
                      if w is not None and s.line_name in w.parsed.measurements), None)
    if ev_m is not m and ic_run is not None and ev_m is not None and "marked" in ev_m.fields:
        res.notes.append("events from a wall run")
    guest = guest_events(ev_m)
    if guest:
        res.counters["guest_per_op"] = guest      # exact: between the guest's marks (icount run, else wall)
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
    """Results for selected. missing: image key -> path of an image not built, or a reason
    starting "unavailable" (SKIPPED)."""
    by_name = {s.name: s for s in table}
    icount = {r.image: r for r in runs if r.mode == "icount"}
    wall = {}
    for r in runs:
        if r.mode == "wall":
            wall.setdefault(r.image, [None] * n_rounds)[r.round] = r
    done = {}
    clock_khz = wall_clock_khz(runs)

    def get(s: scenarios.Scenario) -> Result:
        if s.name not in done:
            if s.image in missing:
                why = missing[s.image]
                done[s.name] = Result(scenario=s, status="SKIPPED",
                                      notes=[why if why.startswith("unavailable") else f"not built yet ({why})"])
            else:
                done[s.name] = _one(s, icount.get(s.image), wall.get(s.image, [None] * n_rounds), clock_khz,
                                    icount.get(s.baseline) if s.baseline else None)
                if s.counterpart:
                    _compare(done[s.name], get(by_name[s.counterpart]), s.scale)
        return done[s.name]

    return [get(s) for s in selected]
