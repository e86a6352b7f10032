"""QA 31 (fixer QA31-F7): a register's source note said each map edit as an import of the row's file ("fang_wh_new.csv，
数据版本 1；fang_wh_new.csv，数据版本 4；…；规划人员数据，数据版本 9": thirty edits, thirty entries). Each imported file is
now said once with the version it came in, the rows changed on the map and those added there counted once each,
in the same words on the facilities page, the overview, the offline map and `coverplan region info`."""
from __future__ import annotations

import html
from types import SimpleNamespace

import pandas as pd
import pytest

from test_qa21_cli import run
from test_qa29_carried import confirm, register_of

FANG = "fang_wh_new.csv"
WHERE = {
    "zh": f"{FANG}，数据版本 1；yunxi.csv，数据版本 8；其中 4 处在地图上修改，数据版本 3–6；另有 1 处在地图上添加，数据版本 7",
    "en": f"{FANG}, data version 1; yunxi.csv, data version 8; 4 of them changed on the map, data versions 3–6; "
          "1 more added on the map, data version 7",
}


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """An app on a store of its own (the CLI's too): fang_wh_new.csv imported (v1), four of its five rows renamed
    on the map, one of them twice (v2-v6), a centre added on the map (v7), another county's file imported (v8)."""
    from geo import settings
    from web.app import create_app

    var = tmp_path_factory.mktemp("qa31f7") / "var"
    mp = pytest.MonkeyPatch()
    mp.setenv("COVERPLAN_VAR", str(var))
    mp.setattr(settings, "VAR_DIR", var)
    var.mkdir(parents=True, exist_ok=True)
    app = create_app({"DB_PATH": str(var / "proposals.sqlite"), "TESTING": True})
    c = app.test_client()
    svc = app.extensions["coverplan"]["service"]
    assert confirm(c, register_of(svc.region, "420325", 5, "甲"), FANG) == 1
    rows = [r for r in c.get("/api/facilities?type=day_care").get_json()["rows"] if r["name"].startswith("甲")]
    assert len(rows) == 5
    for i, k in enumerate([0, 1, 2, 3, 0]):  # versions 2..6; the first row's last change is v6
        r = c.post("/api/data/edits", json={"action": "rename", "type": "day_care", "id": rows[k]["id"],
                                            "name": f"改名{i}号日间照料中心"})
        assert r.status_code == 200 and r.get_json()["version"] == i + 2, r.get_json()
    p = svc.region.villages[svc.region.villages["township_code"].astype(str).str[:6] == "420325"].geometry.iloc[7]
    r = c.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "新增日间照料中心",
                                        "lon": p.x, "lat": p.y})
    assert r.status_code == 200 and r.get_json()["version"] == 7, r.get_json()
    assert confirm(c, register_of(svc.region, "420322", 2, "乙"), "yunxi.csv") == 8
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()
    mp.undo()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sources_say_each_file_once_and_the_map_edits_once(edited, lang):
    from planner.i18n import t
    from planner.maplayers import provenance_labels, register_sources_text

    region = edited.extensions["coverplan"]["service"].region
    assert register_sources_text(region, "day_care", lang) == WHERE[lang]
    said = provenance_labels(region, lang, "day_care")["by_layer"]["facilities"]
    assert said == t("approx_facilities_part", lang, where=WHERE[lang]), said
    # the edits are not imports of the file: it is named once, its version once
    assert said.count(FANG) == 1 and ("数据版本 4" not in said if lang == "zh" else "data version 4" not in said)
    # the overview's line over every type (the offline map's title box and the maps' notes share it)
    every = provenance_labels(region, lang)["by_layer"]["facilities"]
    assert WHERE[lang] in every and every.count(FANG) == 1, every


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_facilities_page_and_overview_say_the_same(edited, lang):
    c = edited.test_client()
    page = html.unescape(c.get(f"/facilities?lang={lang}").get_data(as_text=True))
    banner = page.split('id="register-source">', 1)[1].split("</p>", 1)[0]
    assert WHERE[lang] in banner and banner.count(FANG) == 1, banner
    over = html.unescape(c.get(f"/?lang={lang}").get_data(as_text=True))
    assert WHERE[lang] in over and f"{FANG}，数据版本 4" not in over and f"{FANG}, data version 4" not in over


