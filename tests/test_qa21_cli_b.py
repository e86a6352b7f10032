"""QA 21 (CLI, second sweep): `restore --db A_FOLDER` deleted the folder and everything in it, and `--db x.csv`
overwrote the CSV; `backup --out /nonexistent/x.zip` made /nonexistent at the root and `backup --db A_FOLDER` said
"no database"; a --facilities register holding none of the type (or no capacity) answered 0 % without a word;
`serve` started with a CSV as its road network, an empty or malformed --allowed-host and Tianditu without a key;
`propose --standard 1e-320` proposed 1,979 sites after numpy's RuntimeWarning (and the web saved it); and
COVERPLAN_LANG=fr or EN gave coverplan's messages in Chinese and argparse's in English."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from geo import backup as bk
from geo import settings
from test_qa20_cli import CJK, var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import Loaded, json_error, run

ROOT = Path(__file__).resolve().parent.parent


# -- fixtures -----------------------------------------------------------------------------------------------
@pytest.fixture
def archive(tmp_path, monkeypatch):
    """A good backup of a small server's database (one saved proposal), and that database."""
    from web.store import ProposalStore

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    site = tmp_path / "site"
    site.mkdir()
    db = site / "app.sqlite"
    ProposalStore(db).add(name="方案一", type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
                          geojson={"type": "FeatureCollection", "features": []})
    out = tmp_path / "b.zip"
    bk.backup(db, out=out)
    return out, db


