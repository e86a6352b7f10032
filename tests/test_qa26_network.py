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
