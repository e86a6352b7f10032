"""QA 33 (fixer F8): a proposal file written by `coverplan propose --out` and edited by hand, fed back to
`targets --proposal` and `map --proposal`. A Polygon site, a site without a priority or with "一" as its priority
ended in tracebacks; a swapped, infinite or missing coordinate in geo.travel's "destinations: line 29" (the existing
facilities plus the feature); an unknown type was dropped by `targets` without a word; a site moved to Beijing still
counted in the township the file named; and the file kept its name in one language only."""
from __future__ import annotations

import contextlib
import csv
import copy
import io
import json

import pytest

from test_qa20_cli import CJK, var  # noqa: F401  (var: an empty data store of its own)
from test_qa21_cli import run


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A proposal of 3 township elderly-service complexes, as `propose --out` writes it (in Chinese), on the
    embedded data of an empty store of its own."""
    from cli.main import main
    from geo import settings

    root = tmp_path_factory.mktemp("qa33f8")
    path = root / "prop.geojson"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COVERPLAN_VAR", str(root / "var"))
        mp.setattr(settings, "VAR_DIR", root / "var")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(["propose", "--type", "elderly_complex", "--p", "3", "--out", str(path)]) == 0
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def edit(written, tmp_path, var):  # noqa: F811
    """``edit(name, change)``: the proposal file with ``change(fc)`` applied, written as ``name``.geojson."""

    def make(name: str, change) -> str:
        fc = copy.deepcopy(written)
        change(fc)
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
        return str(path)
    return make



def said(capsys, lang: str, *argv) -> tuple[int, str]:
    """Exit code and the error of ``coverplan --lang LANG ARGV`` (text), no traceback; in English no Chinese but
    the sites' own names."""
    code, out, err = run(capsys, "--lang", lang, *argv)
    assert "Traceback" not in err + out, err
    return code, err.strip()


def json_said(capsys, lang: str, *argv) -> tuple[int, dict]:
    code, out, err = run(capsys, "--lang", lang, *argv, "--json")
    assert "Traceback" not in err + out, err
    return code, json.loads(out)


def both_commands(path: str, tmp_path) -> list[tuple[str, ...]]:
    return [("targets", "--proposal", path),
            ("map", "--type", "elderly_complex", "--proposal", path, "--out", str(tmp_path / "m.html"))]


def geometry(i: int, geom):
    def change(fc):
        fc["features"][i]["geometry"] = geom(fc["features"][i]["geometry"]["coordinates"]) if callable(geom) else geom
    return change


# -- 1/2. each feature a point in the region, its priority a whole number: else the file and the feature named ---

@pytest.mark.parametrize("case, geom, en, zh", [
    ("polygon", lambda c: {"type": "Polygon", "coordinates": [[c, [c[0] + .01, c[1]], [c[0], c[1] + .01], c]]},
     "is a Polygon, not a point", "的几何为 Polygon 而不是点"),
    ("swapped", lambda c: {"type": "Point", "coordinates": [c[1], c[0]]}, "look swapped", "似乎把经纬度写反了"),
    ("infinite", lambda c: {"type": "Point", "coordinates": [float("inf"), c[1]]},
     "which are not two finite numbers", "不是两个有限的数值"),
    ("null", None, "has no geometry", "没有几何"),
    ("beijing", {"type": "Point", "coordinates": [116.4, 39.9]}, "lies outside the region (Shiyan",
     "不在本区域内（十堰市"),
    ("multipoint", lambda c: {"type": "MultiPoint", "coordinates": [c, [c[0] + .01, c[1]]]},
     "is a MultiPoint of 2 points", "是含 2 个点的多点"),
])
def test_a_site_that_is_not_a_point_in_the_region_is_named_with_what_to_fix(edit, capsys, tmp_path, case, geom,
                                                                             en, zh):
    path = edit(case, geometry(1, geom))
    name = "拟建二堰街道养老服务综合体"
    for argv in both_commands(path, tmp_path):
        code, err = said(capsys, "zh", *argv)
        assert code != 0 and f"--proposal {path}：第 2 个要素（{name}）" in err and zh in err, err
        assert "destinations" not in err and "第 29 行" not in err, err
        code, err = said(capsys, "en", *argv)
        assert code != 0 and f"--proposal {path}: feature 2 (二堰街道 – proposed township" in err and en in err, err
        assert not CJK.search(err.replace(name, "").replace("二堰街道", "").replace("十堰市", "")), err
        code, got = json_said(capsys, "en", *argv)
        assert code != 0 and en in got["message"] and got["details"]["feature"] == 2, got
    if case == "swapped":  # what to write instead
        c = json.loads(open(path, encoding="utf-8").read())["features"][1]["geometry"]["coordinates"]
        assert f"Write [{c[1]}, {c[0]}]" in said(capsys, "en", *both_commands(path, tmp_path)[0])[1]


