# lib/fake_llm.py MODE PORT LOG — an OpenAI-style language model server on 127.0.0.1:PORT
# without grammars (as vLLM, Ollama or LM Studio): it lists the model fake-model, appends
# each chat request's body to LOG (one JSON line), refuses a request that carries a
# "grammar", answers "ok" to one without response_format (the live prefill's one token;
# MODE noplain refuses it), and streams (server-sent events) an answer made from the
# json_schema: MODE ok or noplain, the smallest answer that follows it (each string "ok",
# each citation 1); "text", words that are not JSON; "wrong", that answer with its first
# string a number instead; "long", with its first string 1000 characters long; "fffd", with
# 400 U+FFFD after its first string (as llama-server sends a malformed UTF-8 sequence),
# half raw, half escaped.
import json, sys
from http.server import ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
from fake_http import JsonHandler  # noqa: E402

mode, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def instance(s):
    if "enum" in s: return s["enum"][0]
    t = s.get("type")
    if t == "object": return {k: instance(s["properties"][k]) for k in s.get("required", [])}
    if t == "array": return [instance(s["items"]) for _ in range(s.get("minItems", 0))]
    if t == "integer": return max(1, s.get("minimum", 1))
    return "ok"[:s.get("maxLength", 2)]


def break_first_string(v, how):
    for k, x in v.items():
        if isinstance(x, str): v[k] = how(x); return True
    return False


class H(JsonHandler):
    models = [{"id": "fake-model", "max_model_len": 8192}]

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with open(log, "a") as f: f.write(json.dumps(body) + "\n")
        rf = body.get("response_format") or {}
        schema = (rf.get("json_schema") or {}).get("schema")
        if "grammar" in body or (rf and rf.get("type") != "json_schema") or (rf and not schema) or (not rf and mode == "noplain"):
            return self.send(400, {"error": {"message": "this server has no grammars"}})
        answer = instance(schema) if schema else "ok"
        if schema and mode in ("wrong", "long", "fffd"):
            break_first_string(answer, {"wrong": lambda x: 5, "long": lambda x: "o" * 1000,
                                        "fffd": lambda x: x + "\ufffd" * 200 + "\u00a4" * 200}[mode])
        text = "I think the meeting went well." if mode == "text" else answer if not schema else json.dumps(answer)
        if schema and mode == "fffd":  # 200 raw U+FFFD, as llama-server sends them, and 200 escaped
            text = json.dumps(answer, ensure_ascii=False).replace("\u00a4", "\\ufffd")
        self.send_response(200); self.send_header("Content-Type", "text/event-stream"); self.end_headers()
        for piece in (text[:len(text) // 2], text[len(text) // 2:]):
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n"); self.wfile.flush()
        self.wfile.write(b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n')
        self.wfile.write(b'data: {"choices":[],"usage":{"prompt_tokens":100,"completion_tokens":9}}\n\ndata: [DONE]\n\n')


ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
