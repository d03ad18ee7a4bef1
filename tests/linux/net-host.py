#!/usr/bin/env python3
"""The Linux network test's host side (tests/run-tests linux_net_test; tests/linux/net.cfg.in).

setup WORK: writes WORK/www/page.bin (50000 bytes, byte i = (i * 7 + i // 256) & 0xff) and
  WORK/net.cfg (net.cfg.in with @HTTP_PORT@), starts an HTTP server for WORK/www on
  127.0.0.1:$HTTP_PORT (the guest's 10.0.2.2:$HTTP_PORT), waits until it answers, and starts the
  fetcher: it asks the Linux domU's port 80 (forwarded from 127.0.0.1:$FWD_PORT) for
  /index.html until it answers, and writes the answer to WORK/fetched.txt. Both end by themselves.
check WORK LOG: stops both; the fetched page must be Linux's, and the guest's wget line must give
  page.bin's size and MD5.
"""
import hashlib, os, signal, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
HTTP_PORT, FWD_PORT = int(os.environ["HTTP_PORT"]), int(os.environ["FWD_PORT"])
SERVE_SECS, FETCH_SECS = 400, 300


def page():
    return bytes((i * 7 + i // 256) & 0xFF for i in range(50000))


def fetch(work):
    deadline = time.time() + FETCH_SECS
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", FWD_PORT), timeout=5) as s:
                s.sendall(b"GET /index.html HTTP/1.0\r\nHost: linux\r\n\r\n")
                data = b""
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    data += b
            if data.startswith(b"HTTP/1."):
                open(os.path.join(work, "fetched.txt"), "wb").write(data)
                return
        except OSError:
            pass
        time.sleep(1)


def spawn(work, args, name):
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=open(os.path.join(work, name + ".log"), "w"),
                         stderr=subprocess.STDOUT, start_new_session=True, cwd=work)
    open(os.path.join(work, name + ".pid"), "w").write(str(p.pid))


def setup(work):
    www = os.path.join(work, "www")
    os.makedirs(www, exist_ok=True)
    open(os.path.join(www, "page.bin"), "wb").write(page())
    cfg = open(os.path.join(HERE, "net.cfg.in")).read().replace("@HTTP_PORT@", str(HTTP_PORT))
    open(os.path.join(work, "net.cfg"), "w").write(cfg)
    spawn(work, ["timeout", str(SERVE_SECS), sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                 "--directory", www, str(HTTP_PORT)], "server")
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("net-host.py: the HTTP server did not start")
    spawn(work, ["timeout", str(FETCH_SECS), sys.executable, os.path.abspath(__file__), "fetch", work], "fetcher")


def stop(work, name):
    try:
        os.killpg(int(open(os.path.join(work, name + ".pid")).read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


def check(work, log):
    stop(work, "fetcher")
    stop(work, "server")
    bad = []
    try:
        got = open(os.path.join(work, "fetched.txt"), "rb").read().decode("latin-1")
    except OSError:
        got = ""
    if not got.startswith("HTTP/1.") or " 200 " not in got.split("\r\n", 1)[0]:
        bad.append("index.html: want a 200 answer, got %r" % got[:60])
    if "\r\n\r\nhello from Linux 6." not in got or "on Tandem, 10.0.2.15\n" not in got:
        bad.append("index.html: not the Linux domU's page: %r" % got[-80:])
    want = "page.bin: 50000 bytes, md5 %s" % hashlib.md5(page()).hexdigest()
    if want not in open(log, errors="replace").read():
        bad.append("the guest's wget line lacks %r" % want)
    print("\n".join(["net-host.py: " + b for b in bad] or ["net-host.py: Linux's page and its wget checked"]))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    work_dir = os.path.abspath(sys.argv[2])    # the server and the fetcher run in it
    {"setup": lambda: setup(work_dir), "fetch": lambda: fetch(work_dir),
     "check": lambda: check(work_dir, sys.argv[3])}[sys.argv[1]]()
