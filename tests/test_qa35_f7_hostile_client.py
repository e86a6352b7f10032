"""QA 35 (fixer F7): what a hostile API client found.

1. ``GET /api/proposals/<id>.csv?type=cemetery`` (and .xlsx, and ``?type=nonsense``) answered 200 with the title row's
   示意 label of the cemetery register, not of the proposal's own type: a proposal's table takes its type from the
   proposal, and ``type`` is refused as the .geojson refuses it ("除 lang 外不接受参数").
2. A CSV register of 715,501 rows was parsed whole (15-50 s, ~900 MB) before the row count refused it; a workbook
   stops at MAX_ROWS. The CSV reader stops there too, and says so in the workbook's words.
3. A 405 said only "The method is not allowed" and sent no Allow header.
4. Two identical ``POST /api/proposals`` at once saved two identical proposals.
5. ``POST /api/proposals?wait=`` (empty) was quietly no wait (202); an empty k=, year= is a 400.
6. A form-encoded ``PATCH /api/proposals/<id>`` carrying csrf_token got ``body="" 无效``, and the clear "must be sent
   as JSON" message said ``（本次为 none）`` in Chinese.
"""
from __future__ import annotations

import io
import threading
import time

import pytest
from openpyxl import load_workbook

from accounts import accounts_app, signed_in
from conftest import plain_client
from geo import tables
from geo.errors import InputDataError
from test_qa27_provenance import day_care_register, upload

YUNXI = "420322"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa35f7"), (("boss", "admin", None), ("city", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def boss(app):
    return signed_in(app, "boss")


@pytest.fixture(scope="module")
def day_care(app, boss, shiyan):
    """A day-care proposal solved after a day-care register was imported: its export's 示意 label differs from a
    type whose register is the sample (the cemetery's)."""
    body, _, _ = day_care_register(shiyan)
    rep = upload(boss, body, "日照名录.csv", type="day_care", replace="city").get_json()
    assert boss.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    r = boss.post("/api/proposals?wait=120", json={"type": "day_care", "p": 1, "county": YUNXI, "name": "qa35f7日照"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]["id"]


def _title(resp, fmt: str) -> str:
    if fmt == "csv":
        return resp.get_data().decode("utf-8-sig").splitlines()[0]
    return str(load_workbook(io.BytesIO(resp.get_data())).active["A1"].value)


# -- 1. a proposal's table takes its type from the proposal -----------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_proposal_table_refuses_type_and_keeps_its_own_label(boss, day_care, fmt):
    own = boss.get(f"/api/proposals/{day_care}.{fmt}?lang=zh")
    assert own.status_code == 200
    title = _title(own, fmt)
    assert "日照名录.csv" in title and "设施名录为合成数据" not in title, title
    for value in ("cemetery", "nonsense"):
        for lang, words in (("zh", "除 lang 外不接受参数"), ("en", "takes no parameters but lang")):
            r = boss.get(f"/api/proposals/{day_care}.{fmt}?type={value}&lang={lang}")
            assert r.status_code == 400, (value, _title(r, fmt) if r.status_code == 200 else r.data[:200])
            body = r.get_json()
            assert body["details"]["parameters"] == ["type"] and words in body["message"], body["message"]
    # the geojson said so already: the same words
    assert boss.get(f"/api/proposals/{day_care}.geojson?type=cemetery").status_code == 400


def test_the_checklist_export_still_reads_its_type(boss, day_care):
    r = boss.get("/api/townships.csv?type=cemetery&lang=zh")
    assert r.status_code == 200
    assert "设施名录为合成数据" in _title(r, "csv")


# -- 2. a CSV far over the row limit stops being read there ----------------------------------------------------------
def test_a_csv_over_the_row_limit_is_refused_where_it_passes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 50)
    rows = ["名称,类型,经度,纬度"] + [f"r{i},day_care,110.7,32.0" for i in range(200)]
    rows.insert(30, ",,,")  # a row of separators only holds no value: not counted
    # past the limit an unclosed quote: a reader that went on would refuse the file for it instead
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + '\n"unclosed,day_care,110.7,32.0\n', encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        tables.read_table(path, header_names=frozenset({"名称", "类型", "经度", "纬度"}))
    en, zh = e.value.message("en"), e.value.message("zh")
    assert "the file has more than 50 rows; a register or list has at most 50. The file was not read further." in en
    assert "文件超过 50 行，名录或清单最多 50 行；文件未继续读取。" in zh
    assert e.value.details["line"] == 52 and e.value.details["limit"] == 50  # header + 50 rows + the blank one
    # at the limit (the header and 49 rows, the blank one not counted): read
    path.write_text("\n".join(rows[:51]) + "\n", encoding="utf-8")
    assert len(tables.read_table(path).frame) == 49


