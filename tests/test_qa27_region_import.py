"""QA 27 (F5): `coverplan region import` is a data version, the data store's smaller defects.

1. region import wrote a folder that only version 0 read: once any data version existed (a mark, a
   register) the import was silently dropped. It now commits a data version as `data import` does, and a
   folder left by an older install is taken in once as a data version.
2. `region info` printed the raw key site_marks and "edited on the map" after `data mark`.
3. An empty file given as --db to a command that only reads answered on the embedded data.
4. serve --help named var/ for the database; region import --help said 9 digits only.
5. region info's table was ragged with Chinese names; townships_by_kind mixed languages.
"""
from __future__ import annotations

import json

import pytest
import shapely

from cli.output import columns
from geo import settings
from geo.regions import load_region
from test_qa21_cli import run

VILLAGE = "420325100001"


def _store():
    from geo.datasets import DatasetStore, default_db_path
    return DatasetStore(default_db_path(), region="shiyan")


def _village_csv(path, n=3, dx=0.0005):
    """``n`` villages of 城关镇 (房县) moved ``dx`` degrees east: code,lon,lat,population as QA's file."""
    v = load_region("shiyan", imports=False).villages
    codes = sorted(c for c in v.index if str(c).startswith("420325100"))[:n]
    rows = [f"{c},{v.loc[c, 'geometry'].x + dx:.6f},{v.loc[c, 'geometry'].y:.6f},1000" for c in codes]
    path.write_text("code,lon,lat,population\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, {c: (round(v.loc[c, "geometry"].x + dx, 6), round(v.loc[c, "geometry"].y, 6)) for c in codes}


def _point(region, code):
    g = region.villages.loc[code, "geometry"]
    return round(g.x, 6), round(g.y, 6)


def test_region_import_is_a_data_version_that_outlives_a_mark(var_dir, tmp_path, capsys):
    from cli.analysis import current_region
    from geo.datasets import os_user

    path, points = _village_csv(tmp_path / "vill_ok.csv")
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(path), "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["version"] == 1 and res["imports"][0]["version"] == 1 and res["imports"][0]["imported"] == 3
    assert res["imports"][0]["of"] == 1979 and res["imports"][0]["file"] == "vill_ok.csv"
    assert [i["code"] for i in res["imports"][0]["issues"]][:1] == ["columns_not_read"]
    store = _store()
    row = store.version(1)
    assert row.kind == "import" and row.layer == "villages" and row.author == os_user()
    assert store.source_path(1).name == "vill_ok.csv"  # the file kept, as `data import` keeps it
    assert (var_dir / "reports" / "v1" / "meta.json").is_file()  # and its validation report
    assert _point(current_region("shiyan"), VILLAGE) == points[VILLAGE]
    # a mark made on the command line: the import stays (it went back to the synthetic point)
    code, _, err = run(capsys, "data", "mark", "cand-seat-420325111", "--type", "elderly_complex", "--required")
    assert code == 0, err
    region = current_region("shiyan")
    assert region.dataset_version == 2 and _point(region, VILLAGE) == points[VILLAGE]
    assert region.villages.loc[VILLAGE, "location_quality"] == "official"
    # version 0 stays the embedded default as shipped
    assert _point(load_region("shiyan"), VILLAGE) != points[VILLAGE]
    assert not (var_dir / "regions" / "shiyan").exists()  # no folder beside the store any more


def test_region_import_after_a_register_and_reset_keeps_the_facilities(var_dir, tmp_path, capsys):
    path, points = _village_csv(tmp_path / "v.csv")
    code, out, err = run(capsys, "region", "import", "--villages", str(path))
    assert code == 0, err
    assert "已从 v.csv 导入村（社区）点位：文件 3 行中 3 行。已保存为数据版本 1（当前版本）。" in out, out
    assert "重新启动" not in out  # the server reads the current version at once
    code, _, err = run(capsys, "data", "mark", "cand-seat-420325111", "--type", "elderly_complex", "--required")
    assert code == 0, err
    before = _store().region()
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--reset")
    assert code == 0, err
    assert "saved as data version 3 (facilities unchanged)" in out, out
    after = _store().region()
    assert after.dataset_version == 3 and (after.villages["location_quality"] == "synthetic").all()
    assert _point(after, VILLAGE) == _point(load_region("shiyan", imports=False), VILLAGE)
    assert len(after.facilities) == len(before.facilities) and len(after.site_marks) == 1  # the mark stays
    # nothing to reset: no version
    code, out, err = run(capsys, "region", "import", "--reset", "--json")
    assert code == 0 and json.loads(out)["version"] is None and _store().current().version == 3
    # the history says it in each language
    code, out, _ = run(capsys, "--lang", "en", "data", "versions")
    assert "the embedded township boundaries and village points restored" in out and "恢复" not in out, out


def test_the_same_file_again_makes_no_version(var_dir, tmp_path, capsys):
    path, _ = _village_csv(tmp_path / "v.csv")
    assert run(capsys, "region", "import", "--villages", str(path))[0] == 0
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(path))
    assert code == 0, err
    assert "those of the current data version 1 already: no new version" in out, out
    assert _store().current().version == 1


