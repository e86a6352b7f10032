"""QA 24 (start-up and boundary imports): no command started for a user who cannot write to the
install folder (numba's ``cache=True`` found no cache folder: "cannot cache function '_cover_counts':
no locator available"); a township file with an empty (null) code and an unknown one crashed on
sorting NaN among the codes, and with the empty one alone said "unknown township code(s): nan"; a file
of projected metres imported with ``--crs EPSG:4326`` was refused as polygons of "nan m²"."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from numba import njit

from geo import settings
from geo.errors import InputDataError
from geo.imports import check_townships, check_villages
from test_qa21_cli import run

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
COUNTY = "420381"  # 丹江口市

#: Imports every module of compiled kernels (their decorators run at import), then compiles and calls
#: one kernel, and says where it is cached and whether this run loaded it from that cache.
KERNEL_RUN = """
import json, os
import planner.models.cover_kernels, planner.models.pricing, planner.models.knapsack_kernels
from planner.models import knapsack_sparse
from planner.models.jit import cache_folder
knapsack_sparse.warm_up()
k = knapsack_sparse.sparse_knapsacks
print(json.dumps({"folder": cache_folder(k), "hits": sum(k.stats.cache_hits.values()),
                  "misses": sum(k.stats.cache_misses.values()), "env": os.environ.get("NUMBA_CACHE_DIR")}))
