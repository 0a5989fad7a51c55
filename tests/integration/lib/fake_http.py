# lib/fake_http.py — what the tests' fake servers share: a quiet HTTP handler that
# answers JSON (send(code, obj)). Used by lib/fake_asr.py and remote_llm.sh's fake.
import json
from http.server import BaseHTTPRequestHandler


class JsonHandler(BaseHTTPRequestHandler):
    def log_message(self, *a): pass

    def send(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
