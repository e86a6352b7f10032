"""What a solve returns: :class:`SolveResult`, and the status words and errors around it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from geo.errors import InfeasibleError

if TYPE_CHECKING:
    from .highs import MipOutcome

__all__ = ["SolveResult", "STATUSES", "combine_status", "no_solution_in_time",
           "raise_if_no_solution"]

#: Statuses a solve can report.
STATUSES = ("optimal", "feasible", "infeasible", "time_limit")


@dataclass
class SolveResult:
    """Outcome of :meth:`LocationModel.solve`.

    Attributes
    ----------
    model : str
        ``"lscp"``, ``"mclp"``, ``"pmedian"`` or ``"pcenter"``.
    status : str
        ``"optimal"`` (proven), ``"feasible"`` (a solution whose optimality is
        not proven; see ``mip_gap``), ``"time_limit"`` (the time limit stopped
        the search; the best solution found is returned) or ``"infeasible"``.
    objective : float
        LSCP: number of new sites; MCLP: covered weight (existing sites
        count as open); p-median: sum of weight x cost to the serving site;
        p-center: largest cost from a demand point to its nearest open site.
    selected : numpy.ndarray
        Indices of the NEW sites.  For MCLP/LSCP in priority order (largest
        marginal gain first), otherwise ascending.
    open_sites : numpy.ndarray
        Existing plus new site indices, ascending.
    assignment : numpy.ndarray
        Per demand point, index of the serving site (``-1``: none / not
        covered).
    covered : numpy.ndarray
        Per demand point, whether it is served (within the radius for the
        coverage models).
    covered_weight, covered_share : float
        Weight of the covered demand and its share of the total weight.
    mip_gap : float
        Relative gap between the objective and the best proven bound
        (0 when optimal, ``inf`` when no bound is known).
    seconds : dict
        Wall-clock seconds: ``build``, ``solve`` and ``total``.
    """

    model: str
    status: str
    objective: float
    selected: np.ndarray
    open_sites: np.ndarray
    assignment: np.ndarray
    covered: np.ndarray
    covered_weight: float
    covered_share: float
    mip_gap: float
    seconds: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-friendly dictionary (arrays become lists)."""
        return {
            "model": self.model, "status": self.status,
            "objective": float(self.objective),
            "selected": self.selected.tolist(),
            "open_sites": self.open_sites.tolist(),
            "covered_weight": float(self.covered_weight),
            "covered_share": float(self.covered_share),
            "mip_gap": float(self.mip_gap),
            "seconds": dict(self.seconds),
        }

    def engine_fields(self) -> dict:
        """Which engine proved the answer, and why not SCIP: the MIP's ("scip", "highs"), or "bound" when the
        Lagrangean bound met the heuristic's solution and no MIP ran (an answer proven so had no ``engine`` at
        all: QA 27); empty when nothing was proven by either (a heuristic answer, a model without them)."""
        out = {key: self.details[key] for key in ("engine", "engine_note") if self.details.get(key)}
        if "engine" not in out and self.details.get("method") == "lagrangean bound":
            out = {"engine": "bound",
                   "engine_note": "proven optimal by the Lagrangean bound, which meets the heuristic's solution: "
                                  "no MIP was needed"}
        return out


def no_solution_in_time(model: str) -> InfeasibleError:
    """The error for a solve stopped before finding any solution (not a status code)."""
    return InfeasibleError("No solution was found within the time limit.",
                           "在时间限制内未找到可行解。",
                           hint_en="Raise --time-limit.", hint_zh="请增大 --time-limit。",
                           details={"model": model, "status": "time_limit"})


def raise_if_no_solution(out: MipOutcome, model: str) -> None:
    """A MIP stopped before finding any solution: say so plainly."""
    if out.x is None:
        raise no_solution_in_time(model)


def combine_status(status: str, gap: float) -> str:
    """Status to report after post-processing a MIP outcome."""
    if status == "optimal" and gap > 1e-9:
        return "feasible"
    return status