def _legacy(var_dir, name="村点位.csv"):
    folder = var_dir / "regions" / "shiyan"
    folder.mkdir(parents=True)
    v = load_region("shiyan", imports=False).villages.loc[VILLAGE, "geometry"]
    (folder / "villages_official.csv").write_text(f"code,lon,lat\n{VILLAGE},{v.x + 0.001:.6f},{v.y:.6f}\n",
                                                  encoding="utf-8")
    (folder / "imports.json").write_text(json.dumps({"villages": {"file": name, "count": 1}}, ensure_ascii=False),
                                         encoding="utf-8")
    return folder, (round(v.x + 0.001, 6), round(v.y, 6))


def test_an_older_install_s_import_folder_is_taken_in_once(var_dir, capsys):
    from cli.analysis import current_region

    folder, point = _legacy(var_dir)
    region = current_region("shiyan")  # a fresh machine but for the folder: no database yet
    assert region.dataset_version == 1 and _point(region, VILLAGE) == point
    assert not folder.exists() and (var_dir / "regions" / "shiyan.taken-in-v1").is_dir()
    assert _point(load_region("shiyan"), VILLAGE) != point  # version 0: the embedded data, no overlay
    again = current_region("shiyan")
    assert again.dataset_version == 1 and len(_store().versions()) == 2  # not taken in twice
    code, out, _ = run(capsys, "--lang", "en", "data", "versions")
    assert "taken in from an earlier region import: village points (the file 村点位.csv)" in out, out


def test_the_folder_is_taken_in_beside_an_existing_store(var_dir, capsys):
    from cli.analysis import current_region

    code, _, err = run(capsys, "data", "mark", "cand-seat-420325111", "--type", "elderly_complex", "--required")
    assert code == 0, err
    folder, point = _legacy(var_dir)
    region = current_region("shiyan")  # the store is only read: the folder is taken in first
    assert region.dataset_version == 2 and _point(region, VILLAGE) == point and len(region.site_marks) == 1
    assert not folder.exists()


def test_a_store_elsewhere_does_not_take_the_folder(var_dir, tmp_path):
    from geo.datasets import DatasetStore

    folder, _ = _legacy(var_dir)
    other = DatasetStore(tmp_path / "other.sqlite", region="shiyan")
    assert other.current().version == 0 and folder.exists()


@pytest.mark.parametrize("lang, words, wrong", [
    ("zh", ("候选点必选/禁选标记", "规划人员设定（地图上或命令行）"), ("site_marks", "在地图上编辑")),
    ("en", ("candidate site marks", "set by planners (on the map or on the command line)"),
     ("site_marks", "edited on the map"))])
def test_region_info_names_the_marks_in_words(var_dir, capsys, lang, words, wrong):
    code, _, err = run(capsys, "data", "mark", "cand-seat-420325111", "--type", "elderly_complex", "--required")
    assert code == 0, err
    code, out, err = run(capsys, "--lang", lang, "region", "info")
    assert code == 0, err
    assert all(w in out for w in words) and not any(w in out for w in wrong), out


@pytest.mark.parametrize("lang, word", [("zh", "是空文件（0 字节），不是 SQLite 数据库文件"),
                                        ("en", "is empty (0 bytes): it is not a SQLite database")])
@pytest.mark.parametrize("argv", [("coverage", "--type", "day_care"), ("data", "versions")])
def test_an_empty_file_is_no_database_to_read(var_dir, tmp_path, capsys, lang, word, argv):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "--lang", lang, *argv, "--db", str(empty))
    assert code == 2 and word in err and "Traceback" not in err, (out, err)
    assert "数据版本 0" not in out + err and "data version 0" not in out + err


def test_an_empty_file_may_still_become_a_database(var_dir, tmp_path):
    from geo.datasets import DatasetStore
    from geo.dbfile import check_database

    empty = tmp_path / "new.sqlite"
    empty.write_bytes(b"")
    assert check_database(empty, create=True) == empty
    assert DatasetStore(empty, region="shiyan").current().version == 0


