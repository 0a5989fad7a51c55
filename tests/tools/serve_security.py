"""The hostile-request checks of tests/integration/serve_security.sh (see there)."""
import http.client, json, os, re, signal, socket, subprocess, sys, time

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
