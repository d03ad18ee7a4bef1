"""The outputs of a bench run: the aligned table on stdout, results.csv and results.json."""
from __future__ import annotations

import csv
import json
import re

FORMAT = "tandem-bench/1"


def num(v) -> str:
    if v is None:
        return "-"
    a = abs(v)
    return f"{v:.0f}" if a >= 1000 else f"{v:.1f}" if a >= 100 else f"{v:.2f}"


def rate(v) -> str:
    """Events per op: 1.00, 0.002, 512."""
    if v is None:
        return "-"
    return f"{v:.0f}" if v >= 100 else f"{v:.2f}" if v >= 0.1 or v == 0 else f"{v:.1g}"


def times(v) -> str:
    return "-" if v is None else f"{v:.2f}x"


def pct(v) -> str:
    return "-" if v is None else f"{v:.0f}%"


# Counter columns: hypervisor events per operation (icount run, all domains).
COUNTER_COLUMNS = [("hc/op", "hypercalls"), ("bnc/op", "bounces")]
HEADERS = (["scenario", "icount", "native", "ratio"] + [c for c, _ in COUNTER_COLUMNS]
           + ["wall", "min", "max", "spread", "native", "ratio", "unit", "note"])
LEFT = {0, len(HEADERS) - 2, len(HEADERS) - 1}


def _row(r) -> list:
    w = r.wall_stats
    if r.status == "SKIPPED":
        return [r.scenario.name] + ["-"] * (len(HEADERS) - 3) + ["", "SKIPPED: " + r.note]
    note = r.note if r.status == "ok" else f"{r.status}: {r.note}"
    return ([r.scenario.name, num(r.icount), num(r.icount_native), times(r.icount_ratio)]
            + [rate(r.per_op.get(k)) for _, k in COUNTER_COLUMNS]
            + [num(w.get("median")), num(w.get("min")), num(w.get("max")), pct(w.get("spread_pct")),
               num(r.wall_native), times(r.wall_ratio), r.wall_unit, note])


