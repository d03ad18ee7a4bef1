"""The pure part of `make bench-linux` (tools/bench/linux): the workloads, the QEMU command of each
platform, parsing a console transcript, rotation, statistics, counter differences, the tables, CSV
and the plot script. No I/O except write_* and plot(); tests/bench/test_linux.py tests the rest.
Method: docs/benchmarks.md, "Linux comparison"."""
from __future__ import annotations

import csv
import io
import math
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import stats  # noqa: E402
from benchlib.plot import HISTOGRAM_PREAMBLE  # noqa: E402

PLATFORMS = ("native", "xen", "tandem")
LABEL = {"native": "native", "xen": "Xen", "tandem": "Tandem"}

# name, unit bench/linux/init prints, operations in the workload (at full size), what one is.
WORKLOADS = [
    ("cpu_calib_awk_pre", "ms", 1, "run (pure user CPU: an awk loop)"),
    ("fork_exec_2000", "ms", 2000, "fork+exec+exit+wait of /bin/true"),
    ("dd_zero_null_64M_bs1M", "ms", 128, "read or write syscall (64+64)"),
    ("dd_zero_null_64M_bs4k", "ms", 32768, "read or write syscall (16384+16384)"),
    ("tmpfs_write_64M", "ms", 16384, "4 KiB page written"),
    ("tmpfs_read_64M", "ms", 16384, "4 KiB page read"),
    ("anon_fault_4x64M", "ms", 65536, "4 KiB anonymous page faulted (4 x 16384)"),
    ("syscall_getppid", "ns/call", 1000000, "getppid"),
    ("pagefault_anon", "ns/fault", 16384, "first-touch page fault"),
    ("pipe_pingpong", "us/roundtrip", 20000, "round trip (2 switches, 4 syscalls)"),
    ("cpu_calib_awk_post", "ms", 1, "run (pure user CPU: an awk loop)"),
]
NAMES = [w[0] for w in WORKLOADS]
UNITS = {w[0]: w[1] for w in WORKLOADS}
OPS = {w[0]: w[2] for w in WORKLOADS}
OP_DESC = {w[0]: w[3] for w in WORKLOADS}
# Workloads whose figure is a total over its operations (ms): counters per op divide by OPS; the
# others print a per-operation figure already.
BOOT = "boot_to_init"           # host seconds from launch to /init's first line
DONE = "boot_to_done"           # host seconds from launch to /init's last line (every workload done)
INIT_MARK = "LBENCH init: first line"
DONE_MARK = "LBENCH done"

RESULT_RE = re.compile(r"RESULT (\S+) (\S+) (\S+)\s*$")
COUNTERS_RE = re.compile(r"COUNTERS d=(\d+) (.*)$")
COUNTER_SUMMARY = ("hypercalls", "bounces", "upcalls", "cr3_switches", "pt_validations", "tlb_flushes",
                   "ptwr", "emul")

XEN_ARGS = "console=com1 com1=115200,8n1 dom0_mem=512M smap=0 noreboot"
LINUX_ARGS = {"native": "console=ttyS0 mem=512M panic=-1 quiet",
              "xen": "console=hvc0 earlyprintk=xen panic=-1 quiet",
              "tandem": "console=hvc0 panic=-1 quiet"}


def select_workloads(only: str | None) -> list:
    """The workload names of a comma-separated --only list (every one when None); unknown names raise."""
    if not only:
        return list(NAMES)
    names = [n.strip() for n in only.split(",") if n.strip()]
    bad = [n for n in names if n not in NAMES]
    if bad:
        raise ValueError("unknown workload(s) %s; known: %s" % (", ".join(bad), ", ".join(NAMES)))
    return [n for n in NAMES if n in names]


def lbench_word(workloads: list | None) -> str:
    """The kernel command line word bench/linux/init reads: lbench=all, lbench=none or NAME+NAME..."""
    if workloads is None:
        return "lbench=none"
    if list(workloads) == NAMES:
        return "lbench=all"
    return "lbench=" + "+".join(workloads)     # not ',': QEMU's Multiboot module list


