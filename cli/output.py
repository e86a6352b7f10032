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


def county_namer(region, lang: str, *, pad: int = 0):
    """A function naming a county (by its Chinese name or its code) in ``lang``: the region's
    English county names on an English run (printed lists carry the Chinese name only).
    ``pad``: a table column's width, widened to the longest English name so columns stay aligned;
    ``.width`` is the width used."""
    from planner.coverage import county_names_en

    c = region.counties
    codes = (c["code"] if "code" in c else c.index).astype(str)
    names = (county_names_en(c) if lang == "en" else c["name"]).astype(str)
    by_key = {**dict(zip(c["name"].astype(str), names)), **dict(zip(codes, names))}
    width = max([pad, *(len(n) + 1 for n in names)]) if pad and lang == "en" else pad

    def name(key) -> str:
        return f"{by_key.get(str(key), key):<{width}}"
    name.width = width
    return name