@pytest.mark.parametrize("value", ["一", 2.5, 0, True, "3"])
def test_a_priority_that_is_no_whole_number_from_1_is_refused(edit, capsys, tmp_path, value):
    path = edit(f"priority-{value}", lambda fc: fc["features"][2]["properties"].__setitem__("priority", value))
    shown = json.dumps(value, ensure_ascii=False)
    for argv in both_commands(path, tmp_path):
        code, err = said(capsys, "zh", *argv)
        assert code != 0 and "第 3 个要素（拟建大坝路街道养老服务综合体）的优先序（priority）为 " + shown in err, err
        code, err = said(capsys, "en", *argv)
        assert code != 0 and f"feature 3 (大坝路街道 – proposed township elderly-service complex) has the priority " \
            f"{shown}, which is not a whole number from 1" in err, err


def test_a_site_without_a_priority_is_numbered_after_the_others_and_said(edit, capsys, tmp_path):
    from cli.output import load_proposal_file

    def change(fc):
        del fc["features"][0]["properties"]["priority"]      # was #1
        fc["features"][2]["properties"]["priority"] = None   # was #3
    path = edit("nopri", change)
    prop = load_proposal_file(path)
    assert prop["sites"]["priority"].tolist() == [3, 2, 4]  # after #2, the file's order
    assert [s["feature"] for s in prop["unnumbered"]] == [1, 3]
    code, got = json_said(capsys, "en", "targets", "--proposal", path)
    assert code == 0, got
    assert [n for n in got["notes"] if "without a priority" in n] == [
        "nopri.geojson has sites without a priority, numbered after the others in the file's order: feature 1 "
        "(五堰街道 – proposed township elderly-service complex) as #3, feature 3 (大坝路街道 – proposed township "
        "elderly-service complex) as #4"], got["notes"]
    code, out, err = run(capsys, "targets", "--proposal", path)
    assert code == 0 and "* nopri.geojson 中有站点未填优先序（priority），已按文件顺序排在其他站点之后：第 1 个要素" \
        "（拟建五堰街道养老服务综合体）记为 #3、第 3 个要素（拟建大坝路街道养老服务综合体）记为 #4。" in out, out
    # the map draws them so (it ended in "cannot convert float NaN to integer")
    html = tmp_path / "m.html"
    code, out, err = run(capsys, "map", "--type", "elderly_complex", "--proposal", path, "--out", str(html))
    assert code == 0 and "Traceback" not in err, err
    text = html.read_text(encoding="utf-8")
    assert "#4 拟建大坝路街道养老服务综合体" in text and "#3 拟建五堰街道养老服务综合体" in text


def test_a_multipoint_of_one_point_is_that_point(edit, written):
    from cli.output import load_proposal_file

    path = edit("mp", geometry(1, lambda c: {"type": "MultiPoint", "coordinates": [c]}))
    sites = load_proposal_file(path)["sites"]
    c = written["features"][1]["geometry"]["coordinates"]
    assert sites.geom_type.tolist() == ["Point"] * 3 and (sites.geometry.x[1], sites.geometry.y[1]) == tuple(c)


# -- 3. a type this installation does not know: refused by targets as by map ------------------------------------

def test_an_unknown_type_is_refused_by_targets_and_map_alike(edit, capsys, tmp_path):
    path = edit("badtype", lambda fc: fc["coverplan"].__setitem__("type", "nonesuch"))
    for lang, words in (("zh", "方案的设施类型（coverplan.type）：未知的设施类型“nonesuch”。可用类型：elderly_complex"),
                        ("en", "the proposal's facility type (coverplan.type): Unknown facility type 'nonesuch'. "
                               "Known types: elderly_complex")):
        errors = []
        for argv in both_commands(path, tmp_path):
            code, err = said(capsys, lang, *argv)
            assert code != 0 and f"--proposal {path}" in err and words in err, err
            errors.append(err)
        assert errors[0] == errors[1]  # one wording
    code, got = json_said(capsys, "en", "targets", "--proposal", path)
    assert code != 0 and "nonesuch" in got["message"] and "targets" not in got, got


