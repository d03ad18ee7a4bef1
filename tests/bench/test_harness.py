"""Host tests of the benchmark harness (tools/bench/benchlib): parsing, statistics,
alternation, ratios, skip handling. Run by tests/bench/run; stdlib only."""
import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True      # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))

from benchlib import collect, hostnet, model, parse, plot, report, results, scenarios, stats  # noqa: E402
from benchlib.qemu import ProcResult  # noqa: E402

NATIVE_OUT = """\
SeaBIOS (version 1.16.2)
Booting from ROM..
BENCH scenario=native.boot iters=1 total=16000000 overhead=0 per_op=16000000 unit=tsc
BENCH clock tsc_khz=2000000
BENCH scenario=native.syscall iters=1000 total=4006 overhead=2006 per_op={syscall} unit=tsc
BENCH scenario=native.ctxsw iters=2000 total=43006 overhead=2006 per_op={ctxsw} unit=tsc
BENCH done
"""
PV_OUT = """\
(XEN) Tandem starting
COUNTERS hypercalls=1002 exits=0x10
(d1) BENCH clock tsc_khz=2000000
(d1) BENCH scenario=pv.null_hypercall iters=1000 total=90000 per_op={per_op}
COUNTERS scenario=pv.null_hypercall hypercalls=1000
(d1) BENCH done
"""


