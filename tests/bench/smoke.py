"""tests/bench/smoke: boots the benchmark program (guest-kernel/kernel/kbench.c, user/ubench.c)
on native, PV, HVM-NPT and HVM-shadow with iters=20 and one wall run, through the harness's own
collect (as `make bench` does), and checks each platform reported every scenario in both runs,
with a clean end (BENCH done, the expected exit) and, under HVM, its VM exits per operation
(ev.exits). A platform whose image is not built or whose runner refuses it is SKIPped with the
reason; PV (the bundled kernel) is always built, so it is never skipped."""
import glob
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))

from benchlib import collect, qemu, scenarios  # noqa: E402


def main():
    os.chdir(ROOT)
    out = os.environ.get("OUT", "out")
    logs = os.path.join(out, "test-logs", "bench-smoke")
    os.makedirs(logs, exist_ok=True)
    for old in glob.glob(os.path.join(logs, "*.log")):
        os.remove(old)
    failed = False
    for plat, _ in scenarios.OS_PLATFORMS:
        names = [f"{plat}.os_{n}" for n in scenarios.OS_SCENARIOS]
        sel = [s for s in scenarios.SCENARIOS if s.name in names]
        keys = sorted({s.image for s in sel})
        missing = collect.missing_images(keys, ROOT)
        if missing:
            why = next(iter(missing.values()))
            why = why if why.startswith("unavailable") else f"not built ({why})"
            if plat == "pv":
                print(f"FAIL: bench-smoke/{plat} ({why})")
                failed = True
            else:
                print(f"SKIP: bench-smoke/{plat} ({why})")
            continue
        cfg = collect.Config(iters=20, runs=1, timeout=100, log_dir=logs)
        runs = collect.collect(keys, cfg, lambda cmd, t, log: qemu.run(cmd, t, log, ROOT))
        problems = []
        for r in runs:
            if r.problem:
                problems.append(f"{r.image} {r.mode}: {r.problem} (log {r.log})")
        for s in sel:
            for r in (r for r in runs if r.image == s.image):
                m = r.parsed.measurements.get(s.line_name)
                if m is None:
                    problems.append(f"{s.line_name}: no BENCH line in the {r.mode} run (log {r.log})")
                elif plat.startswith("hvm") and ("ev.exits" not in m.fields or "marked" not in m.fields):
                    problems.append(f"{s.line_name}: no marked= and ev.exits= in the {r.mode} run (log {r.log})")
        if problems:
            print(f"FAIL: bench-smoke/{plat} ({'; '.join(problems[:3])})")
            failed = True
        else:
            print(f"PASS: bench-smoke/{plat}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
