"""`coverplan solve`: CSV/npz input, JSON output, bilingual input errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

from cli.main import main

DEMAND = "id,x,y,weight\nd0,0,0,1\nd1,1000,0,1\nd2,2000,0,1\nd3,3000,0,1\nd4,4000,0,1\nd5,5000,0,10\n"
CANDS = "id,x,y\nA,0,0\nB,2000,0\nC,3000,0\nD,5000,0\n"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "demand.csv").write_text(DEMAND, encoding="utf-8")
    (tmp_path / "cand.csv").write_text(CANDS, encoding="utf-8")
    return tmp_path


def test_mclp_json(files, capsys):
    code, out, _ = run(capsys, "--lang", "en", "solve", "--model", "mclp",
                       "--demand", str(files / "demand.csv"), "--candidates", str(files / "cand.csv"),
                       "--radius", "1000", "--p", "2", "--json")
    assert code == 0
    res = json.loads(out)
    assert set(res) - {"engine", "engine_note"} == {
        "model", "status", "objective", "selected", "covered_weight", "covered_share", "mip_gap",
        "seconds", "bound"}
    assert res["model"] == "mclp" and res["status"] == "optimal"
    assert res["bound"] == pytest.approx(res["objective"])   # proven: the bound is the optimum
    assert res["objective"] == 14 and res["selected"] == ["D", "B"]
    assert res["covered_share"] == pytest.approx(14 / 15)
    assert set(res["seconds"]) == {"build", "solve", "total"}


def test_all_models_with_costs_npz_and_existing(files, capsys):
    cand = "id,x,y,existing\nA,0,0,0\nB,2000,0,0\nC,3000,0,0\nD,5000,0,1\n"
    (files / "cand.csv").write_text(cand, encoding="utf-8")
    x = np.arange(6) * 1000.0
    costs = np.abs(x[:, None] - np.array([0, 2000, 3000, 5000.0])[None, :]) / 1000.0  # km
    np.savez(files / "costs.npz", costs=costs)
    common = ["--demand", str(files / "demand.csv"), "--candidates", str(files / "cand.csv"),
              "--costs", str(files / "costs.npz"), "--json"]
    expected = {"lscp": (["--radius", "1"], 2), "pmedian": (["--p", "1"], 5.0),
                "pcenter": (["--p", "1"], 2.0), "mclp": (["--radius", "1", "--p", "1"], 14.0)}
    for model, (extra, obj) in expected.items():
        code, out, _ = run(capsys, "solve", "--model", model, *extra, *common)
        assert code == 0, out
        res = json.loads(out)
        assert res["objective"] == pytest.approx(obj), model
        assert "D" not in res["selected"]             # existing: open, not new


def test_costs_made_for_other_points_are_refused(files, capsys):
    """`od` writes the ids of its rows and columns; solve checked only the shape, so a matrix for other
    points (or the CSVs reordered since) gave a confident "optimal" for the wrong places (QA 14)."""
    x = np.arange(6) * 1000.0
    costs = np.abs(x[:, None] - np.array([0, 2000, 3000, 5000.0])[None, :])
    demand_ids = np.array(["d0", "d1", "d2", "d3", "d4", "d5"])
    np.savez(files / "ok.npz", costs=costs, origin_ids=demand_ids, destination_ids=np.array(list("ABCD")))
    common = ["solve", "--model", "pmedian", "--p", "1", "--demand", str(files / "demand.csv"),
              "--candidates", str(files / "cand.csv"), "--costs"]
    assert run(capsys, *common, str(files / "ok.npz"))[0] == 0
    np.savez(files / "swapped.npz", costs=costs, origin_ids=demand_ids, destination_ids=np.array(list("ABDC")))
    code, _, err = run(capsys, "--lang", "en", *common, str(files / "swapped.npz"))
    assert code == 2 and "other candidate sites: column 3 of the matrix is 'D', line 4 of the candidates CSV is 'C'" \
        in err and "2 of 4 differ" in err, err
    np.savez(files / "other.npz", costs=costs, origin_ids=np.array(["z0", "z1", "z2", "z3", "z4", "z5"]),
             destination_ids=np.array(list("ABCD")))
    code, _, err = run(capsys, *common, str(files / "other.npz"))
    assert code == 2 and "为其他需求点计算的：矩阵第 1 行为“z0”" in err, err
    np.save(files / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    import zipfile
    with zipfile.ZipFile(files / "pickled.npz", "w") as zf:
        zf.write(files / "obj.npy", "costs.npy")
    code, _, err = run(capsys, *common, str(files / "pickled.npz"))
    assert code == 2 and "allow_pickle" not in err and "Python 对象" in err, err


def test_gbk_csv_is_read(files, capsys):
    (files / "demand.csv").write_bytes(
        DEMAND.replace("d0", "茅箭区").replace("d1", "张湾区").encode("gbk"))
    code, out, _ = run(capsys, "solve", "--model", "pmedian", "--p", "2", "--demand",
                       str(files / "demand.csv"), "--candidates", str(files / "cand.csv"), "--json")
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(5000.0)  # B, D


@pytest.mark.parametrize("lang, needle", [("en", "lacks column"), ("zh", "缺少列")])
def test_missing_column_is_a_bilingual_error(files, capsys, lang, needle):
    (files / "demand.csv").write_text("id,x,y\nd0,0,0\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", lang, "solve", "--model", "pmedian", "--p", "1",
                       "--demand", str(files / "demand.csv"), "--candidates",
                       str(files / "cand.csv"))
    assert code == 2 and needle in err and "weight" in err


def test_errors_as_json(files, capsys):
    base = ["solve", "--demand", str(files / "demand.csv"), "--candidates", str(files / "cand.csv"),
            "--json"]
    code, out, _ = run(capsys, *base, "--model", "mclp", "--p", "1")
    err = json.loads(out)
    assert code == 2 and err["error"] == "InputDataError" and "--radius" in err["message_en"]
    assert "--radius" in err["message_zh"]
    code, out, _ = run(capsys, *base, "--model", "pmedian")
    assert code == 2 and "--p" in json.loads(out)["message_en"]
    np.savez(files / "bad.npz", costs=np.zeros((3, 4)))
    code, out, _ = run(capsys, *base, "--model", "pmedian", "--p", "1", "--costs",
                       str(files / "bad.npz"))
    err = json.loads(out)
    assert code == 2 and err["details"]["expected"] == [6, 4] and "(6, 4)" in err["message_en"]
    (files / "demand.csv").write_text(DEMAND.replace("d3,3000", "d3,abc"), encoding="utf-8")
    code, out, _ = run(capsys, *base, "--model", "pmedian", "--p", "1")
    err = json.loads(out)
    assert code == 2 and err["details"]["lines"] == [5] and err["details"]["column"] == "x"


def test_infeasible_is_reported_with_ids(files, capsys):
    code, out, _ = run(capsys, "solve", "--model", "lscp", "--radius", "500", "--demand",
                       str(files / "demand.csv"), "--candidates", str(files / "cand.csv"), "--json")
    err = json.loads(out)
    assert code == 2 and err["error"] == "InfeasibleError"
    assert err["details"]["demand"] == ["d1", "d4"]
    code, out, _ = run(capsys, "solve", "--model", "pmedian", "--p", "9", "--demand",
                       str(files / "demand.csv"), "--candidates", str(files / "cand.csv"), "--json")
    assert code == 2 and json.loads(out)["error"] == "InfeasibleError"


def test_text_output(files, capsys):
    code, out, _ = run(capsys, "--lang", "zh", "solve", "--model", "pcenter", "--p", "2",
                       "--demand", str(files / "demand.csv"), "--candidates", str(files / "cand.csv"))
    assert code == 0 and "新建站点" in out and "状态" in out


def test_capacity_split_and_single_source(files, capsys):
    # D (x=5000) can hold 10.5: d5 (weight 10) fills it.  Split: half of d4
    # goes to D (500) and half to B (1000), d0-d3 to B (4000) -> 5500.
    # Single-source: d4 goes whole to B (2000) -> 6000.
    cand = "id,x,y,capacity\nA,0,0,20\nB,2000,0,20\nC,3000,0,20\nD,5000,0,10.5\n"
    (files / "cand.csv").write_text(cand, encoding="utf-8")
    common = ["solve", "--model", "pmedian", "--p", "2", "--demand", str(files / "demand.csv"),
              "--candidates", str(files / "cand.csv"), "--json"]
    code, out, _ = run(capsys, *common)
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(5500)
    code, out, _ = run(capsys, *common, "--single-source")
    res = json.loads(out)
    assert code == 0 and res["status"] == "optimal"
    assert res["objective"] == pytest.approx(6000) and sorted(res["selected"]) == ["B", "D"]


def test_single_source_needs_a_capacity_column(files, capsys):
    code, out, _ = run(capsys, "--lang", "zh", "solve", "--model", "pmedian", "--p", "2",
                       "--demand", str(files / "demand.csv"), "--candidates",
                       str(files / "cand.csv"), "--single-source", "--json")
    err = json.loads(out)
    assert code == 2 and err["error"] == "InputDataError"
    assert "capacity" in err["message"] and "--single-source" in err["message"]



def test_lscp_reports_the_covered_weight_not_the_point_count(files, capsys):
    """Set covering counts points, but "covered weight" is the file's weights (15 here), as for mclp."""
    code, out, _ = run(capsys, "--lang", "en", "solve", "--model", "lscp", "--demand", str(files / "demand.csv"),
                       "--candidates", str(files / "cand.csv"), "--radius", "1000")
    assert code == 0 and "covered weight: 15 (100.0%)" in out
    code, out, _ = run(capsys, "--lang", "en", "solve", "--model", "lscp", "--demand", str(files / "demand.csv"),
                       "--candidates", str(files / "cand.csv"), "--radius", "1000", "--json")
    assert json.loads(out)["covered_weight"] == 15


