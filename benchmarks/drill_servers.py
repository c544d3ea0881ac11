"""The drill's outside world, all on loopback: a server that answers like Slack's webhook (with outage modes), a
real SMTP server (aiosmtpd, with a login, that can be taken down and brought back on the same port) and canaries
that count any request reaching an address the guard must refuse."""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALERT_ID = re.compile(r"alert (\S+) revision (\d+)")


@dataclass(frozen=True)
class Delivery:
    channel: str
    alert_id: str
    revision: int
    at: float  # wall-clock time the server accepted it


class SlackDrill:
    """Answers like Slack's incoming webhook: 200, or during an outage 500 and then 429 with Retry-After."""

    def __init__(self, token_path: str) -> None:
        self.path = token_path
        self.mode = "ok"  # "ok", "500", "429"
        self.retry_after = 5
        self.deliveries: list[Delivery] = []
        self.answers: dict[int, int] = {}
        self.wrong_path = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = 404 if self.path != fake.path else {"ok": 200, "500": 500, "429": 429}[fake.mode]
                with fake._lock:
                    fake.answers[status] = fake.answers.get(status, 0) + 1
                    if status == 404:
                        fake.wrong_path += 1
                    if status == 200:
                        found = ALERT_ID.search(json.loads(body).get("text", ""))
                        if found:
                            fake.deliveries.append(Delivery("slack", found.group(1), int(found.group(2)),
                                                            time.time()))
                answer = {200: b"ok", 429: b"rate_limited", 404: b"no_service"}.get(status, b"internal_error")
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", str(fake.retry_after))
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MailDrill:
    """A real SMTP server that requires a login (the password is one of the secrets the drill greps for), keeps
    every message with the time it arrived, and can be stopped and started again on the same port."""

    def __init__(self, user: str, password: str) -> None:
        import socket

        self.user, self.password = user, password
        self.deliveries: list[Delivery] = []
        self.unmatched = 0
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = None
        self.start()

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        box = self

        class Keep:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                text = envelope.content.decode("utf-8", "replace")
                found = ALERT_ID.search(text)
                if found:
                    box.deliveries.append(Delivery("email", found.group(1), int(found.group(2)), time.time()))
                else:
                    box.unmatched += 1
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = getattr(auth_data, "login", b"") == box.user.encode() and \
                getattr(auth_data, "password", b"") == box.password.encode()
            return AuthResult(success=ok)

        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port, authenticator=authenticate,
                                     auth_require_tls=False, auth_required=True)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://{self.user}:{self.password}@127.0.0.1:{self.port}"


@dataclass
class Canary:
    """A server at an address the guard must refuse (127.0.0.2, or 127.0.0.1 on a port not allowed): any request
    that reaches it is a breach, counted."""

    host: str
    port: int
    hits: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                canary.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
