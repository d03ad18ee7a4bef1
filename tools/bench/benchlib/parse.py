"""Parsing of the BENCH and COUNTERS lines that benchmark kernels print.

Line formats (docs/benchmarks.md, "Output format"):
  BENCH scenario=NAME iters=N per_op=X [total=T] [overhead=O] [unit=U] [tsc_khz=K] [key=value ...]
  BENCH clock tsc_khz=K         TSC frequency for the lines of this run without their own
  BENCH warning TEXT            passed on as a warning
  BENCH error TEXT              the kernel hit something fatal; the run failed
  BENCH done                    the run completed
  COUNTERS key=value ...        hypervisor counters; scenario=NAME attaches them to one scenario,
                                d=N makes them domain N's (stored as d<N>.<key>)
A line may carry a console prefix such as "(d1) " or "(XEN) [   0.105] ". Other lines are
ignored; a BENCH/COUNTERS line that does not parse is ignored with a warning.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[A-Za-z]|[A-Za-z])")
# Optional console prefix "(d1) " or "(XEN) ", then an optional "[   0.105] " time stamp.
_LINE = re.compile(r"^(?:\([\w.:-]+\)\s+)?(?:\[[\d.\s]*\]\s+)?(BENCH|COUNTERS)(?:\s+(.*))?$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass
class Measurement:
    """One BENCH scenario line."""
    scenario: str
    iters: int
    per_op: float
    total: int | None = None
    overhead: int | None = None
    unit: str = "tsc"
    tsc_khz: int | None = None      # from the line itself; see ParsedRun.khz_for
    fields: dict = field(default_factory=dict)


@dataclass
class ParsedRun:
    """Everything the harness understood in one run's output."""
    measurements: dict = field(default_factory=dict)        # scenario -> Measurement
    counters: dict = field(default_factory=dict)            # COUNTERS without scenario=
    scenario_counters: dict = field(default_factory=dict)   # scenario -> {key: value}
    tsc_khz: int | None = None
    done: bool = False
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def khz_for(self, m: Measurement) -> int | None:
        """TSC kHz for m: its own tsc_khz=, else the run's clock line (wherever it came)."""
        return m.tsc_khz or self.tsc_khz


def split_fields(text: str) -> dict:
    """'a=1 b=x' -> {'a': '1', 'b': 'x'}; ValueError on a token that is not key=value."""
    out = {}
    for tok in text.split():
        key, sep, value = tok.partition("=")
        if not sep or not value or not _KEY.match(key):
            raise ValueError(f"bad field {tok!r}")
        if key in out:
            raise ValueError(f"duplicate field {key!r}")
        out[key] = value
    return out


def _int(fields: dict, key: str, minimum: int, required: bool = False) -> int | None:
    if key not in fields:
        if required:
            raise ValueError(f"missing {key}=")
        return None
    try:
        v = int(fields[key])
    except ValueError:
        raise ValueError(f"{key}= is not an integer: {fields[key]!r}") from None
    if v < minimum:
        raise ValueError(f"{key}={v} below {minimum}")
    return v


def _measurement(fields: dict) -> Measurement:
    name = fields.get("scenario")
    if not name:
        raise ValueError("missing scenario=")
    if "per_op" not in fields:
        raise ValueError("missing per_op=")
    try:
        per_op = float(fields["per_op"])
    except ValueError:
        raise ValueError(f"per_op= is not a number: {fields['per_op']!r}") from None
    if not math.isfinite(per_op):
        raise ValueError("per_op= is not finite")
    khz = _int(fields, "tsc_khz", 0)
    return Measurement(scenario=name, iters=_int(fields, "iters", 1, required=True),
                       per_op=per_op, total=_int(fields, "total", 0),
                       overhead=_int(fields, "overhead", 0), unit=fields.get("unit", "tsc"),
                       tsc_khz=khz or None, fields=fields)


def _counter_value(v: str):
    try:
        return int(v, 0)
    except ValueError:
        return v


def _bench(rest: str, run: ParsedRun) -> None:
    word, _, tail = rest.partition(" ")
    if word == "done" and not tail.strip():
        run.done = True
    elif word == "warning":
        run.warnings.append("kernel: " + tail.strip())
    elif word == "error":
        run.errors.append(tail.strip() or "error")
    elif word == "clock":
        run.tsc_khz = _int(split_fields(tail), "tsc_khz", 0, required=True) or None
    else:
        m = _measurement(split_fields(rest))
        if m.scenario in run.measurements:
            run.warnings.append(f"scenario {m.scenario} reported twice; keeping the last")
        run.measurements[m.scenario] = m


def _counters(rest: str, run: ParsedRun) -> None:
    fields = {k: _counter_value(v) for k, v in split_fields(rest).items()}
    name = fields.pop("scenario", None)
    dom = fields.pop("d", None)
    if dom is not None:             # the hypervisor's lines: one domain each, keys d<N>.<name>
        fields = {f"d{dom}.{k}": v for k, v in fields.items()}
    target = run.scenario_counters.setdefault(str(name), {}) if name else run.counters
    target.update(fields)


def clean(line: str) -> str:
    """Line text without terminal escapes and surrounding white space."""
    return _ANSI.sub("", line).strip()


def parse_line(line: str, run: ParsedRun, where: str = "") -> None:
    """Fold one output line into run; malformed BENCH/COUNTERS lines become warnings."""
    m = _LINE.match(clean(line))
    if not m:
        return
    try:
        if m.group(1) == "BENCH":
            _bench(m.group(2) or "", run)
        else:
            _counters(m.group(2) or "", run)
    except ValueError as e:
        run.warnings.append(f"{where}ignored malformed line ({e}): {clean(line)!r}")


def parse_lines(lines, where: str = "") -> ParsedRun:
    run = ParsedRun()
    for n, line in enumerate(lines, 1):
        parse_line(line, run, f"{where}line {n}: ")
    return run
