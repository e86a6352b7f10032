"""A shared server with accounts, for the tests of who may do what.

``accounts_app`` builds an app that requires a login (CSRF off: these tests are about roles
and answers, web/security.py has its own) with the given accounts; ``signed_in`` logs one in;
``held_at_start`` holds a solve while the test changes an account's rights.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from web.app import create_app

PW = "test-account-password"


def accounts_app(tmp_dir, accounts, **config):
    """An app on its own database in ``tmp_dir`` with ``accounts``: (name, role, county or None).

    The caller shuts its jobs down (``app.extensions["coverplan"]["jobs"].shutdown()``).
    """
    app = create_app({"DB_PATH": str(tmp_dir / "p.sqlite"), "TESTING": True, "AUTH": "required",
                      "CSRF_ENABLED": False, **config})
    users = app.extensions["coverplan"]["users"]
    for name, role, county in accounts:
        users.add(name, role, county, password=PW, must_change=False)
    return app


def signed_in(app, name: str, addr: str | None = None):
    """A test client logged in as ``name`` (from client address ``addr`` when given)."""
    c = app.test_client()
    if addr is not None:
        c.environ_base["REMOTE_ADDR"] = addr
    assert c.post("/login", json={"name": name, "password": PW}).status_code == 200
    return c


def saved_under(app, uid):
    """The proposals the app's store keeps under account ``uid``."""
    return [r for r in app.extensions["coverplan"]["store"].list() if r.get("owner") == uid]


@contextmanager
def held_at_start(monkeypatch, owner, name: str):
    """``owner.name`` (a solve a job runs) waits at its start until ``gate`` is set; ``started`` tells it has
    begun. Yields ``(started, gate)``: the test acts while the job runs, then the real solve goes on."""
    started, gate = threading.Event(), threading.Event()
    real = getattr(owner, name)

    def held(*args, **kwargs):
        started.set()
        gate.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    try:
        yield started, gate
    finally:
        gate.set()
