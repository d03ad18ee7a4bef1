"""Running one boot under a hard timeout with time-stamped output, and describing the machine."""
from __future__ import annotations

import datetime
import os
import platform
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class ProcResult:
    lines: list = field(default_factory=list)   # (seconds since start, text)
    rc: int | None = None
    timed_out: bool = False
    elapsed: float = 0.0
    error: str | None = None                    # could not start at all


def _kill(proc: subprocess.Popen) -> None:
    """Kill the process group of a child started in its own session (QEMU and its helpers)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _split(buf: bytes, now: float, lines: list) -> bytes:
    *complete, rest = buf.split(b"\n")
    lines.extend((now, c.decode("utf-8", "replace").rstrip("\r")) for c in complete)
    return rest


def run(cmd: list, timeout: float, log_path: str | None = None, cwd: str | None = None) -> ProcResult:
    """Run cmd with stdin from /dev/null, stdout+stderr captured line by line; kill it after timeout."""
    res = ProcResult()
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
    except OSError as e:
        res.error = f"cannot run {cmd[0]}: {e.strerror}"
        return res
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    try:
        while True:
            left = start + timeout - time.monotonic()
            if left <= 0:
                res.timed_out = True
                _kill(proc)
                break
            if not sel.select(min(left, 1.0)):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf = _split(buf + chunk, time.monotonic() - start, res.lines)
    finally:
        sel.close()
        if buf:
            res.lines.append((time.monotonic() - start, buf.decode("utf-8", "replace")))
        try:
            res.rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill(proc)
            res.rc = proc.wait()
        proc.stdout.close()
        res.elapsed = time.monotonic() - start
    if log_path:
        with open(log_path, "w", encoding="utf-8") as f:
            f.write("# " + " ".join(cmd) + "\n")
            f.writelines(f"[{t:9.3f}] {text}\n" for t, text in res.lines)
            f.write(f"# rc={res.rc} timed_out={res.timed_out} elapsed={res.elapsed:.3f}s\n")
    return res


def _first_line(cmd: list, cwd: str | None = None) -> str | None:
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=20, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.splitlines()
    return lines[0].strip() if out.returncode == 0 and lines else None


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_info(root: str) -> dict:
    dirty = _first_line(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"], root)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "qemu": _first_line(["qemu-system-x86_64", "--version"]),
        "cpu_model": _cpu_model(),
        "cpus": os.cpu_count(),
        "loadavg": list(os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git_commit": _first_line(["git", "rev-parse", "HEAD"], root),
        "git_dirty": bool(dirty),
    }


def unavailable(cmd: list | None, cwd: str | None = None) -> str | None:
    """None if the probe command cmd (scenarios.probe) succeeds or there is none; else why not,
    from its last line of output (tools/tandem-run's refusal of an option, say)."""
    if not cmd:
        return None
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=30, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run {cmd[0]}: {e}"
    if out.returncode == 0:
        return None
    lines = [ln.strip() for ln in (out.stderr + out.stdout).splitlines() if ln.strip()]
    return (lines[0] if lines else f"{cmd[0]} exited with {out.returncode}")[:160]
