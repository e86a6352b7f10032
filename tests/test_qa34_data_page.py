"""QA 34 (fixer QA34-F9): the Data page's faces said the same change differently, and a version's file was out of reach.

1. The version comparison (GET /api/data/diff's lines, the Data page's Compare, /data?diff=A,B) named a moved facility
   without its distance, where the report's 变更 / Changes sheet said "moved 939 m": it now says it, worded and rounded
   as the sheet says it (the API's ``lines``, the page's Compare and /data?diff=A,B).
2. The audit entry of an import confirm named the layer by its kind ("数据 设施名录"): it records the layer the version
   list names ("设施名录 · 社区(村)日间照料中心").
4. The original file kept with a version (datasets/<region>/<v>/source/<file>) could be had only in a whole backup:
   GET /api/data/versions/<v>/source gives it under its own name, to whoever may download the version's report.
5. `propose --out` and `check-townships --out` wrote 25.9 / 0.0 where the web's downloads write 25.92 / 0: they now
   write the web's columns, in its order, with its figures.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest

from accounts import accounts_app, signed_in
from browser import *  # noqa: F401,F403  (server, browser, page fixtures)
from browser import poll_js
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run
from test_qa27_provenance import upload
from test_qa29_carried import register_of

FANG = "420325"
FILE = "日照名录 甲.csv"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """v1: a welfare home moved about 940 m east by the city's planner (a map edit); v2: a day-care register of Fang
    County, uploaded as 日照名录 甲.csv and confirmed."""
    app = accounts_app(tmp_path_factory.mktemp("qa34f9"), (("boss", "admin", None), ("city", "planner", None),
                                                            ("fang", "planner", FANG), ("li", "viewer", None)))
    try:
        city = signed_in(app, "city")
        region = app.extensions["coverplan"]["service"].region
        fac = region.facilities
        home = fac[fac["facility_type"].astype(str) == "welfare_home"].iloc[0]
        r = city.post("/api/data/edits", json={"action": "move", "type": "welfare_home", "id": str(home["id"]),
                                               "lon": home.geometry.x + 0.01, "lat": home.geometry.y})
        assert r.status_code == 200 and r.get_json()["version"] == 1, r.get_json()
        body = register_of(region, FANG, 3, "甲")
        rep = upload(city, body, FILE, type="day_care")
        assert rep.status_code == 200, rep.get_json()
        done = city.post(f"/api/data/uploads/{rep.get_json()['upload_id']}/confirm")
        assert done.status_code in (200, 201) and done.get_json()["version"] == 2, done.get_json()
        yield {"app": app, "city": city, "home": home, "body": body}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 1. the comparison says the distance, as the report's sheet does ------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_comparison_names_a_move_with_the_distance_the_report_sheet_gives(made, lang):
    from web.data import changes_rows

    app, city = made["app"], made["city"]
    d = city.get(f"/api/data/diff?a=0&b=1&lang={lang}").get_json()
    (moved,) = d["facilities"]["moved"]
    assert 900 < moved["distance_m"] < 980, moved
    metres = f"{moved['distance_m']:,.0f}"
    words = f"移动 {metres} 米" if lang == "zh" else f"moved {metres} m"
    line = next(x for x in d["lines"] if x.startswith("位置变化的设施 1 处" if lang == "zh" else "1 facility moved"))
    assert words in line and str(made["home"]["name"]) in line, line
    # the report's Changes sheet words the same move the same way (one rounding for every face)
    with app.test_request_context(f"/?lang={lang}"):
        rows = changes_rows(d, lang)
    assert [r[4] for r in rows if r[2] == moved["id"]] == [words]
    # the Data page opened on the comparison (/data?diff=0,1) says it too
    page = city.get(f"/data?diff=0,1&lang={lang}").get_data(as_text=True)
    assert words in page


# -- 2. the confirm's audit entry names the layer as the version list does -------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_import_confirm_audit_entry_names_the_facility_type(made, lang):
    app = made["app"]
    listed = {v["version"]: v for v in made["city"].get(f"/api/data/versions?lang={lang}").get_json()["versions"]}
    label = listed[2]["layer_label"]
    assert " · " in label, label  # 设施名录 · 社区(村)日间照料中心
    boss = signed_in(app, "boss")
    rows = boss.get(f"/api/admin/audit?action=import_confirmed&lang={lang}").get_json()["rows"]
    (row,) = [r for r in rows if str(r["object"]) == "2"]
    assert row["detail"]["layer"] == "facilities:day_care"
    assert label in row["detail_text"], (label, row["detail_text"])


# -- 4. a version's original file -----------------------------------------------------------------------------------
def test_the_version_list_links_the_original_file_of_an_import_only(made):
    rows = {v["version"]: v for v in made["city"].get("/api/data/versions?lang=zh").get_json()["versions"]}
    assert rows[2]["source"] == "/api/data/versions/2/source" and rows[2]["source_name"].endswith(".csv")
    assert "source" not in rows[1] and "source" not in rows[0]  # a map edit, the embedded data: no file


@pytest.mark.parametrize("who", ["city", "fang", "li", "boss"])
def test_the_original_file_is_given_to_whoever_may_download_the_report(made, who):
    c = signed_in(made["app"], who)
    assert c.get("/api/data/versions/2/report.xlsx").status_code == 200
    r = c.get("/api/data/versions/2/source")
    assert r.status_code == 200
    assert r.get_data() == made["body"]
    cd = r.headers["Content-Disposition"]
    # the name it was uploaded under (the store keeps 日照名录_甲.csv), UTF-8 beside an ASCII fallback
    assert cd.startswith("attachment") and f"filename*=UTF-8''{quote(FILE)}" in cd, cd
    cd.encode("latin-1")  # the header itself is ASCII-safe


def test_no_login_no_file(made):
    c = made["app"].test_client()
    for url in ("/api/data/versions/2/report.xlsx", "/api/data/versions/2/source"):
        r = c.get(url, headers={"Accept": "application/json"})
        assert r.status_code == 401 and r.is_json, url


@pytest.mark.parametrize("sent, hint", [("1", True), ("0", True), ("99", False), ("abc", False), ("9" * 5000, False)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_version_without_a_file_is_a_json_404_saying_why(made, sent, hint, lang):
    r = made["city"].get(f"/api/data/versions/{sent}/source?lang={lang}")
    assert r.status_code == 404 and r.is_json
    body = r.get_json()
    assert len(body["message"]) < 300 and "Traceback" not in body["message"]
    assert bool(re.search(r"[\u4e00-\u9fff]", body["message"])) == (lang == "zh"), body
    said = "只有导入生成的版本保存原始文件" if lang == "zh" else "Only an import keeps its file"
    assert (said in body["message"]) == hint, body


# -- 5. the CLI's --out tables write what the web's downloads write ------------------------------------------------
def _csv(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data)))


def test_cli_tables_write_the_web_downloads_columns_and_figures(var, tmp_path, capsys):  # noqa: F811
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        r = c.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 3})
        assert r.status_code == 201, r.get_json()
        pid = r.get_json()["proposal"]["id"]
        web_prop = _csv(c.get(f"/api/proposals/{pid}.csv?lang=zh").get_data().decode("utf-8-sig"))
        web_chk = _csv(c.get(f"/api/townships.csv?type=day_care&county={FANG}&lang=zh")
                       .get_data().decode("utf-8-sig"))
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    prop, chk = tmp_path / "p.csv", tmp_path / "c.csv"
    code, _, err = run(capsys, "propose", "--type", "elderly_complex", "--model", "mclp", "--p", "3",
                       "--out", str(prop))
    assert code == 0, err
    code, _, err = run(capsys, "check-townships", "--type", "day_care", "--county", FANG, "--out", str(chk))
    assert code == 0, err
    cli_prop = _csv(prop.read_text(encoding="utf-8-sig"))
    cli_chk = _csv(chk.read_text(encoding="utf-8-sig"))
    # the proposal: the web's columns first, in its order, each cell as the web writes it (25.92, not 25.9)
    head = web_prop[1]
    assert cli_prop[1][:len(head)] == head, (head, cli_prop[1])
    assert [r[:len(head)] for r in cli_prop[2:]] == web_prop[2:]
    cost = head.index("出行成本（分钟）")
    assert any(re.fullmatch(r"\d+\.\d\d", r[cost]) for r in web_prop[2:]), web_prop[2:]  # two decimals to compare
    # the checklist: the same table (a ratio of 0 or 7 written as such, not 0.0 / 7.0)
    assert cli_chk[1:] == web_chk[1:]
    ratio = next(i for i, h in enumerate(web_chk[1]) if h.endswith("（示意）"))
    assert not any(r[ratio].endswith(".0") for r in cli_chk[2:]), [r[ratio] for r in cli_chk[2:]]


# -- the version list's link, in a browser --------------------------------------------------------------------------
@pytest.mark.browser
def test_the_data_page_lists_the_original_file_beside_the_report(page, server):  # noqa: F811
    from test_qa32_upload_changes import FANG as FANG_HOMES, confirmed, edited, homes
    from test_qa32_upload_changes import upload as upload_homes

    c = server.app.test_client()
    body, _ = edited(homes(c, FANG_HOMES))
    v = confirmed(c, upload_homes(c, body, "en", name="福利院 名录.csv"))
    page.goto(page.base + "/data?lang=en")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    link = page.locator(f"#versions tr[data-version='{v}'] a.version-source")
    assert link.inner_text().strip() == "Download original file"
    assert link.get_attribute("href") == f"/api/data/versions/{v}/source?lang=en"
    r = page.request.get(page.base + f"/api/data/versions/{v}/source")
    assert r.status == 200 and r.body() == body
    assert "filename*=UTF-8''" + quote("福利院 名录.csv") in r.headers["content-disposition"]
    # a map edit's row has none
    assert page.locator("#versions tr[data-version='0'] a.version-source").count() == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_import_whose_file_is_gone_is_a_404_naming_the_file(made, monkeypatch, lang):
    from geo.datasets import DatasetStore

    monkeypatch.setattr(DatasetStore, "source_path", lambda self, version: None)
    r = made["city"].get(f"/api/data/versions/2/source?lang={lang}")
    assert r.status_code == 404 and r.is_json
    msg = r.get_json()["message"]
    assert ("备份" if lang == "zh" else "backup") in msg and ".csv" in msg, msg
    rows = {v["version"]: v for v in made["city"].get("/api/data/versions").get_json()["versions"]}
    assert "source" not in rows[2]  # no link to a file that is not there
