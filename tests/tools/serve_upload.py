"""The upload checks of tests/integration/serve_upload.sh (see there)."""
import glob, http.client, json, os, re, socket, subprocess, sys, time

T = sys.argv[1]
HOME = os.environ["TACIT_HOME"]
proc = subprocess.Popen([T, "serve", "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
url = proc.stdout.readline().strip()
m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{64})", url)
if not m:
    proc.kill()
    sys.exit(f"FAIL: tacit serve printed {url!r}, not one URL with a token")
PORT, TOKEN = int(m.group(1)), m.group(2)
HOST = f"127.0.0.1:{PORT}"
GOOD = {"Host": HOST, "Origin": f"http://{HOST}", "Authorization": f"Bearer {TOKEN}"}
failures = []
MiB = 1 << 20


def check(cond, what):
    if not cond:
        failures.append(what)


def uploads():
    return glob.glob(os.path.join(HOME, "**", "upload-*"), recursive=True)


def peak_kib():
    with open(f"/proc/{proc.pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))


def post(path, headers, size, chunk=MiB, watch=None):
    """POSTs size bytes of zeros in pieces; watch(sent) runs between pieces. Returns
    (status, parsed JSON or text)."""
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    c.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
    for k, v in headers.items():
        c.putheader(k, v)
    c.putheader("Content-Length", str(size))
    c.endheaders()
    sent, piece = 0, b"\0" * chunk
    try:
        while sent < size:
            n = min(chunk, size - sent)
            c.send(piece[:n])
            sent += n
            if watch:
                watch(sent)
    except OSError:
        pass  # a refusal may close the connection before the body is sent
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, data.decode(errors="replace")


try:
    # no token, a foreign Origin: refused, and nothing was written while the body came
    seen = []
    st, body = post("/api/sessions/import-audio?name=a.mp3", dict(GOOD, Authorization="Bearer " + "0" * 64),
                    8 * MiB, watch=lambda s: seen.extend(uploads()))
    check(st == 401, f"an upload without the token got {st}: {body}")
    check(not seen, f"an upload without the token was written to disk: {seen}")
    st, body = post("/api/sessions/import-audio?name=a.mp3", dict(GOOD, Origin="http://evil.example"), 2 * MiB,
                    watch=lambda s: seen.extend(uploads()))
    check(st == 403 and not seen, f"an upload from another site got {st} or was written: {body} {seen}")

    # a transcript's name is imported as a transcript: these zeros are none, which the
    # stream's error says, and the upload goes
    st, body = post("/api/sessions/import-audio?name=notes.txt", GOOD, 1000)
    check(st == 200 and "event: error" in str(body) and "notes.txt" in str(body), f"a .txt upload got {st}: {body}")
    for _ in range(50):
        if not uploads():
            break
        time.sleep(0.1)
    check(not uploads(), f"a transcript's upload was left behind: {uploads()}")

    # 200 MiB with the token: written to a file as it arrives (seen there while it comes),
    # never held in memory; then refused (no speech model here) and removed
    before = peak_kib()
    grew = []
    st, body = post("/api/sessions/import-audio?name=big.wav", GOOD, 200 * MiB, chunk=4 * MiB,
                    watch=lambda s: grew.append(sum(os.path.getsize(f) for f in uploads())) if s % (40 * MiB) == 0 else None)
    after = peak_kib()
    check(st == 409 and "model" in json.dumps(body), f"an upload with no speech model got {st}: {body}")
    check(grew and max(grew) >= 100 * MiB, f"the upload did not grow a temporary file as it came: {grew}")
    check(after - before < 40 * 1024, f"the server's peak memory grew {(after - before) // 1024} MiB for a 200 MiB upload")
    check(not uploads(), f"a refused upload was left behind: {uploads()}")

    # cut off half-way: the connection closes, the file goes
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    head = "".join(f"{k}: {v}\r\n" for k, v in GOOD.items())
    s.sendall(f"POST /api/sessions/import-audio?name=cut.mp3 HTTP/1.1\r\n{head}Content-Length: {20 * MiB}\r\n\r\n".encode())
    s.sendall(b"\0" * (4 * MiB))
    time.sleep(0.5)
    check(len(uploads()) == 1, f"a half-sent upload is not in a temporary file: {uploads()}")
    s.close()
    for _ in range(50):
        if not uploads():
            break
        time.sleep(0.1)
    check(not uploads(), f"an upload cut off half-way was left behind: {uploads()}")
    print(f"upload peak memory: {before // 1024} MiB before, {after // 1024} MiB after 200 MiB")
finally:
    proc.send_signal(2)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok: uploads go to a file after the headers pass, refusals and cut-off uploads leave none")
