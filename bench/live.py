"""The real server in a child process, and a client that talks to it as a browser does.

Used by bench/load.py and by the kill and backup tests (tests/test_kill.py,
tests/test_backup.py): ``coverplan serve`` (waitress) runs in its own process
on a free 127.0.0.1 port with its database and data files in a given folder,
so a test can ``kill -9`` it and start it again on the same files.

The client sends what a browser on the app's own page sends with a
state-changing request: an ``Origin`` naming the server, and the CSRF token
when the server hands one out (the cookie and header names come from
web/security.py when it defines them; one place to change if they move).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _csrf_names() -> tuple[str | None, str | None]:
    """(cookie, header) of the server's CSRF token, or (None, None) on a server without one."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from web import security
    except ImportError:
        return None, None
    return getattr(security, "CSRF_COOKIE", None), getattr(security, "CSRF_HEADER", None)


class Client(requests.Session):
    """A browser-like session on one server: keeps cookies, sends Origin and the CSRF token."""

    def __init__(self, base: str, timeout: float = 120.0) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.headers.update({"Accept-Encoding": "gzip, br", "User-Agent": "coverplan-live-client"})
        self.csrf_cookie, self.csrf_header = _csrf_names()

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("timeout", self.timeout)
        if method.upper() in STATE_CHANGING:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Origin", self.base)
            headers.setdefault("Referer", self.base + "/")
            if self.csrf_cookie and self.csrf_header:
                if self.csrf_cookie not in self.cookies:
                    super().request("GET", self.base + "/data", timeout=self.timeout)  # a page sets the token
                token = self.cookies.get(self.csrf_cookie)
                if token:
                    headers.setdefault(self.csrf_header, token)
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)


class LiveServer:
    """``coverplan serve`` on ``folder/app.sqlite`` (data files beside it), in a child process.

    ``env`` adds environment variables (the test pause hooks); ``stderr`` goes to
    ``folder/server-<n>.log`` so that :meth:`wait_for_log` can watch it without a pipe filling up.
    """

    def __init__(self, folder: Path, *, env: dict | None = None, threads: int = 6,
                 extra_args: list[str] | None = None, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = self.folder / "app.sqlite"
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "COVERPLAN_VAR": str(self.folder), "COVERPLAN_CACHE": str(self.folder / "cache"),
                    "PYTHONUNBUFFERED": "1", **(env or {})}
        self.threads = threads
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen | None = None
        self.log: Path | None = None

    def start(self, timeout: float = 120.0) -> "LiveServer":
        n = len(list(self.folder.glob("server-*.log")))
        self.log = self.folder / f"server-{n}.log"
        out = open(self.log, "wb")
        cmd = [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", str(self.db), "--threads", str(self.threads), *self.extra_args]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log.read_text('utf-8', 'replace')}")
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout:.0f} s")

    def client(self) -> Client:
        return Client(self.base)

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log and self.log.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.log_text():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in the server log:\n{self.log_text()[-3000:]}")

    def kill9(self) -> int:
        """SIGKILL: no handler, no clean-up, like a power cut for the process."""
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
