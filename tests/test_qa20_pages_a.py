"""QA sweep 20, pages (a): what a tester saw on the Data, Admin and Plan package pages, each fixed
with a test of the outcome.

1. A register without a type column could not finish the column-mapping step: the recheck ignored the
   type chosen after the check (400 every time); the recheck now takes ``type`` and the page sends it.
2. /admin on a server that asks for no login added accounts nobody would sign in with: the page says so
   and offers no add, the API answers 409 ``OpenMode``.
3. /plan mixed proposals solved on different data versions without a word: each one's version is shown
   (picker, the table's "after", the export) and a notice names those not on the current data.
4. /plan with nothing picked said "the after column equals the current state" above a column of dashes.
"""
from __future__ import annotations

import csv
import io

import pytest
from browser import browser, page, poll_js, server  # noqa: F401  (the suite's fixtures)
from planner.i18n import t

# six day-care centres in 城关镇 (房县), as the tester's daycare_oddheaders.xlsx: no type column, odd headers
POINTS = [(110.739602, 32.052030), (110.735852, 32.059675), (110.736159, 32.056474),
          (110.746091, 32.059377), (110.737901, 32.058377), (110.736558, 32.059538)]


def _odd_xlsx(path, name_header: str) -> str:
    import pandas as pd

    rows = [{name_header: f"日照中心QA{i}", "X坐标": x, "Y坐标": y, "所在乡镇": "城关镇", "日托位": 10 + i}
            for i, (x, y) in enumerate(POINTS)]
    pd.DataFrame(rows).to_excel(path, index=False)
    return str(path)


# -- 1. the mapping step of a register without a type column finishes --------------------------------
def _upload(client, path, **form):
    with open(path, "rb") as f:
        data = {"kind": "facilities", "type": "", "coords": "auto", "encoding": "", "crs": "", "note": "",
                "file": (io.BytesIO(f.read()), "daycare_oddheaders.xlsx"), **form}
    return client.post("/api/data/uploads?lang=en", data=data, content_type="multipart/form-data")


