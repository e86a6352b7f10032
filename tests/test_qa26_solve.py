"""QA 26 (solve, counts, body size): `solve --model pmedian --radius 3000` took the radius and said nothing (the
"covered weight: 1830 (100.0%)" it printed read as coverage within 3000, where 4 points have no site); an .npz
of costs holding NaN was solved without a word, and a negative cost was named by "demand row 0"; the English
text gave the gap raw ("gap: 2.26802e-16"); the import summary said "1 rows accepted ... 1 warnings"; and a
21,000,000-byte body was told "at most 20 MB (this one is 20 MB)"."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

# 4 demand points on a line, 3 candidates: d3 (x=9000) is over 3000 from every candidate
DEMAND = "id,x,y,weight\nd0,0,0,10\nd1,1000,0,20\nd2,2500,0,30\nd3,9000,0,40\n"
CANDS = "id,x,y\nc0,0,0\nc1,2000,0\nc2,5000,0\n"


@pytest.fixture
def csvs(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    (tmp_path / "d.csv").write_text(DEMAND, encoding="utf-8")
    (tmp_path / "c.csv").write_text(CANDS, encoding="utf-8")
    return tmp_path


def solve(tmp, *more) -> list[str]:
    return ["solve", "--demand", str(tmp / "d.csv"), "--candidates", str(tmp / "c.csv"), *more]


def costs_of(tmp) -> np.ndarray:
    x = np.array([0, 1000, 2500, 9000.0])
    return np.abs(x[:, None] - np.array([0, 2000, 5000.0])[None, :])


# -- 1. --radius is refused by the models that take none, by name -------------------------------------------------
@pytest.mark.parametrize("model", ["pmedian", "pcenter"])
def test_radius_is_refused_by_the_models_without_one(csvs, capsys, model):
    argv = solve(csvs, "--model", model, "--p", "1", "--radius", "3000")
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and out == "" and "Traceback" not in err, (code, out, err)
    assert f"--radius 3000: the {model} model takes no coverage radius" in err, err
    assert "lscp" in err and "mclp" in err, err
    code, out, err = run(capsys, "--lang", "zh", *argv)
    assert code == 2 and out == "" and f"--radius 3000 无效：{model} 模型不使用覆盖半径" in err, err
    assert "lscp" in err and "mclp" in err and "the " not in err, err
    code, out, _ = run(capsys, *argv, "--json")
    res = json.loads(out)
    assert code == 2 and res["details"]["parameter"] == "radius" and res["details"]["models"] == ["lscp", "mclp"]


def test_p_is_refused_by_lscp(csvs, capsys):
    code, out, err = run(capsys, "--lang", "en", *solve(csvs, "--model", "lscp", "--radius", "9000", "--p", "2"))
    assert code == 2 and out == "" and "--p 2: the lscp model" in err and "mclp, pmedian and pcenter" in err, err
    code, out, err = run(capsys, "--lang", "zh", *solve(csvs, "--model", "lscp", "--radius", "9000", "--p", "2"))
    assert code == 2 and "--p 2 无效：lscp 模型" in err, err


@pytest.mark.parametrize("lang, label", [("en", "weight with a reachable site: 100 (100.0%)"),
                                         ("zh", "可到达站点的需求：100（100.0%）")])
def test_pmedian_says_what_its_weight_line_counts(csvs, capsys, lang, label):
    """Without a radius the line is the weight that can reach a site at all, not a coverage within a radius."""
    code, out, err = run(capsys, "--lang", lang, *solve(csvs, "--model", "pmedian", "--p", "1"))
    assert code == 0 and label in out and "covered weight" not in out and "覆盖需求" not in out, (out, err)
    # the covering models still say "covered", within their radius (d3 is not)
    code, out, err = run(capsys, "--lang", "en", *solve(csvs, "--model", "mclp", "--p", "3", "--radius", "3000"))
    assert code == 0 and "covered weight: 60 (60.0%)" in out, (out, err)


# -- 2. NaN costs refused, every cost message 1-based with the ids ------------------------------------------------
@pytest.mark.parametrize("bad, en, zh", [
    (np.nan, "NaN (not a number) at row 2, column 3 (demand point 'd1', candidate site 'c2')",
     "含 NaN（非数值）：第 2 行第 3 列（需求点“d1”、候选点“c2”）"),
    (-5.0, "negative at row 2, column 3 (demand point 'd1', candidate site 'c2'): -5",
     "含负值：第 2 行第 3 列（需求点“d1”、候选点“c2”）为 -5"),
    (-np.inf, "negative at row 2, column 3 (demand point 'd1', candidate site 'c2'): -inf",
     "含负值：第 2 行第 3 列（需求点“d1”、候选点“c2”）为 -inf"),
])
def test_nan_and_negative_costs_are_refused_by_row_column_and_id(csvs, capsys, bad, en, zh):
    c = costs_of(csvs)
    c[1, 2] = bad
    np.savez(csvs / "bad.npz", costs=c)
    argv = solve(csvs, "--model", "pmedian", "--p", "1", "--costs", str(csvs / "bad.npz"))
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and out == "" and en in err and "row 0" not in err and "Traceback" not in err, err
    code, out, err = run(capsys, "--lang", "zh", *argv)
    assert code == 2 and zh in err and "第 0 行" not in err, err
    code, out, _ = run(capsys, *argv, "--json")
    d = json.loads(out)["details"]
    assert code == 2 and d["row"] == 2 and d["column"] == 3 and d["demand_id"] == "d1" and d["candidate_id"] == "c2"


def test_nan_costs_are_counted_and_the_first_named(csvs, capsys):
    c = costs_of(csvs)
    c[0, 0] = c[3, 1] = np.nan
    np.savez(csvs / "nan.npz", costs=c)
    code, _, err = run(capsys, "--lang", "en", *solve(csvs, "--model", "pcenter", "--p", "1",
                                                      "--costs", str(csvs / "nan.npz")))
    assert code == 2 and "row 1, column 1 (demand point 'd0', candidate site 'c0')" in err and "2 cells" in err, err


def test_nan_in_a_sparse_matrix_is_refused_too(csvs, capsys):
    import scipy.sparse as sp

    c = costs_of(csvs)
    c[2, 0] = np.nan
    sp.save_npz(csvs / "sp.npz", sp.csr_matrix(c))
    code, _, err = run(capsys, "--lang", "en", *solve(csvs, "--model", "pmedian", "--p", "1",
                                                      "--costs", str(csvs / "sp.npz")))
    assert code == 2 and "NaN (not a number) at row 3, column 1 (demand point 'd2', candidate site 'c0')" in err, err


def test_inf_still_means_unreachable(csvs, capsys):
    c = costs_of(csvs)
    c[3, :2] = np.inf          # d3 reaches c2 only
    np.savez(csvs / "inf.npz", costs=c)
    code, out, err = run(capsys, *solve(csvs, "--model", "pmedian", "--p", "1",
                                             "--costs", str(csvs / "inf.npz"), "--json"))
    assert code == 0 and json.loads(out)["selected"] == ["c2"], (out, err)


# -- 3. the gap as a percentage in both languages -----------------------------------------------------------------
def test_english_gap_is_a_percentage(csvs, capsys):
    code, out, _ = run(capsys, "--lang", "en", *solve(csvs, "--model", "pmedian", "--p", "1"))
    assert code == 0 and "gap: 0.00%" in out and "e-" not in out, out


@pytest.mark.parametrize("gap, en, zh", [(0.0, "0.00%", "0.00%"), (2.26802e-16, "0.00%", "0.00%"),
                                         (3e-5, "under 0.01%", "不到 0.01%"), (0.0123, "1.23%", "1.23%"),
                                         (float("inf"), "unknown (no proven bound)", "未知（无已证明的界）")])
def test_gap_percent_words(gap, en, zh):
    from planner.i18n import gap_percent

    assert gap_percent(gap, "en") == en and gap_percent(gap, "zh") == zh


def test_a_tiny_gap_in_the_solve_text(csvs, capsys, monkeypatch):
    """A solve stopped within 0.003%: "under 0.01%" in both languages (planner.i18n.solver_gap_text's words)."""
    from planner.models import PMedian

    real = PMedian.solve

    def stopped_short(self, *a, **k):
        res = real(self, *a, **k)
        res.status, res.mip_gap = "feasible", 3e-5
        return res

    monkeypatch.setattr(PMedian, "solve", stopped_short)
    code, out, _ = run(capsys, "--lang", "en", *solve(csvs, "--model", "pmedian", "--p", "1"))
    assert code == 0 and "gap: under 0.01%" in out, out
    code, out, _ = run(capsys, "--lang", "zh", *solve(csvs, "--model", "pmedian", "--p", "1"))
    assert code == 0 and "与最优值的差距：不到 0.01%" in out, out


# -- 4. English counts are singular for 1 -------------------------------------------------------------------------
def test_validation_counts_are_singular_for_one():
    from planner.i18n import t

    assert t("ds_validated", "en", accepted=1, refused=1, warnings=1) == \
        "Validation: 1 row accepted, 1 refused, 1 warning"
    assert t("ds_validated", "en", accepted=2, refused=0, warnings=0) == \
        "Validation: 2 rows accepted, 0 refused, 0 warnings"
    assert t("ds_validated", "en", accepted=21, refused=0, warnings=11) == \
        "Validation: 21 rows accepted, 0 refused, 11 warnings"
    assert "f.csv, 1 row)" in t("ds_committed", "en", v=3, layer="x", file="f.csv", rows=1)
    assert t("ds_rows_refused", "en", file="f.csv", n=1).startswith("f.csv: 1 row refused or corrected")
    assert t("ds_rows_refused", "en", file="f.csv", n=2).startswith("f.csv: 2 rows refused or corrected")
    # Chinese counts have no plural; the browser's catalogue is untouched
    assert t("ds_validated", "zh", accepted=1, refused=1, warnings=1) == "校验结果：接受 1 行，拒绝 1 行，警告 1 条"


def test_import_summary_of_one_row(var, tmp_path, capsys):  # noqa: F811  (var: the fixture)
    from test_qa23_cli_data import _register

    src = _register(tmp_path / "两行.csv", rows=2, types=["农村福利院", "日间照料中心"])
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", src, "--type", "welfare_home",
                         "--dry-run")
    assert code == 0, err
    assert "Validation: 1 row accepted, 1 refused" in out and "1 rows" not in out and "1 warnings" not in out, out


