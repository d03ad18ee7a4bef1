"""The scenario table: what is measured, which kernel image reports it, how that image boots.

To add a scenario, add one Scenario line (and, for a new image, one Image);
docs/benchmarks.md, "Adding a scenario", has the rest.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

# The native baseline: the native build of the guest kernel, its raw scenarios (mode=rawbench,
# guest-kernel/arch/x86/native/rawbench.c) on bare QEMU.
NATIVE_KERNEL = "out/guest-kernel/native.elf"
PV_KERNEL_DIR = "out/tests/bench"
# The benchmark program every platform runs (guest-kernel/kernel/kbench.c, user/ubench.c): the
# bundled PV kernel and the native build of the same sources, on bare QEMU and as an HVM guest.
PV_OS_KERNEL = "out/guest-kernel/kernel.elf"
NATIVE_OS_KERNEL = "out/guest-kernel/native.elf"
OS_SCENARIOS = ["syscall", "page_fault", "fork_exec_exit", "ctxsw", "cpu_loop"]
OS_WHAT = {
    "syscall": "null system call (getppid) from a user process",
    "page_fault": "demand-zero page fault of a user process: fault, allocate, map one page, return",
    "fork_exec_exit": "fork + exec of a program that exits at once + exit + wait",
    "ctxsw": "switch between two user processes (yield), per switch",
    "cpu_loop": "96 dependent integer instructions in user mode (no kernel)",
}
# Platforms of the benchmark program: (prefix, description); native is the counterpart of the others.
OS_PLATFORMS = [("native", "bare QEMU"), ("pv", "PV under Tandem"),
                ("hvm_npt", "HVM under Tandem, nested paging"), ("hvm_shadow", "HVM under Tandem, shadow paging")]
ICOUNT = ["-icount", "shift=0,sleep=off"]


@dataclass(frozen=True)
class Image:
    """A bootable kernel; one run of it reports one or more scenarios."""
    key: str
    path: str
    kind: str                   # "native": bare QEMU; "pv": under Tandem via tools/tandem-run
    first_line: str             # regex: the line whose arrival time is the wall boot figure
    extra: tuple = ()           # extra tools/tandem-run options (a boot path, say)
    args: tuple = ()            # extra kernel command-line words (only=SCENARIO, say)
    config: str | None = None   # boot this domain configuration instead (iters fixed by it)
    hvm: str | None = None      # kind "hvm": the paging mode (tools/tandem-run --hvm MODE)
    exit_ok: int = 1            # kind "native": QEMU's exit status after a clean run (isa-debug-exit 0)
    icount_only: bool = False   # booted for its counters alone: no wall runs (a baseline)
    qemu: tuple = ()            # kind "native": extra QEMU arguments (a disk, say)
    machine: str = "q35"        # kind "native": QEMU's -machine (pc: a PIIX IDE controller)
    net: bool = False           # needs the harness's HTTP server on the host (hostnet.py): @HTTP_PORT@
                                # in args and in the config (a .cfg.in, written out with it replaced)
    icount_run: bool = True     # False: wall runs only (its events come from the first wall run)


@dataclass(frozen=True)
class Scenario:
    name: str
    image: str                  # Image.key
    kind: str                   # "op": per-operation cost; "boot": time to first line
    counterpart: str | None     # native scenario it is compared with
    scale: float                # counterpart figure is multiplied by this before comparing
    what: str
    reports_as: str | None = None   # BENCH scenario= name, when not the same as name
    baseline: str | None = None     # Image.key whose icount-run COUNTERS are subtracted (boot)

    @property
    def line_name(self) -> str:
        return self.reports_as or self.name


def _pv(kernel: str, extra: tuple = (), only: str | None = None) -> Image:
    """A PV kernel. only=: boot it for that one scenario (key pv:<scenario without pv.>),
    so the hypervisor's COUNTERS of the run belong to that scenario alone."""
    key = "pv:" + (only[len("pv."):] if only else kernel) + "".join(extra)
    return Image(key=key, path=f"{PV_KERNEL_DIR}/{kernel}.elf", kind="pv",
                 first_line=r"^\(d\d+\) ", extra=extra, args=(f"only={only}",) if only else ())


