"""QA 34 (fixer QA34-F15): a village file's changes, said in its own terms, and what they change for proposals.

1. A village file that gives a sample village at the point it already has (only its flag changes: 示意 -> official)
   was reported as "no facility added, removed, moved ...", the comparison of the version it made had no line, and a
   county proposal of its county became outdated ("村（社区）点位（郧西县）有变化", counts {"moved": 0}). The report counts
   a village file's changes in its own terms (villages moved, villages now official at the same place), the comparison
   says the flag ("1 个村（社区）点位改为实测位置（位置未变）"), and a flag alone is no change of the data a proposal was
   solved on (coverage uses the point), county or city-wide; a village moved still is.
2. A village's move is said with its distance on the Data page (the upload's report, the comparison) as in the CLI.
3. A version's original file downloads with an ASCII fallback name that says what it is ("coverplan-v2-source.csv"),
   not the file's name with its Chinese dropped (' 2025 ().csv'), beside the UTF-8 name in filename*.
"""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from accounts import accounts_app, signed_in
from browser import *  # noqa: F401,F403  (server, browser, page fixtures)
from browser import poll_js
from planner.i18n import t
from planner.numbers import moved_text
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run
from test_qa33_rerun import propose, rerun, rerun_diff

YUNXI = "420322"
VILLAGE = "420322105210"  # a village of Yunxi (郧西县), at its sample (示意) point in the embedded data


def _upload(client, body: bytes, lang: str, name: str = "村点位.csv") -> dict:
    r = client.post(f"/api/data/uploads?lang={lang}", data={"kind": "villages", "coords": "wgs84",
                                                             "file": (io.BytesIO(body), name)},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _confirm(client, rep: dict) -> int:
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()["version"]


def _at(region, code: str, east: float = 0.0) -> bytes:
    """A village file giving village ``code`` at its current point (``east``: that many degrees east of it)."""
    p = region.villages.loc[code].geometry
    return f"code,lon,lat\n{code},{p.x + east!r},{p.y!r}\n".encode()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa34f15"), (("boss", "admin", None),))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def solved(app):
    """A county proposal of Yunxi and a city-wide one, solved on the embedded data (v0)."""
    boss = signed_in(app, "boss")
    return {"county": propose(boss, type="mutual_aid", kind="upgrade", k=2, county=YUNXI),
            "city": propose(boss, type="mutual_aid", kind="upgrade", k=2)}


def _state(client, pid: str) -> dict:
    r = client.get(f"/api/proposals/{pid}?lang=zh")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_village_made_official_where_it_stands_is_said_so_and_outdates_no_proposal(app, solved):
    boss = signed_in(app, "boss")
    region = app.extensions["coverplan"]["service"].region
    name = str(region.villages.loc[VILLAGE, "name"])
    assert region.villages.loc[VILLAGE, "location_quality"] == "synthetic"
    v0 = app.extensions["coverplan"]["service"].version()
    for lang in ("zh", "en"):
        rep = _upload(boss, _at(region, VILLAGE), lang)
        assert rep["identical"] is None and rep["blocked"] is None  # a flag is data: the confirm makes a version
        ch = rep["changes"]
        # counted in the village file's own terms, never the facilities' "no facility added, removed ..."
        assert ch["summary"] == t("qa34f15_vill_summary", lang, moved=0, official=1), ch["summary"]
        assert ch["lists"] == [] and ch["removed_text"] is None
        official = t("qa34f15_vill_official_line", lang, n=1, names=name, points="1 village point")
        assert ch["lines"] == [official], ch["lines"]
        assert ("1 个村（社区）点位改为实测位置（位置未变）" if lang == "zh"
                else "1 village point now official (same place)") in official
    # the report's Changes sheet counts it so too
    wb = load_workbook(io.BytesIO(boss.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang=en").data))
    cells = [str(c.value) for row in wb[t("qa33f2_changes_sheet", "en")].iter_rows() for c in row if c.value]
    assert t("qa34f15_vill_summary", "en", moved=0, official=1) in cells, cells
    assert t("qa32ff_changes_none", "en") not in cells
    v1 = _confirm(boss, rep)
    assert v1 == v0 + 1
    # the comparison says the flag, as townships' quality flags are said
    for lang in ("zh", "en"):
        d = boss.get(f"/api/data/diff?a={v0}&b={v1}&lang={lang}").get_json()
        assert d["villages"]["moved"] == [] and [r["code"] for r in d["villages"]["requalified"]] == [VILLAGE]
        assert d["counts"]["villages_requalified"] == 1 and d["counts"]["villages_moved"] == 0
        assert d["lines"] == [t("qa34f15_vill_official_line", lang, n=1, names=name, points="1 village point")]
    # and no proposal's data changed: the point coverage uses did not move
    for key in ("county", "city"):
        s = _state(boss, solved[key]["id"])
        assert s["outdated"] is False and s["data_changed"] == [], (key, s["outdated"], s["data_changed"])
    d = rerun_diff(boss, rerun(app, boss, solved["county"]["id"]), "zh")
    assert d["data_changes"] == [], d["data_changes"]
    assert not any(t("ds_layer_villages", "zh") + "（" in line for line in d["data_lines"]), d["data_lines"]


def test_a_moved_village_is_said_with_its_distance_and_outdates_the_proposals_on_it(app, solved):
    boss = signed_in(app, "boss")
    svc = app.extensions["coverplan"]["service"]
    region = svc.region
    code = str(region.villages[(region.villages["county_code"].astype(str) == YUNXI)
                               & (region.villages.index.astype(str) != VILLAGE)].index[3])
    name = str(region.villages.loc[code, "name"])
    v0 = svc.version()
    for lang in ("zh", "en"):
        rep = _upload(boss, _at(region, code, east=0.001), lang, name="十堰 2025（村）.csv")
        ch = rep["changes"]
        (moved,) = ch["villages"]["moved"]
        assert 80 < moved["distance_m"] < 110, moved
        words = moved_text(moved, lang)
        assert words and ("米" in words if lang == "zh" else " m" in words)
        (line,) = ch["lines"]
        assert name in line and words in line, line  # "村（社区）点位变化 1 个：…（移动 93 米）"
        assert ch["summary"] == t("qa34f15_vill_summary", lang, moved=1, official=0)
    v1 = _confirm(boss, rep)
    d = boss.get(f"/api/data/diff?a={v0}&b={v1}&lang=zh").get_json()
    assert any(moved_text(d["villages"]["moved"][0], "zh") in x and name in x for x in d["lines"]), d["lines"]
    # a real move is a change of both proposals' data (the county's and the city's)
    for key in ("county", "city"):
        s = _state(boss, solved[key]["id"])
        assert s["outdated"] is True and s["data_changed"] == [t("ds_layer_villages", "zh")], (key, s["data_changed"])
    # the original file's ASCII fallback name says what it is; filename* keeps the planner's own name
    r = boss.get(f"/api/data/versions/{v1}/source")
    assert r.status_code == 200 and r.data == _at(region, code, east=0.001)
    cd = r.headers["Content-Disposition"]
    assert f'filename="coverplan-v{v1}-source.csv"' in cd, cd
    assert "filename*=UTF-8''" + quote("十堰 2025（村）.csv", safe="") in cd, cd


def test_a_plain_ascii_name_is_kept_as_it_is():
    from web.data import source_disposition

    assert source_disposition(3, "villages-2025.csv", ".csv") == 'attachment; filename="villages-2025.csv"'
    said = source_disposition(3, "名录.XLSX", ".xlsx")
    assert said.startswith('attachment; filename="coverplan-v3-source.XLSX"; filename*=UTF-8\'\'') and \
        quote("名录.XLSX", safe="") in said


def test_the_cli_says_a_village_move_as_the_page_does(capsys, var, tmp_path):  # noqa: F811
    from geo.regions import load_region

    region = load_region("shiyan")
    p = tmp_path / "v.csv"
    p.write_bytes(_at(region, VILLAGE, east=0.001))
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "villages", str(p), "--dry-run", "--json")
    assert code == 0, err
    import json

    (moved,) = json.loads(out)["changes"]["villages"]["moved"]
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "villages", str(p), "--dry-run")
    assert code == 0, err
    assert f"{VILLAGE} {region.villages.loc[VILLAGE, 'name']}: {moved_text(moved, 'zh')}" in out, out


def test_the_data_page_reports_a_village_file_in_its_own_terms(page, server, tmp_path):  # noqa: F811
    region = server.app.extensions["coverplan"]["service"].region
    path = tmp_path / "村点位.csv"
    path.write_bytes(_at(region, VILLAGE))
    page.goto(page.base + "/data?lang=zh")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-kind", "villages")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'")
    text = page.locator("#r-changes").inner_text()
    assert t("qa34f15_vill_summary", "zh", moved=0, official=1) in text, text
    assert "1 个村（社区）点位改为实测位置（位置未变）：" + str(region.villages.loc[VILLAGE, "name"]) in text, text
    assert t("qa32ff_changes_none", "zh") not in text and "设施" not in text, text
    assert page.locator("#r-confirm").is_enabled()  # the flag is data: confirming makes a version


