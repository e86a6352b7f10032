"""QA sweep 21: the API and the shared server, each finding pinned by a test that fails without its fix."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa21") / "p.sqlite"), "CSRF_ENABLED": False})
    yield app.test_client()
    app.extensions["coverplan"]["jobs"].shutdown()


# -- the web form and the CLI refuse a service standard above one limit, the planner's --------------------
@pytest.mark.parametrize("type_key, standard, ok", [("elderly_complex", 601, False), ("elderly_complex", 600, True),
                                                    ("day_care", 300_001, False)])
def test_the_web_refuses_a_standard_above_the_planners_limit(client, type_key, standard, ok):
    resp = client.post("/api/proposals?lang=en&wait=0", json={"type": type_key, "model": "mclp", "p": 1,
                                                               "standard": standard})
    if ok:
        assert resp.status_code in (201, 202), resp.get_json()
    else:
        assert resp.status_code == 400, resp.get_json()
        assert "standard" in str(resp.get_json()).lower()