def _os_images() -> list:
    """The benchmark program's images: native and the two HVM modes boot once for all five
    scenarios (their event counts are the guest's own, per operation, from the BENCH line);
    PV boots once per scenario, so the hypervisor's COUNTERS of a run belong to it."""
    out = [Image(key="os:native", path=NATIVE_OS_KERNEL, kind="native", first_line=r".",
                 args=("mode=bench",))]
    # The same boot running no scenario: its COUNTERS (boot, start-up, power off) are subtracted
    # from each PV scenario's, so the per-op events exclude boot as the HVM marks do.
    out += [Image(key="os:pv:base", path=PV_OS_KERNEL, kind="pv", first_line=r"^\(d\d+\) ",
                  args=("mode=bench", "only=none"), icount_only=True)]
    out += [Image(key=f"os:pv:{n}", path=PV_OS_KERNEL, kind="pv", first_line=r"^\(d\d+\) ",
                  args=("mode=bench", f"only=pv.os_{n}")) for n in OS_SCENARIOS]
    out += [Image(key=f"os:{p}", path=NATIVE_OS_KERNEL, kind="hvm", first_line=r"^\(d\d+\) ",
                  args=("mode=bench", f"plat={p}"), hvm=p[len("hvm_"):]) for p in ("hvm_npt", "hvm_shadow")]
    return out


# The comparison's disk rows (issue 17): the same `xvd bench` shapes, one request at a time, on
# native (its IDE driver on bare QEMU's PIIX, -machine pc), PV (blkfront -> blkback -> virtio-blk,
# bench/blkfront/blkfront.cfg) and HVM (the same IDE driver on the device model's emulated disk in
# the driver domain, bench/hvmdisk/MODE.cfg). Each platform's BENCH line names the shape
# PLAT.xvd_OP_Kk_qdD; native.elf under Tandem calls itself "hvm".
DISK_SHAPES = [("read", 4), ("read", 64), ("write", 4), ("write", 64), ("randread", 4)]
DISK_BENCH = "; ".join(f"xvd bench hda {op} {kib} {2048 if kib == 4 else 256} 1" for op, kib in DISK_SHAPES)
DISK_WHAT = {"read": "sequential read", "write": "sequential write", "randread": "random read"}


def _disk_images() -> list:
    return [Image(key="disk:native", path=NATIVE_OS_KERNEL, kind="native", first_line=r".", machine="pc",
                  args=("mode=io", "--", DISK_BENCH + "; echo BENCH done; poweroff"),
                  qemu=("-drive", "file=out/bench/native-disk.img,format=raw,if=ide,index=0"))] + [
        Image(key=f"disk:hvm_{m}", path=NATIVE_OS_KERNEL, kind="pv", first_line=r"^\(d\d+\) ",
              config=f"bench/hvmdisk/{m}.cfg") for m in ("npt", "shadow")]


def _disk_scenarios() -> list:
    out = []
    for op, kib in DISK_SHAPES:
        for plat, where in OS_PLATFORMS:
            image = {"native": "disk:native", "pv": "pv:blkfront"}.get(plat, f"disk:{plat}")
            line = ("hvm" if plat.startswith("hvm") else plat) + f".xvd_{op}_{kib}k_qd1"
            out.append(Scenario(f"{plat}.disk_{op}_{kib}k", image, "op",
                                None if plat == "native" else f"native.disk_{op}_{kib}k", 1,
                                f"disk: {DISK_WHAT[op]} of {kib} KiB, one request at a time, per request ({where}"
                                + {"native": ", IDE on QEMU's PIIX)", "pv": ", blkfront/blkback)"}.get(plat, ", emulated IDE in the device model)"),
                                reports_as=line))
    return out


# The comparison's network rows (issue 17): the same `netbench` (guest-kernel/net/netbench.c) on
# every platform against the same peer, QEMU's user network (slirp): NET_PINGS ICMP echoes to its
# gateway 10.0.2.2 back to back (the round trip), then NET_GETS HTTP GETs of a NET_BULK_MIB MiB file
# from the harness's server on the host (hostnet.py: 10.0.2.2:@HTTP_PORT@), per MiB received.
# native: the native kernel's NE2000 driver on bare QEMU's ne2k_isa; pv: the bundled kernel as a
# domU through netfront -> the driver domain's netback switch -> virtio-net (bench/netcmp/pv.cfg.in);
# hvm: the same native kernel on the device model's emulated NE2000, a port of that same switch
# (bench/netcmp/MODE.cfg.in). Small: the emulated NE2000 takes ~5 s a MiB under TCG (~22 ioreqs
# per frame). Wall runs only: under -icount the guest's clock jumps over its waits
# for the host, so neither the count nor TCP's timers mean anything there.
NET_PINGS, NET_GETS, NET_BULK_MIB = 500, 2, 1
NET_BENCH = f"netbench ping 10.0.2.2 {NET_PINGS}; netbench wget http://10.0.2.2:@HTTP_PORT@/bulk.bin {NET_GETS}"
NET_SHAPES = [("ping", "ICMP echo round trip to QEMU's gateway, back to back, per round trip"),
              ("rx", f"TCP receive: HTTP GET of a {NET_BULK_MIB} MiB file from the host, per MiB")]
