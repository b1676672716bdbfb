"""A real HTTP server on 127.0.0.1 for tests: serves saved files and scripted misbehaviour.

Routes are registered per test: `server.route(path, handler)` where a handler is a callable
taking the request handler and writing a response, or use the helpers (static, status, ...).
"""
from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "thesiswatch-test/1.0"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        srv: TestServer = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        srv.hits[path] = srv.hits.get(path, 0) + 1
        srv.requests.append((path, dict(self.headers)))
        handler = srv.routes.get(path)
        if handler is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            handler(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        srv: TestServer = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        srv.posts.append((path, dict(self.headers), body))
        handler = srv.routes.get(("POST", path))
        if handler:
            handler(self)
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops concurrent connects, which then retry after 1 s
    daemon_threads = True


class TestServer:
    def __init__(self):
        self.routes: dict = {}
        self.hits: dict[str, int] = {}
        self.requests: list = []
        self.posts: list = []
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> TestServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path, handler: Callable) -> str:
        self.routes[path] = handler
        return self.url(path if isinstance(path, str) else path[1])


def respond(status: int = 200, body: bytes = b"", headers: dict | None = None) -> Callable:
    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        hdrs = {"Content-Length": str(len(body))}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            h.send_header(k, v)
        h.end_headers()
        if body:
            h.wfile.write(body)
    return handler


def static(path: Path | str, content_type: str = "application/xml", etag: str | None = None) -> Callable:
    """Serve a file; with `etag`, answer 304 to a matching If-None-Match."""
    data = Path(path).read_bytes()

    def handler(h):
        if etag and h.headers.get("If-None-Match") == etag:
            respond(304, b"", {"ETag": etag})(h)
            return
        respond(200, data, {"Content-Type": content_type, **({"ETag": etag} if etag else {})})(h)
    return handler


def sequence(*handlers: Callable) -> Callable:
    """First request gets the first handler, and so on; the last repeats."""
    calls = {"n": 0}

    def handler(h):
        i = min(calls["n"], len(handlers) - 1)
        calls["n"] += 1
        handlers[i](h)
    return handler


def drip(body: bytes, delay: float = 1.0, content_type: str = "application/xml") -> Callable:
    """Send one byte every `delay` seconds."""
    def handler(h):
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        for b in body:
            h.wfile.write(bytes([b]))
            h.wfile.flush()
            time.sleep(delay)
    return handler


def stall(seconds: float) -> Callable:
    """Accept the request, then say nothing for `seconds` (a read timeout)."""
    def handler(h):
        time.sleep(seconds)
        respond(200, b"late")(h)
    return handler


def gzip_body(data: bytes, content_type: str = "application/xml") -> Callable:
    packed = gzip.compress(data, compresslevel=9)
    return respond(200, packed, {"Content-Encoding": "gzip", "Content-Type": content_type})
