"""QA 34 (fixer QA34-F1): two defects of the re-solve (POST /api/proposals/<id>/rerun, its card's rerun-diff).

1. Two planners re-solving one proposal on one data version from pages in different languages got re-solves of the
   same name: a name the app made is made in both languages, and the "#2" check compared only the name in the
   clicking page's language. Both languages are compared now, and numbered alike.
2. A county's proposal's card counted township boundaries, village points and population rows city-wide (its
   facilities were already counted in its county): a village moved in another county was listed as a change of its
   data. Those are counted in its county now; a layer changed in other counties only is said so, as facilities are.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest

from accounts import accounts_app, signed_in
from geo.imports import check_villages
from planner.i18n import t
from test_qa33_rerun import propose, rerun, rerun_diff
from web.proposals import display_name

YUNYANG, YUNXI = "420304", "420322"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa34f1"), (("boss", "admin", None), ("city", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _reruns(app, pid: str) -> list[dict]:
    return [r for r in app.extensions["coverplan"]["store"].list() if (r.get("params") or {}).get("rerun_of") == pid]


def test_re_solves_from_a_chinese_and_an_english_page_are_named_apart_in_both_languages(app):
    boss, city = signed_in(app, "boss"), signed_in(app, "city")
    p = propose(boss, type="mutual_aid", kind="upgrade", k=2)  # named by the app, in both languages
    assert isinstance(p["params"].get("auto_name"), dict), p["params"]
    jobs = app.extensions["coverplan"]["jobs"]
    ids = []
    for client, lang in ((boss, "zh"), (city, "en")):
        r = client.post(f"/api/proposals/{p['id']}/rerun?lang={lang}")
        assert r.status_code == 202, r.get_json()
        job = jobs.wait(r.get_json()["id"], timeout=120)
        assert job.state == "done", (job.state, job.error)
        ids.append(job.result["proposal_id"])
    store = app.extensions["coverplan"]["store"]
    first, second = (store.get(i) for i in ids)
    assert {r["id"] for r in _reruns(app, p["id"])} == set(ids)
    for lang in ("zh", "en"):
        a, b = display_name(first, lang), display_name(second, lang)
        assert a != b, (lang, a, b)
        assert b == a + " #2", (lang, a, b)  # numbered alike in both languages
        # and as the pages and the API show them
        shown = [boss.get(f"/api/proposals/{i}?lang={lang}").get_json()["name"] for i in ids]
        assert shown == [a, b], shown
    assert second["name"] == display_name(second, "en")  # saved from the English page, in English


def _move_village(app, county: str, nth: int = 0) -> tuple[int, str]:
    """A new data version with one village of ``county`` moved about 150 m; its number and the village's code."""
    store = app.extensions["coverplan"]["service"].datasets
    v = store.region().villages
    village = v[v["county_code"].astype(str) == county].iloc[nth]
    path = Path(tempfile.mkdtemp()) / "村庄.csv"
    g = village.geometry
    path.write_text(f"代码,经度,纬度\n{village['code']},{g.x + 0.001:.6f},{g.y + 0.001:.6f}\n", encoding="utf-8")
    version = store.commit_layer("villages", check_villages(store.region(), path), source_path=path)
    return version, str(village["code"])


def test_a_county_proposals_card_counts_villages_of_its_county_only(app):
    boss = signed_in(app, "boss")
    county = propose(boss, type="mutual_aid", kind="upgrade", k=3, county=YUNYANG)
    city = propose(boss, type="mutual_aid", kind="upgrade", k=3)
    va = county["params"]["dataset_version"]
    # a village of another county moved: not the county proposal's data, the city-wide one's
    v1, _ = _move_village(app, YUNXI)
    new = rerun(app, boss, county["id"])
    for lang in ("zh", "en"):
        d = rerun_diff(boss, new, lang)
        assert (d["old"]["version"], d["new"]["version"]) == (va, v1)
        assert d["data_changes"] == [], d["data_changes"]
        assert "villages" in [x["layer"] for x in d["data_unchanged"]]
        line = d["data_lines"][0]
        assert line == t("qa33f4_data_unaffected", lang, a=va, b=v1,
                         layers=t("ds_layer_villages", lang) + t("qa33f13_other_counties", lang)), line
    d = rerun_diff(boss, rerun(app, boss, city["id"]), "en")
    assert [x["layer"] for x in d["data_changes"]] == ["villages"]
    assert d["data_changes"][0]["counts"] == {"moved": 1} and d["data_changes"][0]["county"] is None
    # then a village of its own county: one moved there (of the two moved city-wide since its version)
    v2, _ = _move_village(app, YUNYANG)
    new = rerun(app, boss, county["id"])
    for lang, where in (("zh", "（郧阳区）"), ("en", " (Yunyang District)")):
        d = rerun_diff(boss, new, lang)
        assert (d["old"]["version"], d["new"]["version"]) == (va, v2)
        assert [x["layer"] for x in d["data_changes"]] == ["villages"], d["data_changes"]
        change = d["data_changes"][0]
        assert change["counts"] == {"moved": 1}, change
        assert change["county"] == YUNYANG and where in change["text"], change["text"]
        assert t("qa33f4_n_moved", lang, n="1", u=t("qa33f4_u_villages", lang)) in change["text"]
    # the city-wide proposal rests on both
    d = rerun_diff(boss, rerun(app, boss, city["id"]), "en")
    assert d["data_changes"][0]["counts"] == {"moved": 2}, d["data_changes"]


def test_population_rows_of_another_county_are_not_a_county_proposals_change(app):
    boss = signed_in(app, "boss")
    store = app.extensions["coverplan"]["service"].datasets
    county = propose(boss, type="mutual_aid", kind="upgrade", k=2, county=YUNYANG)
    v = store.region().villages
    elsewhere = v[v["county_code"].astype(str) == YUNXI].index[:2].astype(str).tolist()
    here = v[v["county_code"].astype(str) == YUNYANG].index[:1].astype(str).tolist()
    vb = store.commit_layer("population", pd.DataFrame({"code": elsewhere, "population": [900, 800]}))
    d = rerun_diff(boss, rerun(app, boss, county["id"]), "en")
    assert d["data_changes"] == [], d["data_changes"]
    assert t("ds_layer_population", "en") + t("qa33f13_other_counties", "en") in d["data_lines"][0]
    vc = store.commit_layer("population", pd.DataFrame({"code": elsewhere + here, "population": [900, 800, 700]}))
    assert vc > vb
    d = rerun_diff(boss, rerun(app, boss, county["id"]), "zh")
    assert [x["layer"] for x in d["data_changes"]] == ["population"], d["data_changes"]
    assert d["data_changes"][0]["counts"] == {"changed": 1}