"""


def _kernel_run(env: dict, *, as_nobody: bool) -> dict:
    cmd = [sys.executable, "-c", KERNEL_RUN]
    if as_nobody:
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("NUMBA_") and k not in ("COVERPLAN_CACHE", "XDG_CACHE_HOME", "TMPDIR")}
    done = subprocess.run(cmd, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture()
def nobody_tmp():
    """A temporary folder for the unprivileged user's TMPDIR (pytest's own is root's, closed to others)."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed")
    if os.geteuid() != 0:
        pytest.skip("setpriv can change the user only when run as root")
    # the user must be able to read the project and its venv at all: a clone in a folder private to root
    # (mktemp -d, /root) is closed to every other user whatever numba does, which is no install a planner has
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable,
                            "-c", "import os, sys; sys.exit(0 if os.access(sys.argv[1], os.R_OK | os.X_OK) else 3)",
                            str(ROOT / "planner" / "models")], cwd="/", capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"an unprivileged user cannot read {ROOT} (a clone in a folder private to root)")
    folder = Path(tempfile.mkdtemp(prefix="qa24-nobody-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_user_who_cannot_write_the_install_folder_compiles_and_caches_kernels(nobody_tmp):
    tmp = nobody_tmp / "tmp"
    tmp.mkdir()
    os.chown(tmp, NOBODY, NOBODY)
    # no home to write to either (numba's ~/.cache/numba), no NUMBA_CACHE_DIR: the repro's user
    env = {"HOME": "/nonexistent", "TMPDIR": str(tmp)}
    first = _kernel_run(env, as_nobody=True)
    mine = tmp / f"coverplan-numba-{NOBODY}"
    assert first["folder"] and Path(first["folder"]).is_relative_to(mine), first
    assert list(Path(first["folder"]).glob("knapsack_sparse.sparse_knapsacks-*.nbi")), first
    assert mine.stat().st_uid == NOBODY and mine.stat().st_mode & 0o077 == 0  # the user's alone
    again = _kernel_run(env, as_nobody=True)
    assert again["folder"] == first["folder"] and again["hits"] >= 1 and again["misses"] == 0, again


def test_a_cache_folder_someone_else_made_is_not_used(nobody_tmp):
    # /tmp is shared: a folder of that name made by another user (anyone may write to it) could hold
    # compiled code planted for this user to load. Not used; the kernels still compile and run.
    tmp = nobody_tmp / "tmp"
    tmp.mkdir(mode=0o777)
    os.chmod(tmp, 0o777)
    planted = tmp / f"coverplan-numba-{NOBODY}"
    planted.mkdir()
    os.chmod(planted, 0o777)
    out = _kernel_run({"HOME": "/nonexistent", "TMPDIR": str(tmp)}, as_nobody=True)
    assert out["hits"] == 0 and out["misses"] >= 1, out
    assert not any(planted.iterdir())
    # a private folder of this process's own, gone when it ends: nothing kept to load
    assert out["folder"] and not Path(out["folder"]).is_relative_to(planted) and not Path(out["folder"]).exists()
    assert _kernel_run({"HOME": "/nonexistent", "TMPDIR": str(tmp)}, as_nobody=True)["hits"] == 0


def test_cached_njit_compiles_uncached_when_no_folder_is_writable(monkeypatch):
    from numba.core import caching

    from planner.models.jit import cache_folder, cached_njit

    def refuse(self):
        raise PermissionError("not writable")

    for cls in (caching.UserProvidedCacheLocator, caching.InTreeCacheLocator, caching.UserWideCacheLocator):
        monkeypatch.setattr(cls, "ensure_cache_path", refuse)

    def twice(x):
        return 2 * x

    with pytest.raises(RuntimeError, match="cannot cache"):  # what numba's own decorator does then
        njit(cache=True)(twice)
    kernel = cached_njit(twice)
    assert kernel(21) == 42 and cache_folder(kernel) is None


def test_coverplan_cache_is_used_by_an_unprivileged_user(nobody_tmp):
    cache = nobody_tmp / "cache"
    cache.mkdir()
    os.chown(cache, NOBODY, NOBODY)
    out = _kernel_run({"HOME": "/nonexistent", "TMPDIR": str(nobody_tmp), "COVERPLAN_CACHE": str(cache)},
                      as_nobody=True)
    assert out["folder"] and Path(out["folder"]).is_relative_to(cache / "numba"), out


def test_a_user_who_can_write_the_install_folder_caches_there_as_before():
    out = _kernel_run({}, as_nobody=False)
    pycache = ROOT / "planner" / "models" / "__pycache__"
    assert out["folder"] == str(pycache) and out["env"] is None, out
    assert list(pycache.glob("knapsack_sparse.sparse_knapsacks-*.nbi"))
    again = _kernel_run({}, as_nobody=False)
    assert again["hits"] >= 1 and again["misses"] == 0, again


def test_numba_cache_dir_is_respected(tmp_path):
    out = _kernel_run({"NUMBA_CACHE_DIR": str(tmp_path)}, as_nobody=False)
    assert out["folder"] and Path(out["folder"]).is_relative_to(tmp_path), out
    assert list(Path(out["folder"]).glob("knapsack_sparse.sparse_knapsacks-*.nbi"))


def test_unprivileged_coverplan_help_starts(nobody_tmp):
    tmp = nobody_tmp / "tmp"
    tmp.mkdir()
    os.chown(tmp, NOBODY, NOBODY)
    base = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           str(ROOT / ".venv" / "bin" / "coverplan"), "--lang", "en", "--help"],
                          cwd=ROOT, env={**base, "HOME": "/nonexistent", "TMPDIR": str(tmp)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "usage" in done.stdout.lower(), done.stderr[-2000:]
    assert "Traceback" not in done.stderr


# -- township and village codes ----------------------------------------------------------------

def _townships(shiyan, codes: dict | None = None, *, crs: str | None = None, names: bool = True):
    """The county's townships as a FeatureCollection: ``codes`` maps a feature's number (1-based) to the
    code it gets instead (None: null); ``crs``: coordinates projected to it, the file stating no CRS."""
    towns = shiyan.townships[shiyan.townships["county_code"] == COUNTY]
    geoms = gpd.GeoSeries(towns.geometry.values, crs=settings.STORAGE_CRS)
    if crs:
        geoms = geoms.to_crs(crs)
    feats = []
    for i, (code, geom) in enumerate(zip(towns.index, geoms), start=1):
        props = {"code": (codes or {}).get(i, str(code))}
        if names:
            props["name"] = str(towns.loc[code, "name"])
        feats.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": feats}, towns


def _file(tmp_path, fc: dict, name="t.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_empty_and_an_unknown_township_code_are_both_said(shiyan, tmp_path):
    fc, towns = _townships(shiyan, {1: "420381999", 2: None})
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _file(tmp_path, fc))
    e, name2 = exc.value, str(towns["name"].iloc[1])
    assert "nan" not in e.en and "nan" not in e.zh
    assert f"feature 2 ({name2})" in e.en and "without a township code" in e.en and "column code" in e.en
    assert "420381999" in e.en and "unknown township code" in e.en
    assert f"第 2 个要素（{name2}）" in e.zh and "没有乡镇代码" in e.zh and "420381999" in e.zh
    assert "Fill in the 9-digit township code" in e.hint_en and "填写9位乡镇代码" in e.hint_zh
    assert e.details["empty_codes"] == [2] and e.details["unknown"] == ["420381999"]


def test_an_empty_township_code_alone_is_not_called_unknown(shiyan, tmp_path):
    fc, _ = _townships(shiyan, {3: None}, names=False)
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _file(tmp_path, fc))
    e = exc.value
    assert "unknown" not in e.en and "nan" not in e.en and "未知" not in e.zh
    assert "feature 3" in e.en and "第 3 个要素" in e.zh
    assert "duplicate" not in e.en


def test_two_empty_codes_are_no_duplicate(shiyan, tmp_path):
    fc, _ = _townships(shiyan, {2: None, 5: ""})
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _file(tmp_path, fc))
    assert "duplicate" not in exc.value.en and exc.value.details["empty_codes"] == [2, 5]


