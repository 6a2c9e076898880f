"""A local server that speaks the OpenAI chat-completions protocol over HTTP, for judge tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeChatServer(ThreadingHTTPServer):
    """Answers POST /v1/chat/completions; `script` maps a word in the prompt to a list of responses
    (status, body) served in turn, so tests can make a call fail first and succeed later. A
    `responder` (prompt text -> reply text), when set, answers every prompt instead."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict] = []
        self.headers_seen: list[dict] = []
        self.script: dict[str, list[tuple[int, object]]] = {}
        self.responder: Callable[[str], str] | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


def completion(text: str) -> dict:
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "judge",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    }


class Handler(BaseHTTPRequestHandler):
    server: FakeChatServer

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.requests.append(body)
            self.server.headers_seen.append(dict(self.headers))
            content = body["messages"][-1]["content"]
            text = content if isinstance(content, str) else content[0]["text"]
            if self.server.responder is not None:
                status, payload = 200, completion(self.server.responder(text))
            else:
                key = next((k for k in self.server.script if k in text), None)
                status, payload = self.server.script[key].pop(0) if key else (200, completion("YES\nYES\nYES"))
        if self.path != "/v1/chat/completions":
            status, payload = 404, {"error": "not found"}
        raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(raw)


@contextmanager
def running_chat_server() -> Iterator[FakeChatServer]:
    srv = FakeChatServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
