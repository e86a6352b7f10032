"""The `load` column of `coverplan solve`: capacity use apart from the objective weight.

Hand-checked instance on a line (costs = |x - x'|):

    sites  P at 0 (capacity 5), Q at 10 (capacity 5), p = 2 (both open)
    points a at 1 (weight 2, load 4), b at 2 (weight 3, load 2), c at 9 (weight 1, load 1)

* load = weight (no load column): a and b fill P exactly (2 + 3 = 5), c goes to Q:
  2*1 + 3*2 + 1*1 = 9.
* with the loads, single source: a and b no longer fit P together (4 + 2 = 6 > 5).
  P:{a} Q:{b,c} = 2 + 24 + 1 = 27;  P:{b} Q:{a,c} = 6 + 18 + 1 = 25 (Q uses 5);
  P:{b,c} Q:{a} = 6 + 8 + 18 = 32;  P:{a,c} Q:{b} = 2 + 8 + 24 = 34.  Optimum 25.
* with the loads, split: per unit of P's capacity b saves 3*6/2 = 9, a 2*8/4 = 4, c less;
  so b whole (2 units) and 3/4 of a (3 units): from all-to-Q 18 + 24 + 1 = 43, minus
  18 and 12 = 13.
The objective counts weights, never loads: 25 is 2*9 + 3*2 + 1*1, not 4*9 + 2*2 + 1*1 = 41.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from cli.main import main
from planner.models import PMedian

X_POINTS = np.array([1.0, 2.0, 9.0])
X_SITES = np.array([0.0, 10.0])
COSTS = np.abs(X_POINTS[:, None] - X_SITES[None, :])
WEIGHT = np.array([2.0, 3.0, 1.0])
LOAD = np.array([4.0, 2.0, 1.0])
CAP = np.array([5.0, 5.0])


def test_model_loads_hand_checked():
    default = PMedian.from_cost_matrix(COSTS, p=2, weights=WEIGHT, capacities=CAP,
                                       single_source=True).solve()
    assert default.status == "optimal" and default.objective == pytest.approx(9.0)
    assert default.assignment.tolist() == [0, 0, 1]
    loaded = PMedian.from_cost_matrix(COSTS, p=2, weights=WEIGHT, loads=LOAD, capacities=CAP,
                                      single_source=True).solve()
    assert loaded.status == "optimal" and loaded.objective == pytest.approx(25.0)
    assert loaded.assignment.tolist() == [1, 0, 1]
    split = PMedian.from_cost_matrix(COSTS, p=2, weights=WEIGHT, loads=LOAD, capacities=CAP).solve()
    assert split.status == "optimal" and split.objective == pytest.approx(13.0)


def _files(tmp_path, *, load: bool):
    rows = ["id,x,y,weight" + (",load" if load else "")]
    for name, x, w, ld in zip("abc", X_POINTS, WEIGHT, LOAD):
        rows.append(f"{name},{x:g},0,{w:g}" + (f",{ld:g}" if load else ""))
    (tmp_path / "demand.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "cand.csv").write_text("id,x,y,capacity\nP,0,0,5\nQ,10,0,5\n", encoding="utf-8")
    return ["--demand", str(tmp_path / "demand.csv"), "--candidates", str(tmp_path / "cand.csv")]


def _solve(capsys, *argv):
    code = main(["--lang", "en", "solve", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("load, single, expected", [(False, True, 9.0), (True, True, 25.0),
                                                     (True, False, 13.0)])
def test_cli_load_column(tmp_path, capsys, load, single, expected):
    args = _files(tmp_path, load=load)
    code, out, err = _solve(capsys, "--model", "pmedian", "--p", "2", *args, "--json",
                            *(["--single-source"] if single else []))
    assert code == 0, err
    res = json.loads(out)
    assert res["status"] == "optimal" and res["objective"] == pytest.approx(expected)
    assert sorted(res["selected"]) == ["P", "Q"]


def test_cli_load_needs_capacity_and_pmedian(tmp_path, capsys):
    args = _files(tmp_path, load=True)
    (tmp_path / "nocap.csv").write_text("id,x,y\nP,0,0\nQ,10,0\n", encoding="utf-8")
    code, out, err = _solve(capsys, "--model", "pcenter", "--p", "1", *args)
    assert code != 0 and "load" in err and "pmedian" in err
    code, out, err = _solve(capsys, "--model", "pmedian", "--p", "1", "--demand",
                            str(tmp_path / "demand.csv"), "--candidates", str(tmp_path / "nocap.csv"))
    assert code != 0 and "capacity" in err
    code = main(["--lang", "zh", "solve", "--model", "pcenter", "--p", "1", *args])
    err = capsys.readouterr().err
    assert code != 0 and "load" in err and "只用于" in err


def test_cli_bad_load_is_refused(tmp_path, capsys):
    args = _files(tmp_path, load=True)
    text = (tmp_path / "demand.csv").read_text(encoding="utf-8").replace("b,2,0,3,2", "b,2,0,3,x")
    (tmp_path / "demand.csv").write_text(text, encoding="utf-8")
    code, out, err = _solve(capsys, "--model", "pmedian", "--p", "2", *args, "--single-source")
    assert code != 0 and "load" in err and "line(s) 3." in err
