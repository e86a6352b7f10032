"""Input checks shared by every location model: cost matrix, site masks, weights, capacities.

Each function takes what a caller may pass (dense or sparse arrays, masks or
index lists, ``None`` for a default) and returns the normalised numpy/scipy
form, or raises :class:`geo.errors.InputDataError` with a message in English
and Chinese that names the offending rows or candidates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from geo.errors import InputDataError

__all__ = ["as_cost_csr", "as_mask", "as_weights", "as_capacities", "ids_of"]


def as_cost_csr(costs: Any) -> sp.csr_matrix:
    """Reachable pairs of ``costs`` as a CSR matrix (stored entry = reachable).

    Dense input: ``inf`` and ``nan`` mean unreachable.  Sparse input: entries
    not stored mean unreachable, and a stored ``0`` is a real zero cost.
    """
    if sp.issparse(costs):
        csr = sp.csr_matrix(costs, dtype=np.float64, copy=True)
        csr.sum_duplicates()
        if csr.ndim != 2:
            raise _shape_error(csr.shape)
        keep = np.isfinite(csr.data)
        if not keep.all():
            # Explicit inf/nan entries are unreachable too: drop them without
            # losing stored zeros (eliminate_zeros would drop real zero costs).
            rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
            csr = sp.csr_matrix((csr.data[keep], (rows[keep], csr.indices[keep])),
                                shape=csr.shape)
        csr.sort_indices()
    else:
        arr = np.asarray(costs, dtype=np.float64)
        if arr.ndim != 2:
            raise _shape_error(arr.shape)
        rows, cols = np.nonzero(np.isfinite(arr))
        csr = sp.csr_matrix((arr[rows, cols], (rows, cols)), shape=arr.shape)
    if csr.shape[0] == 0 or csr.shape[1] == 0:
        raise _shape_error(csr.shape)
    if csr.nnz and csr.data.min() < 0:
        k = int(np.argmin(csr.data))
        i, j = int(np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))[k]), int(csr.indices[k])
        # people count rows and columns from 1 (QA 26: "demand row 0"); details keep the 0-based indices
        raise InputDataError(
            f"The cost matrix has negative costs (first in demand row {i + 1}, candidate column {j + 1}: "
            f"{csr.data[k]:g}).",
            f"成本矩阵含负值（首个在第 {i + 1} 个需求点、第 {j + 1} 个候选点：{csr.data[k]:g}）。",
            hint_en="Costs must be distances or times >= 0; use inf for unreachable pairs.",
            hint_zh="成本应为非负的距离或时间；不可达请用 inf。",
            details={"demand_index": i, "candidate_index": j, "row": i + 1, "column": j + 1})
    return csr


def _shape_error(shape) -> InputDataError:
    return InputDataError(
        f"The cost matrix must be 2-D (demand points x candidate sites) and non-empty, got shape {tuple(shape)}.",
        f"成本矩阵必须是非空的二维矩阵（需求点 × 候选点），实际形状为 {tuple(shape)}。",
        hint_en="Pass one row per demand point and one column per candidate site.",
        hint_zh="请按每个需求点一行、每个候选点一列提供。",
        details={"shape": list(shape)})


def as_mask(value: Any, m: int, name: str) -> np.ndarray:
    """Boolean mask of length ``m`` from a mask or an index array (or None)."""
    if value is None:
        return np.zeros(m, dtype=bool)
    arr = np.asarray(value)
    if arr.dtype == bool:
        if arr.shape != (m,):
            raise InputDataError(
                f"`{name}` is a boolean mask of length {arr.size}, but there are {m} candidate sites.",
                f"`{name}` 布尔掩码长度为 {arr.size}，但候选点有 {m} 个。",
                hint_en="Give one flag per candidate, or an array of candidate indices.",
                hint_zh="请为每个候选点给一个标记，或给出候选点下标数组。",
                details={"argument": name, "length": int(arr.size), "expected": m})
        return arr.copy()
    arr = arr.ravel()
    if arr.size == 0:
        return np.zeros(m, dtype=bool)
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputDataError(
            f"`{name}` must be a boolean mask or integer candidate indices.",
            f"`{name}` 必须是布尔掩码或整数候选点下标。",
            details={"argument": name})
    bad = arr[(arr < 0) | (arr >= m)]
    if bad.size:
        raise InputDataError(
            f"`{name}` has candidate indices outside 0..{m - 1}: {bad[:10].tolist()}.",
            f"`{name}` 中的候选点下标超出 0..{m - 1}：{bad[:10].tolist()}。",
            details={"argument": name, "indices": bad[:50].tolist()})
    mask = np.zeros(m, dtype=bool)
    mask[arr] = True
    return mask


@dataclass(frozen=True)
class _PerItem:
    """Wording of one "a finite number >= 0 per item" input (weights, capacities)."""

    name_en: str        # "weights"
    one_en: str         # "weight"
    name_zh: str        # "权重"
    items_en: str       # "demand points"
    items_zh: str       # "需求点"
    items_key: str      # details key of the expected count
    per_en: str         # what the hint asks one value for
    per_zh: str
    where_en: str       # how bad entries are named
    where_zh: str
    index_key: str      # details key of the bad indices


_WEIGHTS = _PerItem(name_en="weights", one_en="weight", name_zh="权重",
                    items_en="demand points", items_zh="需求点", items_key="demand_points",
                    per_en="demand point (row of the cost matrix)",
                    per_zh="需求点（成本矩阵的每一行）",
                    where_en="demand rows", where_zh="需求点行", index_key="demand_index")
_CAPACITIES = _PerItem(name_en="capacities", one_en="capacity", name_zh="容量",
                       items_en="candidate sites", items_zh="候选点", items_key="candidates",
                       per_en="candidate site", per_zh="候选点",
                       where_en="candidates", where_zh="候选点", index_key="candidate_index")


def _per_item_values(values: Any, size: int, what: _PerItem) -> np.ndarray:
    """One finite value >= 0 per item, as float64: the one check behind weights and capacities."""
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.shape != (size,):
        raise InputDataError(
            f"There are {v.size} {what.name_en} but {size} {what.items_en}.",
            f"{what.name_zh}有 {v.size} 个，但{what.items_zh}有 {size} 个。",
            hint_en=f"Give one {what.one_en} per {what.per_en}.",
            hint_zh=f"请为每个{what.per_zh}给一个{what.name_zh}。",
            details={what.name_en: int(v.size), what.items_key: size})
    bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
    if bad.size:
        first = bad[:10].tolist()
        raise InputDataError(
            f"{what.name_en.capitalize()} must be finite and >= 0; bad at {what.where_en} {first}.",
            f"{what.name_zh}必须是有限的非负数；以下{what.where_zh}有误：{first}。",
            details={what.index_key: bad[:50].tolist()})
    return v


def as_weights(weights: Any, n: int) -> np.ndarray:
    """Demand weights (default all ones), checked finite and >= 0."""
    if weights is None:
        return np.ones(n)
    return _per_item_values(weights, n, _WEIGHTS)


def as_capacities(capacities: Any, m: int) -> np.ndarray | None:
    """Capacity per candidate site, checked finite and >= 0 (``None``: uncapacitated)."""
    if capacities is None:
        return None
    return _per_item_values(capacities, m, _CAPACITIES)


def ids_of(ids: np.ndarray | None, idx: np.ndarray) -> list:
    """Ids for indices (the indices themselves when no ids were given)."""
    idx = np.asarray(idx, dtype=np.int64)
    if ids is None:
        return idx.tolist()
    return [ids[i].item() if hasattr(ids[i], "item") else ids[i] for i in idx]
