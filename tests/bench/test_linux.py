"""Host tests of `make bench-linux`'s harness (tools/bench/linuxlib.py, bench/linux/): parsing the three
platforms' transcripts, rotation, statistics and ratios with missing figures, counter differences,
the tables, CSV and plot data, the QEMU commands; bench/linux/init naming exactly the harness's
workloads; bench/linux/lbench.c built and run on the host (behaviour, not timing). Run by
tests/bench/run; stdlib only."""
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))

import linuxlib as L  # noqa: E402

TANDEM = """\
(XEN) [    1.466797] *** Serial input to DOM1 (type 'CTRL-a' three times to switch input)
(d1) about to get started...
(d1) LBENCH init: first line
(d1) RESULT syscall_getppid 13096 ns/call
(d1) RESULT pipe_pingpong failed -
(d1) LBENCH done
(XEN) [   17.066563] COUNTERS d=1 hypercalls=1091843 bounces=1004701 upcalls=3680 cr3_switches=2021868
(XEN) [   17.066658] COUNTERS d=1 mm_restarts=12 mm_teardown_restarts=111
(XEN) [   17.066779] COUNTERS d=1 hc.mmu_update=52562 hc.iret=1004701
(XEN) [   17.066900] COUNTERS d=1 hc.iret=5 hc.bogus=x
(XEN) [   17.067032] COUNTERS d=0 hypercalls=7
"""
XEN = """\
(XEN) Xen version 4.17.7
RESULT cpu_calib_awk_pre 1602.5 ms
LBENCH init: first line
RESULT fork_exec_2000 19988 ms
LBENCH done
[    9.640536] reboot: Power down
"""


def lines(text, step=0.5):
    return [(step * (i + 1), t) for i, t in enumerate(text.splitlines())]


def run(platform, rnd, results, init_s=1.0, done_s=9.0):
    return {"platform": platform, "round": rnd, "results": results, "init_s": init_s, "done_s": done_s}


class LinuxParseTests(unittest.TestCase):
    label = "linux.parse"

    def test_tandem_transcript(self):
        p = L.parse_console(lines(TANDEM))
        self.assertEqual(p["results"], {"syscall_getppid": 13096.0, "pipe_pingpong": None})
        self.assertEqual(p["units"]["syscall_getppid"], "ns/call")
        self.assertEqual(p["init_s"], 1.5)
        self.assertEqual(p["done_s"], 3.0)
        c = p["counters"][1]
        self.assertEqual(c["hypercalls"], 1091843)
        self.assertEqual(c["hc.iret"], 1004706)         # continuation lines add up
        self.assertNotIn("hc.bogus", c)
        self.assertEqual(p["counters"][0], {"hypercalls": 7})

    def test_xen_transcript_unprefixed(self):
        p = L.parse_console(lines(XEN))
        self.assertEqual(p["results"], {"cpu_calib_awk_pre": 1602.5, "fork_exec_2000": 19988.0})
        self.assertEqual(p["init_s"], 1.5)
        self.assertEqual(p["counters"], {})

    def test_no_marks(self):
        p = L.parse_console(lines("SeaBIOS\nKernel panic - not syncing\nRESULT x nan ms\nRESULT y -3 ms\n"))
        self.assertIsNone(p["init_s"])
        self.assertIsNone(p["done_s"])
        self.assertEqual(p["results"], {"x": None, "y": None})


