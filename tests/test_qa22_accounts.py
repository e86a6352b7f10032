"""QA sweep 22 (hostile client), accounts, jobs and the security layer:

1. an admin could take his own admin role away (then could no longer open /admin to undo it), although
   disabling his own account was refused: both are refused, and /admin offers neither on his own row;
2. ``{"role": null}`` was answered "Nothing to change: ... is already active": an unknown role, listing them;
3. a finished job's message stayed at its last stage, "saving" (保存方案): it says done, as a cancelled
   job says cancelled;
4. a rename with ``was: {"name": null}`` was a 409 "someone else changed this proposal" when nobody had:
   a 400 like other non-text values;
5. an empty ``Referer`` was refused as coming from "another site, “”": taken as absent (the Origin and
   the token still guard the write); an empty ``Origin`` is refused saying it is empty.
"""
from __future__ import annotations

import threading

import pytest
from browser import browser, page, poll_js  # noqa: F401  (fixtures)
from browser import Server
from conftest import plain_client

from accounts import PW, accounts_app, signed_in


@pytest.fixture(scope="module")
def acc(tmp_path_factory):
    """A server with logins (the open ``app`` of conftest serves the jobs and headers tests)."""
    app = accounts_app(tmp_path_factory.mktemp("qa22acc"),
                       (("boss", "admin", None), ("boss2", "admin", None), ("li", "viewer", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def role_of(app, name: str) -> str:
    return app.extensions["coverplan"]["users"].by_name(name).role


# -- 1. one's own admin role stays, as one's own account does ------------------------------------------
@pytest.mark.parametrize("role", ["viewer", "planner"])
def test_an_admin_cannot_take_his_own_admin_role_away(acc, role):
    boss = signed_in(acc, "boss")
    for lang, said in (("en", "You cannot remove your own administrator role: ask another administrator to change it."),
                       ("zh", "不能取消自己的管理员角色：请由另一位管理员修改。")):
        r = boss.patch(f"/api/admin/users/boss?lang={lang}", json={"role": role})
        assert r.status_code == 400, r.get_json()
        assert r.get_json()["message"] == said and r.get_json()["details"] == {"field": "role"}
    assert role_of(acc, "boss") == "admin"
    assert boss.get("/api/admin/users").status_code == 200  # still an admin
    # another admin may (the last-admin rule aside), and back
    other = signed_in(acc, "boss2")
    assert other.patch("/api/admin/users/boss", json={"role": role}).status_code == 200
    assert role_of(acc, "boss") == role
    assert other.patch("/api/admin/users/boss", json={"role": "admin"}).status_code == 200


def test_own_account_changes_that_keep_the_role_are_as_before(acc):
    boss = signed_in(acc, "boss")
    same = boss.patch("/api/admin/users/boss?lang=en", json={"role": "admin"})
    assert same.status_code == 400 and same.get_json()["message"].startswith("Nothing to change")
    off = boss.patch("/api/admin/users/boss?lang=en", json={"disabled": True})
    assert off.status_code == 400 and off.get_json()["message"] == "You cannot disable your own account."
    assert boss.patch("/api/admin/users/li", json={"role": "planner"}).status_code == 200  # others' roles change
    assert boss.patch("/api/admin/users/li", json={"role": "viewer"}).status_code == 200


# -- 2. {"role": null} is an unknown role ------------------------------------------------------------------
@pytest.mark.parametrize("who", ["li", "boss"])
def test_a_null_role_is_an_unknown_role(acc, who):
    boss = signed_in(acc, "boss")
    for lang, said in (("en", "Unknown role null: use viewer, planner or admin."),
                       ("zh", "未知角色 null：可选 viewer（查看）、planner（规划）或 admin（管理员）。")):
        r = boss.patch(f"/api/admin/users/{who}?lang={lang}", json={"role": None})
        assert r.status_code == 400 and r.get_json()["message"] == said, r.get_json()
        assert r.get_json()["details"] == {"field": "role"}
    # with another field beside it too: the role is what is wrong
    r = boss.patch(f"/api/admin/users/{who}?lang=en", json={"role": None, "disabled": False})
    assert r.get_json()["message"] == "Unknown role null: use viewer, planner or admin."
    assert role_of(acc, who) == {"li": "viewer", "boss": "admin"}[who]


# -- 3. a finished job says done ---------------------------------------------------------------------------
def test_a_finished_proposal_job_says_done(client):
    r = client.post("/api/proposals?wait=120&lang=en", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.data[:300]
    job = r.get_json()
    assert job["state"] == "done" and job["message"] == "done"
    assert client.get(job["url"] + "?lang=en").get_json()["message"] == "done"
    assert client.get(job["url"] + "?lang=zh").get_json()["message"] == "完成"  # as a road-network build's
    listed = {j["id"]: j for j in client.get("/api/jobs?lang=zh").get_json()}
    assert listed[job["id"]]["message"] == "完成"


# -- 4. was.name null ----------------------------------------------------------------------------------------
def test_a_null_name_the_page_showed_is_a_bad_parameter_not_a_conflict(client):
    r = client.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    pid = r.get_json()["proposal"]["id"]
    bad = client.patch(f"/api/proposals/{pid}?lang=en", json={"name": "q4", "was": {"name": None}})
    assert bad.status_code == 400, bad.get_json()
    assert bad.get_json()["message"].startswith("Bad parameter was=") and "name and/or note" in bad.get_json()["message"]
    assert client.get(f"/api/proposals/{pid}").get_json()["name"] != "q4"
    # a null note is "no note", as before
    ok = client.patch(f"/api/proposals/{pid}?lang=en", json={"note": "n", "was": {"note": None}})
    assert ok.status_code == 200, ok.get_json()


# -- 5. an empty Referer or Origin ---------------------------------------------------------------------------
def token_client(app, **headers):
    """A client with the CSRF cookie and token, sending exactly ``headers`` (no Origin of its own)."""
    c = plain_client(app)
    c.set_cookie("cp_csrf", "t" * 40)
    return c, {"X-CSRF-Token": "t" * 40, **headers}


@pytest.mark.parametrize("referer", ["", "   "])
def test_an_empty_referer_is_taken_as_absent(client, app, referer):
    c, headers = token_client(app, Referer=referer)
    r = c.post("/api/jobs/nojob/cancel?lang=en", headers=headers)
    assert r.status_code == 404, r.get_json()  # past the checks: the job is unknown
    # the token still guards it
    r = plain_client(app).post("/api/jobs/nojob/cancel?lang=en", headers={"Referer": referer})
    assert r.status_code == 403 and r.get_json()["error"] == "CSRFTokenMissing"
    # and an Origin of another site still refuses it
    c, headers = token_client(app, Referer=referer, Origin="http://evil.example")
    r = c.post("/api/jobs/nojob/cancel?lang=en", headers=headers)
    assert r.status_code == 403 and "evil.example" in r.get_json()["message"]


def test_an_empty_origin_is_refused_saying_it_is_empty(client, app):
    for lang, said in (("en", "Refused: the request's Origin header is empty"), ("zh", "已拒绝：请求的 Origin 请求头为空")):
        c, headers = token_client(app, Origin="", Referer="http://localhost/proposals")
        r = c.post(f"/api/jobs/nojob/cancel?lang={lang}", headers=headers)
        assert r.status_code == 403 and r.get_json()["error"] == "CrossOrigin"
        assert r.get_json()["message"].startswith(said) and "“”" not in r.get_json()["message"]


# -- 1 on the page: /admin offers no change of one's own role or account ------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress.server import create_server

    app = accounts_app(tmp_path_factory.mktemp("qa22admin"), (("boss", "admin", None), ("boss2", "admin", None)),
                       CSRF_ENABLED=True)
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    yield Server(f"http://127.0.0.1:{srv.effective_port}", app)
    srv.close()
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_admin_page_offers_no_change_of_ones_own_role_or_account(page, lang):
    page.goto(page.base + f"/login?next=/admin&lang={lang}")
    page.fill("#login-name", "boss")
    page.fill("#login-password", PW)
    page.click("#login-submit")
    page.wait_for_url("**/admin*")
    poll_js(page, "!!document.querySelector(\"#users-table tr[data-name='boss2'] .u-role\")")
    mine, other = "#users-table tr[data-name='boss'] ", "#users-table tr[data-name='boss2'] "
    role_title = {"en": "You cannot remove your own administrator role: ask another administrator to change it",
                  "zh": "不能取消自己的管理员角色：请由另一位管理员修改"}[lang]
    disable_title = {"en": "You cannot disable your own account: ask another administrator to do it",
                     "zh": "不能停用自己的账号：请由另一位管理员操作"}[lang]
    for sel, title in ((".u-role", role_title), (".u-save", role_title), (".u-disable", disable_title)):
        assert page.is_disabled(mine + sel), sel
        assert page.get_attribute(mine + sel, "title") == title
        assert page.is_enabled(other + sel), sel  # another admin's row is as before
    assert page.is_disabled(mine + ".u-reset")  # QA 27: his own password is changed under 修改密码, not reset
