"""The hostile-request checks of tests/integration/serve_security.sh (see there)."""
import http.client, json, os, re, signal, socket, subprocess, sys, threading, time

T = sys.argv[1]
proc = subprocess.Popen([T, "serve", "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
url = proc.stdout.readline().strip()
m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{64})", url)
if not m:
    proc.kill()
    sys.exit(f"FAIL: tacit serve printed {url!r}, not one URL with a token")
PORT, TOKEN = int(m.group(1)), m.group(2)
HOST = f"127.0.0.1:{PORT}"
ORIGIN = f"http://{HOST}"
failures, rejected, n_hostile = [], 0, 0


def req(method, path, headers=None, body=None, host=HOST, addr="127.0.0.1"):
    c = http.client.HTTPConnection(addr, PORT, timeout=10)
    c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    if host is not None:
        c.putheader("Host", host)
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def check(cond, what):
    if not cond:
        failures.append(what)


def no_cors(h, what):
    check(not any(k.startswith("access-control-") for k in h), f"{what}: a CORS header was sent")


def hostile(what, expect, method, path, **kw):
    """A request that must be refused with status expect."""
    global rejected, n_hostile
    n_hostile += 1
    st, h, body = req(method, path, **kw)
    no_cors(h, what)
    if st in (expect if isinstance(expect, tuple) else (expect,)) and b"sessions" not in body[:200]:
        rejected += 1
    else:
        failures.append(f"{what}: got {st} (expected {expect}): {body[:120]!r}")


AUTH = {"Authorization": f"Bearer {TOKEN}"}
W = dict(AUTH, Origin=ORIGIN)
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "cache-control")


