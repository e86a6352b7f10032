"""QA 32: a login an administrator ended says why at its next request, and a finished job is not "saving".

1. An account disabled mid-session got 401 LoginRequired "请先登录。" on its next request; a password reset the same.
   Now 401 AccountDisabled / PasswordReset with the reason in both languages (a page: the login page says it), told
   only to a cookie holding that very login (web/users.py ended_sessions): any other cookie still gets LoginRequired.
2. GET /api/jobs/<id> answered "state": "done" with "saving": true (web/jobs.py never cleared the flag).
"""
from __future__ import annotations

import re
import secrets
import threading

import pytest

from accounts import PW, accounts_app, signed_in

EN = {"Accept-Language": "en"}


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, [("boss", "admin", None), ("wang", "planner", None), ("li", "viewer", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def users_of(app):
    return app.extensions["coverplan"]["users"]


def login_says(client, url: str = "/login") -> str | None:
    """What the login page's message line says (not the string catalogue every page carries), or None."""
    m = re.search(r'id="login-error"[^>]*>(.*?)</p>', client.get(url).get_data(as_text=True), re.S)
    return m.group(1) if m else None


# -- 1. a login ended by an administrator ----------------------------------------------------------------
def test_a_disabled_accounts_next_api_call_says_it_was_disabled_in_both_languages(app):
    wang, boss = signed_in(app, "wang"), signed_in(app, "boss")
    assert wang.get("/api/me").status_code == 200
    assert boss.patch("/api/admin/users/wang", json={"disabled": True}).status_code == 200
    r = wang.get("/api/me")
    j = r.get_json()
    assert r.status_code == 401 and j["error"] == "AccountDisabled", j
    assert "管理员停用" in j["message"] and j["message"] == j["message_zh"]
    assert "disabled by an administrator" in j["message_en"]
    assert j["details"]["session_ended"] == "disabled"
    en = wang.get("/api/me?lang=en").get_json()
    assert en["error"] == "AccountDisabled" and en["message"] == en["message_en"], en
    # an edit is told the same (not a CSRF or role refusal), and so is every later call
    r = wang.post("/api/proposals", json={"type": "elderly_complex", "model": "mclp", "p": 1})
    assert r.status_code == 401 and r.get_json()["error"] == "AccountDisabled"
    assert wang.get("/api/types").get_json()["error"] == "AccountDisabled"
    # the other sessions go on
    assert boss.get("/api/me").get_json()["name"] == "boss"


def test_a_disabled_accounts_page_goes_to_the_login_page_which_says_why(app):
    wang = signed_in(app, "wang")
    users_of(app).update("wang", disabled=True)  # as `coverplan users disable wang` does it
    r = wang.get("/map/day_care")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert login_says(wang, r.headers["Location"]).startswith("您的账号已被管理员停用")
    assert login_says(wang, "/login?lang=en").startswith("Your account was disabled by an administrator")
    # a login page without such a cookie says nothing of it
    assert login_says(app.test_client()) is None


def test_a_password_reset_says_so_to_the_login_it_ended(app):
    wang, boss = signed_in(app, "wang"), signed_in(app, "boss")
    r = boss.post("/api/admin/users/wang/reset")
    assert r.status_code == 200
    j = wang.get("/api/me").get_json()
    assert j["error"] == "PasswordReset" and j["message"].startswith("管理员已重置您的密码"), j
    assert "An administrator reset your password" in j["message_en"]
    assert login_says(wang).startswith("管理员已重置您的密码")
    # he logs in with the one-time password: the message is gone, the new login works
    assert wang.post("/login", json={"name": "wang", "password": r.get_json()["password"]}).status_code == 200
    assert wang.get("/api/me").get_json()["error"] == "PasswordChangeRequired"  # signed in, one-time password
    assert login_says(wang) is None


def test_a_password_changed_in_another_session_ends_this_one_saying_so(app):
    here, there = signed_in(app, "wang"), signed_in(app, "wang")
    r = there.post("/account/password", json={"current": PW, "new": "a-new-password-1", "again": "a-new-password-1"})
    assert r.status_code == 200, r.get_json()
    assert there.get("/api/me").status_code == 200  # the one that changed it goes on
    j = here.get("/api/me?lang=en").get_json()
    assert j["error"] == "PasswordChanged" and "Your password was changed" in j["message"], j


def test_disabled_then_enabled_again_says_log_in_again_and_the_login_works(app):
    wang = signed_in(app, "wang")
    users_of(app).update("wang", disabled=True)
    users_of(app).update("wang", disabled=False)
    j = wang.get("/api/me").get_json()
    assert j["error"] == "SessionEnded" and "重新启用" in j["message"], j
    assert wang.post("/login", json={"name": "wang", "password": PW}).status_code == 200
    assert wang.get("/api/me").get_json()["name"] == "wang"


def test_no_reason_is_told_to_any_other_cookie(app):
    users = users_of(app)
    wang, gone = signed_in(app, "wang"), signed_in(app, "wang")
    gone.post("/logout")  # a login ended by its holder: plain "please log in"
    uid = users.by_name("wang").id
    users.update("wang", disabled=True)
    assert wang.get("/api/me").get_json()["error"] == "AccountDisabled"  # the control: his login is told
    assert gone.get("/api/me").get_json()["error"] == "LoginRequired"

    never = app.test_client()  # no cookie at all
    r = never.get("/api/me")
    assert r.status_code == 401 and r.get_json()["error"] == "LoginRequired"
    assert "停用" not in r.get_json()["message"]

    junk = app.test_client()  # a cookie of random bytes (not signed by the server)
    junk.set_cookie("session", secrets.token_urlsafe(40))
    assert junk.get("/api/me").get_json()["error"] == "LoginRequired"

    forged = app.test_client()  # a signed session naming his account, with a login token he was never given
    stamp = users.get(uid).stamp
    with forged.session_transaction() as s:
        s["_user_id"] = f"{uid}:{stamp}:{secrets.token_hex(16)}"
    r = forged.get("/api/me")
    assert r.status_code == 401 and r.get_json()["error"] == "LoginRequired", r.get_json()
    assert login_says(forged) is None

    li = signed_in(app, "li")  # another account's login, valid, is not told of his
    with li.session_transaction() as s:  # nor a cookie of another account carrying his ended token's account
        s["_user_id"] = f"{users.by_name('li').id}:{users.by_name('li').stamp}:deadbeef"
    assert li.get("/api/me").get_json()["error"] == "LoginRequired"


def test_a_rename_keeps_the_login(app):
    wang, boss = signed_in(app, "wang"), signed_in(app, "boss")
    assert boss.patch("/api/admin/users/wang", json={"name": "wang2"}).status_code == 200
    r = wang.get("/api/me")
    assert r.status_code == 200 and r.get_json()["name"] == "wang2"


def test_the_store_keeps_why_only_for_the_logins_it_ended(tmp_path):
    from web.users import UserStore

    store = UserStore(tmp_path / "p.sqlite")
    u, _ = store.add("sun", "planner", password=PW, must_change=False)
    a, b = store.open_session(u), store.open_session(u)
    store.close_session(b.session)
    store.set_password("sun")  # a reset
    assert store.session_ended(u.id, a.session) == "reset"
    assert store.session_ended(u.id, b.session) is None  # logged out before
    assert store.session_ended("someone-else", a.session) is None
    assert store.session_ended(u.id, "") is None
    c = store.open_session(store.get(u.id))
    store.update("sun", disabled=True)
    assert store.session_ended(u.id, c.session) == "disabled"


# -- 2. a finished job is not saving ---------------------------------------------------------------------
def test_a_job_done_after_its_save_is_not_saving(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    jobs = app.extensions["coverplan"]["jobs"]
    try:
        def fn(progress, should_stop):
            progress(0.95, "saving")
            return {"proposal_id": "plan-1"}

        job = jobs.submit("proposal", fn, {"type": "elderly_complex"})
        done = jobs.wait(job.id, 10)
        assert done.state == "done" and done.saving is False
        j = app.test_client().get(f"/api/jobs/{job.id}").get_json()
        assert j["state"] == "done" and j["saving"] is False, j
    finally:
        jobs.shutdown()


def test_a_job_failed_in_its_save_is_not_saving_and_a_poll_never_reads_both():
    from web.jobs import JobRunner

    runner = JobRunner(workers=1)
    try:
        at_save, release = threading.Event(), threading.Event()

        def fn(progress, should_stop):
            progress(0.95, "saving")
            at_save.set()
            release.wait(10)
            raise RuntimeError("disk full")

        job = runner.submit("proposal", fn, {})
        assert at_save.wait(10)
        assert job.to_dict()["saving"] is True and job.state == "running"  # while it saves, it says so
        seen = []
        stop = threading.Event()

        def poll():
            while not stop.is_set():
                d = job.to_dict()
                seen.append((d["state"], d["saving"]))

        t = threading.Thread(target=poll)
        t.start()
        release.set()
        done = runner.wait(job.id, 10)
        stop.set()
        t.join(5)
        assert done.state == "failed" and done.saving is False and done.to_dict()["saving"] is False
        assert not [x for x in seen if x[0] in ("done", "failed", "cancelled") and x[1]], seen[-5:]
    finally:
        release.set()
        runner.shutdown()


# -- 1, in the browser: a page whose login an administrator ended says why --------------------------------
@pytest.mark.browser
def test_a_page_whose_account_was_disabled_says_so_in_its_notice(tmp_path):
    from browser import ARGS, CHROMIUM, playwright, poll_js, served
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed")
    app = accounts_app(tmp_path, [("boss", "admin", None), ("wang", "planner", None)])
    with served(app) as base, playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pg = b.new_context(locale="en-US", bypass_csp=True).new_page()
            pg.set_default_timeout(30_000)
            pg.goto(base + "/login?lang=en")
            pg.fill("#login-name", "wang")
            pg.fill("#login-password", PW)
            with pg.expect_navigation():
                pg.click("#login-submit")
            users_of(app).update("wang", disabled=True)
            answer = pg.evaluate("() => CP.json('/api/me').then(() => 'ok', e => e.error)")
            assert answer == "AccountDisabled"
            poll_js(pg, "!!document.getElementById('cp-login-ended')")
            box = pg.locator("#cp-login-ended")
            assert box.count() == 1 and "disabled by an administrator" in box.inner_text()
            assert box.locator("a").get_attribute("href").startswith("/login?next=")
        finally:
            b.close()


@pytest.mark.parametrize("how", ["disabled", "other tab"])
def test_log_out_pressed_after_the_login_ended_goes_to_the_login_page(tmp_path, how):
    """Round 3: 退出 on a page whose login had ended (the account disabled, or logged out in another tab) showed a raw
    JSON error page; it goes to the login page, which says why."""
    app = accounts_app(tmp_path, [("boss", "admin", None), ("wang", "planner", None)])
    c = signed_in(app, "wang")
    if how == "disabled":
        users_of(app).update("wang", disabled=True)
    else:
        other = app.test_client()
        with c.session_transaction() as s, other.session_transaction() as o:
            o.update(dict(s))
        assert other.post("/logout").status_code == 302
    r = c.post("/logout", data={}, headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 302 and r.headers["Location"].split("?")[0].endswith("/login"), r.data[:200]
    page = c.get("/login?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert ("disabled by an administrator" in page) if how == "disabled" else ("signed out" in page.lower()
                                                                                 or "logged out" in page.lower())
