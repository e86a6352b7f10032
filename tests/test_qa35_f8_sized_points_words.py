"""QA 35 (fixer F8).

1. A sized proposal counts its demand at the type's coverage points (QA 35 F3): welfare homes at the rural township
   seats, ``summary.points`` "townships". Its page (web/templates/_sized_proposal.html: 分配的村（社区）, 未服务的
   村（社区）, the shortfall's note, the existing facilities' column), the comparison of two of them (web/pages.py)
   and the offline map's site popups (planner.mapexport, capw_n_villages) still said villages. They say towns and
   townships where it counts them so (planner.sizing.points_label / points_text); a proposal saved before (no
   ``points``) keeps the villages' words.
2. `coverplan propose --sizes 1_5` was solved with sizes [15] and `--sizes ٣٠ --costs ٣٠٠` (Arabic-Indic digits)
   with [30] and [300], where the web refuses both (planner.textrules.number_text): the CLI reads them by the web's
   rule and refuses them by the option's name, in the run's language.
"""
from __future__ import annotations

import copy
import json
import re

import pytest

from test_qa21_cli import run
from test_qa33_rerun import propose
from web.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa35f8") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def ids(app):
    """A welfare home's sized proposal (counted at the township seats), and the same saved as before QA 35 recorded
    ``points`` (its figures counted at villages, as every sized proposal's then)."""
    c = app.test_client()
    store = app.extensions["coverplan"]["store"]
    new = propose(c, type="welfare_home", kind="sized", sizes="30,60,100", budget_sites=1)["id"]
    rec = store.get(new)
    assert rec["summary"]["sized"]["summary"]["points"] == "townships"
    summary = copy.deepcopy(rec["summary"])
    for key in ("points", "counted_at", "covered_before", "covered_after"):
        summary["sized"]["summary"].pop(key, None)
    old = store.add(name="before QA 35", type_key="welfare_home", params=rec["params"], summary=summary,
                    geojson=rec["geojson"])
    return {"new": new, "old": old}


def _page(app, path: str, lang: str) -> str:
    r = app.test_client().get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    # the page's text, without the catalogue of strings its scripts take (every label, in the page's language)
    return re.sub(r'<script type="application/json" id="cp-config">.*?</script>', "", r.get_data(as_text=True),
                  flags=re.S)


VILLAGE_WORDS = {"zh": ("分配的村（社区）", "未服务的村（社区）", "分配村（社区）数", "没有设施可达的村（社区）"),
                 "en": ("Villages assigned", "Villages not served", "Number of villages assigned",
                        "also villages no facility reaches")}
