"""QA sweep 12, map edits: a candidate site can be added after the last one was removed (a 500 before);
a removed facility's id is never handed to a later one (the history showed one facility "moved 109 km");
edits sent at once are all kept (each builds on the version the one before made)."""
from __future__ import annotations

import threading

import pytest

from web.app import create_app


@pytest.fixture()
def app(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "WARM": False, "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _points(shiyan, county, n):
    v = shiyan.villages
    return list(v[v["county_code"] == county].geometry.iloc[:n])


def test_a_site_can_be_added_after_the_last_one_was_removed(app, shiyan):
    c = app.test_client()
    p = _points(shiyan, "420322", 1)[0]
    add = {"action": "add_site", "type": "day_care", "name": "S1", "lon": p.x, "lat": p.y}
    first = c.post("/api/data/edits", json=add).get_json()["id"]
    assert c.post("/api/data/edits", json={"action": "remove_site", "type": "day_care", "id": first}).status_code == 200
    r = c.post("/api/data/edits", json={**add, "name": "S2"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["id"] != first  # a removed site's id is not given again
    feats = c.get("/api/coverage/day_care/layers").get_json()["candidates"]["features"]
    assert [f["properties"]["name"] for f in feats if f["properties"]["id"] == r.get_json()["id"]] == ["S2"]


def test_a_removed_facilitys_id_is_not_given_to_a_new_one(app, shiyan):
    c = app.test_client()
    yunxi, fang = _points(shiyan, "420322", 1)[0], _points(shiyan, "420325", 1)[0]

    def edit(**body):
        r = c.post("/api/data/edits", json={"type": "day_care", **body})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    edit(action="add", name="郧西新增", lon=yunxi.x, lat=yunxi.y)
    old = next(r["id"] for r in c.get("/api/facilities?type=day_care&q=郧西新增").get_json()["rows"])
    before = edit(action="remove", id=old)["version"]
    after = edit(action="add", name="房县新增", lon=fang.x, lat=fang.y)["version"]
    new = next(r["id"] for r in c.get("/api/facilities?type=day_care&q=房县新增").get_json()["rows"])
    assert new != old
    diff = c.get(f"/api/data/diff?a={before - 1}&b={after}").get_json()
    assert diff["counts"]["facilities_moved"] == 0 and diff["counts"]["facilities_changed"] == 0
    diff = c.get(f"/api/data/diff?a={before}&b={after}").get_json()
    assert diff["counts"]["facilities_added"] == 1 and diff["counts"]["facilities_moved"] == 0


def test_edits_sent_at_once_are_all_kept(app, shiyan):
    pts = _points(shiyan, "420322", 6)
    answers = []

    def add(i, p):
        r = app.test_client().post("/api/data/edits", json={"action": "add", "type": "day_care", "name": f"并发{i}",
                                                            "lon": p.x, "lat": p.y})
        answers.append((r.status_code, r.get_json()))
    threads = [threading.Thread(target=add, args=(i, p)) for i, p in enumerate(pts)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [code for code, _ in answers] == [200] * len(pts), answers
    rows = app.test_client().get("/api/facilities?type=day_care&q=并发").get_json()["rows"]
    assert sorted(r["name"] for r in rows) == sorted(f"并发{i}" for i in range(len(pts)))
    assert len({r["id"] for r in rows}) == len(pts)
    assert sorted(a["version"] for _, a in answers) == list(range(1, len(pts) + 1))


def test_an_edit_crossed_by_another_processs_commit_is_a_409_and_loses_nothing(app, shiyan, monkeypatch):
    """The edit lock is per process: a second server process may commit between this edit's read of
    the layer and its write. The store then refuses the write (409, both languages), the other
    process's version stays current, and the planner is told to reload."""
    c = app.test_client()
    p = _points(shiyan, "420322", 1)[0]
    store = app.extensions["coverplan"]["datasets"]
    real = store.commit_layer
    other = {}

    def crossed(layer, gdf, **kw):  # another process commits first, then this edit's write arrives
        other["version"] = real("facilities:cemetery", shiyan.facilities[shiyan.facilities["facility_type"] == "cemetery"]
                                .iloc[:5].reset_index(drop=True), kind="edit", author="other-process")
        return real(layer, gdf, **kw)

    monkeypatch.setattr(store, "commit_layer", crossed)
    r = c.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "并发新增", "lon": p.x, "lat": p.y})
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["error"] == "DataChanged" and "刷新" in body["message_zh"] and "Reload" in body["message_en"]
    monkeypatch.setattr(store, "commit_layer", real)
    assert store.current().version == other["version"]          # the other process's edit stays
    assert not c.get("/api/facilities?type=day_care&q=并发新增").get_json()["rows"]  # nothing half-written
    again = c.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "并发新增", "lon": p.x, "lat": p.y})
    assert again.status_code == 200 and again.get_json()["version"] == other["version"] + 1


def test_a_site_offered_to_one_type_is_moved_under_that_type(app, shiyan):
    """move_site with another type moved a day-care site as a cemetery's, without a word (QA 15)."""
    c = app.test_client()
    p, q = _points(shiyan, "420322", 2)
    sid = c.post("/api/data/edits", json={"action": "add_site", "type": "day_care", "name": "S9",
                                          "lon": p.x, "lat": p.y}).get_json()["id"]
    r = c.post("/api/data/edits", json={"action": "move_site", "type": "cemetery", "id": sid, "lon": q.x, "lat": q.y})
    assert r.status_code == 400 and "day_care" in r.get_json()["message"]
    assert c.post("/api/data/edits", json={"action": "move_site", "type": "day_care", "id": sid,
                                           "lon": q.x, "lat": q.y}).status_code == 200
