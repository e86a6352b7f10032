"""QA 31 (fixer F3): the data versions, who changed what.

1. A map edit's 409 named the latest version that wrote the facility type's layer (a colleague's rename of
   another facility of the type), not the version that changed this facility since the page's (a rollback
   between): it now names the latest version that changed this facility, what it did, who and when.
2. "Rows in layer" meant the whole layer for a facility import (68, the file had 13), the file's rows for a
   village or township import (5, the layer holds 1,979), and a rollback showed 68 or "–": it is now the rows
   the layer holds after the version on every row, an import's file rows said beside it.
3. (browser) A 40-character account name kept on one line in the version list squeezed the layer column to one
   or two letters a line: the name wraps, the layer's words stay whole.
"""
from __future__ import annotations

import io

import pytest

from accounts import accounts_app
from accounts import signed_in as as_user
from browser import *  # noqa: F401,F403
from browser import served
from test_qa29_carried import confirm, register_of

FANG, ZHUSHAN = "420325", "420323"   # 房县, 竹山县
FID = "welfare_home-0675"            # 溢水镇福利院(示意), a 竹山县 home of the sample


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, (("zhu", "planner", ZHUSHAN), ("fang", "planner", FANG),
                                  ("wang", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def homes(client) -> list[dict]:
    return client.get("/api/facilities?type=welfare_home").get_json()["rows"]


def register(rows: list[dict], beds: int = 5) -> bytes:
    """The welfare homes ``rows`` as a register with their ids, each with ``beds`` more beds."""
    lines = ["编号,名称,经度,纬度,床位数"] + [f"{r['id']},{r['name']},{r['lon']},{r['lat']},{(r['capacity'] or 50) + beds}"
                                          for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def imported(client, body: bytes, name: str, kind: str = "facilities") -> int:
    data = {"kind": kind, "coords": "wgs84", "file": (io.BytesIO(body), name)}
    if kind == "facilities":
        data["type"] = "welfare_home"
    r = client.post("/api/data/uploads", data=data, content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:400]
    c = client.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm")
    assert c.status_code == 200, c.data[:400]
    return c.get_json()["version"]


def scenario(app):
    """v1 fang's 房县 register, v2 zhu's 竹山县 register (0675 with more beds), v3 wang rolls back to v1 (0675 as
    before), v4 fang renames one of his homes. Returns zhu's client and fang's home's id."""
    zhu, fang, wang = as_user(app, "zhu"), as_user(app, "fang"), as_user(app, "wang")
    rows = homes(wang)
    assert imported(fang, register([r for r in rows if r["county_code"] == FANG]), "f_fang.csv") == 1
    assert imported(zhu, register([r for r in rows if r["county_code"] == ZHUSHAN]), "f_zhu.csv") == 2
    assert {r["id"]: r["capacity"] for r in homes(wang)}[FID] != {r["id"]: r["capacity"] for r in rows}[FID]
    assert wang.post("/api/data/rollback", json={"version": 1}).get_json()["version"] == 3
    mine = next(r["id"] for r in rows if r["county_code"] == FANG)
    r = fang.post("/api/data/edits", json={"action": "rename", "type": "welfare_home", "id": mine, "name": "房县新名福利院"})
    assert r.status_code == 200 and r.get_json()["version"] == 4, r.data[:300]
    return zhu, fang, mine


# -- 1: the conflict names the version that changed this facility ----------------------------------------------
def test_an_edits_conflict_names_the_rollback_that_changed_the_facility_not_a_later_edit(app):
    zhu, _, _ = scenario(app)
    for lang in ("zh", "en"):
        r = zhu.post(f"/api/data/edits?lang={lang}", json={"action": "rename", "type": "welfare_home", "id": FID,
                                                           "name": "溢水镇新福利院", "base": 2})
        assert r.status_code == 409, r.data[:300]
        e = r.get_json()
        d = e["details"]
        assert (d["changed_by"], d["changed_in"], d["change_kind"], d["happened"]) == ("wang", 3, "rollback", "changed"), d
        assert d["changed_in_all"] == [3], d
        if lang == "zh":
            assert "wang 于" in e["message"] and "回退到 v1 时改回了设施“溢水镇福利院(示意)”" in e["message"], e["message"]
            assert "（数据版本 v3，现为 v4）" in e["message"] and "fang" not in e["message"], e["message"]
        else:
            assert e["message"].startswith("wang changed the facility 溢水镇福利院(示意) (welfare_home-0675) back by "
                                           "rolling back to v1 at "), e["message"]
            assert "(data version v3)" in e["message"] and "fang" not in e["message"], e["message"]


def test_an_edits_conflict_names_the_latest_of_several_changes_and_the_others(app):
    zhu, fang, mine = scenario(app)
    # v5: wang (city-wide) gives 0675 a phone; zhu's page still shows v2
    wang = as_user(app, "wang")
    r = wang.post("/api/data/edits", json={"action": "update", "type": "welfare_home", "id": FID,
                                           "fields": {"phone": "0719-1234567"}})
    assert r.status_code == 200 and r.get_json()["version"] == 5, r.data[:300]
    e = zhu.post("/api/data/edits?lang=en", json={"action": "rename", "type": "welfare_home", "id": FID,
                                                  "name": "溢水镇新福利院", "base": 2}).get_json()
    d = e["details"]
    assert (d["changed_by"], d["changed_in"], d["change_kind"], d["changed_in_all"]) == ("wang", 5, "edit", [3, 5]), d
    assert "(data version v5; v3 changed it too)" in e["message"], e["message"]
    zh = zhu.post("/api/data/edits?lang=zh", json={"action": "rename", "type": "welfare_home", "id": FID,
                                                   "name": "溢水镇新福利院", "base": 2}).get_json()["message"]
    assert "（数据版本 v5，v3 也改动过它，现为 v5）" in zh, zh
    # fang's own home, renamed in v4 on a page of v3: his rename is the change named, not the rollback
    e = fang.post("/api/data/edits?lang=en", json={"action": "rename", "type": "welfare_home", "id": mine,
                                                   "name": "又一个名字", "base": 3}).get_json()
    assert (e["details"]["changed_by"], e["details"]["changed_in"], e["details"]["change_kind"]) == ("fang", 4, "edit")
    # a facility nobody changed since the page's version: saved, no conflict
    other = next(r["id"] for r in homes(wang) if r["county_code"] == FANG and r["id"] != mine)
    ok = fang.post("/api/data/edits", json={"action": "rename", "type": "welfare_home", "id": other,
                                            "name": "房县另一福利院", "base": 5})
    assert ok.status_code == 200, ok.data[:300]


def test_an_edits_conflict_says_the_rollback_removed_the_facility(app):
    """A home zhu's import added (v1), removed by a city-wide rollback (v2), fang's rename of his own home after
    (v3): the rollback is named, as removing it."""
    zhu, wang = as_user(app, "zhu"), as_user(app, "wang")
    rows = [r for r in homes(wang) if r["county_code"] == ZHUSHAN]
    body = register(rows) + f",新建福利院,{rows[0]['lon'] + 0.01},{rows[0]['lat']},40\n".encode("utf-8")
    assert imported(zhu, body, "f_zhu.csv") == 1
    new = next(r["id"] for r in homes(wang) if r["name"] == "新建福利院")
    assert wang.post("/api/data/rollback", json={"version": 0}).status_code == 200
    mine = next(r["id"] for r in homes(wang) if r["county_code"] == FANG)
    assert as_user(app, "fang").post("/api/data/edits", json={"action": "rename", "type": "welfare_home", "id": mine,
                                                               "name": "房县新名"}).status_code == 200
    e = zhu.post("/api/data/edits?lang=zh", json={"action": "rename", "type": "welfare_home", "id": new,
                                                  "name": "x", "base": 1}).get_json()
    assert (e["details"]["changed_in"], e["details"]["happened"], e["details"]["changed_by"]) == (2, "removed", "wang")
    assert "回退到 v0 时移除了设施“新建福利院”" in e["message"] and "fang" not in e["message"], e["message"]


# -- 2: "rows in layer" means the layer's rows after the version, on every row ----------------------------------
def test_rows_in_layer_are_the_layers_rows_after_each_version_and_an_imports_file_rows_beside(app, shiyan):
    wang, zhu = as_user(app, "wang"), as_user(app, "zhu")
    rows = homes(wang)
    mine = [r for r in rows if r["county_code"] == ZHUSHAN]
    v1 = imported(zhu, register(mine), "f_zhu.csv")
    vil = shiyan.villages[shiyan.villages["county_code"] == ZHUSHAN].iloc[:5]
    body = "code,lon,lat\n" + "".join(f"{c},{p.x + 0.0004:.6f},{p.y:.6f}\n" for c, p in zip(vil.index, vil.geometry))
    v2 = imported(zhu, body.encode(), "vil.csv", kind="villages")
    v3 = wang.post("/api/data/rollback", json={"version": v1}).get_json()["version"]   # the villages back
    v4 = wang.post("/api/data/rollback", json={"version": 0}).get_json()["version"]    # the homes back
    for lang in ("zh", "en"):
        listed = {v["version"]: v for v in wang.get(f"/api/data/versions?lang={lang}").get_json()["versions"]}
        assert (listed[v1]["rows"], listed[v1]["file_rows"], listed[v1]["file_accepted"]) == (len(rows), len(mine),
                                                                                            len(mine)), listed[v1]
        assert listed[v1]["layer_rows"] == {"facilities:welfare_home": len(rows)}
        assert (listed[v2]["rows"], listed[v2]["file_rows"]) == (len(shiyan.villages), 5), listed[v2]
        assert listed[v3]["rows"] == len(shiyan.villages) and listed[v3]["file_rows"] is None, listed[v3]
        assert listed[v4]["rows"] == len(rows) and listed[v4]["rows_note"] == "", listed[v4]
        assert listed[0]["rows"] is None
        want = {"zh": (f"文件 {len(mine)} 行", "文件 5 行"), "en": (f"file: {len(mine)} rows", "file: 5 rows")}[lang]
        assert (listed[v1]["rows_note"], listed[v2]["rows_note"]) == want


def test_an_imports_refused_rows_are_said_beside_its_file_rows(app):
    wang = as_user(app, "wang")
    rows = homes(wang)[:3]
    body = register(rows) + ",坏行,abc,32.5,10\n".encode("utf-8")
    v = imported(wang, body, "f_bad.csv")
    for lang, want in (("zh", "文件 4 行：导入 3 行，未导入 1 行"), ("en", "file: 4 rows: 3 imported, 1 refused")):
        got = next(x for x in wang.get(f"/api/data/versions?lang={lang}").get_json()["versions"] if x["version"] == v)
        assert (got["file_rows"], got["file_accepted"], got["rows_note"]) == (4, 3, want), got


# -- 3: in a browser, a long account name wraps and the layer's words stay whole --------------------------------
PW = "browser-qa31-f3-pw"
LONG_ZH = "名" * 40
LONG_EN = ("zhushancountywelfareplanner" * 2)[:40]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa31f3") / "p.sqlite"), "AUTH": "required",
                      "CSRF_ENABLED": False})
    users = app.extensions["coverplan"]["users"]
    for name in (LONG_ZH, LONG_EN):
        users.add(name, "planner", None, password=PW, must_change=False)
    fac = app.extensions["coverplan"]["service"].region.facilities
    ids = fac[fac["facility_type"] == "day_care"]["id"].astype(str).tolist()
    for k, name in enumerate((LONG_ZH, LONG_EN)):  # a version by each
        c = app.test_client()
        assert c.post("/login", json={"name": name, "password": PW}).status_code == 200
        r = c.post("/api/data/edits", json={"action": "rename", "type": "day_care", "id": ids[k], "name": f"改名中心{k}"})
        assert r.status_code == 200, r.data[:300]
    # and an import, whose file's rows the list says under the layer's
    c = app.test_client()
    assert c.post("/login", json={"name": LONG_EN, "password": PW}).status_code == 200
    assert confirm(c, register_of(app.extensions["coverplan"]["service"].region, FANG, 3, "甲"), "fang.csv") == 3
    with served(app) as srv:
        yield srv


#: Per version row: [the layer cell's width, its words broken over two lines, the name cell's white-space, its
#: line count, its width] (a word runs between spaces, hyphens, slashes, "·" and brackets; Chinese words too: 设施名录).
MEASURE = """() => Array.from(document.querySelectorAll('#versions tbody tr')).map(tr => {
    const layer = tr.querySelector('td.layer'), who = tr.querySelector('td.who');
    const broken = [];
    const walk = document.createTreeWalker(layer, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const re = /[^\\s\\-\\/\u00b7\uff08\uff09()]{2,}/g;
        for (let m = re.exec(n.data); m; m = re.exec(n.data)) {
            const r = document.createRange();
            r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
            const lines = new Set(Array.from(r.getClientRects()).filter(b => b.width > 0).map(b => Math.round(b.bottom)));
            if (lines.size > 1) broken.push(m[0]);
        }
    }
    const name = who.querySelector('.who-name');
    const lh = parseFloat(getComputedStyle(name).lineHeight) || 16;
    return {layer: layer.textContent, layerWidth: layer.getBoundingClientRect().width, broken: broken,
            name: name.textContent, space: getComputedStyle(who).whiteSpace,
            lines: Math.round(name.getBoundingClientRect().height / lh), whoWidth: who.getBoundingClientRect().width,
            fontSize: parseFloat(getComputedStyle(layer).fontSize)};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_a_long_account_name_wraps_and_the_layer_keeps_its_words(page, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + "/login")
    page.fill("#login-name", LONG_EN)
    page.fill("#login-password", PW)
    page.click("#login-submit")
    page.wait_for_url("**/")
    page.goto(page.base + f"/data?lang={lang}")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    rows = page.evaluate(MEASURE)
    page.screenshot(path=str(ARTIFACTS / f"qa31-versions-long-name-{lang}-{width}.png"), full_page=True)
    named = [r for r in rows if r["name"] in (LONG_ZH, LONG_EN)]
    assert len(named) == 3, rows
    # the import's row: the layer's rows, its file's under them
    listed = page.evaluate("fetch('/api/data/versions').then(r => r.json())")["versions"]
    held = next(v for v in listed if v["version"] == 3)["counts"]["facilities:day_care"]
    said = page.eval_on_selector("#versions tr[data-version='3'] td.num", "td => td.innerText")
    assert said.replace(",", "").split("\n") == [str(held), "文件 3 行" if lang == "zh" else "file: 3 rows"], said
    tip = page.get_attribute("#versions thead th.num", "title")
    assert tip.startswith("该版本之后图层中的行数" if lang == "zh" else "The rows the layer holds after this version"), tip
    for r in rows:
        assert r["broken"] == [], r
        # "facility register · 社区（村）日间照料中心": at least a word of eight letters a line, not one or two
        assert r["layerWidth"] >= 5 * r["fontSize"], r
    for r in named:
        assert r["space"] != "nowrap", r
        assert r["lines"] >= 3, r                       # 40 characters over several lines
        assert 6 * r["fontSize"] <= r["whoWidth"] <= 14 * r["fontSize"], r   # nor one line, nor 2 letters a line
    if width == 1366:  # the table fits its card
        box = page.eval_on_selector("#versions", "t => [t.scrollWidth, t.clientWidth]")
        assert box[0] <= box[1] + 1, box
