# lib/fake_http.py — what the tests' fake servers share: a quiet HTTP handler that
# answers JSON (send(code, obj)) and lists its models (class attribute models) on
# GET /v1/models, 404 elsewhere. Used by lib/fake_asr.py, lib/fake_llm.py and
# remote_llm.sh's fake.
import json
from http.server import BaseHTTPRequestHandler


class JsonHandler(BaseHTTPRequestHandler):
    models = []  # what GET /v1/models lists, e.g. [{"id": "whisper-1"}]

    def log_message(self, *a): pass

    def do_GET(self):
        if self.path == "/v1/models": self.send(200, {"data": self.models})
        else: self.send(404, {"error": {"message": "not found"}})

    def send(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
