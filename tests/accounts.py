"""A shared server with accounts, for the tests of who may do what.

``accounts_app`` builds an app that requires a login (CSRF off: these tests are about roles
and answers, web/security.py has its own) with the given accounts; ``signed_in`` logs one in.
"""
from __future__ import annotations

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
