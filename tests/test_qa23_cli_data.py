"""QA 23 (CLI, data): a file given as --data-dir was a NotADirectoryError traceback (data import, versions,
rollback) or, for the analyses, "the file of layer ... is missing or changed; restore it from a backup", and
`data versions --data-dir typo` made the folder; `region import` said only "Imported 3 of 129" where `data
import` named the repaired polygon and the population column not read; rows of another type than --type were
"holds facilities of another type: ['welfare_home']"; `data versions` showed the web's bilingual note in both
languages and counted a village import by the whole layer (1,979 rows for 8); the Chinese diff said
"(approximate → official)"; the CLI took a 300-character --note the web refuses; `serve --max-upload-mb 1e9`
was told "give a size above 0" and a folder as --network "(e.g. its .csv or .zip)"."""
from __future__ import annotations

import json
import re

import pytest

from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run
from test_qa21_cli_b import no_listen, serve  # noqa: F401  (no_listen: a fixture)

CJK = re.compile(r"[\u4e00-\u9fff]")


def _register(path, rows: int = 4, types=None) -> str:
    """A facility register of ``rows`` welfare homes at village points of the region (``types``: each row's
    type, by default all 农村福利院)."""
    from geo.regions import load_region

    v = load_region("shiyan").villages.geometry
    types = types or ["农村福利院"] * rows
    lines = [f"WH{i:03d},福利院{i},{types[i]},{v.iloc[i * 7].x:.6f},{v.iloc[i * 7].y:.6f}" for i in range(rows)]
    path.write_text("编号,名称,类型,经度,纬度\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _bowtie(path, *, population: bool = False) -> str:
    """A township file of one polygon for 420325100 城关镇: a ring crossing itself (a bow tie) or, with
    ``population``, its own boundary with a population column nothing reads."""
    from geo.regions import load_region

    g = load_region("shiyan").townships.loc["420325100", "geometry"]
    x0, y0, x1, y1 = g.bounds
    props = {"code": "420325100", "name": "城关镇"}
    if population:
        props["population"] = 12345
        geom = json.loads(json.dumps(g.__geo_interface__))
    else:
        geom = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]}
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [{"type": "Feature", "properties": props, "geometry": geom}]}),
                    encoding="utf-8")
    return str(path)


def _one_line(err: str, lang: str) -> str:
    """The error line of a run in ``lang`` (no traceback)."""
    assert "Traceback" not in err, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("错误：" if lang == "zh" else "error: "), line
    return line


# -- 2: --data-dir ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, said", [("en", "is a file, not a folder"), ("zh", "是文件而不是文件夹")])
def test_a_file_as_data_dir_is_one_sentence_naming_the_option(var, tmp_path, capsys, lang, said):
    src = _register(tmp_path / "名录.csv")
    for argv in (["data", "import", "facilities", src, "--dry-run"], ["data", "versions"], ["data", "rollback", "0"],
                 ["data", "diff", "0", "0"], ["data", "import", "facilities", src]):
        code, _, err = run(capsys, "--lang", lang, *argv, "--data-dir", src)
        line = _one_line(err, lang)
        assert code == 2 and f"--data-dir {src}" in line and said in line, (argv, err)
        assert "NotADirectoryError" not in err
    # a path through the file: said so too
    code, _, err = run(capsys, "--lang", lang, "data", "versions", "--data-dir", src + "/sub")
    assert code == 2 and "--data-dir" in err and ("is a file" if lang == "en" else "是文件") in err, err


