"""Shared fixtures. Tests never touch the internet and never read ../shared."""
from __future__ import annotations

import pytest


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
