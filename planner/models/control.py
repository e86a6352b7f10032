"""The caller's hold on a running solve: "please stop" and "how far are you?".

:meth:`LocationModel.solve <planner.models.base.LocationModel.solve>` takes a
``should_stop`` poll and a ``progress`` callback and installs them for the
thread that runs the solve (:func:`caller_controls`).  Every long loop
anywhere in the models -- heuristics, subgradient steps, probing,
branch-cut-and-price, the HiGHS runner -- then calls :func:`poll` (or
:func:`stop_requested` / :func:`report_progress`) without these being
threaded through each model's code.
"""
from __future__ import annotations

import contextvars
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np

__all__ = ["STAGES", "caller_controls", "stop_requested", "report_progress", "poll",
           "stop_poll", "watched"]

#: The caller's "should I stop?" poll for the solve running in this thread
#: (set by :meth:`LocationModel.solve`); a context variable so that every MIP a
#: model runs sees it without threading it through each model's code.
_SHOULD_STOP: contextvars.ContextVar = contextvars.ContextVar("coverplan_should_stop", default=None)

#: The caller's progress reporter for the solve running in this thread (set by
#: :meth:`LocationModel.solve`), read the same way as ``_SHOULD_STOP``.
_PROGRESS: contextvars.ContextVar = contextvars.ContextVar("coverplan_progress", default=None)
#: Stages a solve reports (the second argument of the progress callback).
STAGES = ("heuristic", "bound", "MIP")
_REPORT_S = 0.25  # at most this often per stage, so a tight loop does not flood the caller


class _Progress:
    """Progress of one solve as elapsed / time limit: monotone, below 1.

    The time limit is the only scale every model shares (a solve may finish
    well before it, and the caller then jumps to its next stage); reports are
    throttled to one per ``_REPORT_S`` (a fifth of that when the stage changes).
    """

    def __init__(self, fn, time_limit: float) -> None:
        self.fn, self.time_limit = fn, float(time_limit)
        self.t0 = time.perf_counter()
        self.fraction, self.stage, self.last = 0.0, None, -np.inf

    def report(self, stage: str) -> None:
        now = time.perf_counter()
        # a new stage shows soon, but stages alternating in a loop do not flood
        if now - self.last < (_REPORT_S if stage == self.stage else _REPORT_S / 5):
            return
        self.fraction = min(max((now - self.t0) / self.time_limit, self.fraction), 0.99)
        self.stage, self.last = stage, now
        self.fn(self.fraction, stage)


def stop_requested() -> bool:
    """Whether the caller of the solve running in this thread asked it to stop."""
    should_stop = _SHOULD_STOP.get()
    return bool(should_stop is not None and should_stop())


def report_progress(stage: str) -> None:
    """Tell the caller of the solve running in this thread how far it is (cheap, throttled)."""
    rep = _PROGRESS.get()
    if rep is not None:
        rep.report(stage)


def poll(stage: str) -> bool:
    """Report progress at ``stage`` and answer whether the caller asked the solve to stop.

    Long loops (heuristics, subgradient steps, probing) call this once per
    iteration: both checks cost a function call when nobody listens.
    """
    report_progress(stage)
    return stop_requested()


def stop_poll() -> Callable[[], bool] | None:
    """The caller's "should I stop?" poll for the solve in this thread (``None``: nobody asks)."""
    return _SHOULD_STOP.get()


def watched() -> bool:
    """Whether the caller of the solve in this thread polls for a stop or follows its progress."""
    return _SHOULD_STOP.get() is not None or _PROGRESS.get() is not None


@contextmanager
def caller_controls(should_stop: Callable[[], bool] | None, progress: Callable | None,
                    time_limit: float) -> Iterator[None]:
    """Install the caller's stop poll and progress callback for the solve run inside."""
    token = _SHOULD_STOP.set(should_stop)
    ptoken = _PROGRESS.set(None if progress is None else _Progress(progress, time_limit))
    try:
        yield
    finally:
        _PROGRESS.reset(ptoken)
        _SHOULD_STOP.reset(token)
