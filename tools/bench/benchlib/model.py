"""The modelled hardware estimate (docs/benchmarks.md section 9, "The model"): what an operation
would cost on a real CPU, computed from what was counted here (TCG's instruction count and the
events per operation) times published per-event costs. A MODEL, not a measurement: it prices
the transitions TCG makes cheap or dear in the wrong proportion (VM exits, CR3 loads, kernel
entries, device-model round trips) and leaves out what it cannot know (caches, the 2D walk's
longer TLB misses under NPT, the real device's own latency, the same on every platform).

    model_ns = icount * NS_PER_INSN + sum(events_per_op[e] * COST_NS[e])
    disk and network rows: model_ns = native's measured time per op + sum(events_per_op[e] * COST_NS[e])

Each cost is cited in docs/benchmarks.md (source and year); change a figure there and here together.
"""
from __future__ import annotations

import re

GHZ = 3.0                       # the modelled CPU's clock (assumed)
NS_PER_INSN = 1.0 / GHZ         # one instruction per cycle (assumed IPC 1)

# Per-event costs in cycles at GHZ (docs/benchmarks.md, "The model": the source of each).
COST_CYCLES = {
    "syscall": 225,         # SYSCALL + SYSRET round trip, no KPTI: ~75 ns measured on recent x86 (2023-2025)
    "exception": 450,       # exception (#PF) delivery + IRETQ: taken as 2x a SYSCALL round trip (assumed)
    "cr3": 200 + 16 * 40,   # MOV to CR3 without PCID + refilling 16 TLB entries at ~40 cycles a walk
    "hypercall": 225,       # PV hypercall = SYSCALL into the hypervisor and back (x86-64 PV)
    "bounce": 225,          # the hypervisor delivering a trap/system call to the PV guest kernel
    "vmexit": 1400,         # #VMEXIT + VMRUN round trip on AMD SVM (~1,360 cycles measured, 2020)
    "notify": 60000,        # a cross-domain event that wakes the other side (~20 us, 2016): ioreq, PV kick
}
COST_NS = {k: v / GHZ for k, v in COST_CYCLES.items()}

# The guest kernel's own architectural events per operation of the benchmark program, the same on
# every platform (one binary, one kernel): section 8's counts (PV bounces = the guest's kernel
# entries; HVM-shadow's CR3 switches = its CR3 loads). Native and HVM pay them as on hardware.
GUEST_EVENTS = {
    "syscall": {"syscall": 1},
    "page_fault": {"exception": 1},
    "fork_exec_exit": {"syscall": 4, "cr3": 6},
    "ctxsw": {"syscall": 1, "cr3": 1},
    "cpu_loop": {},
}

_NAME = re.compile(r"^(native|pv|hvm_npt|hvm_shadow)\.(?:os_(\w+)|disk_\w+|net_\w+)$")


def events(platform: str, scenario: str | None, guest: dict, pv: dict, fields: dict) -> dict:
    """The priced events per operation of one row: guest = the HVM guest's counts per op (exits,
    ioreq, ...), pv = the hypervisor's COUNTERS per op (hypercalls, bounces, cr3_switches, ...),
    fields = a BENCH line's own per-request figures (PV disk and network: hc_per_op, sent_per_op)."""
    arch = dict(GUEST_EVENTS.get(scenario, {})) if scenario else {}
    ev = {}
    if platform == "pv":
        if scenario:
            # PV pays its kernel entries as bounces and hypercalls, and loads CR3 itself (its
            # user/kernel page-table switch): the hypervisor's counts replace the guest's own.
            ev["hypercall"] = pv.get("hypercalls", 0.0)
            ev["bounce"] = pv.get("bounces", 0.0)
            ev["cr3"] = pv.get("cr3_switches", 0.0)
        else:
            ev["hypercall"] = _float(fields.get("hc_per_op"))
            ev["notify"] = _float(fields.get("sent_per_op"))
    else:
        ev.update(arch)
        if platform.startswith("hvm"):
            ev["vmexit"] = guest.get("exits", 0.0)
            ev["notify"] = guest.get("ioreq", 0.0)
    return {k: v for k, v in ev.items() if v}


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def estimate(icount: float | None, ev: dict) -> tuple:
    """(model ns per op, {event: ns}) or (None, {}) without an instruction count."""
    if icount is None:
        return None, {}
    terms = {"insn": icount * NS_PER_INSN}
    terms.update({k: v * COST_NS[k] for k, v in ev.items()})
    return sum(terms.values()), terms


def estimate_disk(device_ns: float | None, ev: dict) -> tuple:
    """A disk row: (device_ns + the priced events, {"device": ns, EVENT: ns}), or (None, {})."""
    if device_ns is None:
        return None, {}
    terms = {"device": device_ns}
    terms.update({k: v * COST_NS[k] for k, v in ev.items()})
    return sum(terms.values()), terms


def apply(results: list, fields_of=None) -> None:
    """Attach r.model_ns, r.model_terms and r.model_ratio (over native's model) to every row of
    the comparison (the benchmark program, the disk and the network rows). fields_of(name) gives a
    row's BENCH-line fields (PV disk and network rows)."""
    by_name = {r.scenario.name: r for r in results}
    for r in sorted(results, key=lambda r: not r.scenario.name.startswith("native.")):
        m = _NAME.match(r.scenario.name)
        if not m or r.status != "ok":
            continue
        guest = r.counters.get("guest_per_op") or {}
        fields = fields_of(r.scenario.name) if fields_of else {}
        ev = events(m.group(1), m.group(2), guest, r.per_op or {}, fields)
        if m.group(2):
            r.model_ns, r.model_terms = estimate(r.icount, ev)
        else:
            # A disk or network row: its wait for the device (or the peer) has no instruction count
            # (icount's clock jumps over idle time), so the device's own time is native's measured
            # time per op, the same for every platform, and the platform adds its transitions.
            nat = r if m.group(1) == "native" else by_name.get(r.scenario.counterpart or "")
            base = nat.wall_stats.get("median") if nat is not None and nat.wall_unit == "ns" else None
            r.model_ns, r.model_terms = estimate_disk(base, ev)
    for r in results:
        nat = by_name.get(r.scenario.counterpart or "")
        if getattr(r, "model_ns", None) and nat is not None and getattr(nat, "model_ns", None):
            r.model_ratio = r.model_ns / nat.model_ns