def command(platform: str, files: dict, workloads: list | None, quick: bool = False,
            icount: bool = False, timeout: int = 600) -> list:
    """The command of one boot. files: root (the repository), vmlinuz, initrd, xen (Xen's ELF)."""
    words = [lbench_word(workloads)] + (["lbench_quick=1"] if quick else [])
    if platform == "tandem":
        cmd = [os.path.join(files["root"], "tools", "tandem-run"), "--timeout", str(int(timeout)),
               "--mem", "1024", "--hv-args", "dom_mem=512M"]
        if icount:
            cmd.append("--icount")
        return cmd + ["--initrd", files["initrd"], files["vmlinuz"], "--", LINUX_ARGS["tandem"]] + words
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-machine", "q35", "-cpu", "max", "-m", "1024",
           "-smp", "1", "-no-reboot", "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-net", "none"]
    if icount:
        cmd += ["-icount", "shift=0,sleep=off"]
    if platform == "native":
        return cmd + ["-kernel", files["vmlinuz"], "-initrd", files["initrd"],
                      "-append", " ".join([LINUX_ARGS["native"]] + words)]
    if platform == "xen":
        for f in (files["vmlinuz"], files["initrd"]):
            if "," in f:
                raise ValueError("QEMU's Multiboot loader cannot take ',' in %s" % f)
        return cmd + ["-kernel", files["xen"], "-append", XEN_ARGS,
                      "-initrd", " ".join([files["vmlinuz"], LINUX_ARGS["xen"]] + words) + "," + files["initrd"]]
    raise ValueError("unknown platform " + platform)


def rotation(platforms: list, rounds: int) -> list:
    """[(round, platform), ...]: round r runs the platforms rotated left by r."""
    n = len(platforms)
    return [(r, platforms[(i + r) % n]) for r in range(rounds) for i in range(n)] if n else []


def parse_console(lines: list) -> dict:
    """One boot's transcript, [(host seconds since launch, text)], as
    {results: {name: value or None (failed)}, units: {name: unit}, init_s, done_s, counters: {domid: {key: n}}}."""
    out = {"results": {}, "units": {}, "init_s": None, "done_s": None, "counters": {}}
    for t, text in lines:
        if out["init_s"] is None and INIT_MARK in text:
            out["init_s"] = t
        if DONE_MARK in text and out["done_s"] is None:
            out["done_s"] = t
        m = RESULT_RE.search(text)
        if m:
            name, value, unit = m.groups()
            try:
                v = float(value)
                if not math.isfinite(v) or v < 0:
                    v = None
            except ValueError:
                v = None
            out["results"][name] = v
            out["units"][name] = unit
            continue
        m = COUNTERS_RE.search(text)
        if m:
            d = out["counters"].setdefault(int(m.group(1)), {})
            for word in m.group(2).split():
                k, eq, v = word.partition("=")
                if eq and re.fullmatch(r"[0-9]+", v):
                    d[k] = d.get(k, 0) + int(v)
    return out


def counter_delta(work: dict, base: dict) -> dict:
    """Counters of a workload's run minus the baseline run's (every key of either)."""
    return {k: work.get(k, 0) - base.get(k, 0) for k in sorted(set(work) | set(base))}


def per_op(delta: dict, name: str, quick: bool = False) -> dict:
    """The counter differences per operation of workload NAME (quick: a tenth of the operations)."""
    ops = OPS[name] / (10 if quick else 1)
    ops = max(ops, 1)
    return {k: v / ops for k, v in delta.items()}


def top_hypercalls(delta: dict, n: int = 5) -> list:
    """[(name, count, share of the hypercalls)] of the n largest hc.NAME differences."""
    hcs = [(k[3:], v) for k, v in delta.items() if k.startswith("hc.") and v > 0]
    total = sum(v for _, v in hcs)
    hcs.sort(key=lambda kv: (-kv[1], kv[0]))
    return [(k, v, v / total if total else 0.0) for k, v in hcs[:n]]


