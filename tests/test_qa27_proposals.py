"""QA 27, proposals and jobs: the author named (never an account id); a deleted proposal opened says who
deleted it, when, and its parameters (not "nothing was saved"); a calculation a restart cut off is in
GET /api/jobs with its start time; the network hint for those who may not upload one; a sized proposal
without a site says why; hostile inputs named as typed, with each field's own example.

Every input is written here (tmp_path).
"""
from __future__ import annotations

import io
import re
import time

import pytest

from accounts import accounts_app, signed_in

#: Yunxi's 17 welfare homes, one in every township (a QA register): no candidate site is left there.
YUNXI_HOMES = [("城关镇", 110.36336, 33.0072), ("土门镇", 110.14539, 33.12976), ("上津镇", 110.02198, 33.14143),
               ("店子镇", 109.86186, 33.08819), ("夹河镇", 110.06467, 32.90789), ("羊尾镇", 110.18268, 32.86551),
               ("观音镇", 110.23245, 32.98069), ("马鞍镇", 110.56483, 32.98034), ("河夹镇", 110.50101, 32.89797),
               ("香口乡", 110.28221, 33.11168), ("关防乡", 109.74301, 33.15765), ("湖北口回族乡", 109.57452, 33.19737),
               ("景阳乡", 109.86847, 32.97251), ("六郎乡", 110.04472, 33.02197), ("涧池乡", 110.33226, 32.87242),
               ("安家乡", 110.53491, 33.08307), ("三官洞林区", 110.52032, 33.18354)]


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


# -- 5. a sized proposal without a site says why ------------------------------------------------------------------
def test_a_sized_proposal_where_every_township_has_a_home_says_why_it_has_no_site(client, app, shiyan):
    towns = shiyan.townships[shiyan.townships["county_code"].astype(str) == "420322"]
    homes = list(YUNXI_HOMES) + [(n, pt.x, pt.y) for n, pt in zip(towns["name"], towns.geometry.representative_point())
                                 if n not in {h[0] for h in YUNXI_HOMES}]
    # small homes: some people stay unserved
    lines = ["序号,机构名称,所属乡镇,床位数,经度,纬度"] + [
        f"{i},郧西县{town}福利院,{town},{5 + i % 3},{x:.6f},{y:.6f}" for i, (town, x, y) in enumerate(homes, 1)]
    rep = upload(client, ("\n".join(lines) + "\n").encode("utf-8"), "郧西县福利院.csv", type="welfare_home").get_json()
    assert rep["counts"]["refused"] == 0, rep["issues"][:3]
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    r = client.post("/api/proposals?wait=120&lang=zh",
                    json={"type": "welfare_home", "kind": "sized", "county": "420322"})
    assert r.status_code == 201, r.data[:300]
    p = r.get_json()["proposal"]
    z = p["sized"]["summary"]
    assert p["sites"] == [] and z["unserved"] > 0
    text = p["explanation"]
    assert "未新建任何站点" in text and "郧西县没有候选点" in text and "每个乡镇都已有农村福利院" in text, text
    assert f"的 {z['unserved']:,} 名80岁以上老人未得到服务" in text and "改造提升现有设施" in text, text
    en = client.get(f"/api/proposals/{p['id']}?lang=en").get_json()["explanation"]
    assert "No new site is proposed" in en and "Yunxi" in en and "every township there already has" in en, en
    assert f"{z['unserved']:,} " in en and "upgrade proposal" in en and "“" not in en, en
    # the page shows it, in either language
    assert text in client.get(f"/proposals/{p['id']}?lang=zh").get_data(as_text=True)
    page_en = client.get(f"/proposals/{p['id']}?lang=en").get_data(as_text=True)
    assert "No new site is proposed" in page_en