@pytest.mark.parametrize("lang, words", [("en", ("feature 2", "420381999")), ("zh", ("第 2 个要素", "420381999"))])
def test_the_cli_says_an_empty_code_without_a_traceback(shiyan, tmp_path, monkeypatch, capsys, lang, words):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    fc, _ = _townships(shiyan, {1: "420381999", 2: None})
    code, out, err = run(capsys, "--lang", lang, "data", "import", "townships", str(_file(tmp_path, fc)),
                         "--dry-run")
    assert code == 2 and "Traceback" not in err and "TypeError" not in err, err
    assert all(w in err for w in words) and "nan" not in err, err


def test_a_village_layer_with_an_empty_and_an_unknown_code_refuses_those_rows(shiyan, tmp_path):
    vills = shiyan.villages[shiyan.villages["township_code"].astype(str).str[:6] == COUNTY].iloc[:3]
    codes = [str(c) for c in vills.index]
    codes[1], codes[2] = None, "420381999999"
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c},
         "geometry": {"type": "Point", "coordinates": [g.x, g.y]}} for c, g in zip(codes, vills.geometry)]}
    out = check_villages(shiyan, _file(tmp_path, fc, "v.geojson"))
    assert list(out["code"]) == [str(vills.index[0])]
    refused = {r["row"]: r for r in out.attrs["refused"]}
    assert refused[2]["code"] == "empty_code" and refused[2]["message_en"] == "empty code"
    assert refused[3]["code"] == "unknown_code" and "420381999999" in refused[3]["message_en"]


def test_a_village_layer_of_empty_codes_says_so(shiyan, tmp_path):
    vills = shiyan.villages.iloc[:2]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": None},
         "geometry": {"type": "Point", "coordinates": [g.x, g.y]}} for g in vills.geometry]}
    with pytest.raises(InputDataError) as exc:
        check_villages(shiyan, _file(tmp_path, fc, "v.geojson"))
    assert "empty code" in exc.value.en and "Is this a village file" not in exc.value.en


# -- a lon/lat CRS given for metres ---------------------------------------------------------------

def test_metres_given_as_degrees_are_said_to_look_projected(shiyan, tmp_path):
    fc, towns = _townships(shiyan, crs="EPSG:4547")  # the file states no CRS (GeoJSON without "crs")
    path = _file(tmp_path, fc)
    for given in ("EPSG:4326", "EPSG:4490"):
        with pytest.raises(InputDataError) as exc:
            check_townships(shiyan, path, crs=given)
        e = exc.value
        assert "look projected" in e.en and given in e.en and "nan" not in e.en and "no area" not in e.en
        assert "投影坐标" in e.zh and given in e.zh and "面积" not in e.zh
        assert "EPSG:4546" in e.hint_en and "--crs" in e.hint_zh
        assert e.details["features"] == len(towns) and e.details["feature"] == 1
    # the right CRS reads the file
    assert len(check_townships(shiyan, path, crs="EPSG:4547")) == len(towns)


def test_the_cli_says_metres_given_as_degrees_look_projected(shiyan, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    fc, _ = _townships(shiyan, crs="EPSG:4547")
    code, out, err = run(capsys, "--lang", "en", "data", "import", "townships", str(_file(tmp_path, fc)),
                         "--crs", "EPSG:4326", "--dry-run")
    assert code == 2 and "look projected" in err and "nan m²" not in err and "Traceback" not in err, err


def test_a_village_layer_of_metres_given_as_degrees_is_said_to_look_projected(shiyan, tmp_path):
    vills = shiyan.villages.iloc[:3]
    pts = gpd.GeoSeries(vills.geometry.values, crs=settings.STORAGE_CRS).to_crs("EPSG:4547")
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": str(c)}, "geometry": {"type": "Point", "coordinates": [g.x, g.y]}}
        for c, g in zip(vills.index, pts)]}
    with pytest.raises(InputDataError) as exc:
        check_villages(shiyan, _file(tmp_path, fc, "v.geojson"), crs="EPSG:4326")
    assert "look projected" in exc.value.en


def test_degrees_given_as_degrees_still_import(shiyan, tmp_path):
    fc, towns = _townships(shiyan)
    assert len(check_townships(shiyan, _file(tmp_path, fc), crs="EPSG:4326")) == len(towns)