class LinuxPlanTests(unittest.TestCase):
    label = "linux.plan"

    def test_rotation(self):
        order = L.rotation(["native", "xen", "tandem"], 4)
        self.assertEqual(len(order), 12)
        self.assertEqual([p for r, p in order if r == 0], ["native", "xen", "tandem"])
        self.assertEqual([p for r, p in order if r == 1], ["xen", "tandem", "native"])
        self.assertEqual([p for r, p in order if r == 3], ["native", "xen", "tandem"])
        self.assertEqual(L.rotation([], 3), [])

    def test_select_workloads(self):
        self.assertEqual(L.select_workloads(None), L.NAMES)
        self.assertEqual(L.select_workloads("pipe_pingpong, syscall_getppid"), ["syscall_getppid", "pipe_pingpong"])
        with self.assertRaises(ValueError):
            L.select_workloads("getppid")

    def test_lbench_word(self):
        self.assertEqual(L.lbench_word(None), "lbench=none")
        self.assertEqual(L.lbench_word(L.NAMES), "lbench=all")
        self.assertEqual(L.lbench_word(["a", "b"]), "lbench=a+b")

    def test_commands(self):
        f = {"root": "/r", "vmlinuz": "/o/vmlinuz", "initrd": "/o/i.cpio", "xen": "/o/xen.elf"}
        two = L.command("xen", f, ["syscall_getppid", "pipe_pingpong"])
        self.assertEqual(len(two[two.index("-initrd") + 1].split(",")), 2)      # two modules, no more
        self.assertNotIn(",", " ".join(L.command("tandem", f, ["syscall_getppid", "pipe_pingpong"])))
        nat = L.command("native", f, ["syscall_getppid"], quick=True)
        self.assertEqual(nat[0], "qemu-system-x86_64")
        self.assertIn("q35", nat)
        self.assertEqual(nat[nat.index("-m") + 1], "1024")
        self.assertIn("mem=512M", nat[nat.index("-append") + 1])
        self.assertTrue(nat[nat.index("-append") + 1].endswith("lbench=syscall_getppid lbench_quick=1"))
        xen = L.command("xen", f, None, icount=True)
        self.assertEqual(xen[xen.index("-kernel") + 1], "/o/xen.elf")
        self.assertIn("dom0_mem=512M", xen[xen.index("-append") + 1])
        self.assertIn("smap=0", xen[xen.index("-append") + 1])
        self.assertEqual(xen[xen.index("-initrd") + 1].split(",")[1], "/o/i.cpio")
        self.assertIn("lbench=none", xen[xen.index("-initrd") + 1])
        self.assertIn("-icount", xen)
        tan = L.command("tandem", f, L.NAMES, timeout=90)
        self.assertEqual(tan[0], "/r/tools/tandem-run")
        self.assertEqual(tan[tan.index("--hv-args") + 1], "dom_mem=512M")
        self.assertEqual(tan[tan.index("--timeout") + 1], "90")
        self.assertEqual(tan[-1], "lbench=all")
        with self.assertRaises(ValueError):
            L.command("xen", dict(f, initrd="/a,b"), None)
        with self.assertRaises(ValueError):
            L.command("kvm", f, None)

    def test_init_names_the_workloads(self):
        with open(os.path.join(ROOT, "bench", "linux", "init"), encoding="utf-8") as fh:
            text = fh.read()
        ran = re.findall(r"^\s*run (\S+) \S+ (\S+)", text, re.M)
        self.assertEqual([a for a, _ in ran], L.NAMES)
        self.assertTrue(all(a == b for a, b in ran), ran)    # RESULT name = workload name
        first = next(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
        self.assertEqual(first, f'echo "{L.INIT_MARK}"')     # the boot milestone comes first
        self.assertIn(L.DONE_MARK, text)


class LinuxStatsTests(unittest.TestCase):
    label = "linux.stats"

    def table(self):
        runs = [run("native", 0, {"syscall_getppid": 400.0}), run("xen", 0, {"syscall_getppid": 12000.0}, 7.0),
                run("tandem", 0, {"syscall_getppid": 12600.0}, 3.5),
                run("xen", 1, {"syscall_getppid": 13000.0}, 7.2), run("tandem", 1, {"syscall_getppid": None}, 3.6),
                run("native", 1, {"syscall_getppid": 500.0}, None)]
        return L.summarize(runs, ["native", "xen", "tandem"], ["syscall_getppid"])

    def test_summary_and_ratios(self):
        t = self.table()
        row = t["syscall_getppid"]
        self.assertEqual(row["native"]["values"], [400.0, 500.0])
        self.assertEqual(row["tandem"]["values"], [12600.0, None])
        self.assertEqual(row["native"]["stats"]["median"], 450.0)
        self.assertEqual(row["tandem"]["stats"]["n"], 1)
        r = L.ratios(row)
        self.assertAlmostEqual(r["xen/native"], 12500.0 / 450.0)
        self.assertAlmostEqual(r["tandem/xen"], 12600.0 / 12500.0)
        self.assertEqual(r["per_round"]["tandem/xen"][1], None)
        self.assertAlmostEqual(r["paired"]["tandem/xen"], 12600.0 / 12000.0)
        self.assertEqual(t[L.BOOT]["native"]["values"], [1.0, None])
        self.assertEqual(t[L.DONE]["xen"]["values"], [9.0, 9.0])

    def test_tables(self):
        t = self.table()
        text = L.main_table(t, ["native", "xen", "tandem"])
        head = text.splitlines()[0]
        self.assertIn("Tandem/Xen", head)
        row = next(ln for ln in text.splitlines() if ln.startswith("| syscall_getppid "))
        self.assertIn("450.0 [400.0-500.0]", row)
        self.assertIn("| 1.01 |", row)
        rt = L.round_table(t, ["native", "xen", "tandem"])
        self.assertIn("1.05 - (1.05)", rt)
        only2 = L.main_table(L.summarize([run("native", 0, {})], ["native", "tandem"], []), ["native", "tandem"])
        self.assertNotIn("Xen", only2)
        self.assertIn("| boot_to_init | s | 1.000 [1.000-1.000] | - | - |", only2)

    def test_csv_and_plot(self):
        runs = [run("native", 0, {"syscall_getppid": 400.0, "pipe_pingpong": None})]
        rows = list(csv.reader(io.StringIO(L.runs_csv(runs))))
        self.assertEqual(rows[0], ["round", "platform", "workload", "value", "unit"])
        self.assertIn(["1", "native", "syscall_getppid", "400.0", "ns/call"], rows)
        self.assertIn(["1", "native", "pipe_pingpong", "", "us/roundtrip"], rows)
        t = self.table()
        data, series = L.plot_data(t, ["native", "xen", "tandem"])
        self.assertTrue(data.startswith("syscall_getppid\t27.7"))
        self.assertIn("Tandem/native", series)
        self.assertEqual(L.plot_data(t, ["xen", "tandem"]), (None, None))
        s = list(csv.reader(io.StringIO(L.summary_csv(t, ["native"]))))
        self.assertEqual(s[1][:5], ["syscall_getppid", "ns/call", "native", "2", "450"])

    def test_fmt(self):
        self.assertEqual(L.fmt(None), "-")
        self.assertEqual(L.fmt(12259.4), "12259")
        self.assertEqual(L.fmt(98.05), "98.05")
        self.assertEqual(L.fmt(0.8), "0.8000")
        self.assertEqual(L.fmt(0.8, 3), "0.800")


class LinuxCounterTests(unittest.TestCase):
    label = "linux.counters"

    def test_delta_per_op(self):
        base = {"hypercalls": 1000, "hc.iret": 100, "hc.mmu_update": 500, "bounces": 90}
        work = {"hypercalls": 1001100, "hc.iret": 1000100, "hc.mmu_update": 1500, "bounces": 1000090,
                "cr3_switches": 2000000}
        d = L.counter_delta(work, base)
        self.assertEqual(d["hypercalls"], 1000100)
        self.assertEqual(d["cr3_switches"], 2000000)
        p = L.per_op(d, "syscall_getppid")
        self.assertAlmostEqual(p["bounces"], 1.0)
        self.assertAlmostEqual(L.per_op(d, "syscall_getppid", quick=True)["bounces"], 10.0)
        top = L.top_hypercalls(d)
        self.assertEqual([k for k, _, _ in top], ["iret", "mmu_update"])
        self.assertAlmostEqual(top[0][2], 1000000 / 1001000)
        self.assertEqual(L.top_hypercalls({"hc.iret": -3}), [])

    def test_table(self):
        d = {"hypercalls": 2000000, "bounces": 1000000, "cr3_switches": 2000000, "hc.iret": 2000000}
        text = L.counters_table({"syscall_getppid": {"figure": 13000.0, "unit": "ns/call", "delta": d},
                                 "pipe_pingpong": {"delta": None, "error": "timed out"}})
        row = next(ln for ln in text.splitlines() if ln.startswith("| syscall_getppid "))
        self.assertIn("| 13000 ns/call | 2.00 | 1.00 | 0.00 | 2.00 | 0.00 | iret 2.00 (100%) |", row)
        self.assertIn("(no counters: timed out)", text)


@unittest.skipUnless(shutil.which("gcc"), "no gcc")
class LinuxHelperTests(unittest.TestCase):
    """bench/linux/lbench.c on the host: it builds (-static, as tools/bench/linux-fetch builds it,
    else dynamically where the host has no libc.a) and prints its RESULT lines."""
    label = "linux.lbench"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lbench-")
        cls.exe = os.path.join(cls.tmp, "lbench")
        src = os.path.join(ROOT, "bench", "linux", "lbench.c")
        flags = ["-O2", "-Wall", "-Wextra", "-Werror", "-o", cls.exe, src]
        if subprocess.run(["gcc", "-static"] + flags, capture_output=True).returncode != 0:
            subprocess.run(["gcc"] + flags, check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def lb(self, *args):
        return subprocess.run([self.exe] + list(args), capture_output=True, text=True, timeout=60)

    def test_results(self):
        for args, unit in ((("getppid", "g", "1000"), "ns/call"), (("faults", "f", "64"), "ns/fault"),
                           (("pipe", "p", "50"), "us/roundtrip"), (("forkexec", "fe", "3", "/bin/true"), "ms"),
                           (("time", "t", "/bin/sh", "-c", "echo hidden; echo hidden >&2"), "ms")):
            out = self.lb(*args)
            self.assertEqual(out.returncode, 0, out.stderr)
            m = re.fullmatch(r"RESULT (\S+) ([0-9.e+-]+) (\S+)\n", out.stdout)
            self.assertIsNotNone(m, out.stdout)
            self.assertEqual((m.group(1), m.group(3)), (args[1], unit))
            self.assertGreater(float(m.group(2)), 0)

    def test_refusals(self):
        for args in (("getppid", "g", "0"), ("getppid", "g", "12x"), ("faults", "f", "-1"), ("bogus", "x", "1"),
                     ("forkexec", "fe", "2"), ()):
            out = self.lb(*args)
            self.assertEqual(out.returncode, 1, args)
            self.assertEqual(out.stdout, "")
        out = self.lb("time", "t", "/bin/false")
        self.assertEqual(out.returncode, 1)
        self.assertIn("exited with status", out.stderr)
        out = self.lb("forkexec", "fe", "2", "/nonexistent")
        self.assertEqual(out.returncode, 1)
        self.assertRegex(self.lb("now").stdout, r"^[0-9]+\n$")


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

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print(f"SKIP: {self._name(test)} ({reason})", flush=True)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=0, resultclass=LineResult)
    return 0 if runner.run(suite).wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
