"""Small helpers shared by the CLI command modules."""
from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np


def _default(obj: Any):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_json(payload: Any) -> None:
    """Print ``payload`` as UTF-8 JSON (Chinese kept readable)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=_default))
    sys.stdout.write("\n")


def progress(iterable=None, *, quiet: bool, **kwargs):
    """A tqdm progress bar on a terminal, silent with --json or when piped."""
    from tqdm.auto import tqdm
    # no monitor thread: a second thread would keep the router from forking
    # its workers (geo.router._processes_for)
    tqdm.monitor_interval = 0
    disable = quiet or not sys.stderr.isatty()
    return tqdm(iterable, disable=disable, **kwargs)


def solver_line(solver: dict, lang: str) -> str:
    """The solve's status in words, with the proven gap when it stopped short of a proof."""
    from planner.i18n import solver_gap_text, t

    return t(f"solver_{solver.get('status')}", lang) + solver_gap_text(solver, lang)