def test_a_listing_or_a_dry_run_never_makes_the_data_dir(var, tmp_path, capsys):
    src = _register(tmp_path / "名录.csv")
    typo = tmp_path / "no_such_dd"
    for lang, said in (("en", "no such folder"), ("zh", "文件夹不存在")):
        for argv in (["data", "versions"], ["data", "diff", "0", "0"], ["data", "import", "facilities", src, "--dry-run"]):
            code, _, err = run(capsys, "--lang", lang, *argv, "--data-dir", str(typo))
            assert code == 2 and f"--data-dir {typo}" in err and said in err and "Traceback" not in err, (argv, err)
            assert not typo.exists(), argv
    # a command that writes may start a new folder for a new database
    code, _, err = run(capsys, "data", "import", "facilities", src, "--db", str(tmp_path / "new.sqlite"),
                       "--data-dir", str(tmp_path / "new_dd"), "--json")
    assert code == 0 and (tmp_path / "new_dd" / "datasets" / "shiyan" / "1").is_dir(), err


def test_an_analysis_on_a_wrong_data_dir_says_the_folder_not_a_damaged_layer(var, tmp_path, capsys):
    src = _register(tmp_path / "名录.csv")
    assert run(capsys, "data", "import", "facilities", src, "--json")[0] == 0  # version 1 keeps a file
    for data_dir, en in ((src, "is a file, not a folder"), (str(tmp_path / "gone"), "no such folder")):
        code, _, err = run(capsys, "--lang", "en", "coverage", "--type", "welfare_home", "--data-dir", data_dir)
        assert code == 2 and "Traceback" not in err, err
        assert "missing or changed" not in err and "Restore it from a backup; stored layers" not in err, err
        assert en in err and "--data-dir" in err, err
        code, _, err = run(capsys, "--lang", "zh", "coverage", "--type", "welfare_home", "--data-dir", data_dir)
        assert code == 2 and "缺失或已被改动" not in err and "--data-dir" in err, err
    assert not (tmp_path / "gone").exists()


def test_the_store_refuses_a_folder_without_the_versions_files_and_changes_nothing(var, tmp_path):
    """Opened for writing on a folder not there (or empty) while versions keep their files elsewhere, the store
    made the folder, marked every version missing and made the embedded data current."""
    from geo.datasets import DatasetStore
    from geo.errors import InputDataError
    from geo.regions import load_region

    db = tmp_path / "s.sqlite"
    store = DatasetStore(db, region="shiyan")
    fac = load_region("shiyan", imports=False).facilities
    store.commit_layer("facilities:day_care", fac[fac["facility_type"] == "day_care"].iloc[:5])
    assert store.current().version == 1
    (tmp_path / "empty").mkdir()
    for root, en in ((tmp_path / "nope", "does not exist"), (tmp_path / "empty", "holds none of them")):
        with pytest.raises(InputDataError) as e:
            DatasetStore(db, region="shiyan", root=root, root_given=True)
        assert en in e.value.message("en") and "--data-dir" in e.value.message("en")
        assert "--data-dir" in e.value.message("zh") and CJK.search(e.value.message("zh"))
    assert not (tmp_path / "nope").exists()
    # a listing reads the rows, makes nothing
    listed = DatasetStore(db, region="shiyan", root=tmp_path / "nope", readonly=True)
    assert [v.version for v in listed.versions()] == [0, 1] and not (tmp_path / "nope").exists()
    again = DatasetStore(db, region="shiyan")
    assert again.current().version == 1 and {v.status for v in again.versions()} == {"ok"}
    # the server's own folder (none given) lost: recovered as before, the version marked missing, never a
    # server that cannot start (the review of QA 23: nothing could get past the refusal, not even a backup)
    import shutil
    shutil.rmtree(again.root)
    # as the web app opens it: its own folder, named (web.extensions)
    lost = DatasetStore(db, region="shiyan", root=again.root)
    assert lost.current().version == 0 and {v.version: v.status for v in lost.versions()}[1] == "missing"
    # and a version already marked missing is no reason to refuse a folder given
    DatasetStore(db, region="shiyan", root=tmp_path / "empty", root_given=True)


