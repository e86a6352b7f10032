"""QA 34 (fixer F17): what a county proposal's page, brief and exports say.

1. A county proposal's note on its "before" called the county's share of people aged 60+ covered counting its
   neighbours' facilities (29.3%, /api/coverage by_county, on no page) "the coverage map's figure for the county",
   while the map and the overview show the county's share of units covered (42.2% (121/287)). It names what each
   figure weighs now, and gives the map's figure as the map's chart writes it.
2. An upgrade's CSV and XLSX (/api/proposals/<id>.csv|.xlsx) gave what each facility serves more, not what it serves
   now nor once upgraded (in the reason's words only): they give both, headed and ordered as `coverplan upgrade
   --out` heads them.
3. Solving a re-solve again stacked the versions: "郧西综合体测试·v2·v4". The earlier "·vN" (and " #n") goes first.
4. An English county upgrade brief printed at A4 width broke its first header "Priorit/y": it keeps one line, and
   the brief one page.
"""
from __future__ import annotations

import csv
import html as markup
import io
import re

import pytest
from openpyxl import load_workbook

from browser import ARTIFACTS, browser, page, server, wait_map  # noqa: F401  (fixtures)
from planner.i18n import share_text, t
from test_qa21_cli import run
from test_qa33_rerun import propose, rerun
from web.app import create_app
from web.charts import county_label
from web.proposals import display_name, without_version

YUNXI = "420322"
PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa34f17") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def made(app):
    c = app.test_client()
    return {"county": propose(c, type="elderly_complex", county=YUNXI, p=3, name="郧西综合体测试"),
            "upgrade": propose(c, type="mutual_aid", kind="upgrade", k=5),
            "convert": propose(c, type="welfare_home", kind="upgrade", k=3, convert=True)}


def _map_row(client, county: str = YUNXI) -> dict:
    body = client.get("/api/coverage/elderly_complex").get_json()
    return next(r for r in body["by_county"] if str(r["county_code"]) == county)


def _chart_label(client, lang: str, county: str = YUNXI) -> str:
    """The county's figure as the coverage map's county chart writes it."""
    body = client.get(f"/api/charts/coverage_by_county/elderly_complex?lang={lang}").get_json()
    return next(r["label"] for r in body["rows"] if r["code"] == county)


# -- 1. the county "before" note ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_before_note_names_its_measures_and_gives_the_maps_own_figure(app, made, lang):
    c = app.test_client()
    rec = app.extensions["coverplan"]["store"].get(made["county"]["id"])
    row = _map_row(c)
    before = share_text(rec["summary"]["before"]["covered_share"])
    weighted = share_text(row["covered_share"])
    units = share_text(row["covered_units"] / row["units"])
    assert len({before, weighted, units}) == 3, (before, weighted, units)  # three figures, told apart
    # the map's own figure, as its county chart writes it: 42.2% (121/287)
    shown = county_label({"share": row["covered_units"] / row["units"], "covered_units": row["covered_units"],
                          "units": row["units"]})
    assert _chart_label(c, lang) == shown
    note = c.get(f"/api/proposals/{made['county']['id']}?lang={lang}").get_json()["scope"]["before_note"]
    who = "按60岁以上人口计" if lang == "zh" else "of people aged 60+"
    assert who in note and before in note and weighted in note, note
    on_map = (f"{units}（{row['covered_units']}/{row['units']}）" if lang == "zh"
              else f"{units} ({row['covered_units']}/{row['units']})")
    assert on_map in note, note
    # the map's sentence gives the map's figure, never the weighted one, and nothing calls that one the map's
    head, _, map_part = note.partition("覆盖地图" if lang == "zh" else "The coverage map")
    assert map_part and units in map_part and weighted not in map_part, note
    assert weighted in head and "覆盖地图" not in head and "coverage map" not in head, note
    assert "覆盖地图上该县区的数字" not in note and "coverage map's figure" not in note
    # the page and the brief say it so
    for url, mark in ((f"/proposals/{made['county']['id']}", "scope-before-note"),
                      (f"/proposals/{made['county']['id']}/brief", "brief-scope-before-note")):
        html = c.get(f"{url}?lang={lang}").get_data(as_text=True)
        m = re.search(rf'id="{mark}">(.*?)</(?:p|span)>', html, re.S)
        assert m and markup.unescape(m.group(1)) == note, (url, m and m.group(1))