TOWNSHIP_WORDS = {"zh": ("分配的乡镇", "未服务的乡镇", "没有设施可达的乡镇"),
                  "en": ("Towns and townships assigned", "Towns and townships not served",
                         "also towns and townships (counted at their seats) no facility reaches")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sized_page_says_towns_and_townships_where_it_counts_them(app, ids, lang):
    html = _page(app, f"/proposals/{ids['new']}", lang)
    card = html[html.index('id="sized-summary"'):]
    for words in TOWNSHIP_WORDS[lang]:
        assert words in card, words
    for words in VILLAGE_WORDS[lang]:
        assert words not in card, words
    # saved before the points were recorded: the villages' words, as it counted them
    old = _page(app, f"/proposals/{ids['old']}", lang)
    old = old[old.index('id="sized-summary"'):]
    for words in VILLAGE_WORDS[lang][:2]:
        assert words in old, words
    assert TOWNSHIP_WORDS[lang][1] not in old


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_comparison_says_what_each_proposal_counts(app, ids, lang):
    from planner.i18n import t

    store = app.extensions["coverplan"]["store"]
    twin = store.add(name="twin", type_key="welfare_home", params=store.get(ids["new"])["params"],
                     summary=store.get(ids["new"])["summary"], geojson=store.get(ids["new"])["geojson"])
    both = _page(app, f"/proposals/compare?a={ids['new']}&b={twin}", lang)
    assert t("qa35f8_unserved_townships", lang) in both
    assert t("capw_unserved_villages", lang) not in both
    # one counted at villages, one at the township seats: each figure says what it counts, and no difference
    mixed = _page(app, f"/proposals/compare?a={ids['old']}&b={ids['new']}", lang)
    assert t("capw_unserved_villages", lang) not in mixed and t("qa35f8_unserved_townships", lang) not in mixed
    assert t("qa35f8_unserved_points", lang) in mixed
    z = store.get(ids["new"])["summary"]["sized"]["summary"]
    from planner.sizing import points_text
    assert points_text(z["unserved_villages"], "townships", lang) in mixed
    assert points_text(z["unserved_villages"], None, lang) in mixed


def _popups(page: str) -> list[str]:
    return [json.loads(raw) for raw in re.findall(r'bindPopup\(("(?:[^"\\]|\\.)*"), \{maxWidth', page)
            if json.loads(raw).startswith('<div class="cp-pop"><h4>#')]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_offline_maps_site_popups_count_towns_and_townships(app, ids, lang):
    from planner.i18n import t

    new = _popups(_page(app, f"/proposals/{ids['new']}/export.html", lang))
    assert new and all(t("qa35f3_col_n_townships", lang) in p for p in new), new
    assert not any(t("capw_n_villages", lang) in p for p in new)
    old = _popups(_page(app, f"/proposals/{ids['old']}/export.html", lang))
    assert old and all(t("capw_n_villages", lang) in p for p in old), old


def test_the_sized_site_rows_keep_villages_without_points():
    from planner.facility_types import get_type
    from planner.mapexport import sized_site_rows

    s = {"size": 30, "cost": 300, "load": 20, "utilisation": 0.5, "assigned_villages": 3}
    ft = get_type("welfare_home")
    assert dict(sized_site_rows(s, ft, "zh"))["分配村（社区）数"] == "3"
    assert dict(sized_site_rows(s, ft, "en", points="townships"))["Number of towns and townships assigned"] == "3"


# -- 2. the CLI reads --sizes and --costs by the web's rule -----------------------------------------------------------

@pytest.mark.parametrize("argv, option, typed", [
    (["--sizes", "1_5"], "--sizes", "1_5"),
    (["--sizes", "٣٠", "--costs", "٣٠٠"], "--sizes", "٣٠"),
    (["--sizes", "30", "--costs", "٣٠٠"], "--costs", "٣٠٠"),
    (["--sizes", "30,60", "--costs", "3_00,500"], "--costs", "3_00,500"),
])
def test_the_cli_refuses_the_numbers_the_web_refuses(capsys, argv, option, typed):
    for lang in ("zh", "en"):
        code, out, err = run(capsys, "--lang", lang, "propose", "--type", "welfare_home", *argv, "--budget", "1",
                             "--json")
        assert code == 2 and "Traceback" not in err, (code, err)
        res = json.loads(out)
        assert res["message"].startswith(f"{option} {typed}"), res
        # as the CLI refuses any other text that is no number (--sizes abc), in the run's language
        if lang == "zh":
            assert "无效" in res["message"] and "以逗号分隔" in res["message"], res
        else:
            assert "separated by commas" in res["message"], res


def test_the_planner_reads_sizes_by_the_webs_rule():
    from geo.errors import InputDataError
    from planner.sizing import parse_sizes

    assert parse_sizes("３０，６０、100") == [30.0, 60.0, 100.0]  # full-width digits and commas, as the web reads them
    for bad in ("1_5", "٣٠", "30,٦٠"):
        with pytest.raises(InputDataError):
            parse_sizes(bad)


def test_the_pages_labels_are_the_planners():
    """The page's template names its points as planner.sizing.points_label does (it cannot call it): one mapping."""
    from pathlib import Path

    from planner.sizing import TOWNSHIP_LABELS, points_label

    text = (Path(__file__).resolve().parent.parent / "web/templates/_sized_proposal.html").read_text("utf-8")
    pairs = dict(re.findall(r"'(capw_\w+)': '(qa35\w+)'", text))
    assert pairs and all(TOWNSHIP_LABELS[k] == v for k, v in pairs.items()), pairs
    used = set(re.findall(r"points_\('(\w+)'\)", text))
    assert used == set(pairs), (used, pairs)
    assert all(points_label(k, "townships") == v and points_label(k, None) == k for k, v in pairs.items())


def test_the_page_maps_layers_say_where_the_sites_count(app, ids):
    """The page map's site popups (web/static/map.js) name what a site is assigned by the layers' ``points``: towns
    and townships for a welfare home's sized proposal, villages for one saved before (no ``points``)."""
    c = app.test_client()
    new = c.get(f"/api/proposals/{ids['new']}/layers?lang=zh").get_json()["proposal"]
    old = c.get(f"/api/proposals/{ids['old']}/layers?lang=zh").get_json()["proposal"]
    assert new.get("points") == "townships" and "points" not in old, (new, old)
