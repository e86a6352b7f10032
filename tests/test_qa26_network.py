"""QA 26: an OSM file with a node at lat="nan" (or "inf") is refused in words, not with osmium's traceback."""
from __future__ import annotations

import pytest

from geo import settings
from test_qa21_cli import run

OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="coverplan tests">
  <node id="1" lat="32.60" lon="110.70"/>
  <node id="2" lat="{lat}" lon="110.71"/>
  <node id="3" lat="32.62" lon="110.72"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/></way>
</osm>
"""


@pytest.mark.parametrize("lat", ["nan", "inf"])
def test_extract_roads_names_a_coordinate_that_is_not_a_number(tmp_path, lat):
    from geo.errors import InputDataError
    from geo.osmfile import extract_roads

    src = tmp_path / "n.osm"
    src.write_text(OSM.format(lat=lat), "utf-8")
    with pytest.raises(InputDataError) as exc:
        extract_roads(src, tmp_path / "out.osm")
    assert f"a node's coordinate is not a number ('{lat}')" in exc.value.message("en")
    assert "有节点的坐标不是数值" in exc.value.message("zh") and exc.value.details["file"] == "n.osm"


@pytest.mark.parametrize("lang, words", [("en", "every node needs a finite latitude and longitude"),
                                         ("zh", "每个节点都须有有限的经纬度")])
def test_network_build_refuses_it_with_exit_2_and_no_traceback(tmp_path, monkeypatch, capsys, lang, words):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    src = tmp_path / "n.osm"
    src.write_text(OSM.format(lat="nan"), "utf-8")
    code, out, err = run(capsys, "--lang", lang, "network", "build", "--osm", str(src))
    assert code == 2 and words in err and "Traceback" not in err, err


# -- English counts of one: "1 row", not "1 rows" / "1 row(s)" (the leftovers of the CLI's summary fix) ------------
def test_a_village_file_with_one_bad_row_says_one_row(tmp_path, monkeypatch):
    from geo.errors import InputDataError
    from geo.imports import import_villages
    from geo.regions import load_region

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    region = load_region("shiyan")
    (c0, c1), p = region.villages.index[:2], region.villages.geometry.iloc[0]
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{c0},{p.x},{p.y}\n{c1},abc,{p.y}\n", encoding="utf-8")
    with pytest.raises(InputDataError) as exc:
        import_villages(region, path)
    assert "v.csv: 1 row cannot be imported: row 3" in exc.value.message("en")


def test_audit_details_and_the_checklist_count_say_one_row():
    from planner.i18n import t
    from web.auth import audit_detail_text

    assert audit_detail_text({"rows": 1}, "en") == "1 row" and audit_detail_text({"rows": 2}, "en") == "2 rows"
    assert t("rows_shown1", "en", n=1, total=1) == "1 of 1 row" and t("rows_shown1", "zh", n=1, total=1) == "显示 1 / 1 行"
