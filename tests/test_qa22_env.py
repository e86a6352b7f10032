"""QA 22 (environment variables): COVERPLAN_ROUTER_PROCESSES=abc was a traceback at import on every command
(serve and --help too); COVERPLAN_BASEMAP=OSM or junk started a server whose maps had no background;
COVERPLAN_DATA=/nonexistent was advice on TOML syntax; COVERPLAN_COVER_ENGINE=junk was taken as auto without a
word; COVERPLAN_VAR / COVERPLAN_CACHE naming a file or a folder that cannot be made were tracebacks, and an
empty COVERPLAN_VAR put the database in the current folder. Now: one sentence naming the variable, its value and
what to set, exit 2; harmless case differences (OSM, HiGHS) taken."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import settings
from geo.errors import InputDataError
from test_qa20_cli import CJK
from test_qa21_cli import Loaded, run

ROOT = Path(__file__).resolve().parent.parent


def coverplan(*argv, **env) -> subprocess.CompletedProcess:
    """``coverplan ARGV`` in a process of its own with ``env`` added (geo.settings reads it at import)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("COVERPLAN_")}
    return subprocess.run([sys.executable, "-m", "cli.main", *argv], capture_output=True, text=True,
                          env={**full, **env}, cwd=ROOT, timeout=120)


# -- COVERPLAN_ROUTER_PROCESSES --------------------------------------------------------------------------
ROUTER_EN = "is not a whole number of processes: set it to 0 (one per CPU core), 1 (never fork)"
ROUTER_ZH = "不是整数进程数：请设为 0（每个 CPU 核一个进程）、1（不另开进程）或其他进程数，或取消该变量。"


@pytest.mark.parametrize("value, lang", [("abc", "en"), ("1e9", "zh"), ("2.5", "en")])
def test_junk_router_processes_is_one_sentence_not_a_traceback(value, lang, tmp_path):
    p = coverplan("--lang", lang, "coverage", "--type", "day_care", COVERPLAN_ROUTER_PROCESSES=value,
                  COVERPLAN_VAR=str(tmp_path / "var"))
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    said = f"COVERPLAN_ROUTER_PROCESSES={value} {ROUTER_EN}" if lang == "en" else \
        f"错误：环境变量 COVERPLAN_ROUTER_PROCESSES={value} {ROUTER_ZH}"
    assert said in p.stderr and p.stderr.strip().count("\n") == 0, p.stderr
    assert bool(CJK.search(p.stderr)) == (lang == "zh"), p.stderr


def test_junk_router_processes_serve_refuses_and_help_still_works(tmp_path):
    p = coverplan("--lang", "en", "serve", "--port", "1", "--no-warm", "--db", str(tmp_path / "s.sqlite"),
                  COVERPLAN_ROUTER_PROCESSES="abc")
    assert p.returncode == 2 and "Traceback" not in p.stderr and f"COVERPLAN_ROUTER_PROCESSES=abc {ROUTER_EN}" \
        in p.stderr, p.stderr
    assert not (tmp_path / "s.sqlite").exists()
    p = coverplan("--help", COVERPLAN_ROUTER_PROCESSES="abc")
    assert p.returncode == 0 and "Traceback" not in p.stderr and "coverplan" in p.stdout, p.stderr


@pytest.mark.parametrize("value", ["abc", "1_0", "２", "2 processes"])  # -1: below 0 (tests/test_qa28_admin.py)
def test_router_processes_refuses_what_is_no_whole_number(value, monkeypatch):
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", None)
    monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", value)
    with pytest.raises(InputDataError) as err:
        settings.router_processes()
    assert err.value.details == {"parameter": "COVERPLAN_ROUTER_PROCESSES", "value": value}
    assert err.value.message("en").startswith(f"COVERPLAN_ROUTER_PROCESSES={value} {ROUTER_EN}")


@pytest.mark.parametrize("value, want", [(None, 0), ("", 0), (" ", 0), ("0", 0), (" 3 ", 3), ("1", 1)])
def test_router_processes_takes_whole_numbers_and_unset(value, want, monkeypatch):
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", None)
    if value is None:
        monkeypatch.delenv("COVERPLAN_ROUTER_PROCESSES", raising=False)
    else:
        monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", value)
    assert settings.router_processes() == want
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 5)  # set in code (tests, bench): the variable not asked
    monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", "abc")
    assert settings.router_processes() == 5


def test_a_threaded_process_never_asks_router_processes(monkeypatch):
    """The web server never forks: a junk value there fails no road-network request."""
    from geo import router

    monkeypatch.setattr(settings, "ROUTER_PROCESSES", None)
    monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", "abc")
    monkeypatch.setattr(router.threading, "active_count", lambda: 4)
    assert router._processes_for(10_000) == 1
    monkeypatch.setattr(router.threading, "active_count", lambda: 1)
    if hasattr(os, "fork"):
        with pytest.raises(InputDataError):
            router._processes_for(10_000)