# -- 5. a body over the limit never reads as the limit ------------------------------------------------------------
@pytest.fixture
def app(tmp_path):
    from web.app import create_app

    a = create_app({"DB_PATH": str(tmp_path / "p.sqlite")})
    yield a
    a.extensions["coverplan"]["jobs"].shutdown()


def _sizes(text: str) -> tuple[str, str]:
    m = re.search(r"at most ([\d.]+ MB) \(this one is ([\d.]+ MB)\)", text) or \
        re.search(r"上限为 ([\d.]+ MB)（本次为 ([\d.]+ MB)）", text)
    assert m, text
    return m.group(1), m.group(2)


@pytest.mark.parametrize("size, shown", [(21_000_000, "20.03 MB"), (20 * 2**20 + 1, None), (25 * 2**20, "25 MB")])
def test_the_size_of_a_body_over_the_limit_reads_larger(app, size, shown):
    c = app.test_client()
    r = c.post("/api/proposals?lang=en", data=b"x" * size, content_type="application/json")
    assert r.status_code == 413, r.data[:300]
    body = r.get_json()
    for text in (body["message_en"], body["message_zh"]):
        limit, got = _sizes(text)
        assert limit == "20 MB" and float(got.split()[0]) > 20, text
        if shown:
            assert got == shown, text
    assert body["details"] == {"limit": 20 * 2**20, "size": size, "path": "/api/proposals"}


