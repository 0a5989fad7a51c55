#!/usr/bin/env bash
# Remote engines against real servers on 127.0.0.1: a summary and answers through
# llama-server (grammar-constrained, stored with "MODEL on HOST", the second question
# reusing the server's cached prefix; the web app's status and chat too); a missing and
# a wrong API key; cancellation that frees the server's slot within a second; the server
# killed mid-answer; a server answering
# 500 and one answering nothing (timeout); an OpenAI-style server without grammars (JSON
# mode, the answer checked the same way); a self-signed certificate without and with
# engine.llm.ca_file; and an strace audit that every connection goes to the configured
# address (and none at all when the local engine fails). Each failure is a clear error
# naming the host, and nothing is stored from a failed run.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
M=../shared/models/stories260K.gguf
[ -r "$M" ] || { echo "skip: no ../shared/models/stories260K.gguf"; exit 77; }
command -v llama-server >/dev/null || { echo "skip: llama-server is not installed"; exit 77; }
. tests/integration/lib/servers.sh

cat >"$W/h.py" <<'PY'
import json, os, signal, socket, ssl, sys, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def req(url, key=None, ca=None):
    r = urllib.request.Request(url, headers={"Authorization": "Bearer " + key} if key else {})
    ctx = ssl.create_default_context(cafile=ca) if ca else None
    return urllib.request.urlopen(r, timeout=5, context=ctx).read()

def busy(url, key):
    return sum(1 for s in json.loads(req(url + "/slots", key)) if s.get("is_processing"))

def decoded(slot):  # tokens generated so far by a working slot
    nt = slot.get("next_token") or {}
    return max([t.get("n_decoded", 0) for t in (nt if isinstance(nt, list) else [nt])] + [0])

def wait_busy(url, key, limit=60):  # until a slot is generating (past reading the prompt)
    end = time.time() + limit
    while time.time() < end:
        if any(s.get("is_processing") and decoded(s) > 0 for s in json.loads(req(url + "/slots", key))):
            return
        time.sleep(0.01)
    sys.exit("no slot ever started processing")

cmd = sys.argv[1]
if cmd == "port":
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
elif cmd == "wait":  # URL [CA]
    for _ in range(300):
        try:
            req(sys.argv[2] + "/health", ca=sys.argv[3] if len(sys.argv) > 3 else None); sys.exit(0)
        except Exception:
            time.sleep(0.1)
    sys.exit("server did not start")
elif cmd == "cancel":  # URL KEY PID: SIGINT once a slot works, then time until all are idle
    url, key, pid = sys.argv[2], sys.argv[3], int(sys.argv[4])
    wait_busy(url, key)
    os.kill(pid, signal.SIGINT)
    t0 = time.time()
    while busy(url, key):
        if time.time() - t0 > 5:
            sys.exit("the slot still works 5 s after the cancel")
        time.sleep(0.01)
    print("%.0f" % ((time.time() - t0) * 1000))
elif cmd == "kill":  # URL KEY PID: SIGKILL the server once a slot works
    wait_busy(sys.argv[2], sys.argv[3])
    os.kill(int(sys.argv[4]), signal.SIGKILL)
elif cmd == "fake":  # MODE PORT: an OpenAI-like server that answers 500, or nothing
    mode, port = sys.argv[2], int(sys.argv[3])
    sys.path.insert(0, "tests/integration/lib"); sys.dont_write_bytecode = True
    from fake_http import JsonHandler
    class H(JsonHandler):
        models = [{"id": "fake-model", "max_model_len": 4096}]
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if mode == "500": self.send(500, {"error": {"message": "out of memory on the GPU"}})
            elif mode == "slow": time.sleep(60)
            else:  # "openai": no grammar here, so a JSON schema; an answer citing segments 2 and 9
                json.dump(body, open(sys.argv[4], "w"))
                rf = body.get("response_format") or {}
                schema = (rf.get("json_schema") or {}).get("schema") or {}
                if "grammar" in body or rf.get("type") != "json_schema" or schema.get("required") != ["answer", "cites"] or not body["stream"]:
                    return self.send(400, {"error": {"message": "unexpected request"}})
                self.send_response(200); self.send_header("Content-Type", "text/event-stream"); self.end_headers()
                asked = json.dumps(body["messages"])
                pieces = ['not json'] if "who writes the notes" in asked else ['{"answer": 5, "cites": []}'] if "who tests" in asked else ['{"answer": "Bob fixes', ' the login bug.", "cites": [2, 9]}']
                for p in pieces:
                    chunk = {"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
                    self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\r\n\r\n"); self.wfile.flush()
                self.wfile.write(b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n')
                self.wfile.write(b'data: {"choices":[],"usage":{"prompt_tokens":300,"completion_tokens":9}}\n\ndata: [DONE]\n\n')
    ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
h() { python3 "$W/h.py" "$@"; }
expect_rc() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }
expect_err() { grep -qF -- "$1" "$W/err" || { echo "expected the message '$1', got:"; cat "$W/err"; exit 1; }; }
stored() { "$T" export 1 --format json --output "$W/export.json" --force >/dev/null 2>&1
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['artifacts']), len(d['chat']))" "$W/export.json"; }