# -- COVERPLAN_COVER_ENGINE ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_junk_cover_engine_is_refused_before_any_work(lang, capsys, monkeypatch):
    monkeypatch.setenv("COVERPLAN_COVER_ENGINE", "junk")
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care")
    assert code == 2 and "Traceback" not in err and not out, err
    assert ("错误：环境变量 COVERPLAN_COVER_ENGINE=junk 不是可用的求解引擎：可用 auto、scip 或 highs，或取消该变量（即 auto）。"
            if lang == "zh" else
            "error: COVERPLAN_COVER_ENGINE=junk is not a solver engine: use auto, scip or highs, or unset it (auto).") \
        in err, err


@pytest.mark.parametrize("value, want", [("HiGHS", "highs"), (" SCIP ", "scip"), ("Auto", "auto"), ("", "auto")])
def test_cover_engine_takes_any_case(value, want, monkeypatch):
    from planner.models import coverage

    monkeypatch.setattr(coverage, "COVER_ENGINE", "auto")
    monkeypatch.setenv("COVERPLAN_COVER_ENGINE", value)
    assert coverage.cover_engine() == want


def test_a_solve_with_a_junk_cover_engine_says_so(monkeypatch):
    """The web's jobs solve without the CLI's check: the solve itself names the variable (it ran as auto)."""
    import numpy as np

    from planner.models import coverage

    monkeypatch.setenv("COVERPLAN_COVER_ENGINE", "scpi")
    with pytest.raises(InputDataError, match="COVERPLAN_COVER_ENGINE=scpi is not a solver engine"):
        coverage._cover_mip(time_limit=1.0, highs_options=None, scip_options={}, c=np.ones(1))


# -- COVERPLAN_DATA, COVERPLAN_VAR, COVERPLAN_CACHE ------------------------------------------------------
def test_coverplan_data_missing_names_the_variable_not_toml(tmp_path):
    p = coverplan("--lang", "en", "coverage", "--type", "day_care", COVERPLAN_DATA="/nonexistent",
                  COVERPLAN_VAR=str(tmp_path / "var"))
    assert p.returncode == 2 and "Traceback" not in p.stderr and "TOML" not in p.stderr, p.stderr
    assert ("error: COVERPLAN_DATA=/nonexistent names no existing folder: point it at coverplan's data folder "
            "(the one holding facility_types.toml and regions/), or unset it to use the shipped one.") in p.stderr


def folder(monkeypatch, name: str, value: str) -> None:
    """``name`` set to ``value`` as geo.settings would have read it at import."""
    monkeypatch.setitem(settings._GIVEN, name, value)
    attr = {"COVERPLAN_DATA": "DATA_DIR", "COVERPLAN_VAR": "VAR_DIR", "COVERPLAN_CACHE": "CACHE_DIR"}[name]
    monkeypatch.setattr(settings, attr, Path(value))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name, case, en, zh", [
    ("COVERPLAN_DATA", "file", "is a file, not a folder: point it at coverplan's data folder",
     "是文件而非文件夹：请指向 coverplan 的数据文件夹（含 facility_types.toml 与 regions/）"),
    ("COVERPLAN_DATA", "empty", "holds no facility_types.toml: point it at coverplan's data folder",
     "所指的文件夹中没有 facility_types.toml：请指向 coverplan 的数据文件夹"),
    ("COVERPLAN_VAR", "file", "is a file, not a folder: point it at the folder for saved work (proposals.sqlite)",
     "是文件而非文件夹：请指向保存工作成果（proposals.sqlite）的文件夹，或取消该变量。"),
    ("COVERPLAN_VAR", "under a file", "names a folder that cannot be made ({file} is not a writable folder)",
     "所指的文件夹无法创建（{file} 不是可写的文件夹）"),
    ("COVERPLAN_CACHE", "file", "is a file, not a folder: point it at a folder for caches",
     "是文件而非文件夹：请指向存放缓存（路网、出行时间矩阵）的文件夹"),
])
def test_a_folder_variable_that_cannot_be_used_is_one_sentence(name, case, en, zh, lang, tmp_path, monkeypatch,
                                                                 capsys):
    file = tmp_path / "a-file"
    file.write_text("x", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    value = {"file": str(file), "empty": str(tmp_path / "empty"), "under a file": str(file / "var")}[case]
    folder(monkeypatch, name, value)
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care")
    assert code == 2 and "Traceback" not in err and not out, err
    said = f"error: {name}={value} {en.format(file=file)}" if lang == "en" else \
        f"错误：环境变量 {name}={value} {zh.format(file=file)}"
    assert said in err and err.strip().count("\n") == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "empty"]  # nothing made, not even a trial


