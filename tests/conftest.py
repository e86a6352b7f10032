"""Shared fixtures. Tests never touch the internet and never read ../shared."""
from __future__ import annotations

import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers


class SameOriginClient(FlaskClient):
    """The test client as the app's own page would post: the CSRF cookie, the same token
    in ``X-CSRF-Token`` and a same-origin ``Origin`` (web/security.py refuses anything less).

    Every app the tests build uses it (``Flask.test_client_class`` below), so the suite runs
    with the CSRF check on; attack tests use :func:`plain_client` to post like another site.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.csrf = secrets.token_urlsafe(32)
        self.set_cookie("cp_csrf", self.csrf)

    def open(self, *args, **kwargs):
        headers = Headers(kwargs.pop("headers", None) or {})
        headers.setdefault("X-CSRF-Token", self.csrf)
        if "base_url" not in kwargs and "Host" not in headers:
            headers.setdefault("Origin", "http://localhost")
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


Flask.test_client_class = SameOriginClient


def plain_client(app) -> FlaskClient:
    """A client that sends no token and no Origin of its own (what a foreign page or script has)."""
    return FlaskClient(app, app.response_class, use_cookies=True)


@pytest.fixture(scope="session", autouse=True)
def session_var_folder(tmp_path_factory):
    """The saved work of the whole run in a folder of its own (``$COVERPLAN_VAR``), never the repo's var/:
    a planner's own proposals or data versions there never reach a test, and the test processes of
    ``pytest -n`` (make test) never share one store. A test that needs an empty store of its own takes
    ``var_dir``."""
    from geo import settings

    v = tmp_path_factory.mktemp("var")
    mp = pytest.MonkeyPatch()
    mp.setenv("COVERPLAN_VAR", str(v))
    mp.setattr(settings, "VAR_DIR", v)
    yield v
    mp.undo()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes():
    """The accounts the tests make are hashed by scrypt at a low work factor (n = 2**10, not 2**15): the same code and
    checks, a few milliseconds a hash instead of 0.2 s, over the suite's thousands of accounts and logins."""
    from web import users

    mp = pytest.MonkeyPatch()
    mp.setattr(users, "PASSWORD_HASH", "scrypt:1024:8:1")
    yield
    mp.undo()


@pytest.fixture(scope="session")
def shiyan():
    """The embedded default region (built once if missing)."""
    from geo.regions import load_region

    return load_region("shiyan")


@pytest.fixture()
def app(tmp_path):
    """A fresh web app on its own database (modules that share one app define their own)."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def var_dir(tmp_path, monkeypatch):
    """An empty data store of the test's own (``$COVERPLAN_VAR`` and ``geo.settings.VAR_DIR``): the repo's
    var/ is never read or written, and the region is the embedded one."""
    from geo import settings

    v = tmp_path / "var"
    monkeypatch.setenv("COVERPLAN_VAR", str(v))
    monkeypatch.setattr(settings, "VAR_DIR", v)
    return v