NET_CFG_DIR = "out/bench/netcmp"


def _net_images() -> list:
    return [Image(key="net:native", path=NATIVE_OS_KERNEL, kind="native", first_line=r".", net=True,
                  icount_run=False, args=("mode=io", "--", "ifup; ping 10.0.2.2 2; " + NET_BENCH
                                          + "; echo BENCH done; poweroff"),
                  qemu=("-netdev", "user,id=n0", "-device", "ne2k_isa,netdev=n0"))] + [
        Image(key=f"net:{p}", path=NATIVE_OS_KERNEL if p != "pv" else PV_OS_KERNEL, kind="pv",
              first_line=r"^\(d\d+\) ", config=f"bench/netcmp/{m}.cfg.in", net=True, icount_run=False)
        for p, m in (("pv", "pv"), ("hvm_npt", "npt"), ("hvm_shadow", "shadow"))]


def _net_scenarios() -> list:
    out = []
    for op, what in NET_SHAPES:
        for plat, where in OS_PLATFORMS:
            line = ("hvm" if plat.startswith("hvm") else plat) + f".net_{op}"
            out.append(Scenario(f"{plat}.net_{op}", f"net:{plat}", "op",
                                None if plat == "native" else f"native.net_{op}", 1,
                                f"network: {what} ({where}"
                                + {"native": ", its NE2000 driver on ne2k_isa)", "pv": ", netfront/netback)"}.get(
                                    plat, ", emulated NE2000 in the device model)"), reports_as=line))
    return out


def _os_scenarios() -> list:
    out = []
    for n in OS_SCENARIOS:
        for plat, where in OS_PLATFORMS:
            image = f"os:pv:{n}" if plat == "pv" else f"os:{plat}"
            out.append(Scenario(f"{plat}.os_{n}", image, "op", None if plat == "native" else f"native.os_{n}", 1,
                                f"{OS_WHAT[n]} ({where})", baseline="os:pv:base" if plat == "pv" else None))
    return out


NATIVE = Image(key="native", path=NATIVE_KERNEL, kind="native", first_line=r"^BENCH ", args=("mode=rawbench",))
IMAGES = {i.key: i for i in [
    NATIVE, *_os_images(), *_disk_images(), *_net_images(),
    _pv("null_hypercall", only="pv.null_hypercall"), _pv("null_hypercall", only="pv.null_hypercall_raw"),
    _pv("syscall_bounce"), _pv("event_self"),
    # Two domains (tests/guest/dom_pingpong) ping-pong 10,000 events; d1 reports the round trip.
    Image(key="pv:interdomain", path="out/tests/guest/dom_pingpong.elf", kind="pv",
          first_line=r"^\(d\d+\) ", config="tests/guest/dom_pingpong/pingpong.cfg"),
    # The store round trip: tests/guest/xs_ops (d1) reads a node 1000 times from the store
    # domain (d0, the bundled kernel with store=yes) over its ring.
    Image(key="pv:store", path="out/tests/guest/xs_ops.elf", kind="pv",
          first_line=r"^\(d\d+\) ", config="tests/guest/xs_ops/xs_ops.cfg"),
    # Interrupt to upcall: the driver domain (tests/guest/irq_msi_edu with bench=yes) times 500
    # MSIs of QEMU's edu device from the register write to its event handler.
    Image(key="pv:irq", path="out/tests/guest/irq_msi_edu.elf", kind="pv", first_line=r"^\(d\d+\) ",
          extra=("--qemu-arg", "-device", "--qemu-arg", "edu"), config="tests/guest/irq_msi_edu/bench.cfg"),
    _pv("pt_update", only="pv.pt_update_single"), _pv("pt_update", only="pv.pt_update_batched"),
    _pv("fork_exec_exit"), _pv("page_fault"), _pv("ctxsw"),
    *[_pv("grant", only=f"pv.{n}") for n in ("grant_map_unmap", "grant_map_unmap_32", "grant_mmu_update",
                                             "grant_uvm", "grant_copy_4k", "guest_memcpy_4k")],
    _pv("boot"), _pv("boot", ("--efi",)),
    # The driver domain's virtio drivers (bench/virtio/virtio.cfg): the bundled kernel's
    # `blk bench` and `net bench` on the QEMU devices; one boot reports every virtio scenario.
    Image(key="pv:virtio", path="out/guest-kernel/kernel.elf", kind="pv", first_line=r"^\(d\d+\) ",
          extra=("--path", "out/bench"), config="bench/virtio/virtio.cfg"),
    # A domU's disk through blkfront, served by the driver domain's blkback on its virtio disk
    # (bench/blkfront/blkfront.cfg): the bundled kernel's `xvd bench` in d1, one boot for all.
    Image(key="pv:blkfront", path="out/guest-kernel/kernel.elf", kind="pv", first_line=r"^\(d\d+\) ",
          extra=("--path", "out/bench"), config="bench/blkfront/blkfront.cfg"),
]}