class FakeRunner:
    """Stands in for qemu.run: records commands, answers from a function of (command, call number)."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def __call__(self, cmd, timeout, log):
        self.calls.append(cmd)
        return self.answer(cmd, len(self.calls))


def proc(text, rc=1, timed_out=False):
    return ProcResult(lines=[(0.1 * (i + 1), t) for i, t in enumerate(text.splitlines())],
                      rc=rc, timed_out=timed_out, elapsed=1.0)


def is_native(cmd):
    return cmd[0].startswith("qemu-system")


def label(cmd):
    return ("native" if is_native(cmd) else "pv") + (" icount" if "-icount" in cmd or "--icount" in cmd else " wall")


class ParseTests(unittest.TestCase):
    label = "parse"

    def test_bench_line(self):
        run = parse.parse_lines(["BENCH scenario=native.syscall iters=10 total=50 overhead=20 per_op=3.00 unit=tsc"])
        m = run.measurements["native.syscall"]
        self.assertEqual((m.iters, m.total, m.overhead, m.per_op, m.unit), (10, 50, 20, 3.0, "tsc"))
        self.assertEqual(run.warnings, [])

    def test_prefix_crlf_and_escapes(self):
        run = parse.parse_lines(["\x1bc\x1b[?7l(d1) BENCH scenario=pv.x iters=2 per_op=-1.5\r"])
        self.assertEqual(run.measurements["pv.x"].per_op, -1.5)

    def test_hypervisor_prefix_and_timestamp(self):
        run = parse.parse_lines(["(XEN) [    0.105213] COUNTERS hypercalls=5",
                                 "(XEN) [    0.020001] BENCH clock tsc_khz=999973"])
        self.assertEqual((run.counters, run.tsc_khz, run.warnings), ({"hypercalls": 5}, 999973, []))

    def test_done_error_warning_clock(self):
        run = parse.parse_lines(["BENCH warning bad iters", "BENCH error vector=14 rip=0x1",
                                 "BENCH scenario=a iters=1 per_op=4", "BENCH clock tsc_khz=1000", "BENCH done"])
        self.assertTrue(run.done)
        self.assertEqual(run.errors, ["vector=14 rip=0x1"])
        self.assertEqual(run.warnings, ["kernel: bad iters"])
        self.assertEqual(run.khz_for(run.measurements["a"]), 1000)    # clock line after it still counts

    def test_own_khz_wins(self):
        run = parse.parse_lines(["BENCH clock tsc_khz=1000", "BENCH scenario=a iters=1 per_op=4 tsc_khz=5"])
        self.assertEqual(run.khz_for(run.measurements["a"]), 5)

    def test_counters(self):
        run = parse.parse_lines(["COUNTERS hypercalls=10 exits=0x10 mode=pv",
                                 "(d0) COUNTERS scenario=pv.a faults=3", "COUNTERS hypercalls=11"])
        self.assertEqual(run.counters, {"hypercalls": 11, "exits": 16, "mode": "pv"})
        self.assertEqual(run.scenario_counters, {"pv.a": {"faults": 3}})

    def test_counters_per_domain(self):
        run = parse.parse_lines(["(XEN) [    1.000000] COUNTERS d=1 hypercalls=10 bounces=2",
                                 "(XEN) [    1.000001] COUNTERS d=1 hc.xen_version=9 hc.console_io=1",
                                 "(XEN) [    1.000002] COUNTERS d=2 hypercalls=4"])
        self.assertEqual(run.counters, {"d1.hypercalls": 10, "d1.bounces": 2, "d1.hc.xen_version": 9,
                                        "d1.hc.console_io": 1, "d2.hypercalls": 4})
        self.assertEqual(run.warnings, [])

    def test_malformed_ignored_with_warning(self):
        bad = ["BENCH scenario=a iters=10", "BENCH iters=10 per_op=1", "BENCH scenario=a iters=0 per_op=1",
               "BENCH scenario=a iters=ten per_op=1", "BENCH scenario=a iters=1 per_op=fast",
               "BENCH scenario=a iters=1 per_op=nan", "BENCH scenario=a junk iters=1 per_op=1",
               "BENCH scenario=a scenario=b iters=1 per_op=1", "BENCH scenario=a iters=1 per_op=1 total=-3",
               "BENCH clock", "BENCH clock tsc_khz=x", "COUNTERS a=1 b", "BENCH", "BENCH done now"]
        run = parse.parse_lines(bad)
        self.assertEqual(run.measurements, {})
        self.assertEqual(len(run.warnings), len(bad))
        self.assertFalse(run.done)
        self.assertTrue(all("malformed" in w for w in run.warnings))

    def test_other_lines_silent(self):
        run = parse.parse_lines(["BENCHMARK scenario=a iters=1 per_op=1", "x BENCH scenario=a iters=1 per_op=1",
                                 "", "(d1) hello", "Booting from ROM.."])
        self.assertEqual((run.measurements, run.warnings), ({}, []))

    def test_duplicate_keeps_last(self):
        run = parse.parse_lines(["BENCH scenario=a iters=1 per_op=1", "BENCH scenario=a iters=1 per_op=2"])
        self.assertEqual(run.measurements["a"].per_op, 2.0)
        self.assertEqual(len(run.warnings), 1)


class StatsTests(unittest.TestCase):
    label = "stats"

    def test_median_odd(self):
        self.assertEqual(stats.median([5, 1, 3]), 3)

    def test_median_even(self):
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.5)

    def test_median_empty_and_none(self):
        self.assertIsNone(stats.median([]))
        self.assertIsNone(stats.median([None]))
        self.assertEqual(stats.median([None, 7, None]), 7)

    def test_quartiles_iqr(self):
        self.assertEqual(stats.quartiles([1, 2, 3, 4, 5]), (1.5, 4.5))
        self.assertEqual(stats.quartiles([1, 2, 3, 4]), (1.5, 3.5))
        self.assertEqual(stats.iqr([7]), 0)

    def test_spread(self):
        self.assertAlmostEqual(stats.spread_pct([90, 100, 110]), 20.0)
        self.assertIsNone(stats.spread_pct([]))
        self.assertIsNone(stats.spread_pct([0, 0]))

    def test_summarize(self):
        s = stats.summarize([3, None, 1, 2])
        self.assertEqual((s["n"], s["median"], s["min"], s["max"]), (3, 2, 1, 3))

    def test_ratio(self):
        self.assertEqual(stats.ratio(6, 3), 2)
        self.assertIsNone(stats.ratio(None, 3))
        self.assertIsNone(stats.ratio(3, 0))

    def test_paired_ratio(self):
        self.assertEqual(stats.paired_ratio([10, 30, None, 8], [5, 10, 4, 2]), 3)


class ScheduleTests(unittest.TestCase):
    label = "schedule"

    def test_alternation_two(self):
        order = scenarios.alternation_order(["A", "B"], 3)
        self.assertEqual([k for _, k in order], ["A", "B", "A", "B", "A", "B"])
        self.assertEqual([r for r, _ in order], [0, 0, 1, 1, 2, 2])

    def test_alternation_round_robin(self):
        self.assertEqual([k for _, k in scenarios.alternation_order(["n", "p", "q"], 2)],
                         ["n", "p", "q", "n", "p", "q"])

    def test_images_needed_include_counterpart_native_first(self):
        sel = scenarios.select(scenarios.SCENARIOS, "pv.null_hypercall,pv.syscall_bounce")
        self.assertEqual(scenarios.images_needed(sel), ["native", "pv:null_hypercall", "pv:null_hypercall_raw",
                                                        "pv:syscall_bounce"])

    def test_select_patterns(self):
        names = [s.name for s in scenarios.select(scenarios.SCENARIOS, "native.s*, boot_uefi")]
        self.assertEqual(names, ["native.syscall", "pv.boot_uefi"])
        self.assertEqual(scenarios.select(scenarios.SCENARIOS, "nothing-like-this"), [])

    def test_table_consistent(self):
        names = {s.name for s in scenarios.SCENARIOS}
        for s in scenarios.SCENARIOS:
            self.assertIn(s.image, scenarios.IMAGES)
            self.assertTrue(s.counterpart is None or s.counterpart in names, s.name)

    def test_commands(self):
        nat = scenarios.command(scenarios.IMAGES["native"], True, 77, 60)
        self.assertEqual(nat[nat.index("-append") + 1], "iters=77 mode=rawbench")
        self.assertEqual(nat[nat.index("-icount") + 1], "shift=0,sleep=off")
        pv = scenarios.command(scenarios.IMAGES["pv:null_hypercall"], False, 5, 60)
        self.assertEqual(pv, ["tools/tandem-run", "--timeout", "60", "out/tests/bench/null_hypercall.elf",
                              "--", "iters=5", "only=pv.null_hypercall"])
        ev = scenarios.command(scenarios.IMAGES["pv:event_self"], True, 5, 60)
        self.assertEqual(ev, ["tools/tandem-run", "--icount", "--timeout", "60", "out/tests/bench/event_self.elf",
                              "--", "iters=5"])
        efi = scenarios.command(scenarios.IMAGES["pv:boot--efi"], False, 1, 60)
        self.assertEqual(efi[3:5], ["--efi", "out/tests/bench/boot.elf"])

    def test_one_scenario_per_pv_image_with_only(self):
        # Images booted for one scenario of a multi-scenario kernel pass only=<that scenario>,
        # so the run's COUNTERS are that scenario's alone.
        by_image = {}
        for s in scenarios.SCENARIOS:
            by_image.setdefault(s.image, []).append(s)
        for key, img in scenarios.IMAGES.items():
            only = [a for a in img.args if a.startswith("only=")]
            if only and not img.icount_only:
                self.assertEqual([f"only={s.line_name}" for s in by_image[key]], only, key)

    def test_os_program_on_every_platform(self):
        # The benchmark program: five scenarios on four platforms, each non-native one compared
        # with native's; PV boots once per scenario and has the no-scenario baseline.
        names = {s.name for s in scenarios.SCENARIOS}
        for n in scenarios.OS_SCENARIOS:
            for plat, _ in scenarios.OS_PLATFORMS:
                s = next(x for x in scenarios.SCENARIOS if x.name == f"{plat}.os_{n}")
                self.assertEqual(s.counterpart, None if plat == "native" else f"native.os_{n}")
                self.assertIn(s.counterpart or s.name, names)
                self.assertEqual(s.baseline, "os:pv:base" if plat == "pv" else None)
        sel = scenarios.select(scenarios.SCENARIOS, "pv.os_syscall")
        self.assertEqual(scenarios.images_needed(sel), ["os:pv:syscall", "os:native", "os:pv:base"])
        self.assertEqual([k for _, k in scenarios.alternation_order(["os:pv:syscall", "os:pv:base"], 2)],
                         ["os:pv:syscall", "os:pv:syscall"])

    def test_os_commands(self):
        nat = scenarios.command(scenarios.IMAGES["os:native"], True, 7, 60)
        self.assertEqual(nat[nat.index("-kernel") + 1:nat.index("-append") + 2],
                         ["out/guest-kernel/native.elf", "-append", "iters=7 mode=bench"])
        self.assertEqual(scenarios.IMAGES["os:native"].exit_ok, 1)
        pv = scenarios.command(scenarios.IMAGES["os:pv:ctxsw"], False, 5, 60)
        self.assertEqual(pv, ["tools/tandem-run", "--timeout", "60", "out/guest-kernel/kernel.elf", "--",
                              "iters=5", "mode=bench", "only=pv.os_ctxsw"])
        hvm = scenarios.command(scenarios.IMAGES["os:hvm_shadow"], True, 5, 60)
        self.assertEqual(hvm, ["tools/tandem-run", "--icount", "--timeout", "60", "--hvm", "shadow",
                               "out/guest-kernel/native.elf", "--", "iters=5", "mode=bench", "plat=hvm_shadow"])
        self.assertEqual(scenarios.probe(scenarios.IMAGES["os:hvm_npt"])[:4],
                         ["tools/tandem-run", "--print-qemu", "--hvm", "npt"])
        self.assertIsNone(scenarios.probe(scenarios.IMAGES["os:pv:ctxsw"]))

    def test_collect_runs_icount_then_alternates(self):
        fake = FakeRunner(lambda cmd, n: proc(NATIVE_OUT.format(syscall=2, ctxsw=20)))
        collect.collect(["native", "pv:null_hypercall"], collect.Config(runs=2), fake)
        self.assertEqual([label(c) for c in fake.calls],
                         ["native icount", "pv icount", "native wall", "pv wall", "native wall", "pv wall"])


def pick(res, name):
    return next(r for r in res if r.scenario.name == name)


class ResultTests(unittest.TestCase):
    label = "results"

    def run_all(self, answer, names, runs=3, missing=None):
        sel = [s for s in scenarios.SCENARIOS if s.name in names]
        keys = [k for k in scenarios.images_needed(sel) if k not in (missing or {})]
        fake = FakeRunner(answer)
        got = collect.collect(keys, collect.Config(runs=runs), fake)
        return results.build(sel, got, missing or {}, runs), got

    @staticmethod
    def answer(cmd, n):
        ic = "-icount" in cmd or "--icount" in cmd
        if is_native(cmd):
            return proc(NATIVE_OUT.format(syscall=2 if ic else 200 * n, ctxsw=20 if ic else 1000))
        return proc(PV_OUT.format(per_op=90 if ic else 2000 * (n - 1)), rc=0)

    def test_icount_and_wall_ratios(self):
        res, _ = self.run_all(self.answer, {"pv.null_hypercall"})
        r = res[0]
        self.assertEqual((r.status, r.icount, r.icount_native, r.icount_ratio), ("ok", 90, 2, 45))
        # native wall ticks 200*n at 2 GHz: calls 3,5,7 -> 300,500,700 ns; PV 2000*(n-1): 4,6,8 -> 3000,5000,7000 ns
        self.assertEqual(r.wall_unit, "ns")
        self.assertEqual(r.wall, [3000, 5000, 7000])
        self.assertEqual(r.wall_native, 500)
        self.assertEqual(r.wall_ratio, 10)

    def test_one_clock_for_every_wall_run(self):
        # A boot whose calibration was disturbed (4 GHz among 2 GHz ones) does not skew its figures:
        # every wall run is converted with the median of all wall runs' clocks.
        def answer(cmd, n):
            ic = "-icount" in cmd or "--icount" in cmd
            if is_native(cmd):
                return proc(NATIVE_OUT.format(syscall=2 if ic else 1000, ctxsw=20))
            khz = 1000000 if ic else (4000000 if n == 4 else 2000000)
            return proc(f"(XEN) [ 0.1] BENCH clock tsc_khz={khz}\n"
                        f"(d1) BENCH scenario=pv.null_hypercall iters=10 per_op={90 if ic else 4000}\n"
                        "(d1) BENCH done\n", rc=0)
        r = self.run_all(answer, {"pv.null_hypercall"}, runs=3)[0][0]
        self.assertEqual(r.wall, [2000, 2000, 2000])
        self.assertEqual(r.wall_ratio, 4)
        self.assertEqual(r.icount, 90)

    def test_scale_applies_to_counterpart(self):
        def answer(cmd, n):
            if is_native(cmd):
                return proc(NATIVE_OUT.format(syscall=2, ctxsw=20))
            return proc("(d1) BENCH scenario=pv.interdomain_rtt iters=10 per_op=400\n(d1) BENCH done", rc=0)
        r = self.run_all(answer, {"pv.interdomain_rtt"}, runs=1)[0][0]
        self.assertEqual((r.icount_native, r.icount_ratio), (40, 10))
        self.assertEqual(r.wall_unit, "tsc")           # no clock line from the PV kernel
        self.assertIsNone(r.wall_ratio)                # ns vs tsc: not comparable
        self.assertIn("wall units differ", r.note)

    def test_counters_attached(self):
        r = self.run_all(self.answer, {"pv.null_hypercall"})[0][0]
        self.assertEqual(r.counters["icount"], {"hypercalls": 1000, "exits": 16})
        self.assertEqual(len(r.counters["wall"]), 3)

    def test_counters_per_op(self):
        got = results.per_op_counters({"d1.hypercalls": 1010, "d2.hypercalls": 990, "d1.hc.iret": 500,
                                       "exits": 4, "mode": "pv"}, 1000)
        self.assertEqual(got, {"hypercalls": 2.0, "hc.iret": 0.5, "exits": 0.004})
        self.assertEqual(results.per_op_counters({"d1.hypercalls": 3}, None), {})

    def test_counters_per_op_from_ops_field(self):
        def answer(cmd, n):
            if is_native(cmd):
                return proc(NATIVE_OUT.format(syscall=2, ctxsw=20))
            return proc("(XEN) [ 0.1] BENCH clock tsc_khz=1000000\n"
                        "(d1) BENCH scenario=pv.event_self iters=1000 per_op=900 ops=1100\n(d1) BENCH done\n"
                        "(XEN) [ 0.2] COUNTERS d=1 hypercalls=2210 bounces=1100 upcalls=1100\n", rc=0)
        r = self.run_all(answer, {"pv.event_self"}, runs=1)[0][0]
        self.assertAlmostEqual(r.per_op["hypercalls"], 2210 / 1100)
        self.assertEqual(r.per_op["bounces"], 1.0)
        self.assertEqual(r.counters["per_op"], r.per_op)
        row = [c for c in report.table([r]).splitlines()[1].split()]
        self.assertEqual(row[4:6], ["2.01", "1.00"])    # hc/op, bnc/op after icount, native, ratio

    def test_skipped_when_not_built(self):
        res, got = self.run_all(self.answer, {"pv.null_hypercall", "native.syscall"},
                                missing={"pv:null_hypercall": "out/tests/bench/null_hypercall.elf"})
        r = pick(res, "pv.null_hypercall")
        self.assertEqual(r.status, "SKIPPED")
        self.assertIn("not built yet", r.note)
        self.assertEqual(pick(res, "native.syscall").status, "ok")
        self.assertTrue(all(run.image == "native" for run in got))
        self.assertIn("SKIPPED: not built yet", report.table(res))

    def test_native_missing_leaves_pv_without_ratio(self):
        res, _ = self.run_all(self.answer, {"pv.null_hypercall"}, missing={"native": "out/guest-kernel/native.elf"})
        r = res[0]
        self.assertEqual((r.status, r.icount, r.icount_ratio), ("ok", 90, None))
        self.assertIn("native native.syscall: SKIPPED", r.note)

    def test_failed_runs(self):
        def answer(cmd, n):
            if "--icount" in cmd:
                return proc("(d1) BENCH error vector=13", rc=1)
            if is_native(cmd):
                return proc(NATIVE_OUT.format(syscall=2, ctxsw=20))
            return proc("(d1) starting", rc=None, timed_out=True)
        r = self.run_all(answer, {"pv.null_hypercall"}, runs=2)[0][0]
        self.assertEqual(r.status, "FAILED")
        self.assertIn("icount run: kernel error: vector=13", r.note)
        self.assertIn("2/2 wall runs: timed out", r.note)

    def test_native_wrong_exit_status(self):
        res, got = self.run_all(lambda c, n: proc(NATIVE_OUT.format(syscall=2, ctxsw=20), rc=0),
                                {"native.syscall"}, runs=1)
        self.assertEqual(got[0].problem, "exit status 0, expected 1")
        self.assertEqual(res[0].status, "ok")           # figures are kept, with the note
        self.assertIn("exit status 0", res[0].note)

    def test_boot_uses_first_line_time(self):
        r = self.run_all(self.answer, {"native.boot"}, runs=1)[0][0]
        self.assertEqual(r.icount, 16000000)
        self.assertEqual(r.wall_unit, "ms")
        self.assertAlmostEqual(r.wall[0], 300.0)        # third line of NATIVE_OUT, 0.1 s per line


    def test_unavailable_is_skipped_with_reason(self):
        res, got = self.run_all(self.answer, {"hvm_shadow.os_syscall"},
                                missing={"os:hvm_shadow": "unavailable: tandem-run: --hvm shadow: not yet",
                                         "os:native": "out/guest-kernel/native.elf"})
        self.assertEqual((res[0].status, res[0].note), ("SKIPPED", "unavailable: tandem-run: --hvm shadow: not yet"))
        self.assertEqual(got, [])

    def test_pv_counters_less_baseline(self):
        # PV per-op events: the scenario run's COUNTERS less the baseline boot's, over ops.
        def answer(cmd, n):
            if is_native(cmd):
                return proc("BENCH scenario=native.os_syscall iters=100 per_op=60 ev.x=1\nBENCH done", rc=1)
            if "only=none" in cmd:
                return proc("(d1) BENCH done\n(XEN) [ 0.2] COUNTERS d=1 hypercalls=500 bounces=7 emul=900", rc=0)
            return proc("(d1) BENCH scenario=pv.os_syscall iters=100 per_op=900 ops=110\n(d1) BENCH done\n"
                        "(XEN) [ 0.2] COUNTERS d=1 hypercalls=610 bounces=117 emul=900", rc=0)
        res, got = self.run_all(answer, {"pv.os_syscall"}, runs=2)
        r = res[0]
        self.assertEqual((r.per_op["hypercalls"], r.per_op["bounces"], r.per_op["emul"]), (1.0, 1.0, 0))
        self.assertEqual(r.icount_ratio, 15)
        self.assertEqual(sum(1 for g in got if g.image == "os:pv:base"), 1)      # icount only
        text = report.os_table(res, got)
        self.assertIn("hc=1.00 bnc=1.00", text)
        nat = next(ln for ln in text.splitlines() if ln.startswith("syscall"))
        self.assertIn("pv", nat)

    def test_hvm_events_from_bench_fields(self):
        def answer(cmd, n):
            if is_native(cmd):
                return proc("BENCH scenario=native.os_ctxsw iters=10 per_op=100\nBENCH done", rc=1)
            return proc("(d1) BENCH scenario=hvm_npt.os_ctxsw iters=10 per_op=300 marked=1000 ev.exits=2010 "
                        "ev.exit.intr=10 ev.exit.io=2000 ev.exit.npf=1\n(d1) BENCH done", rc=0)
        res, got = self.run_all(answer, {"hvm_npt.os_ctxsw", "native.os_ctxsw"}, runs=1)
        text = report.os_table(res, got)
        row = next(ln for ln in text.splitlines() if " hvm_npt " in ln)
        self.assertIn("3.00x", row)
        self.assertIn("exits=2.01 exit.intr=0.01 exit.io=2.00", row)
        self.assertNotIn("npf", row)            # 0.001 per op: below the table's floor
        r = pick(res, "hvm_npt.os_ctxsw")
        self.assertEqual(r.counters["guest_per_op"], {"exits": 2.01, "exit.intr": 0.01, "exit.io": 2.0,
                                                      "exit.npf": 0.001})
        self.assertEqual(report.os_table([], got), "")


class ReportTests(unittest.TestCase):
    label = "report"

    def test_files(self):
        res, runs = ResultTests.run_all(self, ResultTests.answer, {"pv.null_hypercall", "native.syscall"})
        with tempfile.TemporaryDirectory() as d:
            report.write_csv(os.path.join(d, "r.csv"), res)
            report.write_json(os.path.join(d, "r.json"), {"qemu": "x"}, {"runs": 3}, res, runs, [])
            with open(os.path.join(d, "r.csv"), encoding="utf-8") as f:
                self.assertEqual(len(f.read().splitlines()), 3)
            with open(os.path.join(d, "r.json"), encoding="utf-8") as f:
                doc = json.load(f)
        self.assertEqual(doc["format"], report.FORMAT)
        self.assertEqual([s["scenario"] for s in doc["scenarios"]], ["native.syscall", "pv.null_hypercall"])
        self.assertEqual(len(doc["runs"]), 8)

    def test_block_table(self):
        """(b) beside its (a): MiB/s and IOPS from ns per request, b/a as a throughput ratio,
        the guest's per-request fields from the BENCH line."""
        by = {s.name: s for s in scenarios.SCENARIOS}
        a = results.Result(scenario=by["pv.virtio_blk_read_64k_qd16"], wall_unit="ns",
                           wall_stats={"median": 100000.0})
        b = results.Result(scenario=by["pv.xvd_read_64k_qd16"], wall_unit="ns", wall_stats={"median": 125000.0})
        line = "BENCH scenario=pv.xvd_read_64k_qd16 iters=9 per_op=5 hc_per_op=1.50 sent_per_op=0.20 " \
               "recv_per_op=0.30 grants_per_op=16.00"
        run = collect.Run(image="pv:blkfront", mode="wall", round=0, parsed=parse.parse_lines([line]))
        text = report.block_table([a, b], [run])
        row = [ln for ln in text.splitlines() if ln.startswith("read 64K qd16")][0].split()
        self.assertEqual(row[3:], ["625.0", "10000", "500.0", "8000", "0.80", "1.50", "0.20", "0.30", "16.00", "-"])
        self.assertEqual(report.block_table([a], [run]), "")

    def test_rate_format(self):
        self.assertEqual([report.rate(v) for v in (None, 0, 1, 2.014, 0.00195, 512)],
                         ["-", "0.00", "1.00", "2.01", "0.002", "512"])

    def test_plot_rows(self):
        res, _ = ResultTests.run_all(self, ResultTests.answer, {"pv.null_hypercall", "native.syscall"})
        self.assertEqual(plot.rows(res), [("native.syscall", 2, None, 500, None),
                                          ("pv.null_hypercall", 2, 90, 500, 5000)])
        self.assertEqual(plot.floor_of([2, 90]), 1.0)
        self.assertEqual(plot.floor_of([1.0]), 0.1)