def table(results: list) -> str:
    """icount = guest instructions per op; wall = median of the runs, per op in 'unit'."""
    rows = [HEADERS] + [_row(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    out = []
    for row in rows:
        cells = [c.ljust(widths[i]) if i in LEFT else c.rjust(widths[i]) for i, c in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out + ["", LEGEND])


LEGEND = ("icount: guest instructions per op under -icount shift=0 (PV: includes Tandem's own);"
          " wall: median over runs, min, max, spread=(max-min)/median;\n"
          "native: the counterpart's figure (x scale); ratio: PV / native"
          " (wall: median of per-round ratios);\n"
          "hc/op, bnc/op: hypercalls and bounce frames (exceptions, system calls, upcalls) per op,"
          " from the hypervisor's COUNTERS, whole run / ops. Method: docs/benchmarks.md.")


CSV_FIELDS = ["scenario", "kind", "status", "counterpart", "scale", "icount_per_op",
              "icount_native", "icount_ratio", "hypercalls_per_op", "bounces_per_op", "wall_unit", "wall_median", "wall_min", "wall_max",
              "wall_iqr", "wall_spread_pct", "wall_runs", "wall_native", "wall_ratio", "wall_values",
              "model_ns", "model_ratio", "note"]


def _record(r) -> dict:
    s, w = r.scenario, r.wall_stats
    return {
        "scenario": s.name, "kind": s.kind, "status": r.status, "counterpart": s.counterpart,
        "scale": s.scale, "what": s.what, "icount_per_op": r.icount,
        "icount_native": r.icount_native, "icount_ratio": r.icount_ratio,
        "hypercalls_per_op": r.per_op.get("hypercalls"), "bounces_per_op": r.per_op.get("bounces"),
        "wall_unit": r.wall_unit or None, "wall_median": w.get("median"), "wall_min": w.get("min"),
        "wall_max": w.get("max"), "wall_iqr": w.get("iqr"), "wall_spread_pct": w.get("spread_pct"),
        "wall_runs": w.get("n", 0), "wall_native": r.wall_native, "wall_ratio": r.wall_ratio,
        "wall_values": r.wall, "model_ns": r.model_ns, "model_ratio": r.model_ratio,
        "model_terms_ns": r.model_terms, "note": r.note, "counters": r.counters,
    }


def write_csv(path: str, results: list) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in results:
            rec = _record(r)
            rec["wall_values"] = ";".join("" if v is None else f"{v:.6g}" for v in r.wall)
            w.writerow({k: "" if v is None else v for k, v in rec.items()})


def _run_record(run) -> dict:
    return {"image": run.image, "mode": run.mode, "round": run.round, "rc": run.rc,
            "timed_out": run.timed_out, "elapsed_s": round(run.elapsed, 3),
            "first_line_s": run.first_line_s, "done": run.parsed.done, "problem": run.problem,
            "tsc_khz": run.parsed.tsc_khz, "log": run.log}


def write_json(path: str, machine: dict, config: dict, results: list, runs: list,
               warnings: list) -> None:
    doc = {"format": FORMAT, "machine": machine, "config": config, "warnings": warnings,
           "scenarios": [_record(r) for r in results], "runs": [_run_record(r) for r in runs]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


_BLOCK = re.compile(r"^pv\.xvd_(read|write|randread)_(\d+)k_qd(\d+)$")


def guest_fields(name: str, runs: list) -> dict:
    """The BENCH line's extra fields (the guest's own per-request counters) of the first
    wall run that reported name, else the icount run's."""
    for mode in ("wall", "icount"):
        for r in runs:
            m = r.mode == mode and r.parsed.measurements.get(name)
            if m:
                return m.fields
    return {}


def block_table(results: list, runs: list) -> str:
    """Issue 13's block figures side by side: (a) the driver domain on virtio-blk, (b) a domU
    through blkfront; MiB/s and IOPS from the wall medians, b/a as a throughput ratio, and (b)'s
    per-request hypercalls, events sent and received and grant operations (counted by the domU's
    kernel, BENCH line fields). Empty when no (b) scenario has a wall figure in ns."""
    rows = [["shape", "a MiB/s", "a IOPS", "b MiB/s", "b IOPS", "b/a", "b hc/req", "sent", "recv", "grants",
             "a hc/req"]]
    by_name = {r.scenario.name: r for r in results}
    for r in results:
        m = _BLOCK.match(r.scenario.name)
        a = by_name.get(r.scenario.counterpart or "")
        if not m or r.wall_unit != "ns" or not r.wall_stats.get("median"):
            continue
        op, kib, qd = m.group(1), int(m.group(2)), int(m.group(3))
        b_ns = r.wall_stats["median"]
        a_ns = a.wall_stats.get("median") if a is not None and a.wall_unit == "ns" else None
        g = guest_fields(r.scenario.name, runs)
        ga = guest_fields(r.scenario.counterpart, runs) if a is not None else {}
        rows.append([f"{op} {kib}K qd{qd}",
                     "-" if not a_ns else f"{kib * 1e9 / 1024 / a_ns:.1f}", "-" if not a_ns else f"{1e9 / a_ns:.0f}",
                     f"{kib * 1e9 / 1024 / b_ns:.1f}", f"{1e9 / b_ns:.0f}",
                     "-" if not a_ns else f"{a_ns / b_ns:.2f}",
                     g.get("hc_per_op", "-"), g.get("sent_per_op", "-"), g.get("recv_per_op", "-"),
                     g.get("grants_per_op", "-"), ga.get("hc_per_op", "-")])
    if len(rows) == 1:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = ["block: (a) driver domain on virtio-blk, (b) domU through blkfront (wall medians)"]
    for row in rows:
        out.append("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)).rstrip())
    out.append("b/a: (b)'s throughput over (a)'s (goal >= 0.80); hc/req, sent, recv, grants: per request, counted by"
               " the guest kernel (kcounters)")
    return "\n".join(out)


# The comparison's platforms, in the order of the platform table (scenarios.OS_PLATFORMS): the
# benchmark program's os_* rows and the disk_* rows.
_OS = re.compile(r"^(native|pv|hvm_npt|hvm_shadow)\.((?:os|disk|net)_\w+)$")
# PV events per op from the hypervisor's COUNTERS (whole run / ops), as the platform table names them.
PV_EVENTS = [("hc", "hypercalls"), ("bnc", "bounces"), ("cr3", "cr3_switches"), ("tlb", "tlb_flushes"),
             ("ptval", "pt_validations"), ("emul", "emul")]
# A PV disk or network row's own per-op figures (xvd bench's or netbench's BENCH line, counted by the
# domU's kernel).
PV_DISK_FIELDS = [("hc", "hc_per_op"), ("sent", "sent_per_op"), ("recv", "recv_per_op"), ("grants", "grants_per_op")]


def os_events(r, floor: float = 0.005, fields: dict | None = None) -> str:
    """Events per operation beside a comparison figure: the guest's own (HVM: VM exits by
    reason, device-model round trips (ioreq) and shadow-paging events between its marks, exact)
    from the icount run (a wall-only image's: its first wall run); a PV disk or network row's own
    per-op counts (fields); else the hypervisor's
    COUNTERS per op (PV: whole run less the baseline boot, / ops). Events rarer than floor per
    op are left out (results.json has them all); "exits" always shows. A network row starts
    with its frames per op (pkts=, netbench's pkts_per_op)."""
    pkts = f"pkts={fields['pkts_per_op']} " if fields and ".net_" in r.scenario.name and "pkts_per_op" in fields else ""
    guest = r.counters.get("guest_per_op")
    if guest:
        return pkts + " ".join(f"{k}={rate(v)}" for k, v in guest.items() if k == "exits" or v >= floor)
    if r.scenario.name.startswith(("pv.disk_", "pv.net_")) and fields:
        got = [f"{short}={fields[key]}" for short, key in PV_DISK_FIELDS if key in fields]
        return pkts + (" ".join(got) if got else "-")
    got = [f"{short}={rate(r.per_op[key])}" for short, key in PV_EVENTS if r.per_op.get(key, 0) >= floor]
    return (pkts + " ".join(got)).strip() or "-"


def _disk_kib(name: str) -> int | None:
    m = re.search(r"\.disk_\w+?_(\d+)k$", name)
    return int(m.group(1)) if m else None


def io_rate(name: str, median_ns: float | None) -> str:
    """The figure a reader wants beside an I/O row's time per op: MiB/s for a disk request of K KiB
    and for the network's per-MiB receive, microseconds for a round trip; "" for other rows."""
    if not median_ns or median_ns <= 0:
        return ""
    kib = _disk_kib(name)
    if kib:
        return f"{kib * 1e9 / 1024 / median_ns:.1f} MiB/s"
    if name.endswith(".net_rx"):
        return f"{1e9 / median_ns:.2f} MiB/s"
    if name.endswith(".net_ping"):
        return f"{median_ns / 1000:.1f} us RTT"
    return ""


def os_table(results: list, runs: list) -> str:
    """The comparison (issues 16 and 17): per scenario (the benchmark program's and the disk rows),
    each platform's icount and wall medians, their ratios to native, the modelled hardware
    estimate (model.py) and its ratio, and the events per operation. Empty when no scenario of
    the comparison was selected."""
    rows = [["scenario", "platform", "icount", "x native", "wall", "x native", "unit", "model ns", "x native",
             "events per op"]]
    mine = [(m.group(2), m.group(1), r) for r in results for m in [_OS.match(r.scenario.name)] if m]
    if not mine:
        return ""
    order = {p: i for i, p in enumerate(("native", "pv", "hvm_npt", "hvm_shadow"))}
    names = []
    for n, _, _ in mine:
        if n not in names:
            names.append(n)
    for n in names:
        for i, (_, plat, r) in enumerate(sorted((x for x in mine if x[0] == n), key=lambda x: order[x[1]])):
            label = (n[3:] if n.startswith("os_") else n) if i == 0 else ""
            if r.status == "SKIPPED":
                rows.append([label, plat, "-", "-", "-", "-", "", "-", "-", "SKIPPED: " + r.note])
                continue
            ev = os_events(r, fields=guest_fields(r.scenario.line_name, runs))
            med = r.wall_stats.get("median")
            rate_text = io_rate(r.scenario.name, med) if r.wall_unit == "ns" else ""
            if rate_text:
                ev = f"{rate_text}; " + ev
            if r.status != "ok" or r.note:
                ev += f" ({r.status}: {r.note})" if r.status != "ok" else f" ({r.note})"
            disk = n.startswith(("disk_", "net_"))     # no icount figure: its clock jumps over the idle waits
            rows.append([label, plat, "-" if disk else num(r.icount), "-" if disk else times(r.icount_ratio),
                         num(med), times(r.wall_ratio),
                         r.wall_unit, num(r.model_ns), times(r.model_ratio), ev])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = ["the comparison: one program (kbench/ubench; disk: xvd bench; network: netbench) on every platform,"
           " per operation"]
    for row in rows:
        out.append("  ".join(c.ljust(widths[i]) if i in (0, 1, 6, 9) else c.rjust(widths[i])
                             for i, c in enumerate(row)).rstrip())
    out.append("x native: platform / native (wall: median of per-round ratios); model ns: MODELLED hardware estimate,"
               " not measured = icount x 0.33 ns (disk, network: native's time per op) + events x published per-event"
               " costs (docs/benchmarks.md section 9);\ndisk and network rows have no icount (icount's clock skips the"
               " idle waits for the device); network: net_ping per round trip, net_rx per MiB received, pkts = frames"
               " per op; "
               "events (>= 0.005 per op): HVM = the guest's counts between its marks (VM exits by reason, full TLB"
               " flushes, ioreq = device-model round trips, shadow paging), exact;\nPV = the hypervisor's COUNTERS less a"
               " boot doing nothing, / ops (hc hypercalls, bnc bounces, cr3 CR3 loads, tlb full flushes, ptval table"
               " validations, emul emulated instructions); PV disk and network: per op, counted by the domU (hc, events"
               " sent and received, grant operations)")
    return "\n".join(out)