# -- 4. the township a site is counted in is its point's ---------------------------------------------------------

def test_a_site_outside_the_region_is_refused_and_a_moved_one_counted_where_its_point_is(edit, capsys, written):
    from geo.regions import load_region
    from planner.register_checks import RegionShapes

    # in the region's box but outside its outline (Shaanxi): refused by targets, which knows the region's shape
    path = edit("shaanxi", geometry(1, {"type": "Point", "coordinates": [108.5, 33.2]}))
    code, err = said(capsys, "en", "targets", "--proposal", path)
    assert code != 0 and "feature 2 (二堰街道 – proposed township elderly-service complex) at longitude 108.5, " \
        "latitude 33.2 lies outside the region (Shiyan)" in err, err
    # moved to another township: counted there, and said
    region = load_region("shiyan")
    lon, lat = 110.80, 32.63
    code = str(RegionShapes(region).township_of(__import__("numpy").array([lon]), __import__("numpy").array([lat]))[0])
    recorded = written["features"][1]["properties"]["township_code"]
    assert code != recorded
    path = edit("moved", geometry(1, {"type": "Point", "coordinates": [lon, lat]}))
    town, was = region.townships.loc[code, "name"], region.townships.loc[recorded, "name"]
    code_, got = json_said(capsys, "en", "targets", "--proposal", path)
    assert code_ == 0
    assert got["notes"] == [f"moved.geojson: feature 2 (二堰街道 – proposed township elderly-service complex) records "
                            f"the township {was} ({recorded}), but its point lies in {town} ({code}): counted there, "
                            "where its point is"], got["notes"]
    code_, out, err = run(capsys, "targets", "--proposal", path)
    assert f"* moved.geojson 的第 2 个要素（拟建二堰街道养老服务综合体）记录的乡镇（街道）为{was}（{recorded}），" \
        f"但其坐标位于{town}（{code}），按坐标所在乡镇计。" in out, out


def test_the_township_read_from_the_point_is_what_is_counted(edit, written):
    from cli.output import load_proposal_file
    from geo.regions import load_region
    from planner.proposals import place_proposal_sites

    region = load_region("shiyan")
    # the file says township A for a point in township B: B is counted, with B's county
    path = edit("relabel", lambda fc: fc["features"][0]["properties"].update(township_code="420302002"))
    sites, moved = place_proposal_sites(load_proposal_file(path), region)
    right = written["features"][0]["properties"]
    assert sites["township_code"].iloc[0] == right["township_code"] and sites["county_code"].iloc[0] == \
        right["county_code"] and sites["township_name"].iloc[0] == right["township_name"]
    assert moved == [{"feature": 1, "name": right["name"], "name_en": right["name_en"], "recorded": "420302002",
                      "township": right["township_code"]}]
    # the file as written: nothing moved
    assert place_proposal_sites(load_proposal_file(edit("asis", lambda fc: None)), region)[1] == []


# -- 5. the name coverplan made, in both languages ---------------------------------------------------------------

def test_the_file_records_its_made_name_in_both_languages_and_a_reader_takes_its_own(written, edit):
    from cli.output import load_proposal_file, proposal_name, recorded_name
    from planner.facility_types import get_type

    meta = written["coverplan"]
    assert meta["name"] == "乡镇(街道)养老服务综合体·最大覆盖·3处·prop"
    assert meta["auto_name"] == {"zh": meta["name"], "en": "Township elderly-service complex · maximal covering · "
                                                           "3 sites · prop"}
    assert recorded_name(meta, "en") == meta["auto_name"]["en"] and recorded_name(meta, "zh") == meta["name"]
    prop = load_proposal_file(edit("named", lambda fc: None))
    assert recorded_name(prop, "en") == meta["auto_name"]["en"]
    # a name given or edited by hand stays as it is; a file written before (no auto_name) as it was
    hand = edit("hand", lambda fc: fc["coverplan"].__setitem__("name", "二期方案"))
    assert recorded_name(load_proposal_file(hand), "en") == "二期方案"
    old = edit("old", lambda fc: fc["coverplan"].pop("auto_name"))
    assert recorded_name(load_proposal_file(old), "en") == meta["name"]
    # the name is the run's language's, a str as before
    name = proposal_name("upgrade", get_type("welfare_home"), "en", "x/up.geojson", k=5)
    assert isinstance(name, str) and name == name.by_lang["en"] and CJK.search(name.by_lang["zh"])