class ModelTests(unittest.TestCase):
    """The modelled hardware estimate (model.py, docs/benchmarks.md section 9)."""
    label = "model"
    by = {s.name: s for s in scenarios.SCENARIOS}

    def row(self, name, icount=None, wall=None, guest=None, per_op=None):
        return results.Result(scenario=self.by[name], icount=icount, wall_unit="ns" if wall else "",
                              wall_stats={"median": wall} if wall else {},
                              counters={"guest_per_op": guest} if guest else {}, per_op=per_op or {})

    def test_costs_cited_and_positive(self):
        """Every priced event has a cost, each documented in docs/benchmarks.md's cost table."""
        with open(os.path.join(ROOT, "docs", "benchmarks.md"), encoding="utf-8") as f:
            doc = f.read()
        for k, c in model.COST_CYCLES.items():
            self.assertGreater(c, 0)
            self.assertIn(f"`{k}`", doc, f"cost {k} not in docs/benchmarks.md")
        self.assertAlmostEqual(model.COST_NS["vmexit"], model.COST_CYCLES["vmexit"] / model.GHZ)

    def test_estimate_is_instructions_plus_priced_events(self):
        ns, terms = model.estimate(300, {"vmexit": 2, "syscall": 1})
        want = 300 * model.NS_PER_INSN + 2 * model.COST_NS["vmexit"] + model.COST_NS["syscall"]
        self.assertAlmostEqual(ns, want)
        self.assertEqual(set(terms), {"insn", "vmexit", "syscall"})
        self.assertEqual(model.estimate(None, {"vmexit": 1}), (None, {}))

    def test_events_per_platform(self):
        """native/HVM pay the guest's own entries and CR3 loads; HVM adds its exits and ioreqs;
        PV's hypervisor counts replace the guest's (its CR3 loads are its own page-table switch)."""
        self.assertEqual(model.events("native", "ctxsw", {}, {}, {}), {"syscall": 1, "cr3": 1})
        self.assertEqual(model.events("hvm_shadow", "ctxsw", {"exits": 1.02, "ioreq": 0}, {}, {}),
                         {"syscall": 1, "cr3": 1, "vmexit": 1.02})
        self.assertEqual(model.events("pv", "syscall", {}, {"hypercalls": 1.0, "bounces": 1.0,
                                                            "cr3_switches": 2.0, "tlb_flushes": 0.1}, {}),
                         {"hypercall": 1.0, "bounce": 1.0, "cr3": 2.0})
        self.assertEqual(model.events("cpu_loop" and "hvm_npt", "cpu_loop", {"exits": 0.0}, {}, {}), {})
        # disk rows: HVM's exits and device-model round trips, PV's hypercalls and kicks (BENCH fields)
        self.assertEqual(model.events("hvm_npt", None, {"exits": 18.4, "ioreq": 18.0}, {}, {}),
                         {"vmexit": 18.4, "notify": 18.0})
        self.assertEqual(model.events("pv", None, {}, {"hypercalls": 99}, {"hc_per_op": "2.50", "sent_per_op": "1.00"}),
                         {"hypercall": 2.5, "notify": 1.0})
        self.assertEqual(model.events("pv", None, {}, {}, {"hc_per_op": "-"}), {})

    def test_apply_rows_and_ratios(self):
        nat = self.row("native.os_syscall", icount=100)
        npt = self.row("hvm_npt.os_syscall", icount=100, guest={"exits": 0.0})
        sh = self.row("hvm_shadow.os_page_fault", icount=4000, guest={"exits": 3.0})
        pv = self.row("pv.os_syscall", icount=1000, per_op={"hypercalls": 1, "bounces": 1, "cr3_switches": 2})
        skipped = self.row("pv.os_ctxsw", icount=5)
        skipped.status = "SKIPPED"
        other = self.row("pv.null_hypercall", icount=7)
        model.apply([pv, nat, npt, sh, skipped, other])
        base = 100 * model.NS_PER_INSN + model.COST_NS["syscall"]
        self.assertAlmostEqual(nat.model_ns, base)
        self.assertAlmostEqual(npt.model_ratio, 1.0)
        self.assertAlmostEqual(sh.model_ns, 4000 * model.NS_PER_INSN + model.COST_NS["exception"]
                               + 3 * model.COST_NS["vmexit"])
        self.assertAlmostEqual(pv.model_ratio, (1000 * model.NS_PER_INSN + model.COST_NS["hypercall"]
                                                + model.COST_NS["bounce"] + 2 * model.COST_NS["cr3"]) / base)
        self.assertIsNone(sh.model_ratio)           # its native counterpart is not in the list
        self.assertIsNone(skipped.model_ns)
        self.assertIsNone(other.model_ns)

    def test_disk_rows_on_native_device_time(self):
        nat = self.row("native.disk_read_4k", icount=9e6, wall=60000.0)
        hvm = self.row("hvm_npt.disk_read_4k", icount=7e8, wall=4.5e6, guest={"exits": 18.4, "ioreq": 18.0})
        pv = self.row("pv.disk_read_4k", wall=9e5)
        fields = {"pv.disk_read_4k": {"hc_per_op": "3.00", "sent_per_op": "1.00"}}
        model.apply([hvm, pv, nat], lambda name: fields.get(name, {}))
        self.assertAlmostEqual(nat.model_ns, 60000.0)
        self.assertAlmostEqual(hvm.model_ns, 60000.0 + 18.4 * model.COST_NS["vmexit"] + 18 * model.COST_NS["notify"])
        self.assertAlmostEqual(pv.model_ns, 60000.0 + 3 * model.COST_NS["hypercall"] + model.COST_NS["notify"])
        self.assertGreater(hvm.model_ratio, pv.model_ratio)

    def test_table_and_plot_show_the_model(self):
        nat = self.row("native.disk_read_4k", icount=9e6, wall=60000.0)
        hvm = self.row("hvm_npt.disk_read_4k", icount=7e8, wall=4.5e6, guest={"exits": 18.4, "ioreq": 18.0})
        os_nat = self.row("native.os_syscall", icount=100, wall=120.0)
        model.apply([nat, hvm, os_nat])
        text = report.os_table([os_nat, nat, hvm], [])
        self.assertIn("model ns", text.splitlines()[1])
        self.assertIn("MODELLED", text)
        row = next(ln for ln in text.splitlines() if " hvm_npt " in ln).split()
        self.assertEqual(row[1:3], ["-", "-"])     # disk rows: no icount figure
        self.assertIn("ioreq=18.00", " ".join(row))
        self.assertIn(f"{hvm.model_ratio:.2f}x", row)
        got = dict(plot.comparison_rows([os_nat, nat, hvm]))
        self.assertEqual(got["disk_read_4k"]["model"][2], hvm.model_ns)
        self.assertEqual(got["syscall"]["icount"], [100, None, None, None])
        self.assertEqual(got["disk_read_4k"]["icount"], [None] * 4)     # the table's "-": not plotted