def test_a_folder_that_can_be_made_is_taken(tmp_path, monkeypatch):
    folder(monkeypatch, "COVERPLAN_VAR", str(tmp_path / "new" / "var"))
    folder(monkeypatch, "COVERPLAN_CACHE", str(tmp_path / "cache"))
    settings.check_environment()
    assert list(tmp_path.iterdir()) == []  # the check makes nothing


def test_an_empty_path_variable_is_the_default_not_the_current_folder(tmp_path):
    """COVERPLAN_VAR="" put proposals.sqlite, secret_key and datasets/ in the folder the command ran in."""
    code = "from geo import settings; print(settings.VAR_DIR, settings.DATA_DIR, settings.CACHE_DIR, sep='|')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERPLAN_")}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={**env, "COVERPLAN_VAR": "", "COVERPLAN_DATA": " ", "COVERPLAN_CACHE": "",
                            "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().split("|") == [str(ROOT / "var"), str(ROOT / "data"), str(ROOT / "cache")]


# -- COVERPLAN_BASEMAP -----------------------------------------------------------------------------------
@pytest.fixture
def no_listen(monkeypatch, tmp_path):
    """No server listens: reaching it raises :class:`Loaded` (the options before it were all taken)."""
    import cli.serve

    def loaded(*args, **kwargs):
        raise Loaded()

    monkeypatch.setattr(cli.serve, "_listen", loaded)
    monkeypatch.delenv("COVERPLAN_TIANDITU_KEY", raising=False)
    return tmp_path


def serve(capsys, tmp_path, lang, *argv):
    return run(capsys, "--lang", lang, "serve", "--no-warm", "--db", str(tmp_path / "s.sqlite"), *argv)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("value", ["junk", "google", "osm tianditu"])
def test_serve_refuses_an_unknown_basemap(no_listen, capsys, monkeypatch, lang, value):
    monkeypatch.setenv("COVERPLAN_BASEMAP", value)
    code, _, err = serve(capsys, no_listen, lang)
    assert code == 2 and "Traceback" not in err and "would be loaded" not in err and "将加载数据" not in err, err
    assert (f"错误：环境变量 COVERPLAN_BASEMAP={value} 不是可用的底图：可用 none、osm 或 tianditu，或取消该变量（即 none）。"
            if lang == "zh" else
            f"error: COVERPLAN_BASEMAP={value} is not a basemap: use none, osm or tianditu, or unset it (none).") \
        in err, err
    code, _, err = serve(capsys, no_listen, lang, "--basemap", "none")  # the option given: the variable not read
    assert code == 2 and ("would be loaded" in err or "将加载数据" in err), err


@pytest.mark.parametrize("value", ["OSM", " Osm ", "NONE", ""])
def test_serve_takes_a_basemap_in_any_case(no_listen, capsys, monkeypatch, value):
    monkeypatch.setenv("COVERPLAN_BASEMAP", value)
    code, _, err = serve(capsys, no_listen, "en")
    assert code == 2 and "would be loaded" in err, err


def test_serve_tianditu_in_another_case_still_needs_its_key(no_listen, capsys, monkeypatch):
    monkeypatch.setenv("COVERPLAN_BASEMAP", "TianDiTu")
    code, _, err = serve(capsys, no_listen, "en")
    assert code == 2 and "COVERPLAN_BASEMAP=tianditu needs a Tianditu key" in err, err


def db(tmp_path: Path, name: str) -> Path:
    """A database in a folder of its own (its data versions beside it)."""
    (tmp_path / name).mkdir()
    return tmp_path / name / "p.sqlite"


def test_the_web_app_reads_the_basemap_as_serve_does(tmp_path, monkeypatch):
    """OSM drew no map (map.js knows "osm") and the CSP named no tile host; junk is refused when the app is made,
    not a page without a background (nor a 500)."""
    from web.app import create_app
    from web.security import csp

    monkeypatch.setenv("COVERPLAN_BASEMAP", "OSM")
    monkeypatch.setenv("COVERPLAN_TIANDITU_KEY", " abc123\n")  # pasted with its newline
    app = create_app({"DB_PATH": str(db(tmp_path, "a")), "TESTING": True})
    try:
        assert app.config["BASEMAP"] == "osm" and "https://tile.openstreetmap.org" in csp(app)
        assert app.config["TIANDITU_KEY"] == "abc123"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    monkeypatch.setenv("COVERPLAN_BASEMAP", "junk")
    with pytest.raises(InputDataError, match=r"COVERPLAN_BASEMAP=junk is not a basemap: use none, osm or tianditu"):
        create_app({"DB_PATH": str(db(tmp_path, "b")), "TESTING": True})
    app = create_app({"DB_PATH": str(db(tmp_path, "c")), "TESTING": True, "BASEMAP": "none"})  # given: not read
    try:
        assert app.config["BASEMAP"] == "none"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
