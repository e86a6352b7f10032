"""QA 30, small items."""
from __future__ import annotations

from cli.main import main


def test_the_cli_sized_xlsx_writes_utilisation_as_a_percent_number(tmp_path):
    """The sized table is built from dicts: pandas made its utilisation column the str dtype, and the shares
    were skipped and written as text ('35.1%') where the web's .xlsx has 0.351 shown as 0.0%."""
    from openpyxl import load_workbook

    out = tmp_path / "s.xlsx"
    assert main(["propose", "--type", "welfare_home", "--sizes", "30", "--county", "郧阳区", "--budget", "1",
                 "--out", str(out)]) == 0
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=False))
    head = next(i for i, r in enumerate(rows) if any(c.value == "使用率" for c in r))
    col = next(j for j, c in enumerate(rows[head]) if c.value == "使用率")
    cells = [r[col] for r in rows[head + 1:] if r[col].value is not None]
    assert cells and all(isinstance(c.value, float) and 0 < c.value <= 1 for c in cells), [c.value for c in cells]
    assert all("%" in c.number_format for c in cells)


def test_the_cli_refuses_a_model_with_sizes_as_the_web(capsys):
    """--model with --sizes was dropped without a word (its help says it is not used there); the web says 400."""
    code = main(["--lang", "en", "propose", "--type", "welfare_home", "--sizes", "30,60", "--model", "mclp"])
    err = capsys.readouterr().err
    assert code == 2 and "--model applies only without --sizes" in err and "Traceback" not in err, err
    assert main(["propose", "--type", "welfare_home", "--sizes", "30", "--model", "auto", "--budget", "1",
                 "--county", "郧阳区", "--json"]) == 0  # the default stays usable


def test_map_layers_say_their_data_version_and_the_upgrade_layer_records_it(tmp_path, capsys):
    """The layers (capacity, access, upgrades) carried no version; the upgrade layer, which API.md offers to
    `coverplan targets --proposal`, made it say "no data version recorded (written by an older coverplan)"."""
    import json

    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        for url in ("/api/capacity/welfare_home/layer", "/api/access/day_care/layer",
                    "/api/upgrades/welfare_home/layer?k=2"):
            r = c.get(url)
            assert r.status_code == 200 and r.headers["X-Coverplan-Data-Version"] == "0", url
        fc = c.get("/api/upgrades/welfare_home/layer?k=2").get_json()
        assert fc["coverplan"]["dataset_version"] == 0
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    path = tmp_path / "up.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), "utf-8")
    capsys.readouterr()
    assert main(["targets", "--proposal", str(path)]) == 0
    out = capsys.readouterr().out
    assert "未记录" not in out and "较早" not in out, out



def test_a_village_point_far_outside_the_region_is_not_blamed_on_the_datum(var_dir, tmp_path, capsys, shiyan):
    """880 km away: the hint named only GCJ-02/BD-09, whose offset is under 1.5 km (QA 30)."""
    import json

    v = shiyan.villages.iloc[:2]
    p = v.geometry.iloc[0]
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{v.index[0]},{p.x:.6f},{p.y:.6f}\n{v.index[1]},116.4,39.9\n", "utf-8")
    capsys.readouterr()
    main(["--lang", "en", "data", "import", "villages", str(path), "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    far = [i for i in out["issues"] if i.get("row") == 3]
    assert far and "swapped" in str(far[0]) and "under 1.5 km" in str(far[0]), far


def test_access_gives_the_shares_below_the_standard_beside_its_mean(shiyan):
    from planner.access import analyse_access

    c = analyse_access(shiyan, "day_care").citywide
    assert abs(c["below_standard_share"] * c["demand"] - c["below_standard_demand"]) < 1
    assert 0 < c["zero_access_share"] <= c["below_standard_share"] < 1
