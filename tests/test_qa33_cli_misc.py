"""QA 33, the CLI's smaller defects found by a tester using only `coverplan`:

1. `coverage --facilities reg.csv --out reg.csv` replaced the input register with the coverage table, no word:
   an --out naming one of the command's input files (under any name: a link, a hard link) is refused before
   any work, in the run's language, with another name to give.
2. `region import --reset --townships FILE` ran the import: --reset with a file is contradictory, refused.
3. `data import --coords cgcs2000` was a usage error though every analysis command takes it (read as wgs84).
4. `--encoding latin1` was taken (garbled headers, `--column lon=æºæåç§°` suggested): only the encodings of
   Chinese text are taken.
5. `solve` said "or state its encoding" of a CSV it could not decode, and had no --encoding: it has one now.
6. `access` printed its per-county table without column headers.
7. region import's "2 / 1,979 个村（社区）点位通过校验" (the file's accepted rows over the region's villages);
   `users unlock --address 999.1.1.1` taken; serve's "内容是既不是 GraphML"; `network build --out` written 0600.
"""
from __future__ import annotations

import json
import os
import stat

import pytest

from geo.regions import load_region
from osm_fixtures import write_town
from test_qa21_cli import run

CJK = "\u4e00-\u9fff"


def _has_cjk(text: str) -> bool:
    import re
    return bool(re.search(f"[{CJK}]", text))


def _village_csv(path, n=3, extra: str = ""):
    """``n`` villages of 城关镇 (房县) at their own points (code,lon,lat), and ``extra`` lines after them."""
    v = load_region("shiyan", imports=False).villages
    codes = sorted(c for c in v.index if str(c).startswith("420325100"))[:n]
    rows = [f"{c},{v.loc[c, 'geometry'].x:.6f},{v.loc[c, 'geometry'].y:.6f}" for c in codes]
    path.write_text("code,lon,lat\n" + "\n".join(rows) + "\n" + extra, encoding="utf-8")
    return path


@pytest.fixture
def reg(tmp_path, monkeypatch):
    """A register file in a folder of the test's own (the working folder), and no data loaded: a command that
    got as far as its work says so by a RuntimeError."""
    import cli.analysis
    import cli.capacity

    def loaded(*args, **kwargs):
        raise RuntimeError("the data would be loaded now")

    monkeypatch.setattr(cli.analysis, "current_region", loaded)
    monkeypatch.setattr(cli.capacity, "load_context", loaded)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "reg.csv"
    path.write_text("名称,经度,纬度\n甲,110.8,32.6\n", encoding="utf-8")
    return path


# -- 1. --out the same file as an input ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_out_naming_the_input_register_is_refused_and_the_register_kept(reg, capsys, lang):
    before = reg.read_bytes()
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "welfare_home", "--facilities", "reg.csv",
                         "--out", "reg.csv")
    assert code == 2 and "Traceback" not in err and "would be loaded" not in err, err
    assert reg.read_bytes() == before  # the register is still the register
    line = err.strip().splitlines()[-1]
    assert _has_cjk(line) == (lang == "zh"), line
    if lang == "zh":
        assert "--out reg.csv 与 --facilities reg.csv 是同一个文件" in line and "覆盖该输入文件" in line, line
        assert "另给一个" in line and "--out reg-result.csv" in line, line
    else:
        assert "--out reg.csv is the same file as --facilities reg.csv" in line, line
        assert "replace that input file" in line and "--out reg-result.csv" in line, line


