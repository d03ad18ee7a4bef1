#!/usr/bin/env python3
"""The host side of the native kernel's network test (tests/run-tests, native_net_test):
`net-host.py setup WORK HTTP_PORT FWD_PORT`, `net-host.py check WORK LOG [NAME]`.

setup: writes WORK/www/page.bin (50000 bytes, byte i = (i * 7 + i // 256) & 0xff, as net_lwip's
  host.py), serves WORK/www on 127.0.0.1:HTTP_PORT (the guest's 10.0.2.2:HTTP_PORT), and starts
  the fetcher: GET /nope then GET / from the guest's port 80 (forwarded from 127.0.0.1:FWD_PORT),
  each retried until the guest answers, the answers into WORK/fetched.json. Both end by
  themselves (SERVE_SECS, FETCH_SECS) if nobody stops them.
check: stops both, then wants a 404 for /nope, a 200 status page naming the kernel (NAME,
  default native) with its address, and the guest's wget line for page.bin with the size and
  CRC-32 zlib computes.
"""
import json, os, re, signal, socket, subprocess, sys, time, zlib

SERVE_SECS, FETCH_SECS = 200, 150


def page():
    return bytes((i * 7 + i // 256) & 0xFF for i in range(50000))


def request(port, raw):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
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


def fetch(work, port):
    out, deadline = {}, time.time() + FETCH_SECS
    for key, raw in (("nope", b"GET /nope HTTP/1.0\r\n\r\n"), ("status", b"GET / HTTP/1.0\r\n\r\n")):
        while key not in out and time.time() < deadline:
            r = request(int(port), raw)
            if r is None:
                time.sleep(0.5)
            else:
                out[key] = r
        json.dump(out, open(os.path.join(work, "fetched.json.new"), "w"))
        os.replace(os.path.join(work, "fetched.json.new"), os.path.join(work, "fetched.json"))


def spawn(work, args, name):
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=open(os.path.join(work, name + ".log"), "w"),
                         stderr=subprocess.STDOUT, start_new_session=True, cwd=work)
    open(os.path.join(work, name + ".pid"), "w").write(str(p.pid))


def setup(work, http_port, fwd_port):
    www = os.path.join(work, "www")
    os.makedirs(www, exist_ok=True)
    open(os.path.join(www, "page.bin"), "wb").write(page())
    spawn(work, ["timeout", str(SERVE_SECS), sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                 "--directory", www, http_port], "server")
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", int(http_port)), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("net-host.py: the HTTP server did not start")
    spawn(work, ["timeout", str(FETCH_SECS), sys.executable, os.path.abspath(__file__), "fetch", work, fwd_port],
          "fetcher")


def stop(work, name):
    try:
        os.killpg(int(open(os.path.join(work, name + ".pid")).read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


def check(work, log, name="native"):
    stop(work, "fetcher")
    stop(work, "server")
    bad = []
    try:
        got = json.load(open(os.path.join(work, "fetched.json")))
    except (OSError, ValueError):
        got = {}
    for key, want in (("nope", "HTTP/1.0 404 Not Found"), ("status", "HTTP/1.0 200 OK")):
        if not got.get(key, "").startswith(want + "\r\n"):
            bad.append("%s: want %r, got %r" % (key, want, got.get(key, "")[:60]))
    for want in (r"<title>Tandem d0 %s</title>" % name, r"\naddress: 10\.0\.2\.15\n", r"\nthreads: [0-9]+\n.*\bnet\b"):
        if not re.search(want, got.get("status", ""), re.S):
            bad.append("status page lacks %r" % want)
    want = "page.bin: HTTP/1.0 200 OK, 50000 bytes, crc32 0x%08x" % zlib.crc32(page())
    if want not in open(log, errors="replace").read():
        bad.append("the guest's wget line lacks %r" % want)
    print("\n".join(["net-host.py: " + b for b in bad] or ["net-host.py: status page and wget checked"]))
    sys.exit(1 if bad else 0)


# WORK made absolute: the server and the fetcher run with it as their directory.
{"setup": setup, "fetch": fetch, "check": check}[sys.argv[1]](os.path.abspath(sys.argv[2]), *sys.argv[3:])
