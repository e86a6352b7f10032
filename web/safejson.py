"""Standard JSON only: no NaN, Infinity or -Infinity ever leaves the server or enters the store.

Python's ``json`` writes non-finite floats as the bare words ``NaN`` and
``Infinity``, which browsers' ``JSON.parse`` and SQLite's JSON functions
reject; one such value saved in a proposal once took the whole proposals list
down. Everything we serialise goes through :func:`dumps`, which first tries the
strict encoder (fast, no copy) and only on failure walks the object once to
turn each non-finite number into ``null``.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable

#: Deepest nesting accepted in a request body (a real form or parameter set is 2-3 levels).
MAX_DEPTH = 32


def finite(obj: Any) -> Any:
    """A copy of ``obj`` with every non-finite float (also numpy floats) replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    try:  # numpy scalars and arrays, without importing numpy for plain data
        import numpy as np
    except ImportError:  # pragma: no cover
        return obj
    if isinstance(obj, np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.ndarray):
        return finite(obj.tolist())
    return obj


def dumps(obj: Any, *, default: Callable | None = None, **kwargs) -> str:
    """``json.dumps`` that never writes NaN/Infinity (they become null)."""
    try:
        return json.dumps(obj, allow_nan=False, default=default, **kwargs)
    except ValueError:
        return json.dumps(finite(obj), allow_nan=False, default=_finite_default(default), **kwargs)


def _finite_default(default: Callable | None) -> Callable | None:
    if default is None:
        return None

    def wrapped(o):
        return finite(default(o))
    return wrapped


def depth(obj: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of parsed JSON, counted without recursion (stops past ``limit``)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, (dict, list)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((v, d + 1) for v in (o.values() if isinstance(o, dict) else o))
    return deepest


def loads_request(text: str | bytes):
    """Parse a request body; raise ValueError for invalid, non-finite or too deeply nested JSON.

    ``NaN``/``Infinity`` literals and numbers that overflow to infinity
    (``1e999``) are refused here, so no handler ever sees them.
    """
    def no_constants(name):
        raise ValueError(f"{name} is not a JSON number")

    def parse_float(s: str) -> float:
        v = float(s)
        if not math.isfinite(v):
            raise ValueError(f"{s} is out of range")
        return v

    try:
        obj = json.loads(text, parse_constant=no_constants, parse_float=parse_float)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    if depth(obj) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return obj