def test_out_naming_an_input_by_another_name_is_refused(reg, tmp_path, capsys):
    """A link or a hard link to the register, a path spelt otherwise: the same file, refused in every command
    with --out (capacity, access, check its register as coverage does; --json gives the error object)."""
    os.symlink("reg.csv", tmp_path / "link.csv")
    os.link(reg, tmp_path / "hard.csv")
    before = reg.read_bytes()
    for argv in (["coverage", "--type", "welfare_home", "--facilities", "reg.csv", "--out", "link.csv"],
                 ["capacity", "--type", "welfare_home", "--facilities", str(reg), "--out", "./hard.csv"],
                 ["access", "--type", "day_care", "--facilities", "./reg.csv", "--out", str(reg)]):
        code, out, err = run(capsys, "--lang", "en", *argv, "--json")
        assert code == 2 and "Traceback" not in err, (argv, err)
        res = json.loads(out)
        assert "is the same file as --facilities" in res["message_en"], res
        assert "是同一个文件" in res["message_zh"] and res["details"]["input"] == "--facilities", res
    assert "(the same file under another name)" in json.loads(
        run(capsys, "--lang", "en", "coverage", "--type", "welfare_home", "--facilities", "reg.csv",
            "--out", "link.csv", "--json")[1])["message_en"]
    assert reg.read_bytes() == before


def test_out_naming_a_network_or_points_file_is_refused(tmp_path, capsys, monkeypatch):
    """network build --osm x --out x (any extension is taken there), od --origins, a second --proposal."""
    monkeypatch.chdir(tmp_path)
    write_town(tmp_path / "town.osm")
    before = (tmp_path / "town.osm").read_bytes()
    code, out, err = run(capsys, "--lang", "zh", "network", "build", "--osm", "town.osm", "--out", "town.osm")
    assert code == 2 and "--out town.osm 与 --osm town.osm 是同一个文件" in err, err
    assert (tmp_path / "town.osm").read_bytes() == before
    (tmp_path / "p.npz").write_bytes(b"PK\x03\x04")
    code, out, err = run(capsys, "--lang", "en", "od", "--origins", "p.npz", "--destinations", "p.npz",
                         "--out", "p.npz")
    assert code == 2 and "is the same file as --origins p.npz" in err, err
    (tmp_path / "t.csv").write_text("x\n", encoding="utf-8")
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", "a.geojson", "--proposal", "t.csv",
                         "--out", "t.csv")
    assert code == 2 and "is the same file as --proposal t.csv" in err, err


def test_out_input_check_passes_other_files(tmp_path):
    """Another file, a file not there yet, options that are no paths (capacity's --costs numbers): no error."""
    import argparse

    from cli.output import out_input_error

    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "b.csv").write_text("x\n")
    ns = argparse.Namespace
    assert out_input_error(ns(out=str(tmp_path / "b.csv"), facilities=str(tmp_path / "a.csv"))) is None
    assert out_input_error(ns(out=str(tmp_path / "new.csv"), facilities=str(tmp_path / "new.csv"))) is None
    assert out_input_error(ns(out=str(tmp_path / "b.csv"), costs="300,500,750", proposal=[])) is None
    assert out_input_error(ns(out=str(tmp_path / "b.csv"), facilities=None, db=str(tmp_path / "b.csv"))) is not None


# -- 2. region import --reset with a file -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_region_import_reset_with_a_file_is_refused(var_dir, tmp_path, capsys, lang):
    path = _village_csv(tmp_path / "v.csv")
    code, out, err = run(capsys, "--lang", lang, "region", "import", "--reset", "--villages", str(path))
    assert code == 2 and "Traceback" not in err, err
    line = err.strip().splitlines()[-1]
    if lang == "zh":
        assert "--reset 与 --villages" in line and "互相矛盾" in line and "请去掉 --reset" in line, line
    else:
        assert "--reset contradicts --villages" in line and "Drop --reset to import the file" in line, line
        assert f"drop --villages {path} to restore the embedded data" in line, line
    assert out == ""
    from geo.datasets import DatasetStore, default_db_path
    if default_db_path().exists():  # nothing imported, nothing reset
        assert DatasetStore(default_db_path(), region="shiyan").current().version == 0


# -- 3. data import --coords cgcs2000 -----------------------------------------------------------------------

def test_data_import_takes_cgcs2000_as_wgs84(var_dir, tmp_path, capsys):
    path = _village_csv(tmp_path / "v.csv")
    code, out, err = run(capsys, "--lang", "en", "data", "import", "villages", str(path), "--coords", "cgcs2000",
                         "--dry-run", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["counts"]["accepted"] == 3 and res["read"]["coords"] == "wgs84", res
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "--help")
    assert "cgcs2000" in out.split("--coords")[1].split("--encoding")[0], out


