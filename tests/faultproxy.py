"""A small fault-injecting HTTP proxy for the live tests (standard library only).

It listens on 127.0.0.1, forwards every request to an upstream server (the real Label
Studio) and, for requests matching a rule, misbehaves the way gateways and networks do:

- ``"504_after_forward"``: forward, let the server commit, then answer 504 (a gateway
  timing out after the work was done);
- ``"drop_after_forward"``: forward, then close the connection without an answer;
- ``"drop"``: close the connection without forwarding (nothing reaches the server);
- ``"500"``: answer 500 without forwarding;
- ``"echo_500"``: answer 500 with the request's headers in the body's ``detail`` (a gateway
  that echoes what it got, the API token included);
- ``"delay"``: wait ``seconds`` before forwarding (the server works late);
- ``"delay_after_forward"``: forward, then wait ``seconds`` before answering;
- ``"gather"``: hold matching requests until ``count`` of them have arrived, then forward
  them all at once (makes two clients race deterministically).

A rule matches on method, a regular expression searched in the path and a substring of
the query; it fires on the ``nth`` matching request and the ``times - 1`` after it
(``times=None``: every one from the ``nth`` on). Every request is logged as
``(method, path, status)``, status ``None`` for a dropped connection.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


@dataclass
class Rule:
    action: str
    method: str | None = None
    path: str = ""
    query: str = ""
    nth: int = 1
    times: int | None = 1
    seconds: float = 0.0
    count: int = 2
    seen: int = 0
    fired: int = 0
    _arrived: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _waiting: int = 0

    def matches(self, method: str, path: str, query: str) -> bool:
        return (
            (self.method is None or self.method == method)
            and re.search(self.path, path) is not None
            and self.query in query
        )

    def take(self) -> bool:
        """Count one matching request; True if the fault applies to it."""
        self.seen += 1
        last = None if self.times is None else self.nth + self.times - 1
        applies = self.seen >= self.nth and (last is None or self.seen <= last)
        self.fired += applies
        return applies

    def gather(self, timeout: float = 30.0) -> None:
        """Block until ``count`` requests have arrived at this rule (or ``timeout``)."""
        with self._arrived:
            self._waiting += 1
            self._arrived.notify_all()
            self._arrived.wait_for(lambda: self._waiting >= self.count, timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that gave up: not our concern
        pass


class FaultProxy:
    """A threaded proxy on 127.0.0.1 in front of ``upstream``; use as a context manager."""

    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port or 80)
        self.rules: list[Rule] = []
        self.log: list[tuple[str, str, int | None]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, action: str, **match) -> Rule:
        """Add a rule (see the module docstring) and return it, e.g. to read ``fired``."""
        rule = Rule(action, **match)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def requests(self, method: str, path: str = "") -> list[tuple[str, str, int | None]]:
        """The logged requests with this method whose path contains ``path``."""
        return [entry for entry in self.log if entry[0] == method and path in entry[1]]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _fault_for(self, method: str, path: str, query: str) -> Rule | None:
        with self._lock:  # every matching rule counts the request; the first that applies wins
            applying = [rule for rule in self.rules if rule.matches(method, path, query) and rule.take()]
        return applying[0] if applying else None

    def _forward(self, method: str, target: str, headers, body: bytes):
        conn = http.client.HTTPConnection(*self.upstream, timeout=120)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
            sent["Host"] = f"{self.upstream[0]}:{self.upstream[1]}"
            conn.request(method, target, body=body or None, headers=sent)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):  # quiet
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                rule = proxy._fault_for(self.command, parts.path, parts.query)
                action = rule.action if rule else None
                if action == "gather":
                    rule.gather()
                if action == "drop":
                    return self._drop(parts.path)
                if action in ("500", "echo_500"):
                    detail = json.dumps(dict(self.headers)) if action == "echo_500" else ""
                    return self._answer(parts.path, 500, [], json.dumps({"detail": detail}).encode())
                if action == "delay":
                    time.sleep(rule.seconds)
                try:
                    status, headers, payload = proxy._forward(self.command, self.path, self.headers, body)
                except OSError:
                    return self._answer(parts.path, 502, [], b'{"detail": "bad gateway"}')
                if action == "504_after_forward":
                    return self._answer(parts.path, 504, [], b"<html>Gateway Time-out</html>")
                if action == "drop_after_forward":
                    return self._drop(parts.path)
                if action == "delay_after_forward":
                    time.sleep(rule.seconds)
                return self._answer(parts.path, status, headers, payload)

            def _answer(self, path, status, headers, payload):
                proxy.log.append((self.command, path, status))
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in _HOP_BY_HOP | {"content-length", "date", "server"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

            def _drop(self, path):
                proxy.log.append((self.command, path, None))
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        return Handler