# -- 6. hostile inputs -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_sizes_and_costs_are_named_as_typed_with_their_own_example(client, lang):
    r = client.post(f"/api/proposals?lang={lang}", json={"type": "welfare_home", "kind": "sized", "sizes": "99999999"})
    assert r.status_code == 400
    msg = r.get_json()["message"]
    assert "99999999" in msg and "1e+08" not in msg, msg
    r = client.post(f"/api/proposals?lang={lang}", json={"type": "welfare_home", "kind": "sized", "costs": "0,0"})
    assert r.status_code == 400
    msg = r.get_json()["message"]
    assert "30,60,100" not in msg and "300,500,750" in msg, msg


def test_an_empty_k_above_what_can_be_chosen_says_a_whole_number_is_missing(client, app, monkeypatch):
    from web import capacity_proposals

    monkeypatch.setattr(capacity_proposals, "upgrade_limit", lambda *a, **k: 2)
    for lang, said in (("zh", "未填写改造数量 K"), ("en", "none was given")):
        r = client.post(f"/api/proposals?lang={lang}", json={"type": "welfare_home", "kind": "upgrade", "k": ""})
        assert r.status_code == 400
        msg = r.get_json()["message"]
        assert said in msg and "2" in msg, msg
    # a K typed is still told its bound
    r = client.post("/api/proposals?lang=en", json={"type": "welfare_home", "kind": "upgrade", "k": 5})
    assert r.status_code == 400 and "at most 2" in r.get_json()["message"]