# Issue 13's block shapes: (a) the driver domain on virtio-blk (`blk bench`), (b) a domU through
# blkfront (`xvd bench`); each (b) scenario's counterpart is its (a), so the table's ratio is b / a
# (time per request: 1.25 is 80% of (a)'s throughput).
BLOCK_SHAPES = [(op, kib, qd) for op in ("read", "write") for kib in (4, 64) for qd in (1, 16)] + [("randread", 4, 16)]


def _block_what(op: str, kib: int, qd: int) -> str:
    kind = "random" if op == "randread" else "sequential"
    verb = "read" if op != "write" else "write"
    return f"{kind} {kib} KiB {verb}, {'one at a time' if qd == 1 else f'{qd} in flight'}, per request (1/IOPS)"


def _block_scenarios() -> list:
    out = []
    for op, kib, qd in BLOCK_SHAPES:
        a = f"pv.virtio_blk_{op}_{kib}k_qd{qd}"
        if (op, kib, qd) != ("read", 4, 1):        # pv.virtio_blk_read_4k_qd1 is listed above
            out.append(Scenario(a, "pv:virtio", "op", None, 1, "(a) driver domain, virtio-blk: " + _block_what(op, kib, qd)))
        out.append(Scenario(f"pv.xvd_{op}_{kib}k_qd{qd}", "pv:blkfront", "op", a, 1,
                            "(b) domU through blkfront/blkback: " + _block_what(op, kib, qd) + "; ratio b/a"))
    return out


