#!/usr/bin/env python3
"""The host side of net_lwip and net_split (their expect files): `host.py setup`,
`host.py check [DOMID NAME]` (the domain whose status page is fetched: default 0 netdom,
net_lwip's driver domain; net_split's is 1 u1, a domU behind netback).

setup: writes $WORK/www/page.bin (50000 bytes, byte i = (i * 7 + i // 256) & 0xff) and
  $WORK/net.cfg, starts an HTTP server for $WORK/www on 127.0.0.1:$HTTP_PORT (the guest's
  10.0.2.2:$HTTP_PORT), waits until it answers, and starts the fetcher: it asks the guest's
  port 80 (forwarded from 127.0.0.1:$FWD_PORT) for /nope, then sends a POST and a malformed
  request, then GET /, retrying each until the guest answers, and writes the answers to
  $WORK/fetched.json. Both end by themselves (FETCH_SECS, SERVE_SECS) if nobody stops them.
check: stops both, then checks the answers (404, 405, 400, and a 200 status page naming the
  domain with its uptime, memory and processes) and the guest's wget line for page.bin
  (size and CRC-32 as zlib computes them).
"""
import json, os, re, signal, socket, subprocess, sys, time, zlib

WORK, TESTDIR, LOG = os.environ["WORK"], os.environ["TESTDIR"], os.environ.get("LOG", "")
HTTP_PORT, FWD_PORT = int(os.environ["HTTP_PORT"]), int(os.environ["FWD_PORT"])
SERVE_SECS, FETCH_SECS = 300, 150


def page():
    return bytes((i * 7 + i // 256) & 0xFF for i in range(50000))


def request(raw):
    """One request to the guest's port 80 through the forward: the response, or None."""
    try:
        with socket.create_connection(("127.0.0.1", FWD_PORT), timeout=5) as s:
            s.sendall(raw)
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
    except OSError:
        return None
    return data.decode("latin-1") if data.startswith(b"HTTP/1.") else None


def fetch():
    asks = [("nope", b"GET /nope HTTP/1.0\r\nHost: guest\r\n\r\n"),
            ("post", b"POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n"),
            ("garbage", b"GARBAGE\r\n\r\n"),
            ("status", b"GET / HTTP/1.0\r\nHost: guest\r\n\r\n")]
    out, deadline = {}, time.time() + FETCH_SECS
    for key, raw in asks:
        while key not in out and time.time() < deadline:
            r = request(raw)
            if r is None:
                time.sleep(0.5)
            else:
                out[key] = r
        json.dump(out, open(os.path.join(WORK, "fetched.json.new"), "w"))
        os.replace(os.path.join(WORK, "fetched.json.new"), os.path.join(WORK, "fetched.json"))


def spawn(args, name):
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=open(os.path.join(WORK, name + ".log"), "w"),
                         stderr=subprocess.STDOUT, start_new_session=True, cwd=WORK)
    open(os.path.join(WORK, name + ".pid"), "w").write(str(p.pid))


def setup():
    www = os.path.join(WORK, "www")
    os.makedirs(www, exist_ok=True)
    open(os.path.join(www, "page.bin"), "wb").write(page())
    cfg = open(os.path.join(TESTDIR, "net.cfg.in")).read().replace("@HTTP_PORT@", str(HTTP_PORT))
    open(os.path.join(WORK, "net.cfg"), "w").write(cfg)
    spawn(["timeout", str(SERVE_SECS), sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
           "--directory", www, str(HTTP_PORT)], "server")
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("host.py: the HTTP server did not start")
    spawn(["timeout", str(FETCH_SECS), sys.executable, os.path.abspath(__file__), "fetch"], "fetcher")
    print("host.py: HTTP server on 127.0.0.1:%d, fetcher on 127.0.0.1:%d" % (HTTP_PORT, FWD_PORT))


def stop(name):
    try:
        os.killpg(int(open(os.path.join(WORK, name + ".pid")).read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


def check(domid="0", name="netdom"):
    stop("fetcher")
    stop("server")
    bad = []
    try:
        got = json.load(open(os.path.join(WORK, "fetched.json")))
    except (OSError, ValueError):
        got = {}
    for key, want in (("nope", "HTTP/1.0 404 Not Found"), ("post", "HTTP/1.0 405 Method Not Allowed"),
                      ("garbage", "HTTP/1.0 400 Bad Request"), ("status", "HTTP/1.0 200 OK")):
        if not got.get(key, "").startswith(want + "\r\n"):
            bad.append("%s: want %r, got %r" % (key, want, got.get(key, "")[:60]))
    status = got.get("status", "")
    for want in (r"<title>Tandem d%s %s</title>" % (domid, name), r"\nname: %s\n" % name, r"\nuptime: [0-9]+\.[0-9]{3} s\n",
                 r"\nmemory: 8192 pages \(32 MiB\): [0-9]+ free", r"\naddress: 10\.0\.2\.15\n",
                 r"\nprocesses: [0-9]+\n", r"\nthreads: [0-9]+\n.*\bnet\b"):
        if not re.search(want, status, re.S):
            bad.append("status page lacks %r" % want)
    body = status.split("\r\n\r\n", 1)[-1]
    m = re.search(r"\r\nContent-Length: ([0-9]+)\r\n", status)
    if not m or int(m.group(1)) != len(body.encode("latin-1")):
        bad.append("status page: Content-Length does not match its body")
    want = "page.bin: HTTP/1.0 200 OK, 50000 bytes, crc32 0x%08x" % zlib.crc32(page())
    if want not in open(LOG, errors="replace").read():
        bad.append("the guest's wget line lacks %r" % want)
    print("\n".join(["host.py: " + b for b in bad] or ["host.py: status page and wget checked"]))
    sys.exit(1 if bad else 0)


{"setup": setup, "fetch": fetch, "check": check}[sys.argv[1]](*sys.argv[2:])