# -- 3: region import names the issues ---------------------------------------------------------------------
def test_region_import_names_the_repaired_polygon_and_the_column_not_read(var, tmp_path, capsys):
    bow = _bowtie(tmp_path / "bow.geojson")
    pop = _bowtie(tmp_path / "pop.geojson", population=True)
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--townships", bow)
    assert code == 0, err
    assert "Imported 1 of the 1 row of bow.geojson (township boundaries)" in out and "row 1" in out and "was repaired" in out and "Repair/Fix Geometry" in out, out
    code, out, err = run(capsys, "--lang", "zh", "region", "import", "--townships", pop)
    assert code == 0, err
    assert "未读取的列：population" in out and "乡镇人口由村（社区）人口汇总" in out, out
    assert "columns not read" not in out
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--townships", pop, "--json")
    assert code == 0, err
    issues = json.loads(out)["imports"][0]["issues"]
    assert [i["code"] for i in issues] == ["columns_not_read"] and issues[0]["value"] == "population"
    assert "columns not read: population" in issues[0]["message_en"]


def test_region_import_of_villages_names_a_point_outside_its_township(var, tmp_path, capsys):
    from geo.regions import load_region

    v = load_region("shiyan").villages
    codes = [c for c in v.index if str(c).startswith("420325100")][:3]
    rows = [f"{c},{v.loc[c, 'geometry'].x:.7f},{v.loc[c, 'geometry'].y:.7f}" for c in codes]
    other = load_region("shiyan").townships.loc["420325101", "geometry"].representative_point()  # 军店镇, same county
    rows[0] = f"{codes[0]},{other.x:.6f},{other.y:.6f}"
    f = tmp_path / "vil.csv"
    f.write_text("code,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(f))
    assert code == 0, err
    assert "Imported 3 of" in out and "row 2 column lon" in out and "but its point lies" in out, out
    # in another county: the row is refused (F5), the file with it without --partial
    far = tuple(rows)
    f.write_text("code,lon,lat\n" + "\n".join((f"{codes[0]},110.0,32.9",) + far[1:]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(f))
    assert code == 2 and "row 2" in err and "km outside Fang County" in err, err


# -- 12: rows of another type than --type ------------------------------------------------------------------
def test_type_other_than_the_files_is_said_in_words_with_the_fix(var, tmp_path, capsys):
    src = _register(tmp_path / "福利院.csv")
    for lang, words in (("en", ["No row of this file is of the facility type chosen by --type", "(welfare_home)",
                                "Choose --type welfare_home, or leave --type out"]),
                        ("zh", ["没有 --type 所选设施类型", "农村福利院", "请改用 --type welfare_home，或不加 --type"])):
        code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--type", "day_care",
                           "--dry-run")
        line = _one_line(err, lang)
        assert code == 2 and all(w in line for w in words), line
        assert "['" not in line and "[\"" not in line, line


def test_rows_of_another_type_are_refused_row_by_row(var, tmp_path, capsys):
    src = _register(tmp_path / "混合.csv", types=["农村福利院", "日间照料中心", "农村福利院", "农村福利院"])
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", src, "--type", "welfare_home",
                         "--dry-run")
    assert code == 0, err
    assert "3 rows accepted, 1 refused" in out and "row 3 column 类型" in out and "Choose --type day_care" in out, out
    code, _, err = run(capsys, "--lang", "zh", "data", "import", "facilities", src, "--type", "welfare_home")
    assert code == 2 and "第 3 行" in err and "请改用 --type day_care" in err, err
    code, out, err = run(capsys, "data", "import", "facilities", src, "--type", "welfare_home", "--partial",
                         "--replace", "city", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["version"] == 1 and res["counts"]["accepted"] == 3 and res["counts"]["refused"] == 1
    assert res["rows"] == 3


def test_the_store_names_another_type_in_words(var, tmp_path):
    from geo.datasets import DatasetStore
    from geo.errors import InputDataError
    from geo.regions import load_region

    fac = load_region("shiyan", imports=False).facilities
    gdf = fac[fac["facility_type"] == "welfare_home"].iloc[:2]
    store = DatasetStore(tmp_path / "s.sqlite", region="shiyan")
    with pytest.raises(InputDataError) as e:
        store.preview("facilities:day_care", gdf)
    en, zh = e.value.message("en"), e.value.message("zh")
    assert "['" not in en and "2 rows are of another type: welfare_home" in en and "facilities:welfare_home" in en
    assert "['" not in zh and "有 2 行为其他类型：welfare_home" in zh


# -- 13a: the note in the run's language --------------------------------------------------------------------
def test_versions_show_the_note_in_the_runs_language(var, tmp_path, capsys):
    from geo import settings
    from geo.datasets import DatasetStore, note_in
    from geo.regions import load_region

    store = DatasetStore(settings.VAR_DIR / "proposals.sqlite", region="shiyan")
    fac = load_region("shiyan", imports=False).facilities
    store.commit_layer("facilities:day_care", fac[fac["facility_type"] == "day_care"].iloc[:5],
                       note="年检 （1 行未导入，见校验报告 / 1 row refused）", author="web")
    code, out, _ = run(capsys, "--lang", "en", "data", "versions")
    assert code == 0 and "年检 (1 row refused, see the report)" in out and "见校验报告" not in out, out
    code, out, _ = run(capsys, "--lang", "zh", "data", "versions")
    assert code == 0 and "年检 （1 行未导入，见校验报告）" in out and "refused" not in out, out
    # an edit's "<zh> / <en>：note", and a note of the planner's own kept as typed
    mark = "候选点 cand-1 必选（仅本类型） / candidate cand-1 required (this type only)：地块已落实"
    assert note_in(mark, "en") == "candidate cand-1 required (this type only): 地块已落实"
    assert note_in(mark, "zh") == "候选点 cand-1 必选（仅本类型）：地块已落实"
    assert note_in("a / b", "en") == "a / b"
    assert note_in("（3 行未导入，见校验报告 / 3 rows refused）", "en") == "(3 rows refused, see the report)"


# -- 14a: quality words in the Chinese diff -----------------------------------------------------------------
def test_the_chinese_diff_says_the_quality_in_chinese(var, tmp_path, capsys):
    bow = _bowtie(tmp_path / "bow.geojson")
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "townships", bow, "--dry-run")
    assert code == 0, err
    assert "（近似 → 官方）" in out and "approximate" not in out and "official" not in out, out
    code, out, err = run(capsys, "--lang", "en", "data", "import", "townships", bow, "--dry-run")
    assert code == 0 and "(approximate → official)" in out and "近似" not in out, out