def tree(folder: Path) -> dict:
    """Every file under ``folder`` and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 1. restore never replaces a folder or a file that is no database --------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_restore_into_a_folder_given_as_db_refuses_and_keeps_the_folder(archive, tmp_path, lang, capsys):
    """`restore b.zip --db /tmp/d` moved the folder aside and deleted it, with its files, and exited 0."""
    out, _ = archive
    victim = tmp_path / "work"
    (victim / "sub").mkdir(parents=True)
    (victim / "sub" / "report.docx").write_bytes(b"a planner's report")
    (victim / "notes.txt").write_text("keep me", encoding="utf-8")
    before, beside = tree(victim), sorted(os.listdir(tmp_path))
    code, _, err = run(capsys, "--lang", lang, "restore", str(out), "--db", str(victim))
    assert code == 2 and "Traceback" not in err, err
    assert (f"{victim} 是文件夹，不是数据库文件。未做任何改动。" if lang == "zh" else
            f"error: {victim} is a folder, not a database file. Nothing was changed.") in err, err
    assert tree(victim) == before and sorted(os.listdir(tmp_path)) == beside  # nothing made: no .serving, no stage


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_restore_over_a_file_that_is_no_database_refuses_and_keeps_it(archive, tmp_path, lang, capsys):
    """`restore b.zip --db victim.csv` overwrote the CSV with the database, exit code 0."""
    out, _ = archive
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    victim = folder / "victim.csv"
    victim.write_text("名称,经度,纬度\n甲,110.79,32.58\n", encoding="utf-8")
    (folder / "datasets").mkdir()
    (folder / "datasets" / "mine.txt").write_text("not the server's", encoding="utf-8")
    before = tree(folder)
    code, _, err = run(capsys, "--lang", lang, "restore", str(out), "--db", str(victim))
    assert code == 2 and "Traceback" not in err, err
    assert (f"{victim} 不是 SQLite 数据库文件" if lang == "zh" else f"{victim} is not a SQLite database") in err, err
    assert tree(folder) == before and sorted(os.listdir(folder)) == ["datasets", "victim.csv"]
    res = json_error(capsys, "restore", str(out), "--db", str(victim))
    assert "Nothing was changed" in res["message_en"] and "未做任何改动" in res["message_zh"]


def test_restore_refuses_a_link_to_nothing_and_a_folder_as_wal(archive, tmp_path, capsys):
    out, _ = archive
    folder = tmp_path / "f"
    folder.mkdir()
    link = folder / "app.sqlite"
    link.symlink_to(folder / "gone.sqlite")
    code, _, err = run(capsys, "--lang", "en", "restore", str(out), "--db", str(link))
    assert code == 2 and "is a link to" in err and "which does not exist" in err, err
    assert link.is_symlink() and sorted(os.listdir(folder)) == ["app.sqlite"]
    link.unlink()
    (folder / "app.sqlite-wal").mkdir()
    (folder / "app.sqlite-wal" / "x").write_text("x")
    code, _, err = run(capsys, "--lang", "en", "restore", str(out), "--db", str(link))
    assert code == 2 and "is not SQLite's wal file" in err, err
    assert (folder / "app.sqlite-wal" / "x").read_text() == "x"


def test_restore_over_a_database_still_works(archive, tmp_path, capsys):
    """The refusals leave the restore itself as it was: over an existing database, and into a new file."""
    from web.store import ProposalStore

    out, db = archive
    ProposalStore(db).add(name="方案二", type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
                          geojson={"type": "FeatureCollection", "features": []})
    assert len(ProposalStore(db).list()) == 2
    assert main(["--lang", "en", "restore", str(out), "--db", str(db)]) == 0
    assert [p["name"] for p in ProposalStore(db).list()] == ["方案一"]
    assert not [n for n in os.listdir(db.parent) if n.startswith(".restore")]
    fresh = tmp_path / "new" / "x.sqlite"
    assert main(["--lang", "en", "restore", str(out), "--db", str(fresh)]) == 0 and fresh.is_file()
    capsys.readouterr()


def test_a_restore_that_fails_while_swapping_keeps_the_old_database(archive, tmp_path, monkeypatch, capsys):
    """The last rename (the restored database into place) fails: everything moved aside is put back, the
    restored datasets/ is taken out again by moving it into the staging folder (nothing else is deleted), and
    the failure is a sentence, not a traceback."""
    from web.store import ProposalStore

    out, db = archive
    ProposalStore(db).add(name="方案二", type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
                          geojson={"type": "FeatureCollection", "features": []})
    (db.parent / "datasets").mkdir()
    (db.parent / "datasets" / "keep.txt").write_text("old data", encoding="utf-8")
    before = tree(db.parent)
    real = os.replace
    deleted = []

    def replace(src, dst):
        if Path(dst) == db and ".restore-" in str(src) and ".restore-old-" not in str(src):  # stage -> db
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(bk.os, "replace", replace)
    real_rmtree = bk.shutil.rmtree
    monkeypatch.setattr(bk.shutil, "rmtree", lambda p, **kw: (deleted.append(Path(p)), real_rmtree(p, **kw)))
    code, _, err = run(capsys, "--lang", "en", "restore", str(out), "--db", str(db))
    assert code == 2 and "Traceback" not in err, err
    assert "could not be put in place (No space left on device): nothing was changed" in err, err
    assert tree(db.parent) == before
    assert [p["name"] for p in sorted(ProposalStore(db).list(), key=lambda p: p["name"])] == ["方案一", "方案二"]
    assert all(p.name.startswith(".restore-") and not p.name.startswith(".restore-old") for p in deleted), deleted
    assert not [n for n in os.listdir(db.parent) if n.startswith(".restore")]


# -- 2. backup: no folder made for --out, a folder as --db said as one ---------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_backup_out_into_a_missing_folder_is_refused_and_not_made(archive, tmp_path, lang, capsys):
    _, db = archive
    target = tmp_path / "nonexistent" / "deeper" / "x.zip"
    code, _, err = run(capsys, "--lang", lang, "backup", "--db", str(db), "--out", str(target))
    assert code == 2 and "Traceback" not in err, err
    folder = tmp_path / "nonexistent" / "deeper"
    assert (f"--out {target}：文件夹 {folder} 不存在" if lang == "zh" else
            f"--out {target}: the folder {folder} does not exist") in err, err
    assert not (tmp_path / "nonexistent").exists()


def test_backup_itself_makes_no_folder(archive, tmp_path):
    _, db = archive
    with pytest.raises(bk.BackupError, match="does not exist"):
        bk.backup(db, out=tmp_path / "nope" / "x.zip")
    assert not (tmp_path / "nope").exists()


def test_backup_out_below_a_file_says_the_file(archive, tmp_path, capsys):
    _, db = archive
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    code, _, err = run(capsys, "--lang", "en", "backup", "--db", str(db), "--out", str(afile / "sub" / "b.zip"))
    assert code == 2 and f"{afile} is a file, not a folder" in err, err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_backup_of_a_folder_given_as_db_says_it_is_a_folder(tmp_path, lang, capsys):
    code, _, err = run(capsys, "--lang", lang, "backup", "--db", str(tmp_path), "--out", str(tmp_path / "b.zip"))
    assert code == 2 and "Traceback" not in err, err
    assert (f"{tmp_path} 是文件夹，不是数据库文件" if lang == "zh" else f"{tmp_path} is a folder, not a database file") \
        in err and "找不到数据库" not in err and "No database at" not in err, err
    assert not (tmp_path / "b.zip").exists()


# -- 3. a register that holds none of the type, or no capacity -----------------------------------------------
@pytest.fixture
def registers(tmp_path):
    (tmp_path / "day_care.csv").write_text("name,type,lon,lat\nA,day_care,110.79,32.65\n", encoding="utf-8")
    (tmp_path / "some.csv").write_text("name,type,lon,lat,day_places\nA,day_care,110.79,32.65,20\n"
                                       "B,day_care,110.80,32.60,\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coverage_of_a_type_the_register_lacks_says_so_and_goes_on(var, registers, lang, capsys):  # noqa: F811
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "cemetery",
                         "--facilities", str(registers / "day_care.csv"))
    assert code == 0, err
    if lang == "zh":
        assert "注意：day_care.csv 中没有城乡公益性公墓（cemetery）；名录中的设施为：社区(村)日间照料中心（day_care）1 处。" \
               "以下按现有 0 处计算" in err, err
    else:
        assert "Note: day_care.csv holds no Public-welfare cemetery (cemetery) facility; it holds: 1 " in err, err
        assert "(day_care). The answer below counts none" in err and not CJK.search(err.split("Note:")[1]), err
    assert err.count("day_care.csv 中没有" if lang == "zh" else "holds no") == 1
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care",
                         "--facilities", str(registers / "day_care.csv"))
    assert code == 0 and "没有" not in err and "holds no" not in err, err


def test_propose_for_a_type_the_register_lacks_says_so(var, registers, capsys):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "cemetery", "--p", "1",
                         "--facilities", str(registers / "day_care.csv"))
    assert code == 0 and "holds no Public-welfare cemetery (cemetery) facility" in err, err
    code, out, _ = run(capsys, "--lang", "en", "propose", "--type", "cemetery", "--p", "1", "--json",
                       "--facilities", str(registers / "day_care.csv"))
    assert code == 0 and json.loads(out)["type"] == "cemetery"  # stdout stays the JSON alone


@pytest.mark.parametrize("command, what", [("access", "accessibility (E2SFCA)"), ("capacity", "capacity supply")])
def test_access_and_capacity_refuse_a_register_without_capacities(var, registers, command, what, capsys):  # noqa: F811
    """`access --type day_care` on a register whose day-care centres state no day places answered 0.0 everywhere."""
    argv = [command, "--type", "day_care", "--facilities", str(registers / "day_care.csv")]
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and "Traceback" not in err and out == "", (out, err)
    assert f"its one Community/village day-care centre facility states no capacity (the day_places column), so the " \
           f"{what} would be 0 everywhere" in err, err
    res = json_error(capsys, *argv)
    assert res["details"]["parameter"] == "facilities" and res["details"]["capacity_known"] == 0
    assert "日托位" in res["message_zh"]


def test_some_capacities_missing_are_said_and_counted_as_zero(var, registers, capsys):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "capacity", "--type", "day_care",
                         "--facilities", str(registers / "some.csv"))
    assert code == 0 and "1 of the 2 Community/village day-care centre facilities in some.csv state no capacity " \
                         "(day_places); they count as 0." in err, err
    code, out, err = run(capsys, "--lang", "zh", "access", "--type", "day_care",
                         "--facilities", str(registers / "some.csv"))
    assert code == 0 and "some.csv 中 2 处社区(村)日间照料中心有 1 处未填写容量（日托位），按 0 计。" in err, err


def test_capacity_of_a_type_the_register_lacks_warns_and_answers(var, registers, capsys):  # noqa: F811
    """No cemetery in the register: supply 0 is the answer (said), not a refusal."""
    code, out, err = run(capsys, "--lang", "en", "capacity", "--type", "cemetery",
                         "--facilities", str(registers / "day_care.csv"))
    assert code == 0 and "holds no Public-welfare cemetery (cemetery) facility" in err and "shortfall" in out, (out, err)


# -- 4. serve refuses, at start-up, what every later request would trip on ----------------------------------
@pytest.fixture
def no_listen(monkeypatch, tmp_path):
    """No server listens: reaching it raises :class:`Loaded` (the options before it were all taken)."""
    import cli.serve

    def loaded(*args, **kwargs):
        raise Loaded()

    monkeypatch.setattr(cli.serve, "_listen", loaded)
    monkeypatch.delenv("COVERPLAN_BASEMAP", raising=False)
    monkeypatch.delenv("COVERPLAN_TIANDITU_KEY", raising=False)
    return tmp_path


def serve(capsys, tmp_path, lang, *argv):
    return run(capsys, "--lang", lang, "serve", "--no-warm", "--db", str(tmp_path / "s.sqlite"), *argv)


@pytest.mark.parametrize("name, content, why_en", [
    ("roads.csv", "name,type,lon,lat\nA,day_care,110.79,32.65\n", "the content is neither GraphML nor OpenStreetMap"),
    ("roads.graphml", "", "the file is empty"),
    ("roads.osm", "<html><body>404</body></html>", "the name says OpenStreetMap but the content is neither"),
    ("roads.graphml", '<?xml version="1.0"?>\n<osm version="0.6"></osm>', "would be read as GraphML"),
])
def test_serve_refuses_a_network_that_is_no_road_network(no_listen, capsys, name, content, why_en):
    path = no_listen / name
    path.write_text(content, encoding="utf-8")
    code, _, err = serve(capsys, no_listen, "en", "--network", str(path))
    assert code == 2 and "Traceback" not in err and "would be loaded" not in err, err
    assert f"--network {path} is not a road network: " in err and why_en in err, err
    code, _, err = serve(capsys, no_listen, "zh", "--network", str(path))
    assert code == 2 and f"--network {path} 不是路网文件" in err, err
    assert not (no_listen / "s.sqlite").exists()


def test_serve_takes_a_graphml_and_an_osm_file(no_listen, capsys):
    import networkx as nx
    import osmnx as ox

    g = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_node(1, x=110.0, y=32.0)
    g.add_node(2, x=110.01, y=32.0)
    g.add_edge(1, 2, length=900.0)
    ox.save_graphml(g, no_listen / "roads.graphml")
    (no_listen / "roads.osm").write_text('<?xml version="1.0"?>\n<osm version="0.6"></osm>\n', encoding="utf-8")
    for name in ("roads.graphml", "roads.osm"):
        code, _, err = serve(capsys, no_listen, "en", "--network", str(no_listen / name))
        assert code == 2 and "the data would be loaded now" in err, err  # went on to listen


@pytest.mark.parametrize("value, why_en, why_zh", [
    ("", "the name is empty", "主机名为空"), ("  ", "the name is empty", "主机名为空"),
    ("evil.com/x", "a host name has no scheme (http://) and no path", "主机名中不含协议"),
    ("http://gis.shiyan.local", "a host name has no scheme (http://) and no path", "主机名中不含协议"),
    ("gis.shiyan.local:8080", "a host name has no port", "主机名中不含端口"),
    ("gis shiyan", "it is not a host name", "不是有效的主机名"), ("-x.local", "it is not a host name", "不是有效的主机名"),
    ("a..b", "it is not a host name", "不是有效的主机名"),
])
def test_serve_refuses_an_allowed_host_that_is_no_host_name(no_listen, capsys, value, why_en, why_zh):
    code, _, err = serve(capsys, no_listen, "en", f"--allowed-host={value}")  # (-x.local: not an option)
    assert code == 2 and "Traceback" not in err and "would be loaded" not in err, err
    assert f"--allowed-host {value if value.strip() else chr(34) * 2} cannot be used: {why_en}" in err, err
    code, _, err = serve(capsys, no_listen, "zh", f"--allowed-host={value}")
    assert code == 2 and why_zh in err, err


def test_serve_takes_the_host_names_the_web_reads(no_listen, capsys):
    from cli.main import build_parser
    from cli.serve import _hardening_config

    hosts = ["gis.shiyan.local", "MZJ-SERVER", ".shiyan.local", "192.168.1.20", "::1", "[fe80::1]", "*", "民政.中国"]
    argv = [a for h in hosts for a in ("--allowed-host", h)]
    code, _, err = serve(capsys, no_listen, "en", *argv)
    assert code == 2 and "the data would be loaded now" in err, err
    cfg = _hardening_config(build_parser().parse_args(["serve", *argv]))
    assert cfg["EXTRA_ALLOWED_HOSTS"][:2] == ["gis.shiyan.local", "mzj-server"]
    assert cfg["EXTRA_ALLOWED_HOSTS"][-1] == "民政.中国".encode("idna").decode()  # as a browser's Host header has it


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_serve_refuses_tianditu_without_its_key(no_listen, capsys, monkeypatch, lang):
    code, _, err = serve(capsys, no_listen, lang, "--basemap", "tianditu")
    assert code == 2 and "Traceback" not in err and "would be loaded" not in err, err
    assert ("--basemap tianditu 需要天地图密钥：请用 --tianditu-key" if lang == "zh" else
            "--basemap tianditu needs a Tianditu key: give it with --tianditu-key KEY (or set COVERPLAN_TIANDITU_KEY)") \
        in err, err
    monkeypatch.setenv("COVERPLAN_BASEMAP", "tianditu")
    code, _, err = serve(capsys, no_listen, lang)
    assert code == 2 and "COVERPLAN_BASEMAP=tianditu" in err, err
    code, _, err = serve(capsys, no_listen, lang, "--tianditu-key", "abc123")  # given: goes on
    assert code == 2 and ("将加载数据" in err or "would be loaded" in err), err
    monkeypatch.setenv("COVERPLAN_TIANDITU_KEY", "abc123")
    code, _, err = serve(capsys, no_listen, lang, "--basemap", "tianditu")
    assert code == 2 and ("将加载数据" in err or "would be loaded" in err), err


# -- 5. a service standard below one minute or 100 metres --------------------------------------------------
@pytest.fixture
def no_data(monkeypatch):
    import cli.analysis

    def loaded(*args, **kwargs):
        raise Loaded()

    monkeypatch.setattr(cli.analysis, "current_region", loaded)


def test_the_lower_limit_is_the_planners_which_the_web_takes_too():
    from planner.facility_types import get_type
    from planner.proposals import MIN_STANDARD, min_standard
    from web import proposals as wp

    assert wp.min_standard is min_standard
    assert min_standard(get_type("elderly_complex")) == MIN_STANDARD["min"] == 1
    assert min_standard(get_type("day_care")) == MIN_STANDARD["m"] == 100


@pytest.mark.parametrize("type_key, value, en, zh", [
    ("day_care", "1e-320", "at least 100 metres; give it in metres (Community/village day-care centre: 1000 urban, "
                           "3000 rural by default)", "服务标准至少为 100 米，请按米填写"),
    ("day_care", "99.9", "at least 100 metres", "服务标准至少为 100 米"),
    ("elderly_complex", "0.5", "at least 1 minute; give it in minutes", "服务标准至少为 1 分钟，请按分钟填写"),
])
def test_a_standard_below_the_limit_is_refused_before_any_work(no_data, capsys, type_key, value, en, zh):
    argv = ["propose", "--type", type_key, "--standard", value, "--model", "lscp"]
    code, _, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and f"error: --standard {value}: the service standard must be {en}" in err, err
    assert "RuntimeWarning" not in err and "would be loaded" not in err
    code, _, err = run(capsys, "--lang", "zh", *argv)
    assert code == 2 and f"--standard {value} 无效：{zh}" in err, err
    res = json_error(capsys, *argv)
    assert res["details"]["parameter"] == "standard" and res["details"]["min"] in (1, 100)


def test_the_limit_itself_is_taken(no_data, capsys):
    for type_key, value in (("day_care", "100"), ("elderly_complex", "1")):
        code, _, err = run(capsys, "--lang", "en", "propose", "--type", type_key, "--standard", value)
        assert code == 2 and "the data would be loaded now" in err, err


@pytest.mark.parametrize("field, value", [("standard", 1e-320), ("standard", 99), ("standard_rural", 0.5)])
def test_the_web_refuses_a_standard_below_the_limit(app, field, value):
    type_key = "elderly_complex" if field == "standard_rural" else "day_care"
    resp = app.test_client().post("/api/proposals?lang=en&wait=0", json={"type": type_key, field: value})
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["details"]["parameter"] == field and "at least" in json.dumps(resp.get_json())


def test_equity_of_a_tiny_standard_warns_nothing():
    """planner.proposals._equity divided each cost by the standard: 1e-320 overflowed in numpy."""
    import pandas as pd

    from planner.proposals import _equity

    units = pd.DataFrame({"weight": [1.0, 2.0], "standard": [1e-320, 1e-320]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _equity(units, np.array([5.0, np.inf]), np.array([0.0, 3.0]))
    assert out["weight_before"][-1] == 3.0


def test_no_numeric_runtime_warning_reaches_the_cli(monkeypatch, capsys):
    """Whatever a command computes, numpy's "overflow encountered" is no line for a planner."""
    import cli.analysis

    def coverage(args):
        np.float64(1e308) * np.float64(10.0)
        np.array([1.0]) / np.array([0.0])
        return 0

    monkeypatch.setattr(cli.analysis, "_coverage", coverage)
    with warnings.catch_warnings(record=True) as shown:  # what Python would print on stderr
        warnings.simplefilter("always")
        code, out, err = run(capsys, "coverage", "--type", "day_care")
    assert code == 0 and "RuntimeWarning" not in err and "overflow" not in err, err
    assert not [w for w in shown if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in shown]