KEY=k-$RANDOM$RANDOM
# stories260K was trained on 512 tokens and llama-server caps a slot there; the local
# tests run it at --ctx 1024, so the servers are told its context is 2048
CTX=(--override-kv llama.context_length=int:2048)
P=$(h port)
U=http://127.0.0.1:$P
llama-server -m "$M" "${CTX[@]}" --host 127.0.0.1 --port "$P" -np 2 -c 4096 --api-key "$KEY" >"$W/server.log" 2>&1 &
SERVER=$!; PIDS+=("$SERVER")
h wait "$U"
F=$W/meeting.txt
printf 'Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug first.\nCarol: I write the release notes.\n' >"$F"
"$T" import "$F" >/dev/null 2>&1

# 1. the key: none, then a wrong one (never echoed), then from engine.llm.key_file
expect_rc 19 "$T" ask 1 "who fixes the bug?" --engine "$U" --max-tokens 100
expect_err "the language model server '127.0.0.1:$P' refused a request without an API key (HTTP 401"
expect_rc 19 env TACIT_ENGINE_KEY=wrong-key-123 "$T" ask 1 "who fixes the bug?" --engine "$U" --max-tokens 100
expect_err "refused the API key (HTTP 401"
! grep -q "wrong-key-123" "$W/err" || { echo "the key is in the message"; exit 1; }
[ "$(stored)" = "0 0" ] || { echo "a failed run stored something: $(stored)"; exit 1; }
printf '%s\n' "$KEY" >"$W/key"
"$T" engine "$U" --key-file "$W/key" >/dev/null

# 2. a summary and two answers through the setting (no flag): grounded, stored with where
"$T" summarize 1 --max-tokens 360 --json >"$W/summary.json" 2>"$W/err" || { cat "$W/err"; exit 1; }
"$T" ask 1 "who fixes the bug?" --max-tokens 100 --verbose >"$W/a1" 2>"$W/e1" || { cat "$W/e1"; exit 1; }
"$T" ask 1 "who writes the notes?" --max-tokens 100 --verbose >"$W/a2" 2>"$W/e2" || { cat "$W/e2"; exit 1; }
grep -q "language model: remote, 127.0.0.1:$P (model stories260K.gguf)" "$W/e1"
reused=$(sed -n 's/.*prompt tokens (\([0-9]*\) reused.*/\1/p' "$W/e2" | tail -n 1)
[ "${reused:-0}" -gt 100 ] || { echo "the second question reused ${reused:-no} tokens of the server's cache"; cat "$W/e2"; exit 1; }
"$T" export 1 --format json --output "$W/export.json" --force >/dev/null
python3 - "$W" "$P" <<'PY'
import json, sys
d, port = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/summary.json"))
for k in ("title", "overview", "key_points", "decisions", "action_items", "open_questions"):
    assert k in s, k
e = json.load(open(d + "/export.json"))
where = "stories260K.gguf on 127.0.0.1:" + port
assert [a["model"] for a in e["artifacts"]] == [where], e["artifacts"]
assert [c["model"] for c in e["chat"] if c["role"] == "assistant"] == [where, where], e["chat"]
PY
# where work runs is shown: models from the setting, doctor by asking the server
"$T" models | grep -qF "language model: remote, 127.0.0.1:$P (the server's model) (setting engine.llm)" ||
	{ echo "tacit models does not say where the language model runs"; "$T" models; exit 1; }
"$T" doctor >"$W/doctor" 2>&1 || true
grep -qF "language model   remote, 127.0.0.1:$P (model stories260K.gguf), context 2048: answered" "$W/doctor" ||
	{ echo "tacit doctor does not say where the language model runs"; cat "$W/doctor"; exit 1; }
