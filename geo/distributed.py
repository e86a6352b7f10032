"""Hand independent parts of a job (one per county or city) to a Dask cluster, or run them here.

Coverage, travel-cost matrices and per-county proposals of a province are
independent county by county. :func:`run_parts` maps one function over those
parts: in this process by default, or on an existing Dask cluster when given
its scheduler address (``tcp://host:8786``) or a ``distributed.Client``. The
results come back in the order of the parts either way, so callers need not
care where they ran.

Dask is optional (``pip install coverplan[distributed]``). When it is not
installed or the scheduler cannot be reached within ``timeout`` seconds, the
parts run in this process and the returned :class:`RunInfo` carries a clear
message (English and Chinese) saying so; nothing crashes.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

log = logging.getLogger("coverplan.distributed")


@dataclass
class RunInfo:
    """Where the parts ran (``"local"`` or ``"dask"``), how long, and why not on Dask if asked."""

    where: str
    parts: int
    seconds: float
    scheduler: str | None = None
    workers: int = 0
    note_en: str = ""
    note_zh: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _client(scheduler, timeout: float):
    """A ``distributed.Client`` for ``scheduler`` and whether we opened it (and must close it)."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    if hasattr(scheduler, "scheduler_address"):  # a LocalCluster or another cluster object
        return Client(scheduler, timeout=timeout), True
    return Client(str(scheduler), timeout=timeout), True


def run_parts(func: Callable[[Any], Any], parts: Sequence[Any], *, scheduler=None,
              timeout: float = 10.0) -> tuple[list, RunInfo]:
    """``[func(p) for p in parts]``, on Dask when ``scheduler`` is given and reachable.

    Parameters
    ----------
    func : callable
        A module-level function (Dask pickles it by reference to its module,
        which the workers must be able to import).
    parts : sequence
        Picklable inputs, e.g. one dict of numpy arrays per county.
    scheduler : str, distributed.Client or cluster object, optional
        Scheduler address such as ``"tcp://10.0.0.5:8786"``; None runs here.
    timeout : float
        Seconds to wait for the scheduler before running here instead.

    Returns
    -------
    (list, RunInfo)
        The results in the order of ``parts``, and where they were computed.
    """
    t0 = time.perf_counter()
    parts = list(parts)
    note_en = note_zh = ""
    if scheduler is not None:
        label = getattr(scheduler, "scheduler_address", None) or str(scheduler)
        try:
            client, owned = _client(scheduler, timeout)
        except ImportError as exc:
            note_en = (f"Dask is not installed ({exc}); the {len(parts)} parts ran in this process. "
                       "Install it with `pip install coverplan[distributed]`.")
            note_zh = (f"未安装 Dask（{exc}），{len(parts)} 个分块已在本进程内计算。"
                       "可运行 `pip install coverplan[distributed]` 安装。")
        except Exception as exc:  # noqa: BLE001 - OSError/TimeoutError and friends: unreachable
            note_en = (f"Cannot reach the Dask scheduler at {label} ({type(exc).__name__}: {exc}); "
                       f"the {len(parts)} parts ran in this process instead.")
            note_zh = (f"无法连接 Dask 调度器 {label}（{type(exc).__name__}：{exc}），"
                       f"{len(parts)} 个分块已改在本进程内计算。")
        else:
            try:
                workers = len(client.scheduler_info().get("workers", {}))
                futures = client.map(func, parts, pure=False)
                results = client.gather(futures)
                return results, RunInfo("dask", len(parts), time.perf_counter() - t0,
                                        scheduler=label, workers=workers)
            finally:
                if owned:
                    client.close()
        log.warning("%s", note_en)
    results = [func(p) for p in parts]
    return results, RunInfo("local", len(parts), time.perf_counter() - t0,
                            scheduler=None if scheduler is None else str(
                                getattr(scheduler, "scheduler_address", scheduler)),
                            note_en=note_en, note_zh=note_zh)