# -- 6. one language for everything -------------------------------------------------------------------------
@pytest.mark.parametrize("value, lang", [("EN", "en"), ("en_US.UTF-8", "en"), ("En-gb", "en"), ("zh_CN", "zh"),
                                         ("ZH", "zh"), ("zh_TW.UTF-8", "zh"), ("fr", "zh"), ("C", "zh")])
def test_coverplan_lang_is_read_in_any_case_and_an_unknown_one_speaks_chinese_throughout(value, lang, monkeypatch,
                                                                                          capsys):
    monkeypatch.setattr(settings, "LANG", value)
    code, _, err = run(capsys, "propose", "--type", "day_care", "--p", "x")  # argparse's error
    assert code == 2
    assert ("参数 --p 的值 “x” 不是有效的整数" if lang == "zh" else "argument --p: 'x' is not a whole number") in err, err
    unknown = value in ("fr", "C")
    assert err.count(f"COVERPLAN_LANG={value} is not a language coverplan speaks") == (1 if unknown else 0), err
    if unknown:
        assert "可用 zh（中文）或 en（英文）" in err and "Accepted: zh (Chinese) or en (English)" in err
    code, _, err = run(capsys, "propose", "--type", "nope")  # coverplan's own
    assert code == 2 and ("未知的设施类型“nope”" if lang == "zh" else "Unknown facility type 'nope'") in err, err
    assert err.count("is not a language coverplan speaks") == (1 if unknown else 0)
    code, _, err = run(capsys, "propose", "--type", "nope", "--lang", "en")  # --lang given: no word of the variable
    assert "Unknown facility type" in err and "not a language" not in err, err


