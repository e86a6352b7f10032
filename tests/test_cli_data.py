"""`coverplan data import | versions | diff | rollback`."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest

from cli.main import main
from geo import settings
from geo.datasets import DatasetStore
from geo.regions import load_region

CODE = "420302001"  # 武当路街道


def store(var_dir: Path) -> DatasetStore:
    return DatasetStore(var_dir / "proposals.sqlite", region="shiyan")


def run(capsys, *argv) -> tuple[int, dict | str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    try:
        return code, json.loads(out.out), out.err
    except ValueError:
        return code, out.out, out.err


def register_csv(path: Path, *, encoding: str = "utf-8") -> Path:
    """Five day-care centres at township seats (WGS84), one outside any seat."""
    towns = load_region("shiyan", imports=False).townships.iloc[:5]
    lines = ["id,name,facility_type,lon,lat"] + [
        f"DC-{i + 1},{r['name']}日间照料中心,day_care,{r['seat_lon']:.6f},{r['seat_lat']:.6f}"
        for i, (_, r) in enumerate(towns.iterrows())]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def township_zip(tmp: Path, *, metres: float = 300) -> Path:
    """A zipped Shapefile of every township, one boundary grown by ``metres``."""
    t = load_region("shiyan", imports=False).townships[["code", "geometry"]].reset_index(drop=True)
    m = t.to_crs(settings.METRIC_CRS)  # a projected .prj: converted on import
    i = m.index[m["code"] == CODE][0]
    m.loc[i, "geometry"] = m.loc[i, "geometry"].buffer(metres)
    shp = tmp / "shp" / "乡镇界.shp"
    shp.parent.mkdir()
    m.rename(columns={"code": "代码"}).to_file(shp, encoding="utf-8")
    path = tmp / "乡镇界.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in shp.parent.iterdir():
            z.write(f, f.name)
    return path


def test_versions_lists_version_0(var_dir, capsys):
    code, out, _ = run(capsys, "data", "versions", "--json")
    assert code == 0 and out["current"] == 0
    assert [(v["version"], v["kind"], v["status"]) for v in out["versions"]] == [(0, "embedded", "ok")]
    code, text, _ = run(capsys, "data", "versions")
    assert code == 0 and "内置默认数据" in text and "当前版本: 0" in text
    code, text, _ = run(capsys, "--lang", "en", "data", "versions")
    assert "embedded default" in text and "current version: 0" in text


def test_import_a_register_then_diff_and_roll_back(var_dir, tmp_path, capsys):
    src = register_csv(tmp_path / "日间照料中心.csv")
    code, out, err = run(capsys, "data", "import", "facilities", str(src), "--type", "day_care",
                         "--replace", "city", "--note", "2025名录", "--author", "李四", "--json")
    assert code == 0, err
    assert out["version"] == 1 and out["previous"] == 0 and not out["dry_run"]
    assert out["layer"] == "facilities:day_care"
    assert out["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert out["changes"]["counts"]["facilities_added"] == 5
    assert out["changes"]["counts"]["facilities_removed"] == 473
    s = store(var_dir)
    row = s.current()
    assert (row.version, row.author, row.note, row.rows) == (1, "李四", "2025名录", 5)
    assert s.source_path(1).read_bytes() == src.read_bytes()
    fac = s.region().facilities
    assert sorted(fac.index[fac["facility_type"] == "day_care"]) == [f"DC-{i}" for i in range(1, 6)]

    code, d, _ = run(capsys, "data", "diff", "0", "1", "--json")
    assert code == 0 and sorted(r["id"] for r in d["facilities"]["added"]) == [f"DC-{i}" for i in range(1, 6)]
    code, text, _ = run(capsys, "data", "diff", "0", "1")
    assert "新增设施: 5" in text and "DC-1" in text
    code, text, _ = run(capsys, "--lang", "en", "data", "diff", "0", "1")
    assert "facilities added: 5" in text

    code, out, _ = run(capsys, "data", "rollback", "0", "--json")
    assert code == 0 and out["version"] == 2 and out["target"] == 0
    assert len(store(var_dir).region().facilities) == len(load_region("shiyan", imports=False).facilities)
    code, text, _ = run(capsys, "data", "versions")
    assert "恢复为版本 0" in text and "日间照料中心.csv" in text



def test_the_same_data_again_makes_no_version(var_dir, tmp_path, capsys):
    """As in the browser: the register imported again under another name (here re-encoded, with a column
    the app does not read) holds the current version's data, so it makes no version whose diff is
    "no change"; the command says so in both languages and exits 0 (a nightly script is not failed)."""
    src = register_csv(tmp_path / "名录.csv")
    assert run(capsys, "data", "import", "facilities", str(src), "--type", "day_care", "--json")[1]["version"] == 1
    again = tmp_path / "名录(1).csv"
    lines = src.read_text("utf-8").splitlines()
    again.write_text("\n".join([lines[0] + ",来源"] + [x + ",导出" for x in lines[1:]]) + "\n", encoding="gbk")
    code, out, err = run(capsys, "data", "import", "facilities", str(again), "--type", "day_care", "--json")
    assert code == 0, err
    assert out["version"] is None and out["unchanged"] == 1 and out["current"] == 1
    code, text, _ = run(capsys, "data", "import", "facilities", str(again), "--type", "day_care")
    assert code == 0 and "与当前版本 1 完全相同" in text and "未生成新版本" in text
    code, text, _ = run(capsys, "--lang", "en", "data", "import", "facilities", str(again), "--type", "day_care")
    assert "exactly the data of the current version 1" in text
    assert store(var_dir).current().version == 1
    # one name changed: a new version
    changed = tmp_path / "名录2.csv"
    changed.write_text(src.read_text("utf-8").replace("日间照料中心", "日照中心", 1), encoding="utf-8")
    code, out, err = run(capsys, "data", "import", "facilities", str(changed), "--type", "day_care", "--json")
    assert code == 0 and out["version"] == 2 and out["unchanged"] is None, err


def test_township_zip_diff_and_rollback_brings_the_approximation_back(var_dir, tmp_path, capsys):
    path = township_zip(tmp_path)
    code, text, err = run(capsys, "data", "import", "townships", str(path))
    assert code == 0, err
    assert "已创建数据版本 1" in text and "乡镇界.zip" in text and CODE in text
    region = store(var_dir).region()
    assert (region.townships["geometry_quality"] == "official").all()
    assert region.provenance["layers"]["townships"]["supplied_by"] == "planner"

    code, d, _ = run(capsys, "data", "diff", "0", "1", "--json")
    assert [c["code"] for c in d["townships"]["changed"]] == [CODE]

    code, text, _ = run(capsys, "--lang", "en", "data", "rollback", "0")
    assert code == 0 and "Created data version 2, equal to version 0" in text
    region = store(var_dir).region()
    assert region.dataset_version == 2
    assert (region.townships["geometry_quality"] == "approximate").all()
    assert region.townships.geometry.equals(load_region("shiyan", imports=False).townships.geometry)


def test_a_register_with_a_type_column_needs_no_type(var_dir, tmp_path, capsys):
    code, out, err = run(capsys, "data", "import", "facilities", str(register_csv(tmp_path / "r.csv")), "--json")
    assert code == 0, err
    assert out["layer"] == "facilities" and out["changes"]["layers"]["changed"] == ["facilities:day_care"]
    assert store(var_dir).current().layer == "facilities:day_care"


def test_village_import_with_an_encoding(var_dir, tmp_path, capsys):
    csv = tmp_path / "村庄坐标.csv"
    csv.write_text("代码,经度,纬度\n420302001001,110.80,32.60\n420302001002,110.81,32.61\n", encoding="gb18030")
    code, out, err = run(capsys, "data", "import", "villages", str(csv), "--encoding", "gb18030", "--json")
    assert code == 0, err
    assert out["version"] == 1 and [m["code"] for m in out["changes"]["villages"]["moved"]] == \
        ["420302001001", "420302001002"]
    assert store(var_dir).region().villages.loc["420302001002", "location_quality"] == "official"


def test_dry_run_commits_nothing(var_dir, tmp_path, capsys):
    before = store(var_dir).fingerprint()
    src = register_csv(tmp_path / "r.csv")
    code, out, _ = run(capsys, "data", "import", "facilities", str(src), "--type", "day_care", "--dry-run",
                       "--json")
    assert code == 0 and out["dry_run"] and out["version"] is None and out["current"] == 0
    assert out["changes"]["counts"]["facilities_added"] == 5  # what it would do
    code, text, _ = run(capsys, "data", "import", "townships", str(township_zip(tmp_path)), "--dry-run")
    assert code == 0 and "试运行" in text and CODE in text
    assert store(var_dir).fingerprint() == before


def test_villages_in_gcj02_or_a_projected_crs_land_on_their_wgs84_points(var_dir, tmp_path, capsys):
    import prcoords
    from pyproj import Transformer

    true = {"420302001001": (110.80, 32.60), "420302001002": (110.81, 32.61)}
    gcj = {c: prcoords.wgs_gcj(prcoords.Coords(lat=lat, lon=lon)) for c, (lon, lat) in true.items()}
    p = tmp_path / "gcj.csv"
    p.write_text("code,lng,lat\n" + "".join(f"{c},{g.lon},{g.lat}\n" for c, g in gcj.items()), encoding="utf-8")
    assert main(["data", "import", "villages", str(p), "--coords", "gcj02", "--json"]) == 0
    capsys.readouterr()
    to_m = Transformer.from_crs(4326, settings.METRIC_CRS, always_xy=True)
    v = store(var_dir).region().villages
    for c, (lon, lat) in true.items():
        x, y = to_m.transform(lon, lat)
        gx, gy = to_m.transform(v.loc[c, "geometry"].x, v.loc[c, "geometry"].y)
        assert ((x - gx) ** 2 + (y - gy) ** 2) ** 0.5 < 1.0  # GCJ-02 is ~500 m off here: converted
    gk = Transformer.from_crs(4326, 4546, always_xy=True)  # CGCS2000 3-degree Gauss-Kruger, CM 111E
    p = tmp_path / "gk.csv"
    p.write_text("code,x,y\n" + "".join(f"{c},{gk.transform(lon, lat)[0]:.3f},{gk.transform(lon, lat)[1]:.3f}\n"
                                         for c, (lon, lat) in true.items()), encoding="utf-8")
    code, out, err = run(capsys, "data", "import", "villages", str(p), "--crs", "4546", "--json")
    assert code == 0, err
    assert out["version"] == 2 and out["changes"]["villages"]["moved"] == []  # the same points again


def _needs_row_report():
    from planner import register
    if not hasattr(register, "validate_register"):
        pytest.skip("per-row register report (planner.register.validate_register) not available")


def test_a_gbk_register_in_gcj02_with_chinese_headers(var_dir, tmp_path, capsys):
    _needs_row_report()
    import prcoords
    from pyproj import Transformer

    towns = load_region("shiyan", imports=False).townships.iloc[10:14]
    true = {f"日照{i}": (r["seat_lon"], r["seat_lat"]) for i, (_, r) in enumerate(towns.iterrows())}
    rows = ["机构名称,类型,经度,纬度"]
    for name, (lon, lat) in true.items():
        g = prcoords.wgs_gcj(prcoords.Coords(lat=lat, lon=lon))
        rows.append(f"{name}日间照料中心,日间照料中心,{g.lon:.7f},{g.lat:.7f}")
    src = tmp_path / "名录.csv"
    src.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    code, out, err = run(capsys, "data", "import", "facilities", str(src), "--coords", "gcj02", "--replace", "city",
                         "--json")
    assert code == 0, err
    assert out["version"] == 1 and out["layer"] == "facilities"
    fac = store(var_dir).region().facilities
    fac = fac[fac["facility_type"] == "day_care"]
    assert len(fac) == 4
    to_m = Transformer.from_crs(4326, settings.METRIC_CRS, always_xy=True)
    for _, f in fac.iterrows():
        lon, lat = true[f["name"].replace("日间照料中心", "")]
        x, y = to_m.transform(lon, lat)
        fx, fy = to_m.transform(f.geometry.x, f.geometry.y)
        assert ((x - fx) ** 2 + (y - fy) ** 2) ** 0.5 < 5.0


def test_refused_rows_stop_the_import_unless_partial(var_dir, tmp_path, capsys):
    _needs_row_report()
    src = register_csv(tmp_path / "r.csv")
    src.write_text(src.read_text("utf-8") + "DC-9,北京某中心,day_care,116.40,39.90\n", encoding="utf-8")
    before = store(var_dir).fingerprint()
    code, _, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(src))
    assert code == 2 and "nothing was imported" in err and "row 7" in err and "--partial" in err
    code, out, _ = run(capsys, "data", "import", "facilities", str(src), "--json")
    assert code == 2 and out["details"]["refused_rows"] == [7]
    assert store(var_dir).fingerprint() == before
    code, text, _ = run(capsys, "data", "import", "facilities", str(src), "--dry-run")
    assert code == 0 and "拒绝 1 行" in text and "第 7 行" in text and "试运行" in text
    assert store(var_dir).fingerprint() == before
    code, out, err = run(capsys, "data", "import", "facilities", str(src), "--partial", "--replace", "city", "--json")
    assert code == 0, err
    assert out["version"] == 1 and out["counts"]["accepted"] == 5 and out["counts"]["refused"] == 1
    assert any(i["row"] == 7 and i["severity"] == "error" for i in out["issues"])
    fac = store(var_dir).region().facilities
    assert int((fac["facility_type"] == "day_care").sum()) == 5


def _broken(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """Inputs that must be refused: (arguments, a word of the English message)."""
    towns = load_region("shiyan", imports=False).townships
    cases = {}
    p = tmp / "empty.csv"
    p.write_bytes(b"")
    cases["empty file"] = (["facilities", str(p), "--type", "day_care"], "empty")
    p = tmp / "no_shp.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "no layer here")
    cases["zip without .shp"] = (["townships", str(p)], "no .shp")
    p = tmp / "two_layers.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.geojson", '{"type": "FeatureCollection", "features": []}')
        z.writestr("b/c.geojson", '{"type": "FeatureCollection", "features": []}')
    cases["zip with two layers"] = (["townships", str(p)], "several layers")
    p = tmp / "unknown_code.geojson"
    gpd.GeoDataFrame({"code": ["429999999"]}, geometry=[towns.geometry.iloc[0]], crs=4326).to_file(p)
    cases["unknown township code"] = (["townships", str(p)], "unknown township code")
    p = tmp / "shifted.geojson"
    wrong = gpd.GeoSeries([towns.loc[CODE, "geometry"]], crs=4326).translate(xoff=3.0)  # 3 degrees east
    gpd.GeoDataFrame({"code": [CODE]}, geometry=wrong.values, crs=4326).to_file(p)
    cases["boundary outside its county"] = (["townships", str(p)], "outside their county")
    p = tmp / "bad_coords.csv"
    p.write_text("code,lon,lat\n420302001001,东经,32.6\n", encoding="utf-8")
    cases["non-numeric coordinates"] = (["villages", str(p)], "non-numeric")
    p = tmp / "gbk.csv"
    p.write_text("代码,经度,纬度\n420302001001,110.8,32.6\n", encoding="gbk")
    cases["wrong encoding"] = (["villages", str(p), "--encoding", "utf-8"], "cannot read the file")
    p = tmp / "beijing.csv"
    p.write_text("id,name,facility_type,lon,lat\nB1,北京某中心,day_care,116.40,39.90\n", encoding="utf-8")
    cases["another province"] = (["facilities", str(p)], "")
    p = tmp / "no_columns.csv"
    p.write_text("名称,地址\n某中心,某路1号\n", encoding="utf-8")
    cases["missing columns"] = (["facilities", str(p), "--type", "day_care"], "")
    cases["unknown type"] = (["facilities", str(tmp / "beijing.csv"), "--type", "spa"], "spa")
    cases["bad crs"] = (["townships", str(tmp / "shifted.geojson"), "--crs", "EPSG:999999"], "CRS")
    cases["missing file"] = (["villages", str(tmp / "nowhere.csv")], "not found")
    p = tmp / "huge.csv"
    with open(p, "wb") as f:  # 200 MB, sparse: refused by its size before anything reads it
        f.truncate(200 * 1024 * 1024)
    cases["200 MB file"] = (["facilities", str(p), "--type", "day_care"], "too large")
    return cases


def test_broken_inputs_are_refused_and_the_store_is_untouched(var_dir, tmp_path, capsys):
    src = register_csv(tmp_path / "ok.csv")
    assert main(["data", "import", "facilities", str(src), "--type", "day_care", "--json"]) == 0
    capsys.readouterr()
    before = store(var_dir).fingerprint()
    for name, (args, word) in _broken(tmp_path).items():
        code, _, err = run(capsys, "--lang", "en", "data", "import", *args)
        assert code == 2, name
        assert err.startswith("error: ") and word.lower() in err.lower(), (name, err)
        code, out, _ = run(capsys, "data", "import", *args, "--json")
        assert code == 2 and out["message_zh"] and out["message_en"], name
    code, _, err = run(capsys, "data", "diff", "0", "9")
    assert code == 2 and "没有数据版本 9" in err
    code, _, err = run(capsys, "--lang", "en", "data", "rollback", "5")
    assert code == 2 and "No data version 5" in err
    assert store(var_dir).fingerprint() == before
    assert store(var_dir).current().version == 1


def test_another_database_never_empties_this_ones_folder(var_dir, tmp_path, capsys):
    """`data versions --db other.sqlite` opened the files of VAR_DIR/datasets as its own and deleted the
    versions it did not know (QA 17). The files now live beside their database (as the web app keeps
    them), and a folder that holds another database's versions is refused, with nothing deleted."""
    src = register_csv(tmp_path / "名录.csv")
    assert run(capsys, "data", "import", "facilities", str(src), "--type", "day_care", "--json")[0] == 0
    files = sorted(p.relative_to(var_dir) for p in (var_dir / "datasets").rglob("*") if p.is_file())
    assert any(p.name == "facilities-day_care.geojson" for p in files)
    # another database elsewhere: its own folder beside it
    other = tmp_path / "elsewhere" / "other.sqlite"
    run(capsys, "users", "add", "ann", "--role", "viewer", "--db", str(other))
    code, out, _ = run(capsys, "data", "versions", "--db", str(other), "--json")
    assert code == 0 and [v["version"] for v in out["versions"]] == [0]
    assert (other.parent / "datasets" / "shiyan").is_dir()
    # another database in the same folder: its folder of versions is this one's, refused
    run(capsys, "users", "add", "bob", "--role", "viewer", "--db", str(var_dir / "other.sqlite"))
    code, _, err = run(capsys, "data", "versions", "--db", str(var_dir / "other.sqlite"))
    assert code == 2 and "保存的是另一个数据库的数据版本" in err and "未读取或改动任何内容" in err
    code, _, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(src), "--type", "day_care",
                       "--db", str(var_dir / "other.sqlite"), "--data-dir", str(var_dir))
    assert code == 2 and "holds the data versions of another database" in err
    assert sorted(p.relative_to(var_dir) for p in (var_dir / "datasets").rglob("*") if p.is_file()) == files
    code, out, _ = run(capsys, "data", "versions", "--json")
    assert [v["version"] for v in out["versions"]] == [0, 1] and all(v["status"] == "ok" for v in out["versions"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_db_that_is_no_database_is_said_to_be_one(var_dir, tmp_path, capsys, lang):
    """A CSV or a folder as --db ended in sqlite3's traceback; a mistyped --db given to a command that
    only reads made an empty database there and answered "no users yet"."""
    csv = tmp_path / "dem.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    folder = tmp_path / "adir"
    folder.mkdir()
    missing = tmp_path / "nope" / "x.sqlite"
    words = {"zh": ("不是 SQLite 数据库文件", "是文件夹", "处没有数据库"),
             "en": ("is not a SQLite database", "is a folder", "There is no database at")}[lang]
    for argv in (["users", "list"], ["data", "versions"], ["users", "disable", "x"], ["data", "diff", "0", "0"]):
        for db, word in ((csv, words[0]), (folder, words[1]), (missing, words[2])):
            code, _, err = run(capsys, "--lang", lang, *argv, "--db", str(db))
            assert code == 2 and word in err and "Traceback" not in err, (argv, db, err)
    assert not missing.parent.exists()          # nothing made at a mistyped path
    assert csv.read_text(encoding="utf-8") == "a,b\n1,2\n"
    # adding the first account of a new server makes its database, and says so
    code, _, err = run(capsys, "--lang", lang, "users", "add", "ann", "--role", "viewer", "--db", str(missing))
    assert code == 0 and missing.is_file() and ("已新建" in err if lang == "zh" else "a new one was made" in err)


def test_a_village_point_in_another_township_is_a_warning(var_dir, tmp_path, capsys):
    """龚家湾社区 of 武当路街道 (茅箭区) moved into 军店镇 of 房县 was accepted with no warning (QA 17)."""
    src = tmp_path / "村.csv"
    src.write_text("code,lon,lat\n420302001002,110.62,32.11\n420302001004,110.81,32.59\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "import", "villages", str(src), "--dry-run", "--json")
    assert code == 0, err
    # in another county than its code's: refused since F5, naming both counties
    [w] = out["issues"]
    assert w["severity"] == "error" and w["code"] == "outside_own_county" and w["row"] == 2
    assert "军店镇" in w["message_zh"] and "房县" in w["message_zh"] and "茅箭区" in w["message_zh"]
    assert "Fang County" in w["message_en"] and "Maojian District" in w["message_en"]


def test_versions_name_the_open_servers_page_as_this_computer(var_dir, tmp_path, capsys):
    """QA 32: a version made on an open desk server's page (author "web") is 本机 / this computer, as the Data page
    says, not a person called web."""
    src = register_csv(tmp_path / "日间照料中心.csv")
    code, _, err = run(capsys, "data", "import", "facilities", str(src), "--type", "day_care", "--replace", "city",
                       "--author", "web", "--json")
    assert code == 0, err
    code, text, _ = run(capsys, "data", "versions")
    line = next(x for x in text.splitlines() if "日间照料中心.csv" in x)
    assert "本机" in line and " web " not in line + " "
    code, text, _ = run(capsys, "--lang", "en", "data", "versions")
    assert "this computer" in next(x for x in text.splitlines() if "日间照料中心.csv" in x)