def test_a_big_csv_upload_is_refused_at_once_in_the_workbooks_words(boss):
    n = tables.MAX_ROWS + 20_000
    body = ("名称,类型,经度,纬度\n" + "r,day_care,110.7,32.0\n" * n).encode("utf-8")
    start = time.monotonic()
    r = upload(boss, body, "many.csv", type="day_care")
    took = time.monotonic() - start
    assert r.status_code == 400, r.data[:300]
    msg = r.get_json()["message"]
    assert f"文件超过 {tables.MAX_ROWS:,} 行，名录或清单最多 {tables.MAX_ROWS:,} 行" in msg, msg
    assert f"{n:,}" not in msg  # never a total it did not count
    assert took < 20, took  # (it parsed every row, then checked their types: some seconds more a 100,000)


# -- 3. a 405 says which method to use -------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path,allowed_en,allowed_zh", [
    ("GET", "/api/data/rollback", "POST", "POST"),
    ("PUT", "/api/proposals", "GET or POST", "GET 或 POST"),
])
def test_a_405_sends_allow_and_names_the_methods(boss, method, path, allowed_en, allowed_zh):
    for lang in ("zh", "en"):
        r = boss.open(f"{path}?lang={lang}", method=method)
        assert r.status_code == 405
        allow = {m.strip() for m in r.headers.get("Allow", "").split(",")}
        assert set(allowed_en.split(" or ")) <= allow, r.headers.get("Allow")
        body = r.get_json()
        assert body["message_en"] == f"This address does not take {method} requests: use {allowed_en}."
        assert body["message_zh"] == f"该地址不接受 {method} 请求，请改用 {allowed_zh}。"
        assert body["message"] == body[f"message_{lang}"] and body["details"]["allowed"] == allowed_en.split(" or ")


def test_a_405_page_names_the_method_too(boss):
    r = boss.post("/?lang=zh")
    assert r.status_code == 405 and "GET" in r.headers.get("Allow", "")
    assert "该地址不接受 POST 请求，请改用 GET。" in r.get_data(as_text=True)


# -- 4. a double submit saves one proposal ----------------------------------------------------------------------------
def _mine(app, name: str) -> list[dict]:
    return [r for r in app.extensions["coverplan"]["store"].list() if r.get("name") == name]


def test_two_identical_posts_at_once_save_one_proposal(app):
    body = {"type": "cemetery", "model": "lscp", "county": YUNXI, "name": "qa35f7-dup"}
    clients = [signed_in(app, "city"), signed_in(app, "city")]  # one account, two logins (two tabs, a retry)
    gate, answers = threading.Barrier(2), []

    def post(c):
        gate.wait()
        answers.append(c.post("/api/proposals?wait=120&lang=en", json=body))

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    [t.start() for t in threads]
    [t.join(150) for t in threads]
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 201], [r.get_json() for r in answers]
    first, again = sorted(answers, key=lambda r: r.status_code, reverse=True)
    pid = first.get_json()["proposal"]["id"]
    j = again.get_json()
    assert j["reused"] == "proposal" and j["proposal_id"] == pid and j["proposal"]["id"] == pid
    assert "no copy was saved" in j["reused_text"] and "qa35f7-dup" in j["reused_text"]
    assert len(_mine(app, "qa35f7-dup")) == 1
    # within the minute, without waiting: that proposal at once (200), in the page's language
    r = clients[0].post("/api/proposals?lang=zh", json=body)
    assert r.status_code == 200 and r.get_json()["proposal_id"] == pid and "本次未重复保存" in r.get_json()["reused_text"]
    assert r.get_json()["id"] == first.get_json()["id"]  # its job: the page polls it and opens the proposal
    # another name, or another parameter, is another proposal
    other = clients[0].post("/api/proposals?wait=120", json={**body, "name": "qa35f7-dup2"})
    assert other.status_code == 201 and other.get_json()["proposal"]["id"] != pid
    assert clients[0].post("/api/proposals?wait=120", json={**body, "model": "mclp", "p": 1}).status_code == 201
    # another account's identical request is his own proposal
    assert signed_in(app, "boss").post("/api/proposals?wait=120", json=body).status_code == 201
    assert len(_mine(app, "qa35f7-dup")) == 3  # the first, the one of another parameter, the other account's