@pytest.mark.parametrize("given", ["EN", "en_US", "En"])
def test_lang_option_takes_any_case(given, capsys):
    code, _, err = run(capsys, "--lang", given, "propose", "--type", "nope")
    assert code == 2 and "Unknown facility type 'nope'" in err, err
    code, _, err = run(capsys, "propose", "--type", "nope", "--lang", given)
    assert code == 2 and "Unknown facility type 'nope'" in err, err
    code, _, err = run(capsys, "--lang", "xx", "propose", "--type", "nope")
    assert code == 2 and "参数 --lang 的值 “xx” 不是可选值" in err, err


def test_coverplan_lang_fr_in_a_real_run_speaks_one_language():
    env = {**os.environ, "COVERPLAN_LANG": "fr"}
    p = subprocess.run([sys.executable, "-m", "cli.main", "propose", "--type", "day_care", "--p", "x"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "不是有效的整数" in p.stderr and "invalid int value" not in p.stderr, p.stderr
    assert p.stderr.count("COVERPLAN_LANG=fr 不是可用的语言") == 1
    env["COVERPLAN_LANG"] = "EN"
    p = subprocess.run([sys.executable, "-m", "cli.main", "coverage", "--type", "nope"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "Unknown facility type 'nope'" in p.stderr and not CJK.search(p.stderr), p.stderr


# -- --costs against --sizes, by the options' names, before the data loads (review of QA 21) ---------------
@pytest.mark.parametrize("argv, said", [
    (["--sizes", "30,60", "--costs", "300"], "--costs 300: give one cost per size (2), in the order of --sizes"),
    (["--sizes", "30,30", "--costs", "300,300"], "--sizes 30,30: 30 is given twice; with --costs give each size once"),
])
def test_costs_and_sizes_are_paired_by_the_options_before_the_data(capsys, monkeypatch, argv, said):
    import cli.capacity

    def loaded(*a, **k):
        raise AssertionError("the data was loaded before --sizes/--costs were checked")
    monkeypatch.setattr(cli.capacity, "load_context", loaded)
    code = main(["--lang", "en", "propose", "--type", "elderly_complex", *argv])
    err = capsys.readouterr().err
    assert code == 2 and said in err, err
