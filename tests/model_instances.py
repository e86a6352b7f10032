"""Random cost matrices and the reference solver shared by the location-model tests."""
from __future__ import annotations

import numpy as np


def random_costs(seed: int, n: int, m: int):
    """Euclidean costs (rounded to 3 decimals) of n demand by m sites in a 100 x 100 square,
    and integer demand weights 1-9."""
    rng = np.random.default_rng(seed)
    d, c = rng.random((n, 2)) * 100, rng.random((m, 2)) * 100
    cost = np.round(np.linalg.norm(d[:, None] - c[None], axis=2), 3)
    return cost, rng.integers(1, 10, n).astype(float)


def spopt_solver():
    """The PuLP solver spopt runs with: HiGHS when PuLP finds it, else CBC.

    Relative gap 0: HiGHS would otherwise stop within 1e-4 of the optimum (its
    default), and the tests compare optima exactly.
    """
    import pulp

    return pulp.HiGHS(msg=False, gapRel=0.0) if "HiGHS" in pulp.listSolvers(onlyAvailable=True) \
        else pulp.PULP_CBC_CMD(msg=False, gapRel=0.0)