def test_a_file_read_for_no_region_is_checked_against_the_globe_only(tmp_path):
    from geo.errors import InputDataError
    from planner.proposals import load_proposal_sites

    def read(coords, region=None):
        path = tmp_path / "p.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "coverplan": {"type": "day_care"}, "features": [
            {"type": "Feature", "properties": {"name": "x", "priority": 1},
             "geometry": {"type": "Point", "coordinates": coords}}]}), encoding="utf-8")
        return load_proposal_sites(path, region=region)

    assert len(read([113.0, 32.6])["sites"]) == 1  # a test region's, elsewhere
    for coords, check in (([32.6, 113.0], "swapped"), ([200.0, 95.0], "outside")):
        with pytest.raises(InputDataError) as exc:
            read(coords)
        assert exc.value.details["check"] == check and exc.value.details["feature"] == 1
    with pytest.raises(InputDataError) as exc:  # Shiyan's box, by its name
        read([113.0, 32.6], region="shiyan")
    assert "outside the region (Shiyan" in exc.value.en


# -- map and targets read the name in the run language, and map says and refuses as targets does --
def test_map_and_targets_name_the_proposal_in_the_run_language(edit, written, capsys, tmp_path):
    path = edit("prop", lambda fc: None)
    en = written["coverplan"]["auto_name"]["en"]
    html = tmp_path / "m.html"
    code, out, err = run(capsys, "--lang", "en", "map", "--type", "elderly_complex", "--proposal", path, "--out",
                         str(html), "--json")
    assert code == 0 and json.loads(out)["title"] == f"{en} · coverplan", out
    assert f"<title>{en} · coverplan</title>" in html.read_text(encoding="utf-8")
    assert "乡镇(街道)养老服务综合体·最大覆盖" not in html.read_text(encoding="utf-8")
    code, out, err = run(capsys, "map", "--type", "elderly_complex", "--proposal", path, "--out", str(html), "--json")
    assert json.loads(out)["title"] == f"{written['coverplan']['name']} · coverplan"
    hand = edit("hand", lambda fc: fc["coverplan"].__setitem__("name", "二期方案"))
    code, out, err = run(capsys, "--lang", "en", "map", "--type", "elderly_complex", "--proposal", hand, "--out",
                         str(html), "--json")
    assert json.loads(out)["title"] == "二期方案 · coverplan"
    t = tmp_path / "t.csv"
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", path, "--out", str(t))
    assert code == 0, err
    title = next(csv.reader(t.read_text(encoding="utf-8-sig").splitlines()))[0]
    assert "Township elderly-service complex · maximal covering · 3 sites" in title, title


def test_map_says_a_site_without_a_priority_and_refuses_one_outside_the_region(edit, capsys, tmp_path):
    html = tmp_path / "m.html"
    path = edit("nopri", lambda fc: fc["features"][2]["properties"].pop("priority"))
    code, out, err = run(capsys, "--lang", "en", "map", "--type", "elderly_complex", "--proposal", path, "--out",
                         str(html))
    assert code == 0 and "* nopri.geojson has 1 site without a priority, numbered after the others in the file's " \
        "order: feature 3 (大坝路街道 – proposed township elderly-service complex) as #3." in err, err
    path = edit("shaanxi", lambda fc: fc["features"][1].__setitem__("geometry", {"type": "Point",
                                                                                  "coordinates": [108.5, 33.2]}))
    code, out, err = run(capsys, "--lang", "en", "map", "--type", "elderly_complex", "--proposal", path, "--out",
                         str(html))
    assert code != 0 and "Traceback" not in err and "feature 2" in err and "outside the region (Shiyan)" in err, err