# -- 15a: the note's length, as the web's -------------------------------------------------------------------
def test_a_note_longer_than_the_webs_limit_is_refused(var, tmp_path, capsys):
    from geo.datasets import MAX_EDIT_TEXT

    src = _register(tmp_path / "名录.csv")
    long = "x" * (MAX_EDIT_TEXT + 100)
    for lang, said in (("en", f"a note can have at most {MAX_EDIT_TEXT}"), ("zh", f"备注最多 {MAX_EDIT_TEXT} 个字符")):
        code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--note", long)
        line = _one_line(err, lang)
        assert code == 2 and said in line and "--note" in line, line
        code, _, err = run(capsys, "--lang", lang, "data", "rollback", "0", "--note", long)
        assert code == 2 and said in err, err
    code, out, err = run(capsys, "data", "versions", "--json")
    assert [v["version"] for v in json.loads(out)["versions"]] == [0]
    code, out, err = run(capsys, "data", "import", "facilities", src, "--note", "x" * MAX_EDIT_TEXT, "--json")
    assert code == 0 and json.loads(out)["version"] == 1, err


# -- 19c: the rows of a version are the file's ------------------------------------------------------------
def test_versions_count_the_layers_rows_and_an_imports_file_rows(var, tmp_path, capsys):
    """QA 23 counted a village import by its file's rows where a facility import counted its layer's; QA 31 gives
    "rows" one meaning on the Data page, its API and here: the layer's rows after the version, the file's beside."""
    from geo.regions import load_region

    v = load_region("shiyan").villages
    codes = [c for c in v.index if str(c).startswith("420325100")][:3]
    f = tmp_path / "vil.csv"
    f.write_text("code,lon,lat\n" + "\n".join(f"{c},{v.loc[c, 'geometry'].x + 0.0005:.7f},"
                                              f"{v.loc[c, 'geometry'].y:.7f}" for c in codes) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "import", "villages", str(f), "--partial", "--json")
    assert code == 0 and json.loads(out)["rows"] == 3, (out, err)
    src = _register(tmp_path / "名录.csv", rows=4)
    assert run(capsys, "data", "import", "facilities", src, "--replace", "city", "--json")[0] == 0
    code, out, _ = run(capsys, "data", "versions", "--json")
    rows = {r["version"]: r for r in json.loads(out)["versions"]}
    assert rows[1]["rows"] == len(v) and rows[1]["file_rows"] == 3, rows[1]
    assert rows[2]["rows"] == 4 and rows[2]["file_rows"] == 4, rows[2]
    code, out, _ = run(capsys, "--lang", "en", "data", "versions")
    line = next(x for x in out.splitlines() if "vil.csv" in x)
    assert f"  {len(v):,}  vil.csv (file: 3 rows)" in line, line
    code, out, _ = run(capsys, "--lang", "zh", "data", "versions")
    line = next(x for x in out.splitlines() if "vil.csv" in x)
    assert "vil.csv（文件 3 行）" in line, line


