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


# -- proposed sites are named in the page's language: the generated words translated, the place kept --------
@pytest.fixture(scope="module")
def proposal(client):
    resp = client.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 3})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["proposal"]["id"]


def test_proposed_sites_are_named_in_english_on_english_pages(client, proposal):
    rec = client.get(f"/api/proposals/{proposal}?lang=en").get_json()
    names = [s["name"] for s in rec["sites"]]
    # English pages showed 拟建五堰街道养老服务综合体
    assert names and all(n.endswith(" – proposed township elderly-service complex") for n in names), names
    zh = [s["name"] for s in client.get(f"/api/proposals/{proposal}?lang=zh").get_json()["sites"]]
    assert all(n.startswith("拟建") for n in zh), zh
    # the place is the one the Chinese name holds
    for en, z in zip(names, zh):
        assert en.split(" – ", 1)[0] in z
    page = client.get(f"/proposals/{proposal}?lang=en").get_data(as_text=True)
    assert names[0] in page and zh[0] not in page
    layer = client.get(f"/api/proposals/{proposal}/layers?lang=en").get_json()["sites"]
    assert {f["properties"]["name"] for f in layer["features"]} == set(names)
    brief = client.get(f"/proposals/{proposal}/brief?lang=en").get_data(as_text=True)
    assert names[0] in brief


def test_the_offline_map_names_proposed_sites_in_its_language(client, proposal):
    en = [s["name"] for s in client.get(f"/api/proposals/{proposal}?lang=en").get_json()["sites"]]
    html = client.get(f"/proposals/{proposal}/export.html?lang=en").get_data(as_text=True)
    assert en[0] in html and "拟建" not in html
    html = client.get(f"/proposals/{proposal}/export.html?lang=zh").get_data(as_text=True)
    assert "拟建" in html and "proposed township" not in html


def test_the_english_export_names_proposed_sites_in_english(client, proposal):
    import csv
    import io

    en = client.get(f"/api/proposals/{proposal}.csv?lang=en").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(en.lstrip("\ufeff"))))
    col = rows[1].index("Name") if "Name" in rows[1] else rows[1].index("name")
    assert all(r[col].endswith(" – proposed township elderly-service complex") for r in rows[2:] if r), rows[2:4]
    zh = client.get(f"/api/proposals/{proposal}.csv?lang=zh").get_data(as_text=True)
    assert "拟建" in zh


def test_a_deleted_proposals_404_names_the_no_login_user_as_the_audit_log_does(client):
    pid = client.post("/api/proposals?wait=120", json={"type": "cemetery", "model": "mclp", "p": 1}) \
        .get_json()["proposal"]["id"]
    assert client.delete(f"/api/proposals/{pid}").status_code == 200
    for lang, who in (("zh", "本机（免登录）"), ("en", "local (no login)")):
        resp = client.patch(f"/api/proposals/{pid}?lang={lang}", json={"name": "x"})
        assert resp.status_code == 404
        msg = resp.get_json()["message"]
        # it said "被 local 删除": the account name of the server's no-login user
        assert who in msg and " local " not in msg.replace(who, ""), msg


def test_an_old_job_audit_entry_says_its_kind_in_words():
    from web.auth import audit_detail_text

    assert audit_detail_text({"kind": "proposal"}, "zh") == "方案计算"
    assert audit_detail_text({"kind": "network"}, "en") == "road-network import"


# -- an upgrade solved again on data with fewer facilities: K lowered, said in the note ----------------------
def test_an_upgrade_solved_again_on_fewer_facilities_lowers_k_and_says_so(tmp_path):
    import io

    from geo.regions import load_region
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "CSRF_ENABLED": False})
    c = app.test_client()
    try:
        made = c.post("/api/proposals?wait=120", json={"type": "welfare_home", "kind": "upgrade", "k": 5})
        assert made.status_code == 201, made.get_json()
        pid = made.get_json()["proposal"]["id"]
        # a register of three welfare homes, with beds, replaces the sample's 68
        v = load_region("shiyan").villages
        rows = "\n".join(f"院{i},农村福利院,{g.x:.6f},{g.y:.6f},40" for i, g in enumerate(v.geometry.iloc[[5, 300, 900]]))
        body = f"名称,类型,经度,纬度,床位数\n{rows}\n".encode()
        rep = c.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
                     data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home", "replace": "city",
                           "file": (io.BytesIO(body), "three.csv")}).get_json()
        assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
        resp = c.post(f"/api/proposals/{pid}/rerun?lang=en")
        # was 400 "Bad parameter k (How many (K)) = 5: expected at most 3"
        assert resp.status_code == 202, resp.get_json()
        job = resp.get_json()
        for _ in range(240):
            job = c.get(f"/api/jobs/{job['id']}").get_json()
            if job["state"] in ("done", "failed", "cancelled"):
                break
            import time
            time.sleep(0.5)
        assert job["state"] == "done", job
        new = c.get(f"/api/proposals/{job['result']['proposal_id']}?lang=en").get_json()
        assert new["params"]["k"] == 3 and len(new["sites"]) == 3
        assert "Solved again with K = 3, not 5" in new["note"], new["note"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_too_large_upload_gives_its_limit_in_details(tmp_path):
    import io

    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "CSRF_ENABLED": False, "MAX_CONTENT_LENGTH": 1024})
    try:
        resp = app.test_client().post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                                      data={"kind": "facilities", "file": (io.BytesIO(b"x" * 5000), "big.csv")})
        assert resp.status_code == 413
        # API.md promises details.limit on every 413; the upload's gave only the path
        assert resp.get_json()["details"]["limit"] == 1024
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