# -- 4. --encoding: the encodings of Chinese text only ------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_encoding_not_for_chinese_text_is_refused(var_dir, reg, capsys, lang):
    for argv in (["data", "import", "facilities", str(reg), "--type", "day_care", "--dry-run"],
                 ["solve", "--model", "lscp", "--radius", "10", "--demand", str(reg), "--candidates", str(reg)]):
        for bad in ("latin1", "cp1252", "klingon", ""):
            code, out, err = run(capsys, "--lang", lang, *argv, "--encoding", bad)
            assert code == 2 and "Traceback" not in err, (argv, bad, err)
            line = err.strip().splitlines()[-1]
            assert _has_cjk(line) == (lang == "zh"), line
            assert "utf-8" in line and "gbk" in line and "gb18030" in line, line
            assert ("--encoding" in line) and ("不加 --encoding 自动识别" in line if lang == "zh"
                                                else "leave --encoding out" in line), line
            assert "column" not in line and "æ" not in line, line


def test_encoding_aliases_of_the_listed_ones_are_taken(tmp_path, capsys):
    """solve --encoding (new): a GBK CSV read as GBK by any of its names, its Chinese ids intact."""
    (tmp_path / "d.csv").write_bytes("id,x,y,weight\n甲村,0,0,1\n乙村,5,0,2\n".encode("gbk"))
    (tmp_path / "c.csv").write_bytes("id,x,y\n站点一,0,0\n".encode("gbk"))
    for name in ("gbk", "GBK", "cp936", "gb18030"):
        code, out, err = run(capsys, "solve", "--model", "lscp", "--radius", "10", "--demand",
                             str(tmp_path / "d.csv"), "--candidates", str(tmp_path / "c.csv"), "--encoding", name,
                             "--json")
        assert code == 0, (name, err)
        assert json.loads(out)["selected"] == ["站点一"], out
    code, out, err = run(capsys, "--lang", "en", "solve", "--help")
    assert "--encoding" in out


# -- 5. solve's "state its encoding" has an option to do it --------------------------------------------------

