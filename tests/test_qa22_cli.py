"""QA 22 (CLI): `od` and `network build` made a missing --out folder (a typo made a folder, as backup's did at
the root in QA 21); `serve` checked --network at startup but not the same graph given by COVERPLAN_GRAPH, so a
missing or wrong file there started a server whose every road-network request failed; and `--allowed-host *`
turned the host-name check off without a word."""
from __future__ import annotations

import pytest

from test_qa21_cli import run
from test_qa21_cli_b import no_listen, serve  # noqa: F401  (no_listen: a fixture)


def test_od_refuses_a_missing_out_folder(tmp_path, capsys):
    (tmp_path / "p.csv").write_text("id,lon,lat\na,110.8,32.6\nb,110.9,32.7\n", encoding="utf-8")
    out = tmp_path / "typo" / "od.npz"
    for lang, said in (("en", f"the folder {tmp_path / 'typo'} does not exist"), ("zh", "不存在")):
        code, _, err = run(capsys, "--lang", lang, "od", "--origins", str(tmp_path / "p.csv"),
                           "--destinations", str(tmp_path / "p.csv"), "--out", str(out))
        assert code == 2 and said in err and "Traceback" not in err, err
    assert not (tmp_path / "typo").exists()
    # into a folder that exists it still writes
    good = tmp_path / "od.npz"
    code, _, err = run(capsys, "od", "--origins", str(tmp_path / "p.csv"), "--destinations", str(tmp_path / "p.csv"),
                       "--out", str(good))
    assert code == 0 and good.stat().st_size > 0, err


def test_network_build_refuses_a_missing_out_folder(tmp_path, capsys):
    osm = tmp_path / "r.osm"
    osm.write_text('<?xml version="1.0"?><osm version="0.6"></osm>', encoding="utf-8")
    code, _, err = run(capsys, "--lang", "en", "network", "build", "--osm", str(osm),
                       "--out", str(tmp_path / "nope" / "g.graphml"))
    assert code == 2 and f"the folder {tmp_path / 'nope'} does not exist" in err, err
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("content, name, en, zh", [
    (None, "gone.graphml", "File not found", "找不到文件"),
    ("id,x\n1,2\n", "roads.csv", "is not a road network", "不是路网文件"),
])
def test_serve_checks_the_graph_from_the_environment(no_listen, capsys, monkeypatch, content, name, en, zh):
    path = no_listen / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("COVERPLAN_GRAPH", str(path))
    code, _, err = serve(capsys, no_listen, "en")
    assert code == 2 and "COVERPLAN_GRAPH" in err and en in err and "Traceback" not in err, err
    code, _, err = serve(capsys, no_listen, "zh")
    assert code == 2 and "COVERPLAN_GRAPH" in err and zh in err, err
    assert not (no_listen / "s.sqlite").exists()


def test_serve_takes_a_good_graph_from_the_environment(no_listen, capsys, monkeypatch):
    import networkx as nx

    g = nx.MultiDiGraph(crs="epsg:4326")
    g.add_node(1, x=110.8, y=32.6)
    g.add_node(2, x=110.81, y=32.6)
    g.add_edge(1, 2, length=940.0)
    path = no_listen / "roads.graphml"
    nx.write_graphml(g, path)
    monkeypatch.setenv("COVERPLAN_GRAPH", str(path))
    code, _, err = serve(capsys, no_listen, "en")
    assert "would be loaded" in err and "COVERPLAN_GRAPH" not in err, err


def test_serve_warns_of_allowed_host_star(no_listen, capsys):
    code, _, err = serve(capsys, no_listen, "en", "--allowed-host", "*")
    assert "would be loaded" in err and "--allowed-host * answers a request by any host name" in err, err
    code, _, err = serve(capsys, no_listen, "zh", "--allowed-host", "*")
    assert "--allowed-host * 使任何主机名的请求都被响应" in err, err
    code, _, err = serve(capsys, no_listen, "en", "--allowed-host", "gis.shiyan.local")
    assert "would be loaded" in err and "any host name" not in err, err



def test_data_import_refusing_a_swapped_file_does_not_say_it_read_it_swapped(tmp_path, capsys, monkeypatch):
    """`data import` refuses a file with swapped lon/lat unless --partial, and its refusal listed each row as a
    warning "read the other way round" just before saying nothing was imported."""
    from geo import settings
    from geo.regions import load_region

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    g = load_region("shiyan").villages.geometry
    rows = "\n".join(f"站{i},慈善工作站点,{g.iloc[i].y:.6f},{g.iloc[i].x:.6f}" for i in range(3))
    f = tmp_path / "swapped.csv"
    f.write_text("名称,类型,经度,纬度\n" + rows + "\n", "utf-8")
    for lang, kept, fixed in (("en", "not corrected here", "read the other way round"),
                              ("zh", "此处不自动改正", "已交换后读取")):
        code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(f))
        assert code == 2 and kept in err and fixed not in err, err


def test_a_types_file_that_is_missing_is_not_a_toml_syntax_problem(tmp_path):
    from geo.errors import InputDataError
    from planner.facility_types import _parse

    with pytest.raises(InputDataError) as e:
        _parse(tmp_path / "facility_types.toml")
    assert "TOML" not in e.value.message("en") and "exists" in e.value.message("en")
    assert "语法" not in e.value.message("zh") and "是否存在" in e.value.message("zh")


def test_coordinate_arrays_with_inf_are_said_not_finite():
    import numpy as np

    from geo.errors import InputDataError
    from geo.travel import travel_costs

    pts = np.array([[110.8, 32.6], [np.inf, 32.6]])
    with pytest.raises(InputDataError) as e:
        travel_costs(pts, pts, mode="estimate")
    assert "not finite" in e.value.message("en") and "有限" in e.value.message("zh")


def test_propose_takes_a_county_as_the_web_form_does(tmp_path, capsys, monkeypatch):
    """The web form's scope had no CLI twin: `propose --county` solves on the county's demand, facilities and
    candidates, by the same rule (planner.coverage.county_type), and gives the web's answer."""
    import json

    from geo import settings
    from web.app import create_app

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "elderly_complex", "--p", "3",
                         "--county", "Fang County", "--json")
    assert code == 0, err
    cli = json.loads(out)
    assert len(cli["sites"]) == 3 and {str(s["county_code"]) for s in cli["sites"]} == {"420325"}
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        r = app.test_client().post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp",
                                                                     "p": 3, "county": "420325"})
        assert r.status_code == 201, r.data[:300]
        web = r.get_json()["proposal"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert cli["after"]["covered_weight"] == pytest.approx(web["after"]["covered_weight"])
    assert cli["before"]["covered_weight"] == pytest.approx(web["before"]["covered_weight"])
    # the facility counts are the county's on both faces (the CLI gave the city's: QA 23)
    assert (cli["before"]["facilities"], cli["after"]["facilities"]) == \
        (web["before"]["facilities"], web["after"]["facilities"])
    assert cli["scope"] == {"county": "420325", "name": "Fang County"} and web["scope"]["county"] == "420325"
    from planner.coverage import existing_facilities
    from planner.facility_types import get_type
    fang = int(existing_facilities(app.extensions["coverplan"]["service"].region, get_type("elderly_complex"))
               ["county_code"].astype(str).eq("420325").sum())
    assert 0 < cli["before"]["facilities"] == fang and cli["after"]["facilities"] == fang + 3
    code, _, err = run(capsys, "--lang", "zh", "propose", "--type", "elderly_complex", "--p", "3", "--county", "哪里")
    assert code == 2 and "--county 哪里 无效：没有这个县区" in err, err