_N = "native"
SCENARIOS = [
    Scenario("native.boot", _N, "boot", None, 1, "reset to the raw scenarios' start (firmware, Multiboot, the native kernel's start-up)"),
    Scenario("native.null_loop", _N, "op", None, 1, "timed-loop bookkeeping (dec+jnz), the subtracted baseline"),
    Scenario("native.syscall", _N, "op", None, 1, "SYSCALL/SYSRET round trip from ring 3"),
    Scenario("native.int_iret", _N, "op", None, 1, "int/iretq round trip, ring 3 -> 0 -> 3"),
    Scenario("native.cr3_reload", _N, "op", None, 1, "mov to CR3 (full non-global TLB flush)"),
    Scenario("native.pt_write", _N, "op", None, 1, "one PTE write + invlpg"),
    Scenario("native.page_fault", _N, "op", None, 1, "#PF, handler maps the page, iretq, retry"),
    Scenario("native.ctxsw", _N, "op", None, 1, "kernel thread switch: stack + CR3"),
    Scenario("pv.null_hypercall", "pv:null_hypercall", "op", "native.syscall", 1, "xen_version(0) through the hypercall page, from the guest kernel"),
    Scenario("pv.null_hypercall_raw", "pv:null_hypercall_raw", "op", "native.syscall", 1, "xen_version(0) by a bare SYSCALL, from the guest kernel"),
    Scenario("pv.syscall_bounce", "pv:syscall_bounce", "op", "native.syscall", 1, "guest user syscall bounced to the guest kernel and back"),
    Scenario("pv.event_self", "pv:event_self", "op", "native.int_iret", 1, "EVTCHNOP_send to itself, upcall, handler, iret hypercall"),
    Scenario("pv.interdomain_rtt", "pv:interdomain", "op", "native.ctxsw", 2, "event ping-pong between two domains (round trip)"),
    Scenario("pv.irq_latency", "pv:irq", "op", "native.int_iret", 1, "device MSI (edu) to the driver domain's event handler: register write, MSI, hypervisor handler, event, upcall (median)"),
    Scenario("pv.store_rtt", "pv:store", "op", "native.ctxsw", 2, "store READ round trip from d1 over its ring to the store domain d0 (median)"),
    Scenario("pv.pt_update_single", "pv:pt_update_single", "op", "native.pt_write", 1, "one PTE per mmu_update hypercall"),
    Scenario("pv.pt_update_batched", "pv:pt_update_batched", "op", "native.pt_write", 1, "PTEs batched in one mmu_update, per PTE"),
    Scenario("pv.grant_map_unmap", "pv:grant_map_unmap", "op", None, 1, "grant map + unmap of one page (2 hypercalls)"),
    Scenario("pv.grant_map_unmap_32", "pv:grant_map_unmap_32", "op", None, 1, "32 grant maps in one call + 32 unmaps in one call, per page"),
    Scenario("pv.grant_mmu_update", "pv:grant_mmu_update", "op", None, 1, "one mmu_update of a PTE, the grant map's alternative"),
    Scenario("pv.grant_uvm", "pv:grant_uvm", "op", None, 1, "one update_va_mapping of a PTE (UVMF_INVLPG)"),
    Scenario("pv.grant_copy_4k", "pv:grant_copy_4k", "op", None, 1, "GNTTABOP_copy of 4 KiB from a grant"),
    Scenario("pv.guest_memcpy_4k", "pv:guest_memcpy_4k", "op", None, 1, "memcpy of 4 KiB in the guest"),
    Scenario("pv.fork_exec_exit", "pv:fork_exec_exit", "op", None, 1, "guest user fork + exec + exit + wait"),
    Scenario("pv.page_fault", "pv:page_fault", "op", "native.page_fault", 1, "guest #PF bounced, guest maps the page, iret"),
    Scenario("pv.ctxsw", "pv:ctxsw", "op", "native.ctxsw", 1, "guest process switch (new_baseptr)"),
    Scenario("pv.virtio_blk_read_4k", "pv:virtio", "op", None, 1, "virtio-blk sequential 4 KiB read, 8 in flight, per request (1/IOPS)"),
    Scenario("pv.virtio_blk_read_64k", "pv:virtio", "op", None, 1, "virtio-blk sequential 64 KiB read, 8 in flight, per request"),
    Scenario("pv.virtio_blk_write_4k", "pv:virtio", "op", None, 1, "virtio-blk sequential 4 KiB write, 8 in flight, per request"),
    Scenario("pv.virtio_blk_write_64k", "pv:virtio", "op", None, 1, "virtio-blk sequential 64 KiB write, 8 in flight, per request"),
    Scenario("pv.virtio_blk_read_4k_qd1", "pv:virtio", "op", None, 1, "virtio-blk 4 KiB read, one at a time: submit, MSI-X event, completion"),
    Scenario("pv.virtio_net_echo_w16", "pv:virtio", "op", None, 1, "ICMP echo to 10.0.2.2 over virtio-net, 16 in flight, per round trip (2 packets)"),
    Scenario("pv.virtio_net_echo_w1", "pv:virtio", "op", None, 1, "ICMP echo to 10.0.2.2 over virtio-net, one at a time: the round trip"),
    *_block_scenarios(),
    *_os_scenarios(),
    *_disk_scenarios(),
    *_net_scenarios(),
    Scenario("pv.boot_multiboot", "pv:boot", "boot", "native.boot", 1, "reset to first guest line, Multiboot path", "pv.boot"),
    Scenario("pv.boot_uefi", "pv:boot--efi", "boot", "native.boot", 1, "reset to first guest line, UEFI path", "pv.boot"),
]


def config_path(image: Image) -> str | None:
    """The configuration the runner boots: a .cfg.in is written out (materialize) under NET_CFG_DIR."""
    if image.config and image.config.endswith(".in"):
        return f"{NET_CFG_DIR}/{image.key.replace(':', '-')}.cfg"
    return image.config