# netbench's BENCH lines as the three kernels print them (guest-kernel/net/netbench.c).
NET_NATIVE = """\
BENCH scenario=native.net_ping iters=500 total=4500000 per_op=9000 unit=tsc ops=500 bytes=98000 pkts_per_op=2.00 tsc_khz=1000000
BENCH scenario=native.net_rx iters=1 total=60000000 per_op=60000000 unit=tsc ops=1 bytes=1048576 pkts_per_op=1100.00 tsc_khz=1000000
BENCH done
"""
NET_PV = """\
(XEN) [ 0.05] BENCH clock tsc_khz=1000000
(d1) BENCH scenario=pv.net_ping iters=500 total=100000000 per_op=200000 unit=tsc ops=500 bytes=98000 pkts_per_op=2.00 hc_per_op=5.23 sent_per_op=1.00 recv_per_op=2.00 grants_per_op=2.00
(d1) BENCH scenario=pv.net_rx iters=1 total=80000000 per_op=80000000 unit=tsc ops=1 bytes=1048576 pkts_per_op=1096.00 hc_per_op=640.00 sent_per_op=300.00 recv_per_op=200.00 grants_per_op=734.00
(d1) BENCH done
"""
NET_HVM = """\
(d1) BENCH scenario=hvm.net_ping iters=500 total=6000000000 per_op=12000000 unit=tsc ops=500 bytes=98000 pkts_per_op=2.00 tsc_khz=1000000 marked=500 ev.exits=70000 ev.exit.io=69500 ev.exit.intr=500 ev.ioreq=69000
(d1) BENCH scenario=hvm.net_rx iters=1 total=40000000000 per_op=40000000000 unit=tsc ops=1 bytes=1048576 pkts_per_op=1102.00 tsc_khz=1000000 marked=1 ev.exits=580000 ev.exit.io=578000 ev.ioreq=578000
(d1) BENCH done
"""


