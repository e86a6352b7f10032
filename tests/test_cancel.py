"""A caller's cancel stops HiGHS mid-solve, and a proposal stops with a clear error."""
from __future__ import annotations

import time

import numpy as np
import pytest

from planner.models import MCLP
from planner.proposals import Cancelled, propose


def test_should_stop_interrupts_the_mip():
    rng = np.random.default_rng(1)
    d, c = rng.random((1500, 2)), rng.random((400, 2))
    cost = np.hypot(d[:, None, 0] - c[None, :, 0], d[:, None, 1] - c[None, :, 1])
    model = MCLP.from_cost_matrix(cost, radius=0.08, p=25, weights=rng.integers(1, 100, 1500))
    full = model.solve(time_limit=60)
    assert full.status == "optimal"
    t0 = time.perf_counter()
    stopped = model.solve(time_limit=60, should_stop=lambda: True)
    assert stopped.status == "time_limit"          # stopped, best known solution kept
    assert len(stopped.selected) == 25 and stopped.objective <= full.objective
    assert time.perf_counter() - t0 < 5


def test_proposal_cancelled_during_the_solve(shiyan):
    stages = []

    def progress(fraction, message):
        stages.append(message)

    def should_stop():  # the planner asks as soon as the solve has started
        return any(m.startswith("solving") for m in stages)

    with pytest.raises(Cancelled) as e:
        propose(shiyan, "day_care", model="lscp", progress=progress, should_stop=should_stop)
    assert "取消" in e.value.message("zh") and e.value.status == 409