def hvm_nic(root: str = ".") -> str:
    """@HVM_NIC@: "nic=ne2000" where the hypervisor's configuration has the nic= key (an HVM domain
    gets its NE2000 only with it), else "" (before it, every served HVM domain had one)."""
    import os
    try:
        with open(os.path.join(root, "hypervisor", "common", "domconfig.c"), encoding="utf-8") as f:
            return "nic=ne2000" if 'F("nic"' in f.read() else ""
    except OSError:
        return ""


def substitute(text: str, http_port: int | None, nic: str = "") -> str:
    """@NETBENCH@, @HTTP_PORT@ and @HVM_NIC@ of a network image's configuration or command line."""
    text = text.replace("@NETBENCH@", NET_BENCH).replace(" @HVM_NIC@", f" {nic}" if nic else "")
    return text if http_port is None else text.replace("@HTTP_PORT@", str(http_port))


def materialize(image: Image, http_port: int | None, root: str = ".") -> None:
    """Write a .cfg.in configuration out as config_path(image), its placeholders replaced."""
    path = config_path(image)
    if path == image.config:
        return
    import os
    with open(os.path.join(root, image.config), encoding="utf-8") as f:
        text = substitute(f.read(), http_port, hvm_nic(root))
    os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
    with open(os.path.join(root, path), "w", encoding="utf-8") as f:
        f.write(text)


def command(image: Image, icount: bool, iters: int, timeout: float, http_port: int | None = None) -> list:
    """The command that boots image once and prints its console on stdout (a network image's
    @HTTP_PORT@ replaced by http_port when given)."""
    if image.kind == "native":
        return (["qemu-system-x86_64", "-machine", image.machine, "-m", "256", "-nographic",
                 "-no-reboot", "-net", "none", "-kernel", image.path,
                 "-append", substitute(" ".join([f"iters={iters}"] + list(image.args)), http_port),
                 "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] + list(image.qemu)
                + (ICOUNT if icount else []))
    if image.kind == "hvm":
        return (["tools/tandem-run"] + (["--icount"] if icount else [])
                + ["--timeout", str(int(timeout))] + list(image.extra) + ["--hvm", image.hvm, image.path,
                                                                          "--", f"iters={iters}"] + list(image.args))
    if image.config:
        return (["tools/tandem-run"] + (["--icount"] if icount else [])
                + ["--timeout", str(int(timeout))] + list(image.extra) + ["--config", config_path(image)])
    return (["tools/tandem-run"] + (["--icount"] if icount else [])
            + ["--timeout", str(int(timeout))] + list(image.extra)
            + [image.path, "--", f"iters={iters}"] + list(image.args))


def probe(image: Image) -> list:
    """A command that succeeds without booting anything if image can run here (the runner knows
    its options), or None when nothing needs asking."""
    if image.kind != "hvm":
        return None
    return ["tools/tandem-run", "--print-qemu", "--hvm", image.hvm, image.path, "--", "mode=bench"]


def matches(name: str, pattern: str | None) -> bool:
    """--only: comma-separated globs; a pattern without glob characters matches as a substring."""
    if not pattern:
        return True
    for p in pattern.split(","):
        p = p.strip()
        if p and (fnmatch.fnmatchcase(name, p) if any(c in p for c in "*?[") else p in name):
            return True
    return False


def select(scenarios: list, pattern: str | None) -> list:
    return [s for s in scenarios if matches(s.name, pattern)]


def images_needed(selected: list, scenarios: list = SCENARIOS) -> list:
    """Image keys the selection needs (its own and its counterparts'), native first."""
    by_name = {s.name: s for s in scenarios}
    keys = []
    for s in selected:
        for k in ([s.image] + ([by_name[s.counterpart].image] if s.counterpart else [])
                  + ([s.baseline] if s.baseline else [])):
            if k not in keys:
                keys.append(k)
    return sorted(keys, key=lambda k: k != "native")


def alternation_order(keys: list, runs: int, images: dict | None = None) -> list:
    """Wall-run schedule as (round, key): A B A B ... (round-robin for more than two),
    so slow drift of a shared machine hits every candidate alike. Baselines (icount_only)
    have no wall runs."""
    images = images or IMAGES
    keys = [k for k in keys if not (k in images and images[k].icount_only)]
    return [(r, k) for r in range(runs) for k in keys]