def test_the_same_and_the_other_standard_say_the_maps_figure_too(app, made):
    store = app.extensions["coverplan"]["store"]
    rec = store.get(made["county"]["id"])
    s, c = rec["summary"], app.test_client()
    m = s["scope_map"]
    units = f"{share_text(m['covered_units'] / m['units'])} ({m['covered_units']}/{m['units']})"

    def note(summary, lang):
        pid = store.add(name="x", type_key=rec["type"], summary=summary, geojson=rec["geojson"], params=rec["params"])
        return c.get(f"/api/proposals/{pid}?lang={lang}").get_json()["scope"]["before_note"]
    same = note({**s, "scope_map": {**m, "covered_share": s["before"]["covered_share"]}}, "en")
    assert "is the same counting the neighbours' facilities too" in same and "can be lower" not in same, same
    assert units in same and "of people aged 60+" in same
    other = note({**s, "standard": {**s["standard"], "urban": 45.0, "rural": 45.0}}, "zh")
    assert "不可直接比较" in other and "按60岁以上人口计" in other, other
    assert units.replace(" (", "（").replace(")", "）") in other, other
    # a county without the units recorded: the note without the map's sentence, never "None"
    bare = note({**s, "scope_map": {k: v for k, v in m.items() if k not in ("covered_units", "units")}}, "en")
    assert "None" not in bare and "The coverage map" not in bare and "of people aged 60+" in bare, bare


# -- 2. an upgrade's exports ---------------------------------------------------------------------------------------

def _csv(client, pid: str, lang: str) -> tuple[list[str], list[list[str]]]:
    r = client.get(f"/api/proposals/{pid}.csv?lang={lang}")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    return rows[1], rows[2:]  # under the title line


