"""Exact location models on HiGHS: LSCP, MCLP, p-median, p-center.

Independent of geography: every model is built from a cost matrix
(demand points x candidate sites) with ``Model.from_cost_matrix(...)`` and
solved with ``.solve(time_limit=..., gap=...)``, which returns a
:class:`SolveResult`.  Infeasible inputs raise
:class:`geo.errors.InfeasibleError`.
"""
from .base import SolveResult
from .center import PCenter
from .coverage import LSCP, MCLP
from .median import PMedian

__all__ = ["LSCP", "MCLP", "PMedian", "PCenter", "SolveResult"]
