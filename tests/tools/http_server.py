#!/usr/bin/env python3
"""http_server.py — the test suite's model server: serves --root on 127.0.0.1 only (port 0,
the chosen port printed on stdout and written to --port-file), with Range, If-Range and
ETag, and fault injection for the downloader's tests. Faults come from a control file
(JSON object, re-read on every request) overlaid with the request's query parameters:

  rate=B          send at most B bytes per second
  drop_at=N       close the connection when the body reaches file offset N (only
                  responses starting before N drop, so a resume gets through)
  stall_at=N      stop sending at file offset N for `stall` seconds (default 60)
  no_range=1      ignore Range: always answer 200 with the whole file
  bad_range=1     answer 206 with a Content-Range one byte off the one asked for
  etag=S          use S as the ETag (change it between requests to simulate a new file)
  flip=N          flip the byte at file offset N
  fail=K          answer 500 to the first K requests for a path (counted afresh whenever
                  the faults change), then serve normally
  status=C        answer status C with no body
  digest=KIND     send the file's sha256 as KIND: digest | repr | xlinked
  digest_value=H  send H (hex) instead of the real sha256

A path under /r/ answers 302 to the same path without /r/, carrying x-linked-etag (as
Hugging Face does). Every response is logged as one JSON line to --log. The server exits
by itself after --lifetime seconds so a crashed test can never leave it behind. The log
has a "request" line when a request arrives and a response line when the response ends.
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

ARGS = None
FAIL_COUNTS = {}
LOCK = threading.Lock()
SHA_CACHE = {}


def file_sha256(path):
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in SHA_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        SHA_CACHE[key] = h.hexdigest()
    return SHA_CACHE[key]


def faults(query):
    f = {}
    if ARGS.control and os.path.exists(ARGS.control):
        try:
            with open(ARGS.control) as c:
                f.update(json.load(c))
        except (OSError, ValueError):
            pass
    for k, v in urllib.parse.parse_qs(query).items():
        f[k] = v[-1]
    return f


def log(entry):
    if ARGS.log:
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def plain(self, code, text=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(text)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(text)
        log({"path": self.path, "status": code, "range": self.headers.get("Range"),
             "if_range": self.headers.get("If-Range")})

    def do_GET(self):
        log({"event": "request", "path": self.path, "range": self.headers.get("Range")})
        url = urllib.parse.urlsplit(self.path)
        f = faults(url.query)
        path = urllib.parse.unquote(url.path)
        redirect = path.startswith("/r/")
        local = os.path.realpath(os.path.join(ARGS.root, path[3 if redirect else 1:]))
        if not local.startswith(os.path.realpath(ARGS.root) + os.sep) or not os.path.isfile(local):
            return self.plain(404, b"not found\n")
        sha = file_sha256(local)
        if redirect:
            self.send_response(302)
            self.send_header("Location", path[2:] + ("?" + url.query if url.query else ""))
            self.send_header("x-linked-etag", '"%s"' % f.get("digest_value", sha))
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return log({"path": self.path, "status": 302})
        if "status" in f:
            return self.plain(int(f["status"]), b"forced\n")
        fail = int(f.get("fail", 0))
        key = (path, json.dumps(f, sort_keys=True))  # counts start again when faults change
        with LOCK:
            n = FAIL_COUNTS.get(key, 0)
            FAIL_COUNTS[key] = n + 1
        if n < fail:
            return self.plain(500, b"injected failure\n")

        size = os.path.getsize(local)
        etag = f.get("etag", '"%s"' % sha[:16])
        start, end, code = 0, size - 1, 200
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng or "")
        if m and not f.get("no_range") and (if_range is None or if_range == etag):
            start = int(m.group(1))
            if m.group(2):
                end = min(int(m.group(2)), size - 1)
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return log({"path": self.path, "status": 416, "range": rng, "if_range": if_range})
            code = 206
        self.send_response(code)
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Connection", "close")
        if code == 206:
            shown = start + 1 if f.get("bad_range") else start
            self.send_header("Content-Range", "bytes %d-%d/%d" % (shown, end, size))
        kind = f.get("digest")
        value = f.get("digest_value", sha)
        b64 = base64.b64encode(bytes.fromhex(value)).decode()
        if kind == "digest":
            self.send_header("Digest", "md5=AAAAAAAAAAAAAAAAAAAAAA==, SHA-256=%s" % b64)
        elif kind == "repr":
            self.send_header("Repr-Digest", "sha-512=:AAAA:, sha-256=:%s:" % b64)
        elif kind == "xlinked":
            self.send_header("x-linked-etag", '"%s"' % value)
        self.end_headers()

        rate = float(f.get("rate", 0))
        drop_at = int(f.get("drop_at", -1))
        if drop_at <= start:
            drop_at = -1  # a resume from N or later gets through
        stall_at = int(f.get("stall_at", -1))
        flip = int(f.get("flip", -1))
        pos, sent, began = start, 0, time.monotonic()
        outcome = "complete"
        try:
            with open(local, "rb") as src:
                src.seek(start)
                while pos <= end:
                    n = min(16384, end + 1 - pos)
                    for limit in (drop_at, stall_at):
                        if limit > pos:
                            n = min(n, limit - pos)
                    if pos == drop_at:
                        outcome = "dropped"
                        break
                    if pos == stall_at:
                        stall_at = -1
                        deadline = time.monotonic() + float(f.get("stall", 60))
                        while time.monotonic() < deadline:
                            time.sleep(0.05)
                        outcome = "stalled"
                    chunk = bytearray(src.read(n))
                    if pos <= flip < pos + len(chunk):
                        chunk[flip - pos] ^= 0xFF
                    self.wfile.write(chunk)
                    pos += len(chunk)
                    sent += len(chunk)
                    if rate > 0:
                        ahead = sent / rate - (time.monotonic() - began)
                        if ahead > 0:
                            time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError):
            outcome = "client gone"
        log({"path": self.path, "status": code, "range": rng, "if_range": if_range,
             "start": start, "sent": sent, "outcome": outcome})
        self.close_connection = True


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--control")
    ap.add_argument("--log")
    ap.add_argument("--port-file")
    ap.add_argument("--lifetime", type=float, default=300)
    ARGS = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if ARGS.port_file:
        with open(ARGS.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    print(port, flush=True)
    threading.Timer(ARGS.lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
