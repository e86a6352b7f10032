"""Exact location models on HiGHS: LSCP, MCLP, p-median, p-center.

Independent of geography: every model is built from a cost matrix
(demand points x candidate sites) with ``Model.from_cost_matrix(...)`` and
solved with ``.solve(time_limit=..., gap=...)``, which returns a
:class:`SolveResult`.  Infeasible inputs raise
:class:`geo.errors.InfeasibleError`.

Where things are (one idea per module):

* shared machinery -- ``inputs`` (checks of costs, masks, weights,
  capacities), ``roles`` (existing/required/forbidden/free sites, group
  limits), ``base`` (the ``LocationModel`` class), ``result``
  (``SolveResult``), ``highs`` (the HiGHS runner), ``scip`` (the optional SCIP
  runner of the covering MIPs), ``control`` (the caller's
  stop request and progress), ``budget`` (how a solve splits its time);
* formulations -- ``coverage`` (LSCP, MCLP) with ``cover_reduce`` (essential and
  dominated rows/columns) and ``cover_heuristic`` (incumbent, Lagrangean bound,
  fixing), ``pmedian`` (uncapacitated p-median) with ``lagrangean`` (its bound,
  reduced-cost fixing, compiled probing), ``median_tree`` (the compiled
  Lagrangean branch and bound over sites) and ``radius`` (the radius formulation
  it hands over to), ``pcenter``, ``assignment`` (the capacitated assignment rows);
* capacitated p-median -- ``pmedian_capacitated`` (the driver),
  ``lagrangean_capacitated`` (knapsack relaxation, reductions, probing),
  ``heuristics_capacitated`` (assignment and location-allocation),
  ``branch_cut_price`` with ``bcp_master`` (set-partitioning master) and
  ``pricing`` (compiled knapsack pricing), ``knapsack_kernels`` (the compiled
  knapsacks of the relaxation), ``cpmp_large`` (instances above the exact
  path's limits: sparse Lagrangean bound, region MIPs) with
  ``knapsack_sparse`` (its compiled knapsacks over candidate lists);
* ``heuristics`` -- greedy and vertex substitution, the warm starts.
"""
from .coverage import LSCP, MCLP
from .pcenter import PCenter
from .pmedian import PMedian
from .result import SolveResult

__all__ = ["LSCP", "MCLP", "PMedian", "PCenter", "SolveResult"]
