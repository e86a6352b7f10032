"""QA 24 (shared server): a proposal deleted or renamed while its map layers were being computed kept
those layers: ``GET /api/proposals/<id>/layers`` answered 200 with the deleted proposal's sites ever
after, and a renamed one's layers kept the old name. A computation a delete or a rename crosses is
now answered but not kept."""
from __future__ import annotations

import pytest

from web.app import create_app


@pytest.fixture
def app(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_layers_computed_across_a_forget_are_not_kept(app):
    svc = app.extensions["coverplan"]["service"]
    calls = []

    def crossed():  # the delete lands while the layers are computed
        calls.append("crossed")
        svc.forget_proposal("p1")
        return {"name": "old"}

    assert svc.proposal_layers("p1", "zh", crossed) == {"name": "old"}
    assert svc.proposal_layers("p1", "zh", lambda: calls.append("again") or {"name": "new"}) == {"name": "new"}
    assert calls == ["crossed", "again"]
    # an undisturbed computation is kept, per language
    assert svc.proposal_layers("p1", "zh", lambda: calls.append("third") or {}) == {"name": "new"}
    assert calls == ["crossed", "again"]


def test_a_renamed_and_a_deleted_proposal_answer_their_new_state(app):
    c = app.test_client()
    token = c.get("/api/csrf").get_json()["token"]
    h = {"X-CSRF-Token": token}
    r = c.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2, "name": "before"},
               headers=h)
    assert r.status_code in (200, 201), r.get_data(as_text=True)[:300]
    pid = r.get_json()["proposal"]["id"]
    assert c.get(f"/api/proposals/{pid}/layers").get_json()["proposal"]["name"] == "before"
    assert c.patch(f"/api/proposals/{pid}", json={"name": "after"}, headers=h).status_code == 200
    assert c.get(f"/api/proposals/{pid}/layers").get_json()["proposal"]["name"] == "after"
    assert c.delete(f"/api/proposals/{pid}", headers=h).status_code == 200
    assert c.get(f"/api/proposals/{pid}/layers").status_code == 404
