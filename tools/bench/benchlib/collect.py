"""Running the images: one icount run each, then the wall runs in alternation order."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

from . import parse, qemu, scenarios



@dataclass
class Config:
    iters: int = 10000
    runs: int = 5
    timeout: float = 120.0
    log_dir: str | None = None
    http_port: int | None = None    # the network images' peer (hostnet.Server)
    root: str = "."


@dataclass
class Run:
    image: str
    mode: str                   # "icount" or "wall"
    round: int
    parsed: parse.ParsedRun
    rc: int | None = None
    timed_out: bool = False
    elapsed: float = 0.0
    first_line_s: float | None = None
    problem: str | None = None  # why the run is not a clean "BENCH done"
    log: str | None = None


def problem_of(image: scenarios.Image, run: Run) -> str | None:
    """Why run is not a clean, complete boot, or None."""
    if run.timed_out:
        return "timed out"
    if run.parsed.errors:
        return "kernel error: " + run.parsed.errors[0]
    if not run.parsed.done:
        return f"no 'BENCH done' (exit status {run.rc})"
    if image.kind == "native" and run.rc != image.exit_ok:
        return f"exit status {run.rc}, expected {image.exit_ok}"
    return None


def run_image(image: scenarios.Image, mode: str, rnd: int, cfg: Config, runner) -> Run:
    """Boot image once; runner(cmd, timeout, log_path) -> qemu.ProcResult."""
    if image.net:
        scenarios.materialize(image, cfg.http_port, cfg.root)
    cmd = scenarios.command(image, mode == "icount", cfg.iters, cfg.timeout, cfg.http_port)
    log = None
    if cfg.log_dir:
        log = os.path.join(cfg.log_dir, f"{image.key.replace(':', '-')}.{mode}.{rnd}.log")
    # tools/tandem-run enforces cfg.timeout itself; the harness's own limit is the backstop.
    pr = runner(cmd, cfg.timeout + (15 if image.kind in ("pv", "hvm") else 0), log)
    where = f"{image.key} {mode} run {rnd}: "
    run = Run(image=image.key, mode=mode, round=rnd,
              parsed=parse.parse_lines([t for _, t in pr.lines], where),
              rc=pr.rc, timed_out=pr.timed_out, elapsed=pr.elapsed, log=log)
    first = re.compile(image.first_line)
    run.first_line_s = next((t for t, text in pr.lines if first.search(parse.clean(text))), None)
    run.problem = pr.error or problem_of(image, run)
    return run


def eta_text(elapsed: float, done: int, total: int) -> str:
    """", about M min S s left" from the mean time of the runs done so far ("" before the first)."""
    if done <= 0 or done >= total:
        return ""
    left = int(elapsed / done * (total - done) + 0.5)
    return f", about {left // 60} min {left % 60:02d} s left" if left >= 60 else f", about {left} s left"


def collect(keys: list, cfg: Config, runner, progress=None, images=None) -> list:
    """One icount run per image, then cfg.runs wall rounds in alternation order."""
    images = images or scenarios.IMAGES
    runs = []
    plan = [(0, k, "icount") for k in keys if images[k].icount_run]
    plan += [(r, k, "wall") for r, k in scenarios.alternation_order(keys, cfg.runs, images)]
    t0 = time.monotonic()
    for i, (rnd, key, mode) in enumerate(plan, 1):
        if progress:
            progress(f"[{i}/{len(plan)}] {key} {mode}" + (f" round {rnd + 1}" if mode == "wall" else "")
                     + eta_text(time.monotonic() - t0, i - 1, len(plan)))
        run = run_image(images[key], mode, rnd, cfg, runner)
        if progress and run.problem:
            progress(f"    problem: {run.problem}" + (f" (log {run.log})" if run.log else ""))
        runs.append(run)
    return runs


def missing_images(keys: list, root: str, progress=None, images=None) -> dict:
    """Images of keys that cannot run: key -> the path of one not built, or "unavailable: WHY"
    when its probe (scenarios.probe: the runner refusing an option, say) fails."""
    images = images or scenarios.IMAGES
    missing = {k: images[k].path for k in keys if not os.path.isfile(os.path.join(root, images[k].path))}
    for k in keys:
        why = None if k in missing else qemu.unavailable(scenarios.probe(images[k]), root)
        if why:
            missing[k] = "unavailable: " + why
            if progress:
                progress(f"bench: {k} unavailable: {why}")
    return missing