# -- 17: serve's sizes and --network ----------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["--max-upload-mb", "--max-network-upload-mb"])
def test_serve_says_the_allowed_range_of_a_size(no_listen, capsys, flag):
    code, _, err = serve(capsys, no_listen, "en", flag, "1e9")
    assert code == 2 and f"{flag} 1e9" in err and "at most 100,000 MB" in err and "above 0 (e.g" not in err, err
    code, _, err = serve(capsys, no_listen, "zh", flag, "1e9")
    assert code == 2 and "最多为 100,000 MB" in err, err
    code, _, err = serve(capsys, no_listen, "en", flag, "0")
    assert code == 2 and "above 0 and at most 100,000 MB" in err, err
    assert not (no_listen / "s.sqlite").exists()


def test_serve_says_a_folder_given_as_network_is_no_road_network(no_listen, capsys):
    folder = no_listen / "roads"
    folder.mkdir()
    code, _, err = serve(capsys, no_listen, "en", "--network", str(folder))
    assert code == 2 and f"--network {folder} is a folder, not a file" in err and ".graphml" in err, err
    assert ".csv or .zip" not in err and "coverplan network build" in err
    code, _, err = serve(capsys, no_listen, "zh", "--network", str(folder))
    assert code == 2 and "是文件夹而不是文件" in err and ".graphml" in err and ".csv 或 .zip" not in err, err


def test_the_server_starts_when_its_datasets_folder_is_lost(tmp_path):
    """The web app names its own folder (web.extensions); a lost one is recovered (versions marked missing,
    said on the data page), never a server that will not start, which no command could get past."""
    import shutil

    from geo.datasets import DatasetStore
    from geo.regions import load_region
    from web.app import create_app

    db = tmp_path / "p.sqlite"
    store = DatasetStore(db, region="shiyan")
    fac = load_region("shiyan", imports=False).facilities
    store.commit_layer("facilities:day_care", fac[fac["facility_type"] == "day_care"].iloc[:5])
    shutil.rmtree(store.root)
    app = create_app({"DB_PATH": str(db), "TESTING": True})
    try:
        versions = app.test_client().get("/api/data/versions").get_json()
        assert versions["current"] == 0
        assert {v["version"]: v["status"] for v in versions["versions"]}[1] == "missing"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
