"""Real servers on 127.0.0.1 for tests: a static HTTP site (feeds and pages), a Slack-like webhook, SMTP."""
from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    delay: float = 0.0  # seconds before answering (a slow site)
    location: str | None = None  # redirect target
    headers: dict[str, str] = field(default_factory=dict)  # more response headers (Cache-Control, Retry-After...)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Request], Route]


class Site:
    """Serves `routes` (exact path with its query → Route) and `responders` (path prefix → a function of the
    request, for services that answer by query); records every request and the most requests it served at once."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.responders: dict[str, Responder] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.log: list[Request] = []
        self.active = 0
        self.most_at_once = 0
        self.slow = 0.0  # seconds every request waits before its answer (a slow host, for the drill)
        self.resetting = False  # every connection is reset instead of answered (for the drill)
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

            def do_GET(self):  # noqa: N802
                self._answer("GET")

            def do_POST(self):  # noqa: N802
                self._answer("POST")

            def _answer(self, method: str) -> None:
                if site.resetting:
                    # SO_LINGER 0: closing sends RST, as a crashing or hostile server does.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if site.slow:
                    time.sleep(site.slow)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with site._lock:
                    site.requests.append((self.path, self.headers.get("If-None-Match")))
                    site.log.append(request)
                    site.active += 1
                    site.most_at_once = max(site.most_at_once, site.active)
                try:
                    route = site.route_for(request)
                    if route is not None and route.delay:
                        time.sleep(route.delay)
                    self._send(route, request)
                finally:
                    with site._lock:
                        site.active -= 1

            def _send(self, route: Route | None, request: Request) -> None:
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.etag and request.headers.get("if-none-match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a client that hangs up early (a size cap, a timeout) is what several tests do on purpose

        self.server = Server((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def route_for(self, request: Request) -> Route | None:
        route = self.routes.get(request.path)
        if route is not None:
            return route
        for prefix, responder in self.responders.items():
            if request.path.startswith(prefix):
                return responder(request)
        return None

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class SlackFake:
    """Answers like Slack's incoming webhook. `script` is a list of (status, retry_after) answered in order;
    when it runs out every post gets 200. Accepted payloads land in `received`."""

    script: list[tuple[int, str | None]] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    attempts: int = 0

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.attempts += 1
                status, retry_after = fake.script.pop(0) if fake.script else (200, None)
                if status == 200:
                    fake.received.append(json.loads(body))
                    answer = b"ok"
                else:
                    answer = {429: b"rate_limited", 404: b"no_service"}.get(status, b"internal_error")
                self.send_response(status)
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/XXXX"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        box = self
        self.messages: list = []

        class Keep(Message):
            def handle_message(self, message):
                box.messages.append(message)

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages

    def close(self) -> None:
        self.controller.stop()


@dataclass
class SlackApiFake:
    """Answers like Slack's Web API (chat.postMessage, chat.update) for one bot token. `script` is a list of
    (status, retry_after, error) answered in order before the real work: 429 with Retry-After, 500, or 200 with
    `{"ok": false, "error": ...}` as Slack does for channel_not_found. Messages are kept per ts, with their
    replies; every call is logged in `calls` (method, payload)."""

    token: str = "xoxb-test-token"
    script: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    messages: dict[str, dict] = field(default_factory=dict)  # ts → the latest payload (chat.update replaces it)
    replies: dict[str, list[dict]] = field(default_factory=dict)  # parent ts → replies in its thread
    updates: list[dict] = field(default_factory=list)
    attempts: int = 0
    # the channels the bot is in, name or id → id ("#news" is the deployment's; tests add a topic's own)
    channels: dict[str, str] = field(default_factory=lambda: {"#news": "C0NEWS", "C0NEWS": "C0NEWS"})

    def __post_init__(self) -> None:
        fake = self
        self._lock = threading.Lock()
        self._next = 1

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                method = self.path.rsplit("/", 1)[-1]
                status, headers, answer = fake.answer(method, self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, authorization: str, body: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self.attempts += 1
            if self.script:
                status, retry_after, error = self.script.pop(0)
                headers = {"Retry-After": retry_after} if retry_after else {}
                return status, headers, {"ok": False, "error": error or {429: "ratelimited"}.get(status, "fatal_error")}
            if authorization != f"Bearer {self.token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            payload = json.loads(body or b"{}")
            self.calls.append((method, payload))
            if payload.get("channel") not in self.channels:
                return 200, {}, {"ok": False, "error": "channel_not_found"}
            channel = self.channels[payload["channel"]]
            if method == "chat.postMessage":
                ts = f"1700000000.{self._next:06d}"
                self._next += 1
                if payload.get("thread_ts"):
                    if payload["thread_ts"] not in self.messages:
                        return 200, {}, {"ok": False, "error": "thread_not_found"}
                    self.replies.setdefault(payload["thread_ts"], []).append(payload)
                else:
                    self.messages[ts] = payload
                return 200, {}, {"ok": True, "channel": channel, "ts": ts, "message": {"text": payload.get("text")}}
            if method == "chat.update":
                if payload.get("ts") not in self.messages:
                    return 200, {}, {"ok": False, "error": "message_not_found"}
                self.messages[payload["ts"]] = payload
                self.updates.append(payload)
                return 200, {}, {"ok": True, "channel": channel, "ts": payload["ts"]}
            return 200, {}, {"ok": False, "error": "unknown_method"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
