"""results.png through gnuplot: grouped bars native vs PV, icount (top) and wall ns (bottom), log scale."""
from __future__ import annotations

import math
import os
import shutil
import subprocess

# What every bar chart here (and tools/bench/linuxlib.py's) starts with: tab-separated data,
# "-" for a missing figure, clustered bars, a log y axis; the terminal and output come before it.
HISTOGRAM_PREAMBLE = """\
set datafile separator "\\t"
set datafile missing "-"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
"""

SCRIPT = """\
set terminal pngcairo noenhanced size 1400,1000 font ",10"
set output '{png}'
""" + HISTOGRAM_PREAMBLE + """\
set grid ytics
set key top left
set xtics rotate by -30 left nomirror
set bmargin 8
set rmargin 8
set multiplot layout 2,1 title "{title}"
set ylabel "guest instructions per op (icount)"
set yrange [{ymin_icount}:*]
plot '{dat}' using 2:xtic(1) title "native" lc rgb "#4477aa", '' using 3 title "PV (Tandem)" lc rgb "#ee6677"
set ylabel "wall ns per op (median of runs)"
set yrange [{ymin_wall}:*]
plot '{dat}' using 4:xtic(1) title "native" lc rgb "#4477aa", '' using 5 title "PV (Tandem)" lc rgb "#ee6677"
unset multiplot
"""


def _cell(v) -> str:
    return "-" if v is None or v <= 0 else f"{v:.6g}"


def floor_of(values) -> float:
    """A log-axis bottom a little below the smallest bar, so no bar sits on the axis."""
    pos = [v for v in values if v is not None and v > 0]
    return 10.0 ** math.floor(math.log10(min(pos) * 0.5)) if pos else 1.0


def rows(results: list) -> list:
    """(label, native icount, PV icount, native wall ns, PV wall ns) per per-op scenario with data."""
    out = []
    for r in results:
        if r.status != "ok" or r.scenario.kind != "op":
            continue
        wall = r.wall_stats.get("median") if r.wall_unit == "ns" else None
        if r.scenario.name.startswith("native."):
            out.append((r.scenario.name, r.icount, None, wall, None))
        else:
            wn = r.wall_native if r.wall_unit == "ns" else None
            out.append((r.scenario.name, r.icount_native, r.icount, wn, wall))
    return out