def test_the_offline_map_says_the_same(edited):
    page = html.unescape(edited.test_client().get("/map/day_care/export.html?lang=zh").get_data(as_text=True))
    assert WHERE["zh"] in page, page[:2000]
    assert f"{FANG}，数据版本 4" not in page and "规划人员数据，数据版本" not in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_region_info_says_the_same(edited, capsys, lang):
    code, out, err = run(capsys, "--lang", lang, "region", "info")
    assert code == 0, err
    key = "社区(村)日间照料中心" if lang == "zh" else "Community/village day-care centre"
    line = next(x for x in out.splitlines() if x.strip().startswith(key))
    assert f"（{WHERE['zh']}）" in line if lang == "zh" else f"({WHERE['en']})" in line, line
    assert line.count(FANG) == 1, line


def _region(rows: list[dict], stored: int) -> SimpleNamespace:
    df = pd.DataFrame([{"facility_type": "day_care", "synthetic": False, "source": FANG, **r} for r in rows])
    prov = {"layers": {"facilities": {"by_type": {"day_care": {"dataset_version": stored, "own": len(rows),
                                                               "synthetic": True, "file": None}}}}}
    return SimpleNamespace(provenance=prov, facilities=df)


def test_thirty_edits_stay_one_entry():
    """Thirty renames (versions 2-31) of rows imported in version 1: one clause, a range of versions; the last
    edit (its version not yet written on the row) is the layer's version, the file still the row's."""
    from planner.maplayers import register_sources_text

    rows = [{"source_file": FANG, "source_version": 1.0, "edited_on_map": False}]
    rows += [{"source_file": FANG, "source_version": float(v), "edited_on_map": True} for v in range(2, 31)]
    rows += [{"source_file": FANG, "source_version": float("nan"), "edited_on_map": True}]
    region = _region(rows, 31)
    assert register_sources_text(region, "day_care", "zh") == f"{FANG}，数据版本 1；其中 30 处在地图上修改，数据版本 2–31"
    assert register_sources_text(region, "day_care", "en", inner=False) == \
        f"{FANG} (data version 1); 30 of them changed on the map (data versions 2–31)"


def test_a_file_whose_rows_were_all_changed_and_rows_only_added():
    from planner.maplayers import register_sources_text

    # every row of the file changed since: the file named, its version no longer on any row
    region = _region([{"source_file": FANG, "source_version": 4.0, "edited_on_map": True},
                      {"source_file": FANG, "source_version": 6.0, "edited_on_map": True}], 6)
    assert register_sources_text(region, "day_care", "zh") == f"{FANG}；其中 2 处在地图上修改，数据版本 4、6"
    assert register_sources_text(region, "day_care", "en") == \
        f"{FANG}; 2 of them changed on the map, data versions 4 and 6"
    # only centres added on the map (one renamed since): said as added, not as "the planner's data"
    added = _region([{"source_file": "", "source_version": 2.0, "edited_on_map": False, "source": "planner edit (web)"},
                     {"source_file": "", "source_version": 3.0, "edited_on_map": True, "source": "planner edit (web)"}],
                    3)
    assert register_sources_text(added, "day_care", "zh") == "2 处在地图上添加，数据版本 2、3"
    assert register_sources_text(added, "day_care", "en") == "2 added on the map, data versions 2 and 3"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_coverage_data_line_says_the_same(edited, capsys, lang):
    """`coverplan coverage`'s data line (stderr) listed the file once per edit version, as the pages did."""
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care")
    assert code == 0, err
    line = next(x for x in err.splitlines() if x.startswith(("数据：", "data:")))
    assert WHERE[lang] in line and line.count(FANG) == 1, line