def summarize(runs: list, platforms: list, names: list) -> dict:
    """runs: [{round, platform, results{}, init_s}] -> {name: {platform: {values: [...per round], stats}}}."""
    rounds = 1 + max((r["round"] for r in runs), default=-1)
    table = {}
    for name in names + [BOOT, DONE]:
        row = {}
        for p in platforms:
            vals = [None] * rounds
            for r in runs:
                if r["platform"] == p:
                    vals[r["round"]] = (r["init_s"] if name == BOOT else r["done_s"] if name == DONE
                                        else r["results"].get(name))
            row[p] = {"values": vals, "stats": stats.summarize(vals)}
        table[name] = row
    return table


RATIOS = (("xen", "native"), ("tandem", "native"), ("tandem", "xen"))


def ratios(row: dict) -> dict:
    """{'xen/native': ratio of medians, ..., 'per_round': {'xen/native': [...]}} for the pairs present."""
    out = {"per_round": {}, "paired": {}}
    for a, b in RATIOS:
        if a in row and b in row:
            key = f"{a}/{b}"
            out[key] = stats.ratio(row[a]["stats"]["median"], row[b]["stats"]["median"])
            per = [stats.ratio(x, y) for x, y in zip(row[a]["values"], row[b]["values"])]
            out["per_round"][key] = per
            out["paired"][key] = stats.median(per)
    return out


def fmt(v, digits: int = 4) -> str:
    """A figure with about four significant digits, '-' when missing."""
    if v is None:
        return "-"
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    if mag >= digits - 1:
        return f"{v:.0f}"
    return f"{v:.{max(0, digits - 1 - mag)}f}"


def cell(st: dict) -> str:
    if not st or st.get("median") is None:
        return "-"
    return f"{fmt(st['median'])} [{fmt(st['min'])}-{fmt(st['max'])}]"


def unit_of(name: str) -> str:
    return "s" if name in (BOOT, DONE) else UNITS.get(name, "?")