def test_a_recheck_takes_the_type_chosen_after_the_check(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        r = _upload(c, _odd_xlsx(tmp_path / "odd.xlsx", "站点"))
        # 站点 is no name header either: named missing beside the type (QA 25)
        assert r.status_code == 422 and r.get_json()["missing"] == ["type", "name"], r.data[:300]
        first = r.get_json()
        uid = first["upload_id"]
        cmap = {"name": "站点", "lon": "X坐标", "lat": "Y坐标", "township": "所在乡镇"}
        url = f"/api/data/uploads/{uid}/recheck?lang=en"
        # without a type, the planner is told to choose one: the card again, as the file has a capacity column
        # whose meaning hangs on the type (QA 33; a file without one gets the 400 naming the page's type field)
        r = c.post(url, json={"column_map": cmap})
        assert r.status_code == 422 and r.get_json()["missing"] == ["type"] and "type" in r.get_json()["message"]
        # an unknown type is a 404 naming the known ones; a type that is no text a 400; nothing kept
        assert c.post(url, json={"column_map": cmap, "type": "nope"}).status_code == 404
        assert c.post(url, json={"column_map": cmap, "type": 5}).status_code == 400
        # the type chosen: the report, every row of that type, and the confirm commits them
        r = c.post(url, json={"column_map": cmap, "type": "day_care"})
        assert r.status_code == 200, r.data[:400]
        rep = r.get_json()
        assert rep["counts"]["accepted"] == 6 and rep["counts"]["refused"] == 0
        assert rep["type"] == "day_care" and rep["layer"] == "facilities:day_care"
        assert rep["replaces"]["types"][0]["type"] == "day_care" and rep["replaces"]["types"][0]["incoming"] == 6
        # a later recheck without ``type`` keeps the type (e.g. a pick, or the page's recheck after a 409)
        again = c.post(url, json={}).get_json()
        assert again["type"] == "day_care" and again["counts"]["accepted"] == 6
        # the 422 said the type its check used ("" = the file's type column): the card starts from it
        assert first.get("type") == ""
        done = c.post(f"/api/data/uploads/{uid}/confirm")
        assert done.status_code == 200 and done.get_json()["layer"] == "facilities:day_care", done.data[:300]
        names = {row["name"] for row in c.get("/api/facilities?type=day_care&q=日照中心QA").get_json()["rows"]}
        assert names == {f"日照中心QA{i}" for i in range(6)}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def _check_file(page, path, lang):
    page.goto(page.base + f"/data?lang={lang}")
    page.set_input_files("#u-file", path)
    page.click("#u-check")
    poll_js(page, "!document.getElementById('mapping').hidden", timeout=60)


@pytest.mark.browser
@pytest.mark.parametrize("lang, header, where", [("zh", "站点", "form"), ("en", "点位", "card")])
def test_the_mapping_of_a_file_without_a_type_column_finishes(page, tmp_path, lang, header, where):
    """As the tester did: 设施类型 left on 按文件中的类型列, 校验, map 名称, choose the type (in the form above, or
    in the mapping card), 按此对应重新校验 → the report, not the same message again."""
    _check_file(page, _odd_xlsx(tmp_path / f"odd_{lang}.xlsx", header), lang)
    # the card offers the type of all rows, starting from the form's
    assert page.is_visible("#m-type-all")
    assert page.input_value("#m-type-all") == ""
    assert page.locator("label[for='m-type'] .need").is_visible()  # the type column required while no type
    page.select_option("#m-name", header)
    if where == "form":
        page.select_option("#u-type", "day_care")
        assert page.input_value("#m-type-all") == "day_care"  # the two say the same
    else:
        page.select_option("#m-type-all", "day_care")
        assert page.input_value("#u-type") == "day_care"
    assert not page.locator("label[for='m-type'] .need").is_visible()
    page.click("#m-apply")
    poll_js(page, "!document.getElementById('m-apply').disabled", timeout=60)  # the recheck answered
    assert page.is_visible("#report") and page.get_attribute("#report", "data-ready") == "1", \
        "no report; the card says: " + page.inner_text("#m-message")
    assert page.is_hidden("#mapping")
    counts = page.inner_text("#r-counts")
    assert ("可导入 6" if lang == "zh" else "accepted 6") in counts, counts
    assert not page.is_disabled("#r-confirm")
    # the report's own "change the mapping" keeps the type the check used
    page.click("#r-remap")
    assert page.input_value("#m-type-all") == "day_care"


# -- 2. an open server's admin page says nobody logs in here, and adds no account ---------------------
@pytest.mark.parametrize("config, says_en, says_zh", [
    ({"LISTEN_HOST": "127.0.0.1"}, "listens on this computer's address only (127.0.0.1)", "只在本机地址（127.0.0.1）上监听"),
    ({"LISTEN_HOST": "0.0.0.0", "AUTH": "open"}, "started with --auth open", "启动时加了 --auth open"),
    ({}, "not started by coverplan serve", "不是由 coverplan serve 启动的"),
])
def test_an_open_server_refuses_account_changes_saying_why(tmp_path, config, says_en, says_zh):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, **config})
    try:
        users = app.extensions["coverplan"]["users"]
        users.add("li", "viewer", None, password="a-long-password", must_change=False)
        c = app.test_client()
        # what hands out a one-time password: a new account, a reset
        answers = [c.post("/api/admin/users?lang=en", json={"name": "qa新人", "role": "planner", "county": "420323"}),
                   c.post("/api/admin/users/li/reset?lang=en")]
        for r in answers:
            body = r.get_json()
            assert r.status_code == 409 and body["error"] == "OpenMode", r.data[:300]
            assert says_en in body["message"] and says_zh in body["message_zh"]
            # when accounts take effect, and how to prepare them meanwhile (web/auth.py's rule)
            assert "--auth required" in body["message"] and "--host 0.0.0.0" in body["message"]
            assert "coverplan users add" in body["message"] and "coverplan users add" in body["message_zh"]
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in body["message_en"])
            assert body["details"]["login_required"] is False
        # nothing changed: no account added, li's password as it was
        listed = {u["name"]: u for u in c.get("/api/admin/users").get_json()}
        assert set(listed) == {"li"} and not listed["li"]["must_change"]
        assert users.authenticate("li", "a-long-password") is not None
        # a kept account's role is still set (it applies once the server asks for logins)
        assert c.patch("/api/admin/users/li", json={"role": "planner"}).status_code == 200
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    # the same requests on a server that asks for logins: accounts are added, no notice
    from accounts import accounts_app, signed_in

    (tmp_path / "login").mkdir()
    app = accounts_app(tmp_path / "login", [("boss", "admin", None)])
    try:
        boss = signed_in(app, "boss")
        r = boss.post("/api/admin/users", json={"name": "qa2", "role": "viewer"})
        assert r.status_code == 201 and r.get_json()["password"]
        assert "open-mode-notice" not in boss.get("/admin").get_data(as_text=True)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_open_admin_page_says_so_and_offers_no_add(page, lang):
    users = page.app.extensions["coverplan"]["users"]
    if not any(u.name == "wang" for u in users.list()):  # an account kept from a server that asked for logins
        users.add("wang", "planner", "420325", password="a-long-password", must_change=False)
    page.goto(page.base + f"/admin?lang={lang}")
    poll_js(page, "document.querySelector('#users-table tbody tr') !== null")
    assert page.locator("#open-mode-notice").count() == 1
    notice = page.inner_text("#open-mode-notice")
    assert ("本服务器不要求登录" if lang == "zh" else "This server does not ask for logins") in notice
    assert "--auth required" in notice and "coverplan users add" in notice
    if lang == "en":
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in notice)
    else:
        assert "账号只在要求登录的服务器上生效" in notice
    for sel in ("#nu-name", "#nu-role", "#nu-county", "#nu-submit"):
        assert page.is_disabled(sel), sel
    assert page.is_visible("#nu-open-mode")
    # the accounts kept in the database are listed, without the reset the server would refuse
    assert page.locator("#users-table tr[data-name='wang']").count() == 1
    assert page.is_disabled("#users-table tr[data-name='wang'] .u-reset")
    assert not page.is_disabled("#users-table tr[data-name='wang'] .u-role")
    assert page.is_hidden("#nu-result")