def test_bad_lines_are_listed_as_a_reader_writes_them(files, capsys):
    (files / "bad.csv").write_text("id,x,y,weight\nd0,0,0,1\nd1,abc,0,1\nd2,xyz,0,1\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", "zh", "solve", "--model", "lscp", "--demand", str(files / "bad.csv"),
                       "--candidates", str(files / "cand.csv"), "--radius", "1000")
    assert code != 0 and "第 3、4 行" in err and "[" not in err
    code, _, err = run(capsys, "--lang", "en", "solve", "--model", "lscp", "--demand", str(files / "demand.csv"),
                       "--candidates", str(files / "cand.csv"), "--radius", "10")
    assert code != 0 and "radius 10: d1, d4." in err and "['" not in err


@pytest.mark.parametrize("model", ["mclp", "pmedian", "pcenter"])
@pytest.mark.parametrize("p", ["0", "-1"])
@pytest.mark.parametrize("lang, needle", [("zh", "--p {p} 无效：请填写新建站点数，须为不小于 1 的整数（如 --p 5）。"),
                                          ("en", "--p {p}: give the number of new sites, a whole number of at least 1 "
                                                 "(e.g. --p 5).")])
def test_p_below_one_is_refused_like_propose(files, capsys, model, p, lang, needle):
    # p = 0 used to "solve" (MCLP with no site) or crash (p-center's IndexError)
    code, out, err = run(capsys, "--lang", lang, "solve", "--model", model,
                         "--demand", str(files / "demand.csv"), "--candidates", str(files / "cand.csv"),
                         "--radius", "1000", "--p", p)
    assert code == 2 and out == ""
    assert needle.format(p=p) in err and "Traceback" not in err
    assert ("错误" if lang == "zh" else "error") in err