# -- 1 and 2. the author, and a deleted proposal opened ------------------------------------------------------------
@pytest.fixture()
def shared(tmp_path):
    app = accounts_app(tmp_path, [("wang", "planner", None), ("li", "planner", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_the_author_is_named_in_the_list_and_on_the_page_and_a_deleted_one_says_how_to_make_it_again(shared):
    wang = signed_in(shared, "wang")
    r = wang.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2,
                                                    "county": "420322", "name": "王的方案"})
    assert r.status_code == 201, r.data[:300]
    pid = r.get_json()["proposal"]["id"]
    li = signed_in(shared, "li")
    row = next(x for x in li.get("/api/proposals").get_json() if x["id"] == pid)
    assert row["owner_name"] == "wang"
    assert li.get(f"/api/proposals/{pid}").get_json()["owner_name"] == "wang"
    page = li.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    assert 'id="proposal-owner"' in page and "wang" in page
    assert wang.delete(f"/api/proposals/{pid}").status_code in (200, 204)
    for lang in ("zh", "en"):
        r = li.get(f"/api/proposals/{pid}?lang={lang}")
        assert r.status_code == 404
        body = r.get_json()
        text = body["message"] + " " + str(body.get("hint") or "")
        assert "wang" in text and ("未保存" not in text) and ("Nothing was saved" not in text), text
        assert ("郧西县" in text and "养老服务综合体" in text) if lang == "zh" else ("Yunxi" in text), text
        assert body["details"]["params"]["county"] == "420322" and body["details"]["params"]["p"] == 2
    # saving it is still the refused change's wording
    r = li.patch(f"/api/proposals/{pid}?lang=zh", json={"name": "x"})
    assert r.status_code == 404 and "未保存" in str(r.get_json())


def test_the_desk_mode_author_is_this_computer_never_an_id(client):
    r = client.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201
    pid = r.get_json()["proposal"]["id"]
    rows = {x["id"]: x for x in client.get("/api/proposals?lang=zh").get_json()}
    assert rows[pid]["owner_name"] == "本机（免登录）"
    assert client.get(f"/api/proposals/{pid}?lang=en").get_json()["owner_name"] == "local (no login)"


# -- 3. a calculation a restart cut off is listed, to whom started it, with its start -----------------------------------
def test_a_job_a_restart_cut_off_is_listed_to_its_owner_with_its_start(app):
    from web.jobs import JobRunner

    ext = app.extensions["coverplan"]
    c = app.test_client()
    job = c.post("/api/proposals", json={"type": "day_care", "model": "pmedian", "p": 150, "time_limit": 120,
                                         "name": "restart-victim"}).get_json()
    deadline = time.time() + 60
    old = ext["jobs"]
    # running, and the journal has heard so: a restart knows only what the journal holds, and the worker thread
    # records the start a moment after the state changes (the page could see "running" first)
    while c.get(f"/api/jobs/{job['id']}").get_json()["state"] != "running" or \
            old.journal.get(job["id"]).started is None:
        assert time.time() < deadline
        time.sleep(0.05)
    # what a restart does: a new runner on the same journal (the old one is stopped behind it)
    new = JobRunner(workers=1, journal=old.journal)
    new.owner_of, new.max_per_owner, new.wall_limit = old.owner_of, old.max_per_owner, old.wall_limit
    ext["jobs"] = new
    try:
        for lang, said in (("zh", "服务器已重启"), ("en", "server restarted")):
            listed = {j["id"]: j for j in c.get(f"/api/jobs?lang={lang}").get_json()}
            assert job["id"] in listed, listed
            j = listed[job["id"]]
            assert j["state"] == "interrupted" and said in j["message"]
            assert j["started"] is not None and j["started"] >= job["created"]
            assert "_job" not in j["params"] and j["params"]["name"] == "restart-victim" and "owner" not in j
        one = c.get(f"/api/jobs/{job['id']}").get_json()
        assert one["state"] == "interrupted" and one["started"] is not None and "_job" not in one["params"]
        # another client does not see it
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert job["id"] not in {j["id"] for j in other.get("/api/jobs").get_json()}
        # cancelling it: it has ended
        assert c.post(f"/api/jobs/{job['id']}/cancel").status_code == 409
    finally:
        old.cancel(job["id"])
        old.shutdown()


# -- 4. the network note for those who may not upload one ------------------------------------------------------------
def test_the_network_note_tells_county_planners_and_viewers_whom_to_ask(tmp_path):
    app = accounts_app(tmp_path, [("city", "planner", None), ("fang", "planner", "420325"), ("look", "viewer", None)])
    try:
        for name, may in (("city", True), ("fang", False), ("look", False)):
            c = signed_in(app, name)
            for lang in ("zh", "en"):
                page = c.get(f"/proposals?lang={lang}").get_data(as_text=True)
                # the note itself (the page carries every string for its scripts)
                page = re.search(r'id="network-note"[^>]*>(.*?)</span>', page, re.S).group(1)
                upload = "可在“数据管理”页上传" if lang == "zh" else "Upload an OpenStreetMap extract"
                ask = "请联系他们" if lang == "zh" else "ask one of them"
                assert (upload in page) is may and (ask in page) is not may, (name, lang)
            # and the upload itself is refused to those told to ask
            if not may:
                r = c.post("/api/data/uploads?kind=network", data={"kind": "network", "file": (io.BytesIO(b"x"), "a.osm")},
                           content_type="multipart/form-data")
                assert r.status_code == 403, r.data[:200]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_list_page_has_an_author_column(client):
    # under the date (a ninth column pushed the list past its card at 1,100 px: test_qa20_pages_b)
    page = client.get("/proposals?lang=en").get_data(as_text=True)
    assert '<th class="created-by">Created · Made by</th>' in page
    js = client.get("/static/proposals.js").get_data(as_text=True)
    assert "<div class='owner muted'>\" + esc(r.owner_name" in js


def test_an_upgrade_with_nothing_to_upgrade_says_so(client, monkeypatch):
    from web import capacity_proposals

    monkeypatch.setattr(capacity_proposals, "upgrade_limit", lambda *a, **k: 0)
    for lang, said in (("zh", "当前数据中没有农村福利院"), ("en", "has no Rural welfare home")):
        r = client.post(f"/api/proposals?lang={lang}", json={"type": "welfare_home", "kind": "upgrade"})
        assert r.status_code == 400
        msg = r.get_json()["message"]
        assert said in msg and "0" not in msg.replace("10,000", ""), msg