class NetTests(unittest.TestCase):
    """The comparison's network rows (scenarios.NET_SHAPES, netbench, hostnet, the model)."""
    label = "net"
    NAMES = {f"{p}.net_{op}" for op, _ in scenarios.NET_SHAPES for p, _ in scenarios.OS_PLATFORMS}

    @staticmethod
    def answer(cmd, n):
        if is_native(cmd):
            return proc(NET_NATIVE, rc=1)
        text = " ".join(cmd)
        return proc(NET_HVM if "hvm" in text else NET_PV, rc=0)

    def run_net(self, runs=2):
        sel = [s for s in scenarios.SCENARIOS if s.name in self.NAMES]
        keys = scenarios.images_needed(sel)
        fake = FakeRunner(self.answer)
        got = collect.collect(keys, collect.Config(runs=runs, http_port=4242), fake)
        res = results.build(sel, got, {}, runs)
        model.apply(res, lambda name: report.guest_fields(
            next(s.line_name for s in sel if s.name == name), got))
        return res, got, fake

    def test_rows_on_every_platform(self):
        """Two shapes on four platforms, each compared with native's; HVM's lines say "hvm"."""
        for op, _ in scenarios.NET_SHAPES:
            for plat, _ in scenarios.OS_PLATFORMS:
                s = next(x for x in scenarios.SCENARIOS if x.name == f"{plat}.net_{op}")
                self.assertEqual(s.counterpart, None if plat == "native" else f"native.net_{op}")
                self.assertEqual(s.line_name, ("hvm" if plat.startswith("hvm") else plat) + f".net_{op}")
                img = scenarios.IMAGES[s.image]
                self.assertTrue(img.net and not img.icount_run, s.image)
        self.assertEqual(len(scenarios.select(scenarios.SCENARIOS, "*.net_*")), 8)
        self.assertNotIn("pv.virtio_net_echo_w1", [s.name for s in scenarios.select(scenarios.SCENARIOS, "*.net_*")])

    def test_commands_and_configs(self):
        """The native image gets an NE2000 on the user network and the port in its script; the
        Tandem images boot their .cfg.in written out with @NETBENCH@ and @HTTP_PORT@ replaced."""
        nat = scenarios.command(scenarios.IMAGES["net:native"], False, 5, 60, 4242)
        self.assertIn("ne2k_isa,netdev=n0", nat)
        self.assertIn("user,id=n0", nat)
        append = nat[nat.index("-append") + 1]
        self.assertIn("netbench wget http://10.0.2.2:4242/bulk.bin", append)
        self.assertNotIn("@", append)
        with tempfile.TemporaryDirectory() as d:
            for plat in ("pv", "hvm_npt", "hvm_shadow"):
                img = scenarios.IMAGES[f"net:{plat}"]
                os.makedirs(os.path.join(d, "bench", "netcmp"), exist_ok=True)
                with open(os.path.join(ROOT, img.config), encoding="utf-8") as f:
                    src = f.read()
                self.assertIn("@NETBENCH@", src)
                with open(os.path.join(d, img.config), "w", encoding="utf-8") as f:
                    f.write(src)
                scenarios.materialize(img, 4242, d)
                cmd = scenarios.command(img, False, 5, 60, 4242)
                path = cmd[cmd.index("--config") + 1]
                self.assertEqual(path, scenarios.config_path(img))
                with open(os.path.join(d, path), encoding="utf-8") as f:
                    text = f.read()
                self.assertNotIn("@", text.replace("@releaseDomain", ""))
                self.assertIn("netbench ping 10.0.2.2 ", text)
                self.assertIn("http://10.0.2.2:4242/bulk.bin", text)
                if plat != "pv":
                    self.assertIn(f"type=hvm paging={plat[4:]}", text)
                    self.assertIn("dm=drv", text)

    def test_hvm_nic_where_the_hypervisor_has_it(self):
        """@HVM_NIC@ becomes nic=ne2000 when domconfig.c has the key, else nothing."""
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(scenarios.hvm_nic(d), "")
            os.makedirs(os.path.join(d, "hypervisor", "common"))
            with open(os.path.join(d, "hypervisor", "common", "domconfig.c"), "w", encoding="utf-8") as f:
                f.write('    F("nic",        DC_NIC,     nic,        0, 0),\n')
            self.assertEqual(scenarios.hvm_nic(d), "nic=ne2000")
        line = "domain name=hvm type=hvm dm=drv @HVM_NIC@ cmdline=\"x\""
        self.assertEqual(scenarios.substitute(line, 1, "nic=ne2000"), "domain name=hvm type=hvm dm=drv nic=ne2000 cmdline=\"x\"")
        self.assertEqual(scenarios.substitute(line, 1, ""), "domain name=hvm type=hvm dm=drv cmdline=\"x\"")

    def test_wall_runs_only(self):
        """No icount boot for a network image; its events come from the first wall run."""
        res, got, fake = self.run_net(runs=2)
        self.assertFalse(any("-icount" in c or "--icount" in c for c in fake.calls))
        self.assertEqual(len(fake.calls), 8)
        r = pick(res, "hvm_npt.net_ping")
        self.assertEqual((r.status, r.icount, r.wall_unit), ("ok", None, "ns"))
        self.assertEqual(r.wall_stats["median"], 12000000.0)
        self.assertEqual(r.counters["guest_per_op"]["ioreq"], 138.0)
        self.assertAlmostEqual(r.wall_ratio, 12000000 / 9000)
        self.assertEqual(pick(res, "pv.net_rx").wall_stats["median"], 80000000.0)

    def test_model(self):
        """Native's measured time per op plus the platform's priced transitions: HVM its exits and
        ioreqs, PV netfront's hypercalls and the events it sent (BENCH fields)."""
        res, _, _ = self.run_net(runs=1)
        nat, pv, hvm = (pick(res, n) for n in ("native.net_rx", "pv.net_rx", "hvm_shadow.net_rx"))
        self.assertAlmostEqual(nat.model_ns, 60000000.0)
        self.assertAlmostEqual(pv.model_ns, 60000000.0 + 640 * model.COST_NS["hypercall"] + 300 * model.COST_NS["notify"])
        self.assertAlmostEqual(hvm.model_ns, 60000000.0 + 580000 * model.COST_NS["vmexit"]
                               + 578000 * model.COST_NS["notify"])
        self.assertGreater(hvm.model_ratio, pv.model_ratio)
        ping = pick(res, "pv.net_ping")
        self.assertAlmostEqual(ping.model_ns, 9000 + 5.23 * model.COST_NS["hypercall"] + model.COST_NS["notify"])

    def test_table_and_plot(self):
        res, got, _ = self.run_net(runs=1)
        text = report.os_table(res, got)
        lines = text.splitlines()
        nat = next(ln for ln in lines if ln.startswith("net_rx "))
        self.assertIn("16.67 MiB/s; pkts=1100.00", nat)
        pv = next(ln for ln in lines if " pv " in ln and "hc=640.00" in ln)
        self.assertIn("sent=300.00 recv=200.00 grants=734.00", pv)
        hvm = next(ln for ln in lines if " hvm_npt " in ln and "us RTT" in ln)
        self.assertIn("12000.0 us RTT; pkts=2.00 exits=140 exit.io=139", hvm)
        self.assertIn("ioreq=138", hvm)
        self.assertEqual(hvm.split()[1:3], ["-", "-"])     # no icount figure
        rows = dict(plot.comparison_rows(res))
        self.assertAlmostEqual(rows["net_rx"]["io_wall"][0], 1e9 / 60000000)
        self.assertAlmostEqual(rows["net_ping"]["io_wall"][1], 1e6 / 200000)
        self.assertIsNone(rows["net_ping"]["icount"][0])
        self.assertEqual(plot.io_rate("disk_read_64k", 1e6), 64 * 1e9 / 1024 / 1e6)
        self.assertIsNone(plot.io_rate("syscall", 100))
        self.assertEqual(report.io_rate("pv.net_ping", 250000.0), "250.0 us RTT")

    def test_netbench_line_parses(self):
        """A line as the HVM kernel printed it in a run: per op in TSC ticks, the clock its own,
        the guest's events per op."""
        line = ("(d1) BENCH scenario=hvm.net_ping iters=500 total=16652270214 per_op=33304540 unit=tsc ops=500 "
                "bytes=98000 pkts_per_op=2.01 tsc_khz=2599835 marked=500 ev.exits=70521 ev.exit.hlt=161 "
                "ev.exit.io=69599 ev.tlb_flush=70521 ev.ioreq=69277")
        run = parse.parse_lines([line])
        m = run.measurements["hvm.net_ping"]
        self.assertEqual((m.per_op, m.tsc_khz, m.fields["pkts_per_op"]), (33304540.0, 2599835, "2.01"))
        self.assertAlmostEqual(results.guest_events(m)["ioreq"], 138.554)
        self.assertEqual(run.warnings, [])

    def test_host_server(self):
        """The peer: bulk.bin of NET_BULK_MIB MiB on a free port; nothing started when not needed."""
        import urllib.request
        with tempfile.TemporaryDirectory() as d:
            with hostnet.Server(d, 1, needed=False) as port:
                self.assertIsNone(port)
            with hostnet.Server(d, 1) as port:
                self.assertIsNotNone(port)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/bulk.bin", timeout=10) as r:
                    self.assertEqual(len(r.read()), 1 << 20)

    def test_events_from_wall_when_icount_run_lacks_them(self):
        """An icount run that did not report a scenario (a request failed there) leaves the events
        to the first wall run that did, with a note, so the model does not price nothing."""
        def answer(cmd, n):
            if is_native(cmd):
                return proc("BENCH scenario=native.xvd_randread_4k_qd1 iters=10 per_op=100 tsc_khz=1000000\n"
                            "BENCH done", rc=1)
            if "--icount" in cmd:
                return proc("(d1) BENCH done", rc=0)
            return proc("(d1) BENCH scenario=hvm.xvd_randread_4k_qd1 iters=10 per_op=3000 tsc_khz=1000000 "
                        "marked=10 ev.exits=185 ev.ioreq=180\n(d1) BENCH done", rc=0)
        res, _ = ResultTests.run_all(self, answer, {"native.disk_randread_4k", "hvm_shadow.disk_randread_4k"}, runs=1)
        model.apply(res)
        r = pick(res, "hvm_shadow.disk_randread_4k")
        self.assertEqual(r.counters["guest_per_op"], {"exits": 18.5, "ioreq": 18.0})
        self.assertIn("events from a wall run", r.note)
        self.assertAlmostEqual(r.model_ns, 100 + 18.5 * model.COST_NS["vmexit"] + 18 * model.COST_NS["notify"])

    def test_blkfront_randread_at_depth_1(self):
        """pv.disk_randread_4k's line comes from blkfront.cfg's depth-1 random read."""
        s = next(x for x in scenarios.SCENARIOS if x.name == "pv.disk_randread_4k")
        self.assertEqual((s.image, s.line_name), ("pv:blkfront", "pv.xvd_randread_4k_qd1"))
        with open(os.path.join(ROOT, "bench", "blkfront", "blkfront.cfg"), encoding="utf-8") as f:
            self.assertIn("xvd bench xvda randread 4 2048 1;", f.read())


class LineResult(unittest.TextTestResult):
    """Prints the PASS:/FAIL: line per test that tests/run-tests counts."""

    def _name(self, test):
        return f"bench/{type(test).label}.{test._testMethodName[len('test_'):]}"

    def addSuccess(self, test):
        super().addSuccess(test)
        print(f"PASS: {self._name(test)}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print(f"FAIL: {self._name(test)}", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print(f"FAIL: {self._name(test)}", flush=True)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=0, resultclass=LineResult)
    result = runner.run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