def write_plot(out_dir: str, results: list, title: str) -> str | None:
    """Write plot.dat, plot.gp and results.png; return None if gnuplot is missing or failed."""
    data = rows(results)
    dat, gp, png = (os.path.join(out_dir, n) for n in ("plot.dat", "plot.gp", "results.png"))
    if os.path.exists(png):
        os.remove(png)                  # never leave a previous run's plot behind
    if not data or not shutil.which("gnuplot"):
        return None
    with open(dat, "w", encoding="utf-8") as f:
        for label, *vals in data:
            f.write("\t".join([label] + [_cell(v) for v in vals]) + "\n")
    with open(gp, "w", encoding="utf-8") as f:
        f.write(SCRIPT.format(png=png, dat=dat, title=title.replace('"', "'"),
                              ymin_icount=floor_of(v for row in data for v in row[1:3]),
                              ymin_wall=floor_of(v for row in data for v in row[3:5])))
    try:
        done = subprocess.run(["gnuplot", gp], stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return png if done.returncode == 0 else None


# ---- the comparison (issue 17): one panel per metric, one bar per platform ----
COMPARISON_SCRIPT = """\
set terminal pngcairo noenhanced size {width},{height} font ",10"
set output '{png}'
""" + HISTOGRAM_PREAMBLE + """\
set grid ytics
set key outside right top vertical
set xtics rotate by -25 left nomirror
set bmargin 6
set multiplot layout {rows},{cols} columnsfirst title "{title}"
{panels}
unset multiplot
"""
PLATFORMS = [("native", "native (bare QEMU)", "#4477aa"), ("pv", "PV", "#ee6677"),
             ("hvm_npt", "HVM, nested paging", "#228833"), ("hvm_shadow", "HVM, shadow paging", "#ccbb44")]
METRICS = [("icount", "instructions per op (icount)"), ("wall", "wall ns per op under TCG (median)"),
           ("model", "MODELLED hardware ns per op (not measured)"),
           ("io_wall", "I/O under TCG (wall): MiB/s (disk_*, net_rx), round trips per ms (net_ping); higher is better"),
           ("io_model", "I/O, MODELLED (not measured): MiB/s (disk_*, net_rx), round trips per ms (net_ping); higher is better")]
YLABEL = {"icount": "instructions", "wall": "ns", "model": "ns (model)", "io_wall": "MiB/s, RTT/ms",
          "io_model": "MiB/s, RTT/ms (model)"}


def io_rate(label: str, ns: float | None) -> float | None:
    """An I/O row's time per op as a rate: MiB/s for a disk request of K KiB and for net_rx (per
    MiB), round trips per millisecond for net_ping; None for other rows."""
    import re
    if not ns or ns <= 0:
        return None
    m = re.match(r"^disk_\w+?_(\d+)k$", label)
    if m:
        return int(m.group(1)) * 1e9 / 1024 / ns
    if label == "net_rx":
        return 1e9 / ns
    if label == "net_ping":
        return 1e6 / ns
    return None


def comparison_rows(results: list) -> list:
    """(label, {metric: [native, pv, hvm_npt, hvm_shadow]}) per comparison scenario with data."""
    import re
    pat = re.compile(r"^(native|pv|hvm_npt|hvm_shadow)\.((?:os|disk|net)_\w+)$")
    table = {}
    for r in results:
        m = pat.match(r.scenario.name)
        if not m or r.status != "ok":
            continue
        label = m.group(2)[3:] if m.group(2).startswith("os_") else m.group(2)
        i = [p for p, _, _ in PLATFORMS].index(m.group(1))
        row = table.setdefault(label, {k: [None] * 4 for k, _ in METRICS})
        # Disk and network rows have no instruction count worth showing (the table's "-"): icount's
        # clock jumps over their waits for the device.
        row["icount"][i] = r.icount if m.group(2).startswith("os_") else None
        row["wall"][i] = r.wall_stats.get("median") if r.wall_unit == "ns" else None
        row["model"][i] = r.model_ns
        row["io_wall"][i] = io_rate(label, row["wall"][i])
        row["io_model"][i] = io_rate(label, r.model_ns)
    return list(table.items())


def write_comparison_plot(out_dir: str, results: list, title: str) -> str | None:
    """comparison.dat/.gp/.png (and comparison-METRIC.dat per panel): a panel per metric with data
    (icount, wall, model; the I/O rows' rates measured and modelled), a bar per platform per scenario."""
    data = comparison_rows(results)
    dat, gp, png = (os.path.join(out_dir, n) for n in ("comparison.dat", "comparison.gp", "comparison.png"))
    if os.path.exists(png):
        os.remove(png)
    if not data or not shutil.which("gnuplot"):
        return None
    with open(dat, "w", encoding="utf-8") as f:
        for label, row in data:
            f.write("\t".join([label] + [_cell(v) for k, _ in METRICS for v in row[k]]) + "\n")
    panels = []
    for k, title_k in METRICS:
        # Each panel the rows with a figure for it (icount: the OS rows; the rates: the I/O rows).
        rows_ = [(label, row) for label, row in data if any(v for v in row[k])]
        if not rows_:
            continue                    # nothing measured for it (an --only without such rows)
        path = os.path.join(out_dir, f"comparison-{k}.dat")
        with open(path, "w", encoding="utf-8") as f:
            for label, row in rows_:
                f.write("\t".join([label] + [_cell(v) for v in row[k]]) + "\n")
        floor = floor_of(v for _, row in rows_ for v in row[k])
        cols = ", ".join((f"'{path}' using {2 + i}:xtic(1)" if i == 0 else f"'' using {2 + i}")
                         + f' title "{name}" lc rgb "{color}"' for i, (_, name, color) in enumerate(PLATFORMS))
        panels.append(f'set title "{title_k}"\nset ylabel "{YLABEL[k]}"\nset yrange [{floor}:*]\nplot {cols}')
    if not panels:
        return None
    cols_n = 2 if len(panels) > 3 else 1
    rows_n = (len(panels) + cols_n - 1) // cols_n
    with open(gp, "w", encoding="utf-8") as f:
        f.write(COMPARISON_SCRIPT.format(png=png, title=title.replace('"', "'"), panels="\n".join(panels),
                                         rows=rows_n, cols=cols_n, width=1500 * cols_n, height=400 * rows_n + 100))
    try:
        done = subprocess.run(["gnuplot", gp], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return png if done.returncode == 0 else None
