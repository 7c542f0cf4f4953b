"""A counting proxy in front of a Docker Engine's unix socket.

Every HTTP request a client sends through the proxy's socket is counted (``requests``: list of
``(method, path)``) and forwarded unchanged to the engine; an optional ``before`` hook runs just before a
request is forwarded, which lets a test make another client's change at an exact point (between a
module's list and its update). The response direction is relayed byte for byte.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

Hook = Callable[[str, str], None]


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(self.server.upstream)
        relay = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
        relay.start()
        reader = self.request.makefile("rb")
        try:
            while self._forward_one(reader, upstream):
                pass
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)
            relay.join(timeout=30)
            upstream.close()

    def _forward_one(self, reader: BinaryIO, upstream: socket.socket) -> bool:
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            line = reader.readline()
            if not line:
                return False
            head += line
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, path = [*request_line.split(" "), "", ""][:2]
        headers = {
            key.strip().lower(): value.strip()
            for key, _sep, value in (h.partition(":") for h in head.decode("latin-1").split("\r\n")[1:] if h)
        }
        self.server.record(method, path)
        upstream.sendall(head)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = reader.readline()
                upstream.sendall(size_line)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                upstream.sendall(reader.read(size + 2))
                if size == 0:
                    return True
        length = int(headers.get("content-length", "0") or 0)
        while length > 0:
            chunk = reader.read(min(length, 65536))
            if not chunk:
                return False
            upstream.sendall(chunk)
            length -= len(chunk)
        return True


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 128  # parallel clients: the default backlog of 5 makes connect() fail with EAGAIN
    upstream: str
    proxy: DockerProxy

    def record(self, method: str, path: str) -> None:
        self.proxy._record(method, path)


class DockerProxy:
    """Listen on SOCKET, forward to UPSTREAM; count requests; run ``before`` hooks."""

    def __init__(self, upstream: Path | str, socket_path: Path | str) -> None:
        self.upstream = str(upstream).removeprefix("unix://")
        self.socket = Path(socket_path)
        self.requests: list[tuple[str, str]] = []
        self.before: Hook | None = None
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))
        hook = self.before
        if hook is not None:
            hook(method, path)

    def count(self, method: str | None = None, contains: str = "") -> int:
        """Requests seen so far, optionally only of METHOD and whose path contains CONTAINS."""
        with self._lock:
            return sum(1 for m, p in self.requests if (method is None or m == method) and contains in p)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> DockerProxy:
        self.socket.unlink(missing_ok=True)
        server = _Server(str(self.socket), _Handler)
        server.upstream = self.upstream
        server.proxy = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.socket.unlink(missing_ok=True)

    def __enter__(self) -> DockerProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