def raw(data, timeout=10):
    """Sends raw bytes on a new connection; returns (status, headers, body) of the answer,
    or (None, {}, b"") when the connection was closed without one."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    got = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
            if b"\r\n\r\n" in got:
                head, _, body = got.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length: *(\d+)", head)
                if m and len(body) >= int(m.group(1)):
                    break
    except OSError:
        pass
    s.close()
    if not got.startswith(b"HTTP/"):
        return None, {}, b""
    head, _, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    h = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    return int(lines[0].split()[1]), h, body


def utf8_json(body, what):
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        failures.append(f"{what}: the answer is not UTF-8 JSON ({e}): {body[:120]!r}")


# -- connection exhaustion: 64 slow-loris connections must not starve the page ------
# (each sends a request line, then one header byte every 2 s and never finishes)
slow, slow_closed, slow_stop = [], set(), threading.Event()
for i in range(64):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.sendall(b"GET /api/sessions HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nX-Slow: ")
    slow.append(s)
SLOW_START = time.monotonic()


def trickle():
    while not slow_stop.wait(2):
        for i, s in enumerate(slow):
            if i in slow_closed:
                continue
            try:
                s.sendall(b"a")
            except OSError:
                slow_closed.add(i)


threading.Thread(target=trickle, daemon=True).start()
time.sleep(1)
t0 = time.monotonic()
try:
    st, _, _ = req("GET", "/api/sessions", headers=AUTH)
except OSError as e:
    st = f"error {e}"
check(st == 200 and time.monotonic() - t0 < 3,
      f"slow connections starve the page: {st} after {time.monotonic() - t0:.1f} s with 64 slow clients")
if failures:  # every later request would wait too
    proc.kill()
    sys.exit("FAIL:\n  " + "\n  ".join(failures))

# -- Host: DNS rebinding and other names ------------------------------------------
for h in (f"evil.example:{PORT}", "evil.example", "127.0.0.1", f"127.0.0.1:{PORT + 1}", f"localhost.:{PORT}",
          f"127.0.0.2:{PORT}", f"0.0.0.0:{PORT}", f"LOCALHOST:{PORT}", f"[::1]:{PORT}x", ""):
    hostile(f"Host {h!r}", 421, "GET", "/api/sessions", headers=AUTH, host=h)
hostile("rebinding with the cookie", 421, "GET", "/api/sessions", host=f"evil.example:{PORT}",
        headers={"Cookie": f"tacit_token={TOKEN}"})
hostile("rebinding, page", 421, "GET", "/", host=f"attacker.test:{PORT}")
hostile("rebinding, write", 421, "PUT", "/api/settings", host=f"evil.example:{PORT}",
        headers=dict(AUTH, Origin=f"http://evil.example:{PORT}"), body=b'{"suggestions.auto":"on"}')
hostile("no Host", (400, 421), "GET", "/api/sessions", headers=AUTH, host=None)

# -- Origin -----------------------------------------------------------------------
for o in ("http://evil.example", f"http://evil.example:{PORT}", "null", f"http://127.0.0.1:{PORT + 1}",
          f"https://127.0.0.1:{PORT}", f"http://127.0.0.1:{PORT}.evil.example"):
    hostile(f"read from Origin {o!r}", 403, "GET", "/api/sessions", headers=dict(AUTH, Origin=o))
    hostile(f"write from Origin {o!r}", 403, "PUT", "/api/settings", headers=dict(AUTH, Origin=o),
            body=b'{"suggestions.auto":"on"}')
hostile("write without Origin", 403, "PUT", "/api/settings", headers=AUTH, body=b'{"suggestions.auto":"on"}')
hostile("delete without Origin", 403, "DELETE", "/api/sessions/1", headers=AUTH)
hostile("cross-site fetch metadata", 403, "POST", "/api/models/x/pull",
        headers=dict(W, **{"Sec-Fetch-Site": "cross-site"}))

# -- token ------------------------------------------------------------------------
hostile("no token", 401, "GET", "/api/sessions")
hostile("no token, system", 401, "GET", "/api/system")
hostile("wrong bearer", 401, "GET", "/api/sessions", headers={"Authorization": "Bearer " + "0" * 64})
hostile("short bearer", 401, "GET", "/api/sessions", headers={"Authorization": "Bearer " + TOKEN[:63]})
hostile("long bearer", 401, "GET", "/api/sessions", headers={"Authorization": "Bearer " + TOKEN + "0"})
hostile("basic auth", 401, "GET", "/api/sessions", headers={"Authorization": "Basic " + TOKEN})
hostile("wrong cookie", 401, "GET", "/api/sessions", headers={"Cookie": "tacit_token=" + "f" * 64})
hostile("token in the query", 401, "GET", f"/api/sessions?token={TOKEN}")
hostile("write, no token", 401, "PUT", "/api/settings", headers={"Origin": ORIGIN}, body=b'{"suggestions.auto":"on"}')
hostile("wrong one-time link", 403, "GET", "/?token=" + "1" * 64)

# -- preflight and other methods ----------------------------------------------------
for path in ("/api/sessions", "/api/settings", "/"):
    hostile(f"preflight {path}", 405, "OPTIONS", path,
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT",
                     "Access-Control-Request-Headers": "authorization"})
hostile("TRACE", 405, "TRACE", "/api/sessions", headers=AUTH)
hostile("PATCH", 405, "PATCH", "/api/settings", headers=W, body=b"{}")

# -- limits and validation ----------------------------------------------------------
hostile("oversized JSON body", 413, "PUT", "/api/settings", headers=W, body=b"{" + b" " * (70 << 10) + b"}")
hostile("unknown setting", 400, "PUT", "/api/settings", headers=W, body=b'{"evil.key":"1"}')
hostile("bad setting value", 400, "PUT", "/api/settings", headers=W, body=b'{"suggestions.auto":"maybe"}')
hostile("setting of the wrong type", 400, "PUT", "/api/settings", headers=W, body=b'{"suggestions.auto":1}')
hostile("not JSON", 400, "PUT", "/api/settings", headers=W, body=b"suggestions.auto=on")
hostile("path traversal", 400, "GET", "/api/../etc/passwd", headers=AUTH)
hostile("encoded traversal", 400, "GET", "/%2e%2e/%2e%2e/etc/passwd", headers=AUTH)
hostile("encoded NUL", 400, "GET", "/api/search?q=a%00b", headers=AUTH)
hostile("bad session id", 400, "GET", "/api/sessions/-1", headers=AUTH)
hostile("huge limit", 400, "GET", "/api/search?q=a&limit=999999999999", headers=AUTH)
hostile("model id with a slash", 400, "DELETE", "/api/models/..%2f..%2fetc", headers=W)

# -- the live meeting's endpoints: the same gate, and their own validation --------------
PCM = b"\0\0" * 1600
for what, body in (("start", b'{"channels":1}'), ("audio?channels=1", PCM), ("stop", b""), ("close", b""),
                   ("chat", b'{"question":"q"}'), ("suggestions", b'{"on":true}'), ("suggest", b"{}")):
    path = "/api/meeting/" + what
    hostile(f"{what}: no token", 401, "POST", path, headers={"Origin": ORIGIN}, body=body)
    hostile(f"{what}: wrong token", 401, "POST", path, headers={"Origin": ORIGIN, "Authorization": "Bearer " + "a" * 64},
            body=body)
    hostile(f"{what}: no Origin", 403, "POST", path, headers=AUTH, body=body)
    hostile(f"{what}: foreign Origin", 403, "POST", path, headers=dict(AUTH, Origin="http://evil.example"), body=body)
    hostile(f"{what}: cross-site fetch", 403, "POST", path, headers=dict(W, **{"Sec-Fetch-Site": "cross-site"}), body=body)
    hostile(f"{what}: rebinding", 421, "POST", path, host=f"evil.example:{PORT}",
            headers=dict(AUTH, Origin=f"http://evil.example:{PORT}"), body=body)
    hostile(f"{what}: preflight", 405, "OPTIONS", path,
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
hostile("events: no token", 401, "GET", "/api/meeting/events")
hostile("events: foreign Origin", 403, "GET", "/api/meeting/events", headers=dict(AUTH, Origin="http://evil.example"))
hostile("events: rebinding", 421, "GET", "/api/meeting/events", host=f"evil.example:{PORT}", headers=AUTH)
hostile("meeting state: no token", 401, "GET", "/api/meeting")
# announced, not sent: the server must refuse on Content-Length before reading a byte
hostile("oversized PCM", 413, "POST", "/api/meeting/audio?channels=1",
        headers=dict(W, **{"Content-Length": str((1 << 20) + 2)}))
hostile("PCM, half a frame", 400, "POST", "/api/meeting/audio?channels=2", headers=W, body=b"\0" * 6)
hostile("PCM, half a float frame", 400, "POST", "/api/meeting/audio?channels=1&format=f32le", headers=W, body=b"\0" * 6)
hostile("PCM, bad format", 400, "POST", "/api/meeting/audio?channels=1&format=s8", headers=W, body=PCM)
hostile("PCM, bad channels", 400, "POST", "/api/meeting/audio?channels=0", headers=W, body=PCM)
hostile("PCM, repeated channels", 400, "POST", "/api/meeting/audio?channels=1&channels=2", headers=W, body=PCM)
hostile("start, 3 channels", 400, "POST", "/api/meeting/start", headers=W, body=b'{"channels":3}')
hostile("start, bad resume", 400, "POST", "/api/meeting/start", headers=W, body=b'{"resume":-4}')
hostile("start, long title", 400, "POST", "/api/meeting/start", headers=W, body=b'{"title":"' + b"x" * 600 + b'"}')
hostile("start, NUL in title", 400, "POST", "/api/meeting/start", headers=W, body=b'{"title":"a\\u0000b"}')
hostile("chat, empty question", 400, "POST", "/api/meeting/chat", headers=W, body=b'{"question":""}')
hostile("suggestions, not a bool", 400, "POST", "/api/meeting/suggestions", headers=W, body=b'{"on":"yes"}')
hostile("number setting out of range", 400, "PUT", "/api/settings", headers=W, body=b'{"live.max_tokens":"1e9"}')
hostile("number setting, not a number", 400, "PUT", "/api/settings", headers=W, body=b'{"suggestions.interval_s":"nan"}')
# -- custom models and history chat: the same gate, then strict fields ----------------------
for method, path, body in (("POST", "/api/custom", b'{"path":"/tmp/x.gguf"}'), ("DELETE", "/api/custom/x", None),
                           ("POST", "/api/sessions/1/chat", b'{"question":"q"}')):
    what = f"{method} {path}"
    hostile(f"{what}: no token", 401, method, path, headers={"Origin": ORIGIN}, body=body)
    hostile(f"{what}: wrong token", 401, method, path, headers={"Origin": ORIGIN, "Authorization": "Bearer " + "a" * 64},
            body=body)
    hostile(f"{what}: no Origin", 403, method, path, headers=AUTH, body=body)
    hostile(f"{what}: foreign Origin", 403, method, path, headers=dict(AUTH, Origin="http://evil.example"), body=body)
    hostile(f"{what}: cross-site fetch", 403, method, path, headers=dict(W, **{"Sec-Fetch-Site": "cross-site"}),
            body=body)
    hostile(f"{what}: rebinding", 421, method, path, host=f"evil.example:{PORT}",
            headers=dict(AUTH, Origin=f"http://evil.example:{PORT}"), body=body)
    hostile(f"{what}: preflight", 405, "OPTIONS", path,
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": method})
hostile("custom list: no token", 401, "GET", "/api/custom")
hostile("custom list: foreign Origin", 403, "GET", "/api/custom", headers=dict(AUTH, Origin="http://evil.example"))
fifo = os.path.join(os.environ["TACIT_HOME"], "model.gguf")
os.mkfifo(fifo)
for what, body, expect in (
        ("relative path", b'{"path":"models/x.gguf"}', 400),
        ("NUL in the path", b'{"path":"/tmp/a\\u0000b.gguf"}', 400),
        ("control character in the path", b'{"path":"/tmp/a\\nb.gguf"}', 400),
        ("overlong path", b'{"path":"/' + b"a" * 5000 + b'"}', 400),
        ("path not text", b'{"path":["/tmp/x.gguf"]}', 400),
        ("no path", b'{"name":"x"}', 400),
        ("unknown field", b'{"path":"/tmp/x.gguf","exec":"rm -rf /"}', 400),
        ("name with a slash", b'{"path":"/tmp/x.gguf","name":"../x"}', 400),
        ("name with NUL", b'{"path":"/tmp/x.gguf","name":"a\\u0000b"}', 400),
        ("overlong name", b'{"path":"/tmp/x.gguf","name":"' + b"a" * 65 + b'"}', 400),
        ("not JSON", b"path=/tmp/x.gguf", 400),
        ("no such file", b'{"path":"/nonexistent/dir/x.gguf"}', 404),
        ("a directory", b'{"path":"/"}', 422),
        ("a FIFO (must not hang)", b'{"path":"' + fifo.encode() + b'"}', 422),
        ("not a GGUF file", b'{"path":"/etc/passwd"}', 422),
        ("oversized body", b'{"path":"/' + b"a" * (70 << 10) + b'"}', 413)):
    hostile(f"custom add, {what}", expect, "POST", "/api/custom", headers=W, body=body)
hostile("custom forget, traversal", 400, "DELETE", "/api/custom/..%2f..%2fetc", headers=W)
hostile("custom forget, unknown name", 404, "DELETE", "/api/custom/nothing-here", headers=W)
hostile("custom, PUT", 405, "PUT", "/api/custom", headers=W, body=b"{}")
hostile("history chat, NUL question", 400, "POST", "/api/sessions/1/chat", headers=W, body=b'{"question":"\\u0000"}')
hostile("history chat, long question", 400, "POST", "/api/sessions/1/chat", headers=W,
        body=b'{"question":"' + b"q" * 2001 + b'"}')
st, _, body = req("GET", "/api/custom", headers=AUTH)
check(st == 200 and json.loads(body)["custom"] == [], f"a custom model was added by hostile requests: {body[:200]!r}")

# -- chunked bodies: over the limit is a 413 with our headers, not a dropped connection --
body = b"{" + b" " * (70 << 10) + b"}"
chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 8192]), body[i:i + 8192]) for i in range(0, len(body), 8192))
n_hostile += 1
st, h, _ = raw(b"PUT /api/settings HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nAuthorization: Bearer " +
               TOKEN.encode() + b"\r\nOrigin: " + ORIGIN.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" +
               chunked + b"0\r\n\r\n")
if st == 413 and all(k in h for k in SECURITY_HEADERS):
    rejected += 1
else:
    failures.append(f"chunked body over the limit: got {st} {sorted(h)}")
st, _, _ = raw(b"PUT /api/settings HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nAuthorization: Bearer " +
               TOKEN.encode() + b"\r\nOrigin: " + ORIGIN.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" +
               b"%x\r\n%s\r\n0\r\n\r\n" % (len(b'{"suggestions.auto":"off"}'), b'{"suggestions.auto":"off"}'))
check(st == 200, f"a chunked body under the limit: {st}")

# -- invalid UTF-8 in paths: answers stay UTF-8 JSON, messages cut between characters --
for what, path in (("encoded bad byte", b"/api/sessions/%FF"), ("raw bad bytes", b"/api/x\xff\xfe"),
                   ("long path of 2-byte characters", b"/api/xy" + "\u00e9".encode() * 300),
                   ("encoded overlong slash", b"/api/%C0%AF")):
    n_hostile += 1
    st, h, body = raw(b"GET " + path + b" HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nAuthorization: Bearer " +
                      TOKEN.encode() + b"\r\n\r\n")
    if st in (400, 404) and all(k in h for k in SECURITY_HEADERS):
        rejected += 1
    else:
        failures.append(f"{what}: got {st} {sorted(h)}")
    if st and "json" in h.get("content-type", ""):
        utf8_json(body, what)
        check("\ufffd" not in body.decode("utf-8", "replace") or b"%" in path or b"\xff" in path,
              f"{what}: a character was cut: {body[:200]!r}")

# -- libmicrohttpd's own error pages: 1.0 has no hook to add headers to them, so they
# must at least echo nothing of the request and close the connection ------------------
for what, data in (("bad request line", b"NOT A REQUEST\r\n\r\n"),
                   ("HTTP/9.9", b"GET / HTTP/9.9\r\nHost: " + HOST.encode() + b"\r\n\r\n"),
                   ("huge header", b"GET / HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nX-Big: " + b"a" * (300 << 10) +
                    b"\r\n\r\n"),
                   ("huge target", b"GET /" + b"a" * (300 << 10) + b" HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\n\r\n")):
    n_hostile += 1
    st, h, body = raw(data)
    if st and st >= 400 and h.get("connection", "").lower() == "close" and b"aaaa" not in body and b"9.9" not in body \
            and b"NOT A" not in body:
        rejected += 1
    else:
        failures.append(f"error page for a {what}: {st} {sorted(h)} {body[:100]!r}")

# no hostile request started anything, and without models a real start says what to do
st, _, body = req("GET", "/api/meeting", headers=AUTH)
check(st == 200 and json.loads(body)["meeting"] is None, f"a meeting runs after hostile requests: {body[:200]!r}")
st, _, body = req("POST", "/api/meeting/start", headers=W, body=b"{}")
check(st == 409 and b"tacit pull" in body, f"start without models: {st} {body[:200]!r}")
st, _, body = req("GET", "/api/sessions", headers=AUTH)
check(st == 200 and json.loads(body)["sessions"] == [], f"a session was created: {body[:200]!r}")

# -- what a legitimate browser gets ---------------------------------------------------
st, h, _ = req("GET", f"/?token={TOKEN}")
check(st == 303 and h.get("location") == "/", f"one-time link: {st} {h.get('location')}")
cookie = h.get("set-cookie", "")
check(f"tacit_token={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie,
      f"cookie flags: {cookie!r}")
C = {"Cookie": f"tacit_token={TOKEN}"}
for addr, host in (("127.0.0.1", HOST), ("127.0.0.1", f"localhost:{PORT}"), ("::1", f"[::1]:{PORT}")):
    try:
        st, h, body = req("GET", "/api/sessions", headers=C, host=host, addr=addr)
    except OSError as e:
        if addr == "::1":
            continue  # no IPv6 here
        raise
    check(st == 200 and json.loads(body)["sessions"] == [], f"sessions via {host}: {st}")
for path in ("/", "/app.js", "/app.css", "/api/system"):
    st, h, _ = req("GET", path, headers=C)
    check(st == 200, f"GET {path}: {st}")
    csp = h.get("content-security-policy", "")
    check("default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp,
          f"{path}: CSP {csp!r}")
    check(h.get("x-content-type-options") == "nosniff", f"{path}: nosniff")
    check(h.get("cache-control") == "no-store", f"{path}: no-store")
    check(h.get("referrer-policy") == "no-referrer", f"{path}: referrer policy")
    no_cors(h, path)
check(req("GET", "/app.js", headers=C)[1]["content-type"].startswith("text/javascript"), "app.js MIME type")
check(req("GET", "/", headers=C)[1]["content-type"].startswith("text/html"), "index MIME type")
st, _, body = req("PUT", "/api/settings", headers=dict(C, Origin=ORIGIN), body=b'{"suggestions.auto":"on"}')
check(st == 200 and b'"on"' in body, f"a good write: {st} {body[:200]!r}")

# -- invalid UTF-8 in stored data: a Windows-1252 transcript is decoded, never breaks a page
st, _, body = req("POST", "/api/sessions/import?name=legacy.txt", headers=dict(C, Origin=ORIGIN),
                  body="Renée: the café costs €5, “ok”\n".encode("cp1252"))
check(st == 201, f"Windows-1252 import: {st} {body[:200]!r}")
for path in ("/api/sessions", "/api/sessions/1", "/api/search?q=caf%C3%A9", "/api/sessions/1/export?format=json"):
    st, _, body = req("GET", path, headers=C)
    check(st == 200, f"{path} after a Windows-1252 import: {st} {body[:200]!r}")
    utf8_json(body, path)
    check(path == "/api/sessions" or "café" in body.decode("utf-8", "replace"),
          f"{path}: the import was not decoded: {body[:200]!r}")

# -- the slow connections were cut once their headers were late ----------------------------
time.sleep(max(0, SLOW_START + 14 - time.monotonic()))
open_now = 0
for i, s in enumerate(slow):
    s.settimeout(0.2)
    try:
        if s.recv(1) != b"":
            open_now += 1
    except socket.timeout:
        open_now += 1
    except OSError:
        pass
    s.close()
slow_stop.set()
check(open_now == 0, f"{open_now} of 64 slow connections still open 14 s later (headers are due within 10 s)")

# -- only loopback listeners ----------------------------------------------------------
inodes = set()
for fd in os.listdir(f"/proc/{proc.pid}/fd"):
    try:
        t = os.readlink(f"/proc/{proc.pid}/fd/{fd}")
    except OSError:
        continue
    if t.startswith("socket:["):
        inodes.add(t[8:-1])
listeners = []
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    with open(table) as f:
        for line in f.readlines()[1:]:
            col = line.split()
            if col[3] == "0A" and col[9] in inodes:
                listeners.append(col[1])
check(listeners, "no listening socket found for the server")
for a in listeners:
    ip = a.split(":")[0]
    check(ip in ("0100007F", "00000000000000000000000001000000"), f"a non-loopback listener: {a}")

# -- Ctrl-C ---------------------------------------------------------------------------
proc.send_signal(signal.SIGINT)
try:
    rc = proc.wait(timeout=20)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = "timeout"
check(rc == 0, f"Ctrl-C: exit {rc}")

print(f"{rejected}/{n_hostile} hostile requests rejected; {len(listeners)} listeners, all loopback")
if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok")