# -- 3. /plan names the data version each proposal was solved on ---------------------------------------
@pytest.fixture(scope="module")
def versions(server):
    """Proposals on two data versions: a complex package and a conversion on v0, a cemetery one on the current one."""
    c = server.app.test_client()

    def saved(body) -> str:
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.data[:300]
        return r.get_json()["proposal"]["id"]
    old = saved({"type": "elderly_complex", "model": "mclp", "p": 2, "name": "旧数据综合体"})
    conv = saved({"type": "welfare_home", "kind": "upgrade", "k": 3, "convert": True, "name": "旧数据转型"})
    # the registers the two were solved on: a complex and a welfare home added (QA 32: an edit of another type's
    # register, a day-care centre, leaves them on the current data)
    for type_key in ("elderly_complex", "welfare_home"):
        r = c.post("/api/data/edits", json={"action": "add", "type": type_key, "name": "QA版本站", "lon": 110.79, "lat": 32.64})
        assert r.status_code == 200, r.data[:300]
    now = r.get_json()["version"]
    new = saved({"type": "cemetery", "model": "mclp", "p": 2, "name": "新数据公墓"})
    return {"old": old, "conv": conv, "new": new, "now": now}


def _plan(page, ids, lang):
    page.goto(page.base + f"/plan?proposals={','.join(ids)}&lang={lang}")
    poll_js(page, "document.getElementById('plan-targets').dataset.ready === '1'", timeout=120)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_package_names_each_proposals_data_version(page, versions, lang):
    v = versions
    assert v["now"] >= 1
    _plan(page, [v["old"], v["conv"], v["new"]], lang)
    # the picker: each proposal's version, the old ones marked
    shown = page.evaluate("""Object.fromEntries([...document.querySelectorAll('#plan-proposals tbody tr')]
        .map(r => [r.dataset.id, r.querySelector('.p-version').innerText.replace(/\\s+/g, ' ').trim()]))""")
    stale_word = t("list_outdated", lang)  # the proposals list's word (QA 32: /plan said it another way)
    assert shown[v["old"]] == f"v0 {stale_word}" and shown[v["conv"]] == f"v0 {stale_word}"
    assert shown[v["new"]] == f"v{v['now']}"
    # the notice above the table names the proposals not solved on the current data, not the current one
    note = page.inner_text("#plan-version-note")
    assert page.is_visible("#plan-version-note") and f"v{v['now']}" in note
    assert "旧数据综合体" in note and "旧数据转型" in note and "新数据公墓" not in note
    if lang == "en":
        assert "not solved on the current data" in note
    # each target's "after": the versions of the proposals behind it (a conversion under its role's target)
    line = lambda key: page.inner_text(f"#plan-targets tr[data-key='{key}'] td.after .target-versions")  # noqa: E731
    assert "v0" in line("elderly_complex_new_2025") and f"v{v['now']}" in line("elderly_complex_new_2025")
    assert "v0" in line("regional_center_new_2025")
    assert f"v{v['now']}" in line("cemetery_new_2025") and "v0" not in line("cemetery_new_2025")
    assert page.get_attribute("#plan-targets tr[data-key='elderly_complex_new_2025'] .target-versions", "data-stale") == "1"
    assert page.get_attribute("#plan-targets tr[data-key='cemetery_new_2025'] .target-versions", "data-stale") == "0"
    # only the proposal on the current data: no notice
    page.uncheck(f"#plan-proposals input[value='{v['old']}']")
    page.uncheck(f"#plan-proposals input[value='{v['conv']}']")
    poll_js(page, "document.getElementById('plan-targets').dataset.ready === '1' && "
                  "!document.querySelector(\"#plan-targets tr[data-type='elderly_complex'][data-after='1']\")", timeout=120)
    assert page.is_hidden("#plan-version-note")