def test_a_township_file_is_counted_in_its_own_terms_and_a_register_is_not():
    from web.data import units_summary

    diff = {"facilities": {}, "townships": {"changed": [{"code": "1"}], "requalified": [{"code": "2"}, {"code": "3"}]},
            "villages": {"moved": [{"code": "4"}], "requalified": []}}
    for lang in ("zh", "en"):
        said = units_summary(diff, lang, "townships")
        assert said == t("qa34f15_town_summary", lang, changed=1, flagged=2, moved=1), said
        assert units_summary(diff, lang) == said  # a version's report: read from the diff
    assert units_summary(diff, "zh", "facilities:day_care") is None
    assert units_summary({"facilities": {"added": [{"id": "x"}]}, **{k: diff[k] for k in ("townships", "villages")}},
                         "zh") is None  # a diff that changes facilities is counted by the facility lists
    assert "乡镇边界变化 1 个" in t("qa34f15_town_summary", "zh", changed=1, flagged=2, moved=1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cli_counts_villages_made_official_where_they_stand(capsys, var, tmp_path, lang):  # noqa: F811
    from geo.regions import load_region

    p = tmp_path / "v.csv"
    p.write_bytes(_at(load_region("shiyan"), VILLAGE))
    code, out, err = run(capsys, "--lang", lang, "data", "import", "villages", str(p), "--dry-run")
    assert code == 0, err
    assert f"{t('qa34_vill_requalified', lang)}: 1" in out, out