def _xlsx(client, pid: str, lang: str) -> tuple[list[str], list[list]]:
    r = client.get(f"/api/proposals/{pid}.xlsx?lang={lang}")
    assert r.status_code == 200
    rows = [list(x) for x in load_workbook(io.BytesIO(r.get_data())).active.iter_rows(values_only=True)]
    return [str(x) for x in rows[1]], rows[2:]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_upgrades_exports_give_served_now_and_after_as_the_cli(app, made, lang, capsys, tmp_path, monkeypatch):
    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    out = tmp_path / "up.csv"
    code, _, err = run(capsys, "--lang", lang, "upgrade", "--type", "mutual_aid", "--k", "5", "--out", str(out))
    assert code == 0, err
    with open(out, encoding="utf-8-sig", newline="") as f:
        cli = list(csv.reader(f))
    cli_head, cli_rows = cli[1], cli[2:]
    now = next(h for h in cli_head if h.startswith("现服务人数" if lang == "zh" else "Served now"))
    after = next(h for h in cli_head if h.startswith("改造后服务人数" if lang == "zh" else "Serves once upgraded"))
    added = next(h for h in cli_head if h.startswith("新增服务" if lang == "zh" else "Serves more ("))
    assert cli_head.index(added) < cli_head.index(now) < cli_head.index(after)
    sites = {x["id"]: x for x in made["upgrade"]["sites"]}
    c = app.test_client()
    for head, rows in (_csv(c, made["upgrade"]["id"], lang), _xlsx(c, made["upgrade"]["id"], lang)):
        assert now in head and after in head, head  # the CLI's headers, word for word
        more = next(h for h in head if h.startswith("新增服务" if lang == "zh" else "Serves more ("))
        alone = head.index(more) + 1  # what it serves more alone, then now and once upgraded, as the CLI orders them
        assert head.index(now) == alone + 1 and head.index(after) == alone + 2, head
        ids = head.index(t("fac_id", lang))
        for r in rows:
            s = sites[r[ids]]
            assert float(r[head.index(now)]) == round(s["served_before"]), (r, s)
            assert float(r[head.index(after)]) == round(s["served_after"]), (r, s)
            assert round(s["served_after"]) > round(s["served_before"])  # an upgrade serves more once done
    # the same facilities and figures as the CLI's run on the same data
    web_head, web_rows = _csv(c, made["upgrade"]["id"], lang)
    by_id = {r[web_head.index(t("fac_id", lang))]: r for r in web_rows}
    for r in cli_rows:
        w = by_id[r[cli_head.index(t("fac_id", lang))]]
        assert (float(w[web_head.index(now)]), float(w[web_head.index(after)])) == \
            (float(r[cli_head.index(now)]), float(r[cli_head.index(after)]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conversions_exports_give_served_once_converted_as_the_cli(app, made, lang):
    """As `coverplan upgrade --convert --out`: no "served now" (it serves none as the type it becomes)."""
    c = app.test_client()
    want = "转型后服务人数（80岁以上老人）" if lang == "zh" else "Serves once converted (people aged 80+)"
    for head, rows in (_csv(c, made["convert"]["id"], lang), _xlsx(c, made["convert"]["id"], lang)):
        assert want in head and not any(h.startswith(("现服务人数", "Served now")) for h in head), head
        ids = head.index(t("fac_id", lang))
        sites = {x["id"]: x for x in made["convert"]["sites"]}
        assert [float(r[head.index(want)]) for r in rows] == [round(sites[r[ids]]["served_after"]) for r in rows]


def test_a_new_sites_export_is_unchanged(app, made):
    head, _ = _csv(app.test_client(), made["county"]["id"], "en")
    assert not any(h.startswith(("Served now", "Serves once")) for h in head), head


# -- 3. a re-solve's re-solve ---------------------------------------------------------------------------------------

def test_the_version_suffix_is_stripped_before_the_new_one():
    assert without_version("郧西综合体测试·v2·v4") == "郧西综合体测试"
    assert without_version("郧西综合体测试·v2 #2") == "郧西综合体测试"
    assert without_version("Rural mutual-aid care centre · upgrade 5 · 12-07 15:57·v3 #2·v5") == \
        "Rural mutual-aid care centre · upgrade 5 · 12-07 15:57"
    # a planner's own name keeps its ends: a number of his, a bare "·v2"
    assert without_version("第 2 批 #3") == "第 2 批 #3" and without_version("·v2") == "·v2"


def test_a_re_solve_of_a_re_solve_has_one_version(app, made):
    c, store = app.test_client(), app.extensions["coverplan"]["store"]
    version = app.extensions["coverplan"]["service"].version()
    first = rerun(app, c, made["county"]["id"])
    assert store.get(first)["name"] == f"郧西综合体测试·v{version}"
    # one named by an earlier re-solve's number (" #2": another planner's on that version), one stacked before
    rec = store.get(first)
    named = [store.add(name=name, type_key=rec["type"], summary=rec["summary"], geojson=rec["geojson"],
                       params=rec["params"]) for name in (f"郧西综合体测试·v{version} #2", "郧西综合体测试·v2·v4")]
    for pid in (first, *named):
        again = store.get(rerun(app, c, pid))
        for lang in ("zh", "en"):
            assert display_name(again, lang) == f"郧西综合体测试·v{version}", display_name(again, lang)
    # a name the app made: made again with one version, in both languages
    auto = rerun(app, c, made["upgrade"]["id"])
    again = store.get(rerun(app, c, auto))
    for lang in ("zh", "en"):
        name = display_name(again, lang)
        assert name.endswith(f"·v{version}") and name.count("·v") == 1, name
        assert name == display_name(store.get(auto), lang), name


# -- 4. the printed brief's first header ----------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_county_upgrade_briefs_priority_header_keeps_one_line(page, server, lang):
    r = server.app.test_client().post(f"/api/proposals?wait=120&lang={lang}",
                                      # a name per language: the same request again within a minute is answered
                                      # with the proposal already made (QA 35), 200 not 201
                                      json={"type": "mutual_aid", "kind": "upgrade", "county": YUNXI,
                                            "name": f"qa34 header {lang}"})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["proposal"]["id"]
    # A4's width (the tester's), and A4 less its 10 mm margins, where printing lays the sheet out
    for width in (794, 718):
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": width, "height": 1123})
        page.goto(f"{page.base}/proposals/{pid}/brief?lang={lang}")
        wait_map(page)
        page.emulate_media(media="print")
        head = page.eval_on_selector("#brief-sites thead th:first-child", """e => {
            const r = document.createRange(); r.selectNodeContents(e);
            const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
            return {text: e.textContent.trim(), lines: tops.size, over: e.scrollWidth - e.clientWidth}; }""")
        assert head["text"] == t("priority", lang) and head["lines"] == 1 and head["over"] <= 0, (width, head)
        pdf = page.pdf(format="A4", print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"brief-qa34f17-upgrade-{lang}-{width}.pdf").write_bytes(pdf)
        assert len(PAGE_OBJECT.findall(pdf)) == 1, width
