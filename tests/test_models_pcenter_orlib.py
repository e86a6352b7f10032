"""Vertex p-center on small OR-Library-like graphs, against brute force.

Each instance is written in the pmed format ("n m p", then "i j cost" lines,
1-based, a repeated edge's LAST cost counting), read back with the benchmark's
converter (bench/orlib.py), so every vertex is a demand point and a candidate
and costs are shortest-path distances, as in the OR-Library p-center records.
"""
from __future__ import annotations

import importlib.util
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from planner.models import PCenter

ROOT = Path(__file__).resolve().parents[1]


def _orlib():
    spec = importlib.util.spec_from_file_location("bench_orlib", ROOT / "bench" / "orlib.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


orlib = _orlib()


def pmed_like(path: Path, n: int, p: int, seed: int, extra: float = 1.0) -> Path:
    """A connected random graph in pmed format: a random tree plus ``extra * n`` edges,
    integer costs 1..100, a few edges listed twice with a different cost."""
    rng = np.random.default_rng(seed)
    edges = [(int(rng.integers(0, i)), i) for i in range(1, n)]
    edges += [tuple(rng.choice(n, 2, replace=False)) for _ in range(int(extra * n))]
    lines = [(i + 1, j + 1, int(rng.integers(1, 101))) for i, j in edges]
    lines += [(j, i, int(rng.integers(1, 101))) for i, j, _ in lines[: n // 5]]   # re-listed
    path.write_text(f"{n} {len(lines)} {p}\n" + "".join(f"{i} {j} {c}\n" for i, j, c in lines))
    return path


def brute(dist: np.ndarray, p: int) -> float:
    return min(float(dist[:, list(c)].min(axis=1).max())
               for c in combinations(range(dist.shape[1]), p))


@pytest.mark.parametrize("n, p, seed", [(12, 2, 0), (14, 3, 1), (16, 3, 2), (18, 4, 3),
                                        (20, 2, 4), (20, 5, 5), (15, 1, 6), (16, 8, 7)])
def test_pcenter_pmed_like_matches_brute_force(tmp_path, n, p, seed):
    dist, p_read = orlib.read_pmed(pmed_like(tmp_path / "g.txt", n, p, seed))
    assert p_read == p and np.isfinite(dist).all() and dist.shape == (n, n)
    res = PCenter.from_cost_matrix(dist, p=p).solve(time_limit=60)
    assert res.status == "optimal" and res.mip_gap == 0.0
    assert res.objective == brute(dist, p)
    assert len(res.selected) == p
    # The reported radius is the one of the sites it returns.
    assert dist[:, res.selected].min(axis=1).max() == res.objective


def test_repeated_edge_last_cost_counts(tmp_path):
    # 1-2 listed with 5, then again with 1: the distance is 1 (OR-Library convention).
    f = tmp_path / "g.txt"
    f.write_text("3 3 1\n1 2 5\n2 3 2\n2 1 1\n")
    dist, _ = orlib.read_pmed(f)
    assert dist[0, 1] == 1 and dist[0, 2] == 3


def test_row_generation_keeps_few_rows_and_stays_exact(tmp_path):
    # 150 vertices, p = 2: brute force is 11,175 pairs.  The covering questions are
    # asked of a subset of the vertices; the answer must still be the exact optimum.
    dist, p = orlib.read_pmed(pmed_like(tmp_path / "g.txt", 150, 2, 11, extra=0.5))
    res = PCenter.from_cost_matrix(dist, p=p).solve(time_limit=60)
    assert res.status == "optimal" and res.objective == brute(dist, p)
    assert 0 < res.details["relaxed_rows"] < 150
    assert res.details["lower_bound"] == res.objective


def test_existing_site_and_pcenter_through_the_cli(tmp_path, capsys):
    # The benchmark's converter writes coverplan solve inputs; the CLI finds the optimum.
    dist, p = orlib.read_pmed(pmed_like(tmp_path / "g.txt", 16, 3, 21))
    files = orlib.write_cli_inputs(dist, tmp_path / "cli")
    res = orlib.solve_cli(files, "--model", "pcenter", "--p", str(p))
    assert res["status"] == "optimal" and res["objective"] == brute(dist, p)
    # With vertex 1 an existing site, p = 2 more: brute force over the rest.
    text = files["candidates"].read_text(encoding="utf-8").splitlines()
    rows = [text[0] + ",existing"] + [r + (",1" if k == 0 else ",0") for k, r in enumerate(text[1:])]
    files["candidates"].write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = orlib.solve_cli(files, "--model", "pcenter", "--p", "2")
    want = min(float(dist[:, [0, *c]].min(axis=1).max()) for c in combinations(range(1, 16), 2))
    assert res["objective"] == want and "v1" not in res["selected"]
    assert main(["--lang", "en", "solve", "--model", "pcenter", "--demand", str(files["demand"]),
                 "--candidates", str(files["candidates"]), "--costs", str(files["costs"]),
                 "--p", "2"]) == 0
    assert "pcenter" in capsys.readouterr().out