def test_an_identical_post_while_the_first_is_solved_gets_its_job(app, monkeypatch):
    from accounts import held_at_start
    from web import proposals

    c = signed_in(app, "city")
    body = {"type": "cemetery", "model": "lscp", "county": YUNXI, "name": "qa35f7-held"}
    with held_at_start(monkeypatch, proposals, "propose") as (started, gate):
        first = c.post("/api/proposals", json=body)
        assert first.status_code == 202
        assert started.wait(20)
        again = c.post("/api/proposals?lang=en", json=body)
        assert again.status_code == 202 and again.get_json()["id"] == first.get_json()["id"], again.get_json()
        assert again.get_json()["reused"] == "job" and again.headers["Location"] == f"/api/jobs/{first.get_json()['id']}"
        gate.set()
        job = app.extensions["coverplan"]["jobs"].wait(first.get_json()["id"], timeout=120)
    assert job.state == "done"
    assert len(_mine(app, "qa35f7-held")) == 1


# -- 5. an empty wait= -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["", "%20"])
def test_an_empty_wait_is_refused(app, boss, raw):
    before = len(app.extensions["coverplan"]["jobs"].list())
    for lang, words in (("zh", "wait 为空：请填写，或不带 wait 参数"), ("en", "wait is empty: give one, or leave wait out")):
        r = boss.post(f"/api/proposals?wait={raw}&lang={lang}", json={"type": "cemetery", "model": "lscp", "county": YUNXI,
                                                                     "name": f"qa35f7-wait-{lang}"})
        assert r.status_code == 400, r.get_json()
        assert r.get_json()["details"]["parameter"] == "wait" and words in r.get_json()["message"]
    assert len(app.extensions["coverplan"]["jobs"].list()) == before  # nothing started


# -- 6. a form PATCH ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa35f7csrf") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_a_form_patch_is_told_to_send_json_with_or_without_its_token(csrf_app):
    c = csrf_app.test_client()  # conftest's same-origin client: the token in its header
    r = c.post("/api/proposals?wait=120", json={"type": "cemetery", "model": "lscp", "county": YUNXI})
    pid = r.get_json()["proposal"]["id"]
    form = plain_client(csrf_app)  # the token in the form, as a page's form sends it
    form.set_cookie("cp_csrf", c.csrf)
    for lang, words in (("zh", "请求内容须以 JSON 格式发送，并带请求头 Content-Type: application/json"
                               "（本次为 application/x-www-form-urlencoded）"),
                        ("en", "must be sent as JSON, with the header Content-Type: application/json (it came as "
                               "application/x-www-form-urlencoded)")):
        with_token = form.patch(f"/api/proposals/{pid}?lang={lang}", data={"csrf_token": c.csrf, "name": "改名"},
                                headers={"Origin": "http://localhost"})
        without = c.patch(f"/api/proposals/{pid}?lang={lang}", data={"name": "改名"})
        for r in (with_token, without):
            assert r.status_code == 400 and words in r.get_json()["message"], r.get_json()["message"]
            assert c.csrf not in r.get_data(as_text=True)
    assert c.get(f"/api/proposals/{pid}").get_json()["name"] != "改名"


def test_no_content_type_is_said_in_chinese(csrf_app):
    c = csrf_app.test_client()
    r = c.patch("/api/proposals/x?lang=zh", data=b'{"name": "x"}', headers={"Content-Type": ""})
    msg = r.get_json()["message"]
    assert r.status_code == 400 and "（本次未注明类型）" in msg and "none" not in msg, msg
    r = c.patch("/api/proposals/x?lang=en", data=b'{"name": "x"}', headers={"Content-Type": ""})
    assert "(it came without a Content-Type)" in r.get_json()["message"]
