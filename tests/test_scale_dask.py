"""Per-county province work handed to Dask gives the single-process results (geo/distributed.py)."""
from __future__ import annotations

import numpy as np
import pytest

from geo.distributed import run_parts
from planner import regional
from planner.facility_types import get_type

distributed = pytest.importorskip("distributed")

TYPES = ("elderly_complex", "day_care", "disabled_care")


@pytest.fixture(scope="module")
def parts():
    region = regional.generate_region(1500, seed=4)
    out = []
    for key in TYPES:
        out += regional.county_parts(region, get_type(key))
    return out


def _same(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x["type"], x["county"]) == (y["type"], y["county"])
        for key in ("demand", "nearest", "covered", "cost", "selected"):
            if key in x:
                assert np.array_equal(x[key], y[key]), key
        if "objective" in x:
            assert x["status"] == y["status"] and x["objective"] == pytest.approx(y["objective"], rel=1e-9)


def test_local_cluster_gives_the_single_process_results(parts):
    local_cov, info = run_parts(regional.county_coverage, parts)
    local_prop, _ = run_parts(regional.county_proposal, parts)
    assert info.where == "local" and info.parts == len(parts) > 6
    # the instance is not trivial: some points covered, some not, some sites proposed
    covered = np.concatenate([r["covered"] for r in local_cov])
    assert 0.1 < covered.mean() < 0.99
    assert sum(len(r["selected"]) for r in local_prop) > 0
    assert {r["status"] for r in local_prop} <= {"optimal", "nothing to do"}

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        dask_cov, dinfo = run_parts(regional.county_coverage, parts, scheduler=cluster.scheduler_address)
        dask_prop, pinfo = run_parts(regional.county_proposal, parts, scheduler=cluster)
    assert dinfo.where == pinfo.where == "dask" and dinfo.workers == 2 and dinfo.note_en == ""
    _same(local_cov, dask_cov)
    _same(local_prop, dask_prop)


def test_unreachable_scheduler_runs_here_with_a_clear_message(parts, caplog):
    few = parts[:3]
    res, info = run_parts(regional.county_coverage, few, scheduler="tcp://127.0.0.1:9", timeout=2)
    assert info.where == "local" and info.scheduler == "tcp://127.0.0.1:9"
    assert "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in info.note_en
    assert "本进程" in info.note_zh
    assert "Cannot reach" in caplog.text
    _same(res, [regional.county_coverage(p) for p in few])


def test_dask_missing_runs_here(parts, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "distributed", None)
    res, info = run_parts(regional.county_coverage, parts[:2], scheduler="tcp://127.0.0.1:8786")
    assert info.where == "local" and "Dask is not installed" in info.note_en and "未安装" in info.note_zh
    assert len(res) == 2
