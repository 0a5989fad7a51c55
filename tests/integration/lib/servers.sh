# lib/servers.sh — sourced by the tests that start servers on 127.0.0.1 (remote_llm.sh,
# remote_asr.sh, batch_engines.sh): the store in a temporary TACIT_HOME ($W), the servers' pids in PIDS
# (killed and reaped on exit), a free port, and a wait until a server answers.
export TACIT_HOME=$(mktemp -d)
W=$TACIT_HOME
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
unset TACIT_ENGINE_KEY TACIT_MODEL TACIT_WHISPER_MODEL TACIT_VAD_MODEL TACIT_EMBEDDING_MODEL
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# URL: until the server answers at all (an HTTP error counts: it is up)
wait_up() { python3 - "$1" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=5).read(); sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("server did not start: " + sys.argv[1])
PY
}
