"""Downloads through tacit serve's API (see tests/integration/serve_pull.sh)."""
import http.client, http.server, json, os, re, signal, subprocess, sys, threading, time

T, VAD = sys.argv[1], sys.argv[2]
DATA = open(VAD, "rb").read()
PATH = "/ggml-org/whisper-vad/resolve/main/ggml-silero-v6.2.0.bin"


class Trickle(http.server.BaseHTTPRequestHandler):
    """Serves the file in 32 KiB pieces, 40 ms apart, so a download lasts about a second."""

    def do_GET(self):
        if self.path != PATH:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(DATA)))
        self.end_headers()
        try:
            for i in range(0, len(DATA), 32768):
                self.wfile.write(DATA[i:i + 32768])
                self.wfile.flush()
                time.sleep(0.04)
        except OSError:
            pass

    def log_message(self, *a):
        pass


mirror = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
threading.Thread(target=mirror.serve_forever, daemon=True).start()
env = dict(os.environ, TACIT_MODEL_MIRROR=f"http://127.0.0.1:{mirror.server_address[1]}/")
proc = subprocess.Popen([T, "serve", "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{64})", proc.stdout.readline().strip())
if not m:
    proc.kill()
    sys.exit("FAIL: no URL from tacit serve")
PORT, TOKEN = int(m.group(1)), m.group(2)
H = {"Host": f"127.0.0.1:{PORT}", "Authorization": f"Bearer {TOKEN}", "Origin": f"http://127.0.0.1:{PORT}"}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def call(method, path):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    c.request(method, path, headers=H)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, json.loads(body) if body else None


def events(path):
    """Yields (event, data) from a Server-Sent Events stream."""
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    c.request("GET", path, headers=H)
    r = c.getresponse()
    check(r.status == 200 and r.getheader("Content-Type") == "text/event-stream", f"events: {r.status}")
    ev = None
    while True:
        line = r.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line.startswith("event: "):
            ev = line[7:]
        elif line.startswith("data: "):
            yield ev, json.loads(line[6:])


def vad_entry():
    st, d = call("GET", "/api/models")
    return next(x for x in d["models"] if x["id"] == "silero-vad-v6.2.0")


try:
    check(not vad_entry()["downloaded"], "the model is downloaded before any pull")
    st, d = call("POST", "/api/models/silero-vad-v6.2.0/pull")
    check(st == 202, f"pull: {st} {d}")
    st, d = call("POST", "/api/models/silero-vad-v6.2.0/pull")
    check(st == 409, f"a second pull while running: {st}")
    seen = []
    for ev, data in events("/api/models/silero-vad-v6.2.0/events"):
        seen.append(ev)
        if ev == "progress" and data["bytes_done"] > 0 and "cancel" not in seen:
            st, _ = call("POST", "/api/models/silero-vad-v6.2.0/cancel")
            check(st == 202, f"cancel: {st}")
            seen.append("cancel")
        if ev != "progress":
            break
    check(seen and seen[-1] == "cancelled", f"events after cancel: {seen}")
    check(not vad_entry()["downloaded"], "a cancelled download counts as downloaded")

    st, d = call("POST", "/api/models/silero-vad-v6.2.0/pull")
    check(st == 202, f"pull again: {st}")
    last, n_progress = None, 0
    for ev, data in events("/api/models/silero-vad-v6.2.0/events"):
        last = (ev, data)
        n_progress += ev == "progress"
        if ev != "progress":
            break
    check(last and last[0] == "done" and last[1]["bytes_done"] == len(DATA), f"the second pull ended with {last}")
    check(n_progress >= 2, f"only {n_progress} progress events")
    check(vad_entry()["downloaded"], "the model is not listed as downloaded")
    st, d = call("DELETE", "/api/models/silero-vad-v6.2.0")
    check(st == 200 and d["bytes_freed"] == len(DATA), f"delete: {st} {d}")
    check(not vad_entry()["downloaded"], "the model is still listed after delete")
    st, d = call("DELETE", "/api/models/silero-vad-v6.2.0")
    check(st == 404, f"delete twice: {st}")
finally:
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "timeout"
    check(rc == 0, f"Ctrl-C: exit {rc}")
    mirror.shutdown()

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok")