def test_help_says_where_the_database_is_and_the_code_widths(capsys):
    code, out, _ = run(capsys, "--lang", "en", "serve", "--help")
    assert code == 0 and "$COVERPLAN_VAR/proposals.sqlite" in out, out
    code, out, _ = run(capsys, "serve", "--help")
    assert code == 0 and "$COVERPLAN_VAR/proposals.sqlite" in out, out
    code, out, _ = run(capsys, "region", "import", "--help")
    flat = "".join(out.split())  # argparse wraps the help anywhere in Chinese
    assert code == 0 and "9位或12位" in flat and "数据版本" in flat, out
    code, out, _ = run(capsys, "--lang", "en", "region", "import", "--help")
    flat = " ".join(out.split())
    assert code == 0 and "9- or 12-digit" in flat and "data version" in flat, out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_region_info_table_lines_up_by_display_width(var_dir, capsys, lang):
    code, out, err = run(capsys, "--lang", lang, "region", "info")
    assert code == 0, err
    lines = out.splitlines()
    head = next(k for k, line in enumerate(lines) if line.startswith(("代码", "code")))
    table = lines[head:head + 10]  # header, 8 counties, total
    assert table[-1].strip().startswith(("合计", "total")), table
    ends = [columns(line[:line.rfind("  ")]) for line in table[:-1]] + [columns(table[-1].rstrip())]
    assert len(set(ends)) == 1, table


def test_townships_by_kind_keys_are_in_one_language(var_dir, capsys):
    code, out, _ = run(capsys, "region", "info", "--json")
    info = json.loads(out)
    assert set(info["counts"]["townships_by_kind"]) == {"town", "township", "subdistrict", "other"}
    assert sum(info["counts"]["townships_by_kind"].values()) == 129
    assert set(info["counts"]["villages_by_kind"]) == {"community", "village"}
    code, out, _ = run(capsys, "region", "info")
    assert "镇 72" in out and "街道 12" in out and "其他 11" in out and "town" not in out, out


def test_region_import_of_townships_is_a_version_too(var_dir, tmp_path, capsys):
    import geopandas as gpd

    region = load_region("shiyan", imports=False)
    t = region.townships.to_crs(settings.METRIC_CRS)
    c = region.counties.to_crs(settings.METRIC_CRS)
    code9 = "420302001"
    grown = t.loc[code9, "geometry"].buffer(500).intersection(c.loc[code9[:6], "geometry"])
    path = tmp_path / "乡镇界.geojson"
    gpd.GeoDataFrame({"代码": [code9 + "000"]}, geometry=[grown], crs=settings.METRIC_CRS).to_file(path, driver="GeoJSON")
    code, _, err = run(capsys, "data", "mark", "cand-seat-420325111", "--type", "elderly_complex", "--required")
    assert code == 0, err
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--townships", str(path))
    assert code == 0, err
    assert "Imported 1 of the 1 row of 乡镇界.geojson (township boundaries). Saved as data version 2" in out, out
    now = _store().region()
    assert now.townships.loc[code9, "geometry_quality"] == "official" and len(now.site_marks) == 1
    assert shapely.contains(now.townships.loc[now.villages["township_code"], "geometry"].values,
                            now.villages.geometry.values).all()


def test_a_refused_village_file_commits_nothing_not_even_the_boundaries(var_dir, tmp_path, capsys):
    import geopandas as gpd

    region = load_region("shiyan", imports=False)
    code9 = "420302001"
    t = region.townships.to_crs(settings.METRIC_CRS)
    path = tmp_path / "t.geojson"
    gpd.GeoDataFrame({"code": [code9]}, geometry=[t.loc[code9, "geometry"].buffer(-200)],
                     crs=settings.METRIC_CRS).to_file(path, driver="GeoJSON")
    good, _ = _village_csv(tmp_path / "v.csv", n=2)
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text("utf-8") + "420325999999,110.74,32.05,1\n", encoding="utf-8")
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--townships", str(path), "--villages", str(bad))
    assert code == 2 and "unknown village code 420325999999" in err and "--partial" in err, err
    assert _store().current().version == 0  # the boundaries were not committed either
    # --dry-run says it and saves nothing; --partial takes the accepted rows
    code, out, err = run(capsys, "region", "import", "--villages", str(bad), "--dry-run")
    assert code == 0 and "未保存" in out and "不加 --partial 时整个文件不会导入" in out, (out, err)
    assert _store().current().version == 0
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(bad), "--partial")
    assert code == 0 and "Imported 2 of the 3 rows of bad.csv" in out and "Saved as data version 1" in out, (out, err)