# the web app: its status says where the language model runs, and its chat answers
# through the server
python3 - "$T" "$P" <<'PY'
import http.client, json, re, subprocess, sys
T, P = sys.argv[1], sys.argv[2]
proc = subprocess.Popen([T, "serve", "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{64})", proc.stdout.readline().strip())
    port, token = int(m.group(1)), m.group(2)
    H = {"Host": "127.0.0.1:%d" % port, "Origin": "http://127.0.0.1:%d" % port, "Authorization": "Bearer " + token}
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("GET", "/api/meeting", headers=H)
    st = json.loads(c.getresponse().read())
    assert st["language_model_runs"] == "remote, 127.0.0.1:%s (the server's model)" % P, st
    assert st["remote_hosts"] == "127.0.0.1:%s" % P, st  # the header's "on HOST"
    assert st["models"]["llm"].get("remote") and "missing" not in st["models"]["llm"], st["models"]
    c.request("POST", "/api/sessions/1/chat", body=json.dumps({"question": "who fixes the bug?"}), headers=H)
    r = c.getresponse()
    body = r.read().decode()
    assert r.status == 200 and "event: answer" in body, (r.status, body[-500:])
finally:
    proc.terminate()
    proc.wait()
PY
"$T" export 1 --format json --output "$W/export.json" --force >/dev/null
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['chat']; assert c[-1]['model']=='stories260K.gguf on 127.0.0.1:'+sys.argv[2], c[-1]" "$W/export.json" "$P"
before=$(stored)
echo "summary and two answers through llama-server; the second reused $reused prompt tokens"

# 3. cancel: a long answer from a random-weight model (it never ends by itself) is
# interrupted; the server's slot is idle again within a second, nothing is stored
SM=$BUILD/models/live-test.gguf
if [ ! -r "$SM" ]; then mkdir -p "$BUILD/models"
	"$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 --out "$SM.tmp.$$" --quiet && mv "$SM.tmp.$$" "$SM"; fi
P2=$(h port)
U2=http://127.0.0.1:$P2
llama-server -m "$SM" --host 127.0.0.1 --port "$P2" -np 1 -c 4096 --api-key "$KEY" >"$W/server2.log" 2>&1 &
SERVER2=$!; PIDS+=("$SERVER2")
h wait "$U2"
"$T" summarize 1 --engine "$U2" --max-tokens 1500 >"$W/out" 2>"$W/err" &
TP=$!
ms=$(h cancel "$U2" "$KEY" "$TP")
if wait "$TP"; then rc=0; else rc=$?; fi
[ "$rc" -eq 17 ] || { echo "a cancelled summary exited $rc, not 17"; cat "$W/err"; exit 1; }
[ "$ms" -le 1000 ] || { echo "the server's slot was busy $ms ms after the cancel"; exit 1; }
[ "$(stored)" = "$before" ] || { echo "a cancelled summary stored something"; exit 1; }
echo "cancelled: the server's slot was idle again after $ms ms"

# 4. the server killed in the middle of an answer
"$T" summarize 1 --engine "$U2" --max-tokens 1500 >"$W/out" 2>"$W/err" &
TP=$!
h kill "$U2" "$KEY" "$SERVER2"
wait "$SERVER2" 2>/dev/null || true
if wait "$TP"; then rc=0; else rc=$?; fi
[ "$rc" -eq 19 ] || { echo "a summary whose server died exited $rc, not 19"; cat "$W/err"; exit 1; }
expect_err "the language model server '127.0.0.1:$P2' closed the connection before the answer was complete"
[ "$(stored)" = "$before" ] || { echo "a broken summary stored something"; exit 1; }

# 5. a server answering 500, and one answering nothing ('tacit engine --timeout 2')
P3=$(h port)
python3 "$W/h.py" fake 500 "$P3" & PIDS+=($!) # not through h(): $! must be python's pid
P4=$(h port)
python3 "$W/h.py" fake slow "$P4" & PIDS+=($!)
sleep 1
expect_rc 19 "$T" summarize 1 --engine "http://127.0.0.1:$P3" --max-tokens 360
expect_err "the language model server '127.0.0.1:$P3' failed the answer: HTTP 500: out of memory on the GPU"
"$T" engine --timeout 2 >/dev/null
start=$(date +%s)
expect_rc 19 "$T" summarize 1 --engine "http://127.0.0.1:$P4/v1" --max-tokens 360
expect_err "the language model server '127.0.0.1:$P4' did not answer in time"
[ $(($(date +%s) - start)) -lt 20 ] || { echo "the timeout took $(($(date +%s) - start)) s"; exit 1; }
"$T" engine --timeout 300 >/dev/null
[ "$(stored)" = "$before" ] || { echo "a failed summary stored something"; exit 1; }

# 5b. a server without grammars (OpenAI-style): response_format json_schema, the answer
# checked against the schema, then as a local one (segment 9 does not exist: dropped),
# stored with where it ran; output that is not JSON, or JSON outside the schema, is an
# error and stores nothing
P6=$(h port)
python3 "$W/h.py" fake openai "$P6" "$W/request.json" & PIDS+=($!)
sleep 1
"$T" ask 1 "who fixes the bug?" --engine "http://127.0.0.1:$P6" --max-tokens 100 --json >"$W/out" 2>"$W/err" ||
	{ echo "the OpenAI-style server's answer failed"; cat "$W/err"; exit 1; }
python3 - "$W/out" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["answer"] == "Bob fixes the login bug." and a["cites"] == [2] and a["grounded"] and a["dropped"] == 0, a
PY
expect_rc 22 "$T" ask 1 "who writes the notes?" --engine "http://127.0.0.1:$P6" --max-tokens 100
expect_err "not the expected JSON"
expect_rc 22 "$T" ask 1 "who tests the beta?" --engine "http://127.0.0.1:$P6" --max-tokens 100
expect_err "the language model server '127.0.0.1:$P6' answered outside the task's JSON schema (\$.answer: not a string)"
"$T" export 1 --format json --output "$W/export.json" --force >/dev/null
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['chat']; assert c[-1]['model']=='fake-model on 127.0.0.1:'+sys.argv[2] and len(c)==8, c" "$W/export.json" "$P6"
before=$(stored)

# 6. TLS: a self-signed certificate is refused, then trusted through engine.llm.ca_file
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls.key" -out "$W/tls.crt" -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
P5=$(h port)
llama-server -m "$M" "${CTX[@]}" --host 127.0.0.1 --port "$P5" -np 1 -c 1024 --api-key "$KEY" \
	--ssl-key-file "$W/tls.key" --ssl-cert-file "$W/tls.crt" >"$W/server5.log" 2>&1 &
PIDS+=($!)
h wait "https://127.0.0.1:$P5" "$W/tls.crt"
expect_rc 19 "$T" ask 1 "who fixes the bug?" --engine "https://127.0.0.1:$P5" --max-tokens 100
expect_err "cannot verify the certificate of the language model server '127.0.0.1:$P5'"
expect_err "engine.llm.ca_file"
"$T" engine --ca-file "$W/tls.crt" >/dev/null
"$T" ask 1 "who fixes the bug?" --engine "https://127.0.0.1:$P5" --max-tokens 100 >/dev/null 2>"$W/err" ||
	{ echo "https with engine.llm.ca_file failed"; cat "$W/err"; exit 1; }
"$T" engine --ca-file "" >/dev/null

# 7. the network audit: every connection of a remote question goes to the configured
# address; a local engine that fails (no model) connects nowhere, setting or not
if command -v strace >/dev/null; then
	# (LeakSanitizer cannot run under ptrace; the runs above checked for leaks)
	NOLSAN="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	$NOLSAN strace -f -qq -e trace=network -o "$W/trace" "$T" ask 1 "who fixes the bug?" --max-tokens 100 >/dev/null 2>"$W/err" ||
		{ cat "$W/err"; exit 1; }
	grep -E 'connect\(' "$W/trace" | grep -q "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" ||
		{ echo "the question never connected to the engine"; cat "$W/trace"; exit 1; }
	if grep -E 'connect\(|sendto\(|sendmsg\(' "$W/trace" | grep -E 'sa_family=AF_INET' |
		grep -v "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" | grep -q .; then
		echo "a connection went elsewhere:"; grep -E 'sa_family=AF_INET' "$W/trace"; exit 1
	fi
	$NOLSAN strace -f -qq -e trace=network -o "$W/trace2" "$T" ask 1 "who?" --engine local --model "$W/none.gguf" >/dev/null 2>"$W/err" &&
		{ echo "a missing local model answered"; exit 1; }
	if grep -E 'socket\(AF_INET|sa_family=AF_INET' "$W/trace2" | grep -q .; then
		echo "a local failure opened a network socket:"; grep AF_INET "$W/trace2"; exit 1
	fi
	# a live meeting (a transcript replayed, a question, the final summary) the same way
	$NOLSAN strace -f -qq -e trace=network -o "$W/trace3" "$T" live --replay "$F" --speed 100 --max-tokens 320 \
		--ask "who fixes the bug?" --json >"$W/live.json" 2>"$W/err" || { echo "the live meeting failed"; cat "$W/err"; exit 1; }
	python3 - "$W/live.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped" and "answer" in types and "summary" in types, types
assert not [e for e in ev if e["type"] == "warning"], [e for e in ev if e["type"] == "warning"]
PY
	grep -E 'connect\(' "$W/trace3" | grep -q "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" ||
		{ echo "the live meeting never connected to the engine"; exit 1; }
	if grep -E 'connect\(|sendto\(|sendmsg\(' "$W/trace3" | grep -E 'sa_family=AF_INET' |
		grep -v "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" | grep -q .; then
		echo "a live meeting's connection went elsewhere:"; grep -E 'sa_family=AF_INET' "$W/trace3"; exit 1
	fi
	echo "audit: $(cat "$W/trace" "$W/trace3" | grep -cE 'connect\(.*AF_INET') connection(s) from a question and a live meeting, all to 127.0.0.1:$P; none from the local engine"
else
	echo "strace is not installed: the network audit is skipped"
fi
echo ok