def main_table(table: dict, platforms: list) -> str:
    """The Markdown table: medians [min-max] per platform, then the ratios of medians."""
    pairs = [(a, b) for a, b in RATIOS if a in platforms and b in platforms]
    head = ["workload", "unit"] + [LABEL[p] for p in platforms] + [f"{LABEL[a]}/{LABEL[b]}" for a, b in pairs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in table.items():
        r = ratios(row)
        cells = [name, unit_of(name)] + [cell(row[p]["stats"]) for p in platforms]
        cells += [fmt(r.get(f"{a}/{b}"), 3) for a, b in pairs]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def round_table(table: dict, platforms: list) -> str:
    """Per-round ratios (same-round pairs: what rotation makes meaningful): one column per pair, the
    rounds' ratios in order, then their median in parentheses."""
    pairs = [(a, b) for a, b in RATIOS if a in platforms and b in platforms]
    if not pairs:
        return ""
    head = ["workload"] + [f"{LABEL[a]}/{LABEL[b]} per round (median)" for a, b in pairs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in table.items():
        r = ratios(row)
        cells = [name]
        for a, b in pairs:
            key = f"{a}/{b}"
            cells.append(" ".join(fmt(x, 3) for x in r["per_round"][key]) + f" ({fmt(r['paired'][key], 3)})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def counters_table(counters: dict, quick: bool = False) -> str:
    """counters: {name: {figure, unit, delta}} -> per-operation counter table (Tandem only)."""
    head = ["workload", "op", "in-guest figure", "hypercalls/op", "bounces/op", "upcalls/op",
            "cr3_switches/op", "pt_validations/op", "dominant hypercalls per op (share)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, c in counters.items():
        if c.get("delta") is None:
            lines.append("| " + " | ".join([name, OP_DESC[name], "-", "(no counters: %s)" % c.get("error", "run failed")]
                                           + ["-"] * 5) + " |")
            continue
        p = per_op(c["delta"], name, quick)
        ops = max(OPS[name] / (10 if quick else 1), 1)
        top = ", ".join(f"{k} {v / ops:.2f} ({share * 100:.0f}%)" for k, v, share in top_hypercalls(c["delta"]))
        fig = "-" if c.get("figure") is None else f"{fmt(c['figure'])} {c.get('unit', '')}"
        lines.append("| " + " | ".join([name, OP_DESC[name], fig] +
                                       [f"{p.get(k, 0):.2f}" for k in ("hypercalls", "bounces", "upcalls", "cr3_switches",
                                                                      "pt_validations")] + [top or "-"]) + " |")
    return "\n".join(lines)


def runs_csv(runs: list) -> str:
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["round", "platform", "workload", "value", "unit"])
    for r in runs:
        for name, key in ((BOOT, "init_s"), (DONE, "done_s")):
            w.writerow([r["round"] + 1, r["platform"], name, "" if r[key] is None else f"{r[key]:.3f}", "s"])
        for name in NAMES:
            if name in r["results"]:
                v = r["results"][name]
                w.writerow([r["round"] + 1, r["platform"], name, "" if v is None else repr(v), unit_of(name)])
    return f.getvalue()


def summary_csv(table: dict, platforms: list) -> str:
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["workload", "unit", "platform", "n", "median", "min", "max", "spread_pct"])
    for name, row in table.items():
        for p in platforms:
            st = row[p]["stats"]
            w.writerow([name, unit_of(name), p, st["n"]] +
                       ["" if st[k] is None else f"{st[k]:.6g}" for k in ("median", "min", "max", "spread_pct")])
    return f.getvalue()


PLOT = """\
set terminal pngcairo noenhanced size 1400,700 font ",10"
set output '{png}'
""" + HISTOGRAM_PREAMBLE + """\
set yrange [0.3:*]
set grid ytics
set key top left
set xtics rotate by -30 left nomirror
set bmargin 9
set title "{title}"
set ylabel "ratio of medians to native (log scale; 1 = native)"
plot {series}
"""


def plot_data(table: dict, platforms: list) -> tuple:
    """(tab-separated data, gnuplot plot clause) of the ratio-to-native bars; (None, None) without native."""
    others = [p for p in platforms if p != "native"]
    if "native" not in platforms or not others:
        return None, None
    rows = []
    for name, row in table.items():
        r = ratios(row)
        vals = [r.get(f"{p}/native") for p in others]
        rows.append("\t".join([name] + ["-" if v is None else f"{v:.6g}" for v in vals]))
    colors = {"xen": "#4477aa", "tandem": "#ee6677"}
    series = ", ".join((f"'{{dat}}' using {i + 2}:xtic(1)" if i == 0 else f"'' using {i + 2}") +
                       f" title \"{LABEL[p]}/native\" lc rgb \"{colors[p]}\"" for i, p in enumerate(others))
    return "\n".join(rows) + "\n", series


def plot(out_dir: str, table: dict, platforms: list, title: str) -> str | None:
    """Write linux.dat, linux.gp and linux.png; None when gnuplot is missing, failed or there is nothing to plot."""
    data, series = plot_data(table, platforms)
    if data is None or not shutil.which("gnuplot"):
        return None
    dat, gp, png = (os.path.join(out_dir, "linux." + e) for e in ("dat", "gp", "png"))
    with open(dat, "w", encoding="utf-8") as f:
        f.write(data)
    with open(gp, "w", encoding="utf-8") as f:
        f.write(PLOT.format(png=png, title=title.replace("'", ""), series=series.replace("{dat}", dat)))
    try:
        done = subprocess.run(["gnuplot", gp], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return png if done.returncode == 0 and os.path.exists(png) else None
