"""QA 36 (review 36, item 2): heavy answers a viewer can start with plain GETs are computed once and kept within
bounds, and one user cannot run many at once.

1. ``/api/upgrades/<type>?k=`` spelled otherwise (``02``, ``2.0``, ``2e0``) re-ran the solve and kept an entry per
   spelling: now one answer per number;
2. ``/api/beds``: every target, year, county and type was kept until the data changed: now the last few are kept;
3. the offline maps (``/map/<type>/export.html``, ``/proposals/<id>/export.html``) were built anew on every click:
   now kept, per type, mode, county and language (per proposal, as last renamed), until the data change;
4. a request for an unknown key (``/api/coverage/<junk>/layers``, a 404) left a lock behind for ever;
5. a user with two heavy answers computing is answered 429 with ``Retry-After`` for a third (an answer already
   made is still answered).

The computations are counted through monkeypatch on the functions the routes call (nothing is timed).
"""
from __future__ import annotations

import threading

import pytest

import planner.beds
import planner.mapexport
import planner.upgrades
from web import service as web_service

TYPE = "welfare_home"  # has an upgrade, and its k=2 solve takes a fraction of a second


@pytest.fixture()
def app(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "WARM": False,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def client(app):
    return app.test_client()


def counted(monkeypatch, module, name, fake=None):
    """Replace ``module.name`` by a wrapper that records each call's positional arguments and then calls ``fake``
    (default: the real function); returns the list of calls."""
    real = getattr(module, name)
    calls: list = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        return (fake or real)(*args, **kwargs)
    monkeypatch.setattr(module, name, wrapper)
    return calls


def sizes(app) -> dict:
    return app.extensions["coverplan"]["service"].cache_sizes()


def test_k_spelled_otherwise_is_one_answer_computed_once(app, client, monkeypatch):
    calls = counted(monkeypatch, planner.upgrades, "propose_upgrades")
    answers = []
    for k in ("2", "02", "002", "2.0", "2.000", "2e0", "0" * 3000 + "2"):
        r = client.get(f"/api/upgrades/{TYPE}?k={k}")
        assert r.status_code == 200, (k, r.get_json())
        answers.append(r.get_json())
    assert len(calls) == 1  # before: one solve per spelling
    assert all(a == answers[0] for a in answers)  # the same answer, whatever the spelling
    assert answers[0]["k"] == 2 and len(answers[0]["sites"]) == 2 and answers[0]["dataset_version"] == 0
    layer = client.get(f"/api/upgrades/{TYPE}/layer?k=02")
    assert layer.status_code == 200 and len(layer.get_json()["features"]) == 2
    assert len(calls) == 1
    assert sizes(app)["entries"]["upgrades"] == 1
    # the default K (k left out) is an answer of its own (lowered with a note): computed once more
    assert client.get(f"/api/upgrades/{TYPE}").status_code == 200
    assert len(calls) == 2


def test_a_refused_k_still_quotes_it_as_typed_and_leaves_nothing_behind(app, client):
    r = client.get(f"/api/upgrades/{TYPE}?k=1e308")
    assert r.status_code == 400
    body = r.get_json()
    assert "1e308" in body["message_en"] and "1e308" in body["message_zh"]
    assert "upgrades" not in sizes(app)["entries"]
    assert sizes(app)["locks"] == 0


def test_bed_breakdowns_kept_are_bounded_the_last_used_kept(app, client, monkeypatch):
    monkeypatch.setattr(web_service, "PARAM_ANSWERS_KEPT", 3)
    calls = counted(monkeypatch, planner.beds, "allocate_beds",
                    fake=lambda region, target, **kw: {"target": target, "by_county": []})

    def beds(target: int) -> dict:
        r = client.get(f"/api/beds?target={target}&year=2025")
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    for target in (1001, 1002, 1003):
        assert beds(target)["target"] == target
    assert beds(1001)["target"] == 1001  # kept: not computed again, and now the last used
    beds(1004)  # a fourth: the least recently used (1002) goes
    assert sizes(app)["entries"]["beds"] == 3
    beds(1001)
    beds(1002)  # dropped above: computed again
    assert [c[1] for c in calls] == [1001, 1002, 1003, 1004, 1002]
    assert sizes(app)["entries"]["beds"] == 3
    assert sizes(app)["locks"] == 0


def rename_a_facility(client) -> int:
    """A new data version (a facility renamed on the map); returns its number."""
    fid = client.get(f"/api/facilities?type={TYPE}").get_json()["rows"][0]["id"]
    r = client.post("/api/data/edits", json={"action": "rename", "type": TYPE, "id": fid, "name": "QA36改名福利院"})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


def test_the_coverage_maps_offline_file_is_kept_until_the_data_change(app, client, monkeypatch):
    from planner.facility_types import get_type

    monkeypatch.setattr(planner.mapexport, "coverage_map", lambda region, cov, **kw: object())
    pages: list = []  # the titles of the files built, in order
    monkeypatch.setattr(planner.mapexport, "standalone_html",
                        lambda m, title: pages.append(title) or f"<html>{title} #{len(pages)}</html>")
    url = f"/map/{TYPE}/export.html"
    first = client.get(url + "?lang=zh")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == f"attachment; filename=coverage-{TYPE}.html"
    again = client.get(url + "?lang=zh")
    assert again.get_data() == first.get_data() and len(pages) == 1  # before: built again on each click
    name_en = get_type(TYPE).name("en")
    assert client.get(url + "?lang=en").get_data(as_text=True) == f"<html>{name_en} · coverplan #2</html>"
    county = client.get(url + "?lang=zh&county=420325")
    assert county.headers["Content-Disposition"] == f"attachment; filename=coverage-{TYPE}-420325.html"
    assert len(pages) == 3
    assert client.get(url + "?lang=en").get_data(as_text=True).endswith("#2</html>")  # each kept on its own
    assert rename_a_facility(client) == 1
    after = client.get(url + "?lang=zh")
    assert after.status_code == 200 and after.get_data(as_text=True).endswith("#4</html>")  # the new data's
    assert len(pages) == 4


def test_a_proposals_offline_file_is_kept_until_it_is_renamed(app, client, monkeypatch):
    r = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["proposal"]["id"]
    monkeypatch.setattr(planner.mapexport, "proposal_map", lambda region, cov, sites, **kw: kw["name"])
    pages: list = []
    monkeypatch.setattr(planner.mapexport, "standalone_html",
                        lambda m, title: pages.append(title) or f"<html>{m} #{len(pages)}</html>")
    url = f"/proposals/{pid}/export.html?lang=zh"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == f"attachment; filename=proposal-{pid}.html"
    assert client.get(url).get_data() == first.get_data() and len(pages) == 1
    assert client.patch(f"/api/proposals/{pid}", json={"name": "QA36 新名字"}).status_code == 200
    renamed = client.get(url).get_data(as_text=True)
    assert renamed == "<html>QA36 新名字 #2</html>" and len(pages) == 2  # the new name, not the kept file
    assert client.delete(f"/api/proposals/{pid}").status_code in (200, 204)
    assert client.get(url).status_code == 404  # a deleted proposal's kept file is never answered


def test_unknown_keys_leave_no_lock_behind(app, client):
    for n in range(20):
        assert client.get(f"/api/coverage/nosuch{n}{'x' * 500}/layers").status_code == 404
        assert client.get(f"/map/nosuch{n}/export.html").status_code == 404
    assert sizes(app)["locks"] == 0  # before: one lock per unknown key, never freed
    assert client.get(f"/api/coverage/{TYPE}/layers").status_code == 200
    assert sizes(app)["locks"] == 0 and sizes(app)["entries"]["coverage_layers"] == 1


def test_a_third_heavy_answer_at_once_is_429_with_retry_after(app, monkeypatch):
    release = threading.Event()
    started = threading.Semaphore(0)

    def slow(region, target, **kw):
        started.release()
        assert release.wait(30)
        return {"target": target, "by_county": []}
    monkeypatch.setattr(planner.beds, "allocate_beds", slow)
    answers: dict = {}

    def ask(target):
        answers[target] = app.test_client().get(f"/api/beds?target={target}")
    running = [threading.Thread(target=ask, args=(t,)) for t in (2001, 2002)]
    for th in running:
        th.start()
    try:
        assert started.acquire(timeout=30) and started.acquire(timeout=30)  # both computing
        assert sizes(app)["heavy"] == 2
        refused = app.test_client().get("/api/beds?target=2003")
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == str(web_service.HEAVY_RETRY_AFTER)
        body = refused.get_json()
        assert body["error"] == "HeavyBusy" and body["details"]["limit"] == web_service.HEAVY_PER_USER == 2
        assert "at most 2 per user" in body["message_en"] and "每位用户同时最多 2 个" in body["message_zh"]
        en = app.test_client().get("/api/beds?target=2003&lang=en").get_json()
        assert en["message"] == en["message_en"]
    finally:
        release.set()
        for th in running:
            th.join(30)
    assert {t: r.status_code for t, r in answers.items()} == {2001: 200, 2002: 200}
    assert sizes(app)["heavy"] == 0
    # the refused one, asked again once the others are done, is answered; a kept one never counts
    c = app.test_client()
    assert c.get("/api/beds?target=2003").get_json()["target"] == 2003
    assert c.get("/api/beds?target=2001").status_code == 200 and "Retry-After" not in c.get("/api/beds?target=2001").headers
