# lib/fake_asr.py MODE PORT KEY — an OpenAI-style speech server on 127.0.0.1:PORT for
# the tests (remote_asr.sh, live_remote_asr.sh): it lists the model whisper-1, wants
# "Authorization: Bearer KEY" and a WAV with model=whisper-1, and answers (MODE ok) two
# fixed segments, or HTTP 500 (500), a malformed answer (bad), or a dropped connection
# (drop).
import socket, sys
from http.server import ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
from fake_http import JsonHandler  # noqa: E402
mode, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(JsonHandler):
    protocol_version = "HTTP/1.1"
    models = [{"id": "whisper-1"}]
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != "Bearer " + key:
            return self.send(401, {"error": {"message": "invalid api key"}})
        if self.path != "/v1/audio/transcriptions" or b"RIFF" not in body or b'name="model"' not in body or b"whisper-1" not in body:
            return self.send(400, {"error": {"message": "unexpected request"}})
        if mode == "500": return self.send(500, {"error": {"message": "the GPU is out of memory"}})
        if mode == "bad": return self.send(200, {"segments": [{"start": "soon", "text": "x"}]})
        if mode == "drop": self.close_connection = True; self.wfile.flush(); self.connection.shutdown(socket.SHUT_RDWR); return
        self.send(200, {"language": "english", "segments": [
            {"start": 0.0, "end": 1.5, "text": " Hello from the server.", "avg_logprob": -0.1},
            {"start": 1.5, "end": 2.9, "text": " A second part."}]})
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