def test_body_size_words():
    from web.params import size_over_limit

    assert size_over_limit(21_000_000, 20 * 2**20) == ("20 MB", "20.03 MB")
    assert size_over_limit(2 * 2**20 + 36, 2**20) == ("1 MB", "2.0 MB")
    assert size_over_limit(1_500_000, 2**20) == ("1 MB", "1.4 MB")
    assert size_over_limit(20 * 2**20 + 1, 20 * 2**20) == ("20 MB", "20.000001 MB")
    assert size_over_limit(900 * 1024, 800 * 1024) == ("800 KB", "900 KB")
    # a limit that is not whole: its own figure at the precision that tells the two apart
    limit, got = size_over_limit(int(1.46 * 2**20) + 2000, int(1.46 * 2**20))
    assert float(got.split()[0]) > float(limit.split()[0]), (limit, got)


def test_a_bad_cost_is_standard_json(csvs, capsys):
    c = costs_of(csvs)
    c[0, 1] = -np.inf
    np.savez(csvs / "neg.npz", costs=c)
    code, out, _ = run(capsys, *solve(csvs, "--model", "pmedian", "--p", "1", "--costs", str(csvs / "neg.npz"),
                                      "--json"))

    def refuse(const):
        raise AssertionError(f"non-standard JSON number {const}")

    assert code == 2 and json.loads(out, parse_constant=refuse)["details"]["value"] == "-inf", out


def test_the_library_names_a_negative_cost_by_its_row_and_column_from_one():
    """planner.models' own check (the CLI refuses earlier, with the ids): "demand row 0" read as a row before the first."""
    import numpy as np

    from geo.errors import InputDataError
    from planner.models.inputs import as_cost_csr

    costs = np.array([[1.0, 2.0], [3.0, -4.0]])
    with pytest.raises(InputDataError) as exc:
        as_cost_csr(costs)
    assert "demand row 2, candidate column 2: -4" in exc.value.message("en")
    assert "第 2 个需求点、第 2 个候选点：-4" in exc.value.message("zh")
    assert exc.value.details["demand_index"] == 1 and exc.value.details["row"] == 2