def _csv(client, url):
    return list(csv.reader(io.StringIO(client.get(url).data.decode("utf-8-sig"))))


def test_the_plan_export_names_each_proposals_data_version(server, versions):
    v, c = versions, server.app.test_client()
    rows = _csv(c, f"/plan/targets.csv?proposals={v['old']},{v['new']}&lang=zh")
    title = rows[0][0]
    assert "旧数据综合体（数据版本 v0）" in title and f"新数据公墓（数据版本 v{v['now']}）" in title
    assert f"其中旧数据综合体（数据版本 v0）不是在当前数据 v{v['now']} 上求解的" in title
    ec = next(r for r in rows[2:] if r[0] == "乡镇(街道)养老服务综合体" and r[1].startswith("2025年新建"))
    assert f"方案求解所用数据：v0（当前 v{v['now']}）" in ec[6]
    cem = next(r for r in rows[2:] if r[0] == "城乡公益性公墓" and r[1].startswith("新建"))
    assert "方案求解所用数据" not in cem[6]  # on the current data: nothing to say on the row
    rows = _csv(c, f"/plan/targets.csv?proposals={v['old']}&lang=en")
    assert "(data version v0)" in rows[0][0] and f"not solved on the current data v{v['now']}" in rows[0][0]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in rows[0][0].replace("旧数据综合体", "").replace("示意", ""))
    # only proposals on the current data: no such sentence
    rows = _csv(c, f"/plan/targets.csv?proposals={v['new']}&lang=en")
    assert "not solved on the current data" not in rows[0][0] and f"(data version v{v['now']})" in rows[0][0]


# -- 4. /plan with nothing picked: the after column is the current state, as the line above says ------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_with_nothing_picked_the_after_column_is_the_current_state(page, lang):
    page.goto(page.base + f"/plan?lang={lang}")
    poll_js(page, "document.getElementById('plan-targets').dataset.ready === '1'", timeout=120)
    summary = page.inner_text("#plan-summary")
    assert ("equals the current state" if lang == "en" else "与现状相同") in summary
    cells = page.evaluate("""[...document.querySelectorAll('#plan-targets tbody tr')].map(r => [
        r.querySelector('td:nth-child(3) .plan-value').innerText, r.querySelector('td.after').innerText])""")
    assert len(cells) >= 10
    for now, after in cells:
        assert after.startswith(now) and "–" not in after, (now, after)
    # the badge beside it as beside the current value
    assert page.locator("#plan-targets td.after .st").count() == len(cells)
    assert page.is_hidden("#plan-version-note")
