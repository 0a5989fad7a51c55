"""History chat over a real socket (tests/integration/serve_chat_cancel.sh): a custom
model added and chosen through the API answers as an event stream; dropping the
connection mid-answer must end the model worker and store nothing."""
import http.client, json, os, re, signal, subprocess, sys, time

T, MODEL = sys.argv[1], sys.argv[2]
# every token takes 200 ms, so the answer is far from done when the page goes away
env = dict(os.environ, TACIT_WORKER_TEST="1", TACIT_WORKER_TEST_SLOW_MS="200")
proc = subprocess.Popen([T, "serve", "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
url = proc.stdout.readline().strip()
m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{64})", url)
if not m:
    proc.kill()
    sys.exit(f"FAIL: tacit serve printed {url!r}")
PORT, TOKEN = int(m.group(1)), m.group(2)
H = {"Host": f"127.0.0.1:{PORT}", "Origin": f"http://127.0.0.1:{PORT}", "Authorization": f"Bearer {TOKEN}"}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def call(method, path, body=None, raw=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    c.request(method, path, body=raw if raw is not None else (json.dumps(body) if body is not None else None),
              headers=H)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data) if data.startswith(b"{") else data


def workers():
    """The server's model workers: its children named tacit-worker."""
    n = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if "(tacit-worker)" in stat and int(stat[stat.rindex(")") + 2:].split()[1]) == proc.pid:
            n += 1
    return n


try:
    st, r = call("POST", "/api/custom", {"path": MODEL, "name": "tiny"})
    check(st == 201 and r.get("name") == "tiny", f"add: {st} {r}")
    st, r = call("PUT", "/api/settings", {"model.llm": "tiny"})
    check(st == 200, f"choose: {st} {r}")
    st, r = call("POST", "/api/sessions/import?name=m.txt",
                 raw=b"Alice: we ship the remote control in May\nBob: the budget is ten thousand euros\n")
    check(st == 201, f"import: {st} {r}")
    sid = r["id"]

    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    c.request("POST", f"/api/sessions/{sid}/chat", body=json.dumps({"question": "When do we ship?"}), headers=H)
    resp = c.getresponse()
    check(resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream",
          f"chat: {resp.status} {resp.getheader('Content-Type')}")
    seen = b""
    deadline = time.time() + 60
    while b"event: answer_delta" not in seen and time.time() < deadline:
        chunk = resp.read1(4096)
        if not chunk:
            break
        seen += chunk
    check(seen.startswith(b"event: status\n"), f"the stream does not start with a status: {seen[:80]!r}")
    check(b"event: answer_delta\ndata: {\"text\":" in seen, f"no token arrived: {seen[:300]!r}")
    check(workers() == 1, f"{workers()} model workers while answering")
    c.sock.close()  # the page went away
    c.close()
    deadline = time.time() + 30
    while workers() and time.time() < deadline:
        time.sleep(0.1)
    check(workers() == 0, "the model worker still runs 30 s after the page went away")
    st, r = call("GET", f"/api/sessions/{sid}")
    check(st == 200 and r["chat"] == [], f"a cancelled answer was stored: {r.get('chat') if st == 200 else r}")
finally:
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "timeout"
check(rc == 0, f"Ctrl-C: exit {rc}")
if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok: the answer streamed, and dropping the connection ended the model worker")