def test_solve_reads_the_encoding_it_is_given(tmp_path, capsys):
    """The decoder's hint, "or state its encoding" (geo.points), now names an option solve has: a file read
    as that encoding: a UTF-16-BE file given as utf-16-le is refused, one in UTF-16-LE read with its Chinese ids."""
    (tmp_path / "d.csv").write_bytes("id,x,y,weight\n甲,0,0,1\n".encode("utf-16-le"))
    (tmp_path / "c.csv").write_bytes("id,x,y\n站,0,0\n".encode("utf-16-be"))
    argv = ["solve", "--model", "lscp", "--radius", "10", "--demand", str(tmp_path / "d.csv"), "--candidates",
            str(tmp_path / "c.csv")]
    code, out, err = run(capsys, "--lang", "en", *argv, "--encoding", "utf-16-le", "--json")
    assert code == 2 and "Traceback" not in err, (out, err)  # the candidates are UTF-16-BE: not read as LE
    (tmp_path / "c.csv").write_bytes("id,x,y\n站,0,0\n".encode("utf-16-le"))
    code, out, err = run(capsys, "--lang", "en", *argv, "--encoding", "utf-16-le", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["selected"] == ["站"] and res["covered_weight"] == 1, res


# -- 6. access's table has headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_access_county_table_has_headers(var_dir, capsys, lang):
    code, out, err = run(capsys, "--lang", lang, "access", "--type", "day_care")
    assert code == 0, err
    lines = out.splitlines()
    head = next(i for i, x in enumerate(lines) if x.strip().startswith("代码" if lang == "zh" else "code"))
    words = ["代码", "县（市、区）", "每千人可达", "占标准"] if lang == "zh" else ["code", "county", "per 1,000",
                                                                             "of standard"]
    assert all(w in lines[head] for w in words), lines[head]
    rows = lines[head + 1:]
    assert len(rows) == 8 and rows[0].split()[0] == "420302", rows
    from cli.output import columns
    # the numbers right-aligned under their headers: every line ends at the same terminal column
    assert len({columns(x) for x in [lines[head], *rows]}) == 1, [lines[head], *rows]
    assert rows[0].split()[-1].endswith("%)") and rows[0].split()[-2].replace(".", "").isdigit(), rows[0]


# -- 7. smaller ------------------------------------------------------------------------------------------------

def test_region_import_villages_counts_the_file_rows(var_dir, tmp_path, capsys):
    """3 accepted of the file's 4 rows (one code not in the region), not "3 / 1,979"."""
    path = _village_csv(tmp_path / "v.csv", extra="429999999999,110.8,32.6\n")
    code, out, err = run(capsys, "--lang", "zh", "region", "import", "--villages", str(path), "--dry-run",
                         "--partial")
    assert code == 0, err
    assert "v.csv（村（社区）点位）：文件 4 行中 3 行通过校验（--dry-run：未保存）。" in out, out
    assert "1,979" not in out, out
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(path), "--partial")
    assert code == 0, err
    assert "Imported 3 of the 4 rows of v.csv (village/community points). Saved as data version 1" in out, out
    assert "1,979" not in out, out
    code, out, err = run(capsys, "--lang", "en", "region", "import", "--villages", str(path), "--partial", "--json")
    res = json.loads(out)["imports"][0]
    assert (res["rows"], res["imported"], res["of"]) == (4, 3, 1979), res


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unlock_an_invalid_address_is_refused(tmp_path, capsys, lang):
    db = tmp_path / "u.sqlite"
    for bad in ("999.1.1.1", "example.com", "1.2.3"):
        code, out, err = run(capsys, "--lang", lang, "users", "unlock", "--address", bad, "--db", str(db))
        assert code == 2 and "Traceback" not in err, err
        line = err.strip().splitlines()[-1]
        assert f"--address {bad}" in line and _has_cjk(line) == (lang == "zh"), line
        assert ("不是有效的网络地址" in line) if lang == "zh" else ("not a network address" in line), line
    assert not db.exists()  # refused before the store was opened
    from web.users import UserStore
    UserStore(db)
    code, out, err = run(capsys, "--lang", "en", "users", "unlock", "--address", "::1", "--db", str(db))
    assert code == 0 and "The address ::1 had no login lock" in out, (out, err)


def test_serve_network_not_a_graph_says_it_once(tmp_path):
    from cli.serve import check_network_file
    from geo.errors import InputDataError

    (tmp_path / "x.csv").write_text("id,lon,lat\na,110.8,32.6\n", encoding="utf-8")
    (tmp_path / "x.osm").write_text("id,lon,lat\na,110.8,32.6\n", encoding="utf-8")
    for name in ("x.csv", "x.osm"):
        with pytest.raises(InputDataError) as exc:
            check_network_file(tmp_path / name)
        assert "内容既不是 GraphML 也不是 OpenStreetMap 数据" in exc.value.zh and "是既" not in exc.value.zh, exc.value.zh
        assert "neither GraphML nor OpenStreetMap data" in exc.value.en
    (tmp_path / "y.graphml").write_text("", encoding="utf-8")
    with pytest.raises(InputDataError) as exc:
        check_network_file(tmp_path / "y.graphml")
    assert "文件是空的" in exc.value.zh


def test_network_build_out_has_the_usual_mode(tmp_path, capsys, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")
    write_town(tmp_path / "town.osm")
    old = os.umask(0o022)
    try:
        code, out, err = run(capsys, "network", "build", "--osm", str(tmp_path / "town.osm"), "--out",
                             str(tmp_path / "g.graphml"), "--no-cache")
        assert code == 0, err
        (tmp_path / "plain.txt").write_text("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "g.graphml").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == 0o644, oct(mode)
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]  # no temporary file left
