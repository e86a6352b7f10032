"""How a solve spends its time limit: every share of it, in one place.

A solve gets one wall-clock ``time_limit``.  Its stages (heuristics, the
Lagrangean bound, probing, branch-cut-and-price, HiGHS) each stop at a
deadline taken from this module, so the split can be read and tuned here.
The modules that use them read them as ``budget.NAME`` at run time, so a test
or a benchmark may change one with ``monkeypatch.setattr(budget, NAME, ...)``.

Unless said otherwise a share is of the solve's whole ``time_limit``, counted
from the start of the stage it limits; HiGHS always gets whatever is left.
The figures quoted are the measurements that set them.
"""
from __future__ import annotations

# --------------------------------------------------------------------------- #
# Uncapacitated p-median (pmedian.py)
# --------------------------------------------------------------------------- #

#: Greedy start plus vertex substitution (and its random restarts): the
#: incumbent, the warm start and the radius cut-offs.
HEURISTIC_SHARE = 0.3
#: ... of which the random-restart vertex substitution may use at most this
#: many seconds (OR-Library pmed22: a restart finds 8579, the greedy start 8669).
RESTART_SECONDS = 2.0
#: The subgradient Lagrangean bound (closes most sites before the MIP).
LAGRANGEAN_SHARE = 0.15
#: Vertex substitution from the relaxation's k sites (the Lagrangean heuristic).
LAGRANGEAN_HEURISTIC_SHARE = 0.1
#: Probing (each remaining site forced open; on pmed38 it closes 71 of the 121
#: sites the reduced-cost test leaves).
PROBE_SHARE = 0.2

# --------------------------------------------------------------------------- #
# p-center (pcenter.py)
# --------------------------------------------------------------------------- #

#: The greedy upper bound (6 s for p = 300 on 1,979 villages); the covering
#: MIPs prove or improve what it finds in the rest.
PCENTER_GREEDY_SHARE = 0.5

# --------------------------------------------------------------------------- #
# Capacitated p-median (pmedian_capacitated.py), counted from the start of the solve
# --------------------------------------------------------------------------- #

#: The Lagrangean heuristic and bound (lagrangean_capacitated.py) end at this
#: share, probing at the second.
PRE_SHARE = 0.2
PROBE_CAP_SHARE = 0.35
#: The same where branch-cut-and-price follows: its own bound and heuristics
#: are strong enough that the start gets less (pmedcap1-20: 12 s + 8 s of
#: probing bought nothing the branch-cut-and-price root does not find itself).
#: With the compiled knapsacks and the restricted MIP in the start, 12 % of a
#: 120 s limit let the restricted MIP reach the optimum of Lorena-Senne SJC3a
#: and SJC4a (6 % stopped it 0.3-1.3 % above, and SJC4a was then not proven
#: in 120 s).
BCP_PRE_SHARE = 0.12
BCP_PROBE_SHARE = 0.16
#: Share of the time LEFT after the start that branch-cut-and-price may use
#: before HiGHS on the assignment model takes over from its best solution and
#: bound (a 200-point instance with 25-point clusters: column generation had
#: not finished the root in 60 s, HiGHS proved it in 15 s).
BCP_SHARE = 0.4

# --------------------------------------------------------------------------- #
# Large single-source capacitated p-median (cpmp_large.py), from the solve's start
# --------------------------------------------------------------------------- #

#: The first subgradient pass (with the Lagrangean heuristic) ends at this
#: share, the location-allocation sweeps and region MIPs at the second; the
#: multipliers are polished against the final incumbent in the rest.  On
#: Lorena-Senne p3038_600 the bound is within 0.5 % of the best known value
#: after about 1,000 steps (30-40 s); the incumbent is the weak side.
LARGE_BOUND_SHARE = 0.15
LARGE_REGIONS_END = 0.96
#: Each region MIP at most this many seconds.  At 1 s, the 10 % of region
#: MIPs that hit the limit took about half the region time on p3038_600 for
#: 30 % of the gain; 0.3 to 1 s gave similar values in 150 s runs.
LARGE_REGION_SECONDS = 0.5

# --------------------------------------------------------------------------- #
# Inside the capacitated Lagrangean start: shares of the start's own time
# --------------------------------------------------------------------------- #

#: First subgradient pass (with the quick repair heuristic on its site sets).
SUBGRADIENT_SHARE = 0.5
#: Each location-allocation run (cluster medians, median swaps) at most.
SITE_MOVES_SHARE = 0.1
#: Each exact generalised-assignment MIP on a promising site set at most.
EXACT_ASSIGNMENT_SHARE = 0.05

# --------------------------------------------------------------------------- #
# Branch-cut-and-price root (branch_cut_price.py): shares of the time left
# --------------------------------------------------------------------------- #

#: The MIP over the pooled columns after the root, and LP rounding, each at
#: most this share and at most POOL_SECONDS.
POOL_SHARE = 0.1
POOL_SECONDS = 5.0
#: Within the rounding heuristic's time: the exact assignment to the LP's sites.
ROUNDING_ASSIGNMENT_SHARE = 0.5
#: The set-partitioning MIP over the enumerated columns that close the root.
ENUM_SHARE = 0.5

# --------------------------------------------------------------------------- #
# HiGHS (highs.py)
# --------------------------------------------------------------------------- #

#: HiGHS 1.16 does not always honour its own time limit: a watchdog interrupts
#: it this long after it (a share of the MIP's limit, at least the seconds).
HIGHS_GRACE_SHARE = 0.05
HIGHS_GRACE_SECONDS = 1.0
