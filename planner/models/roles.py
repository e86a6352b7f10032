"""Site roles and group limits: which candidate sites are decisions, which are fixed.

Every model works on a cost matrix of ``n`` demand points (rows) by ``m``
candidate sites (columns).  Sites have one of four roles:

* **existing** -- already built: always open, never counted in ``p``;
* **required** -- new sites that must be chosen (they count in ``p``);
* **forbidden** -- may not be chosen;
* **free** -- everything else, the decision variables of the MIP.

Only the free sites become binary columns; existing and required ones are
folded into constants (or fixed columns when capacities need them), which keeps
every formulation as small as the inputs allow.  Group limits ("at most one
new site per township") are rewritten as rows over the free columns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Mapping

import numpy as np
import scipy.sparse as sp

from geo.errors import InfeasibleError, InputDataError, listed

from .inputs import as_mask, ids_of

__all__ = ["SiteRoles", "GroupRows"]


@dataclass
class GroupRows:
    """Group limits rewritten on the free columns: lo <= sum(y[members]) <= hi."""

    labels: list
    members: list          # list of int arrays (indices into free columns)
    lo: np.ndarray
    hi: np.ndarray
    of_site: np.ndarray    # per candidate: group row index or -1


class SiteRoles:
    """Existing / required / forbidden / free partition and group limits."""

    def __init__(self, m: int, *, existing: Any, required: Any, forbidden: Any,
                 groups: Any, group_min: Any, group_max: Any,
                 candidate_ids: np.ndarray | None) -> None:
        self.m = m
        self.candidate_ids = candidate_ids
        self.existing = as_mask(existing, m, "existing")
        self.required = as_mask(required, m, "required") & ~self.existing
        self.forbidden = as_mask(forbidden, m, "forbidden")
        for other, en, zh in ((self.existing, "existing", "现有"),
                              (self.required, "required", "必选")):
            clash = np.flatnonzero(other & self.forbidden)
            if clash.size:
                raise InputDataError(
                    f"Candidate sites {listed(ids_of(candidate_ids, clash[:10]), 'en', total=clash.size)} are both {en} and forbidden.",
                    f"候选点 {listed(ids_of(candidate_ids, clash[:10]), 'zh', total=clash.size)} 同时被标为{zh}和禁选。",
                    hint_en="Remove them from one of the two lists.",
                    hint_zh="请从其中一个列表中去掉它们。",
                    details={"candidates": ids_of(candidate_ids, clash)})
        self.fixed = self.existing | self.required          # open for sure
        self.free = ~self.fixed & ~self.forbidden            # decision columns
        self.free_idx = np.flatnonzero(self.free)
        self.fixed_idx = np.flatnonzero(self.fixed)
        self.col_of = np.full(m, -1, dtype=np.int64)         # candidate -> free column
        self.col_of[self.free_idx] = np.arange(self.free_idx.size)
        self.n_required = int(self.required.sum())
        self.groups = self._group_rows(groups, group_min, group_max)

    def _group_rows(self, groups, group_min, group_max) -> GroupRows:
        empty = GroupRows([], [], np.zeros(0), np.zeros(0), np.full(self.m, -1))
        if groups is None:
            if group_min or group_max:
                raise InputDataError(
                    "group_min/group_max were given without `groups`.",
                    "给了 group_min/group_max 但没有给 `groups`（分组）。",
                    hint_en="Pass one group label per candidate site.",
                    hint_zh="请为每个候选点给出分组标签。")
            return empty
        labels = np.asarray(groups, dtype=object).ravel()
        if labels.shape != (self.m,):
            raise InputDataError(
                f"`groups` has {labels.size} labels but there are {self.m} candidate sites.",
                f"`groups` 有 {labels.size} 个标签，但候选点有 {self.m} 个。",
                details={"groups": int(labels.size), "candidates": self.m})
        uniq, inverse = _factorize(labels)

        def limits(spec, name) -> dict:
            if spec is None:
                return {}
            if isinstance(spec, Mapping):
                out = dict(spec)
            else:   # one number for every group, e.g. "one per township"
                out = {lab: spec for lab in uniq}
            for lab, val in out.items():
                if int(val) != val or val < 0:
                    raise InputDataError(
                        f"`{name}` for group {lab!r} must be a whole number >= 0, got {val!r}.",
                        f"分组 {lab!r} 的 `{name}` 必须是非负整数，实际为 {val!r}。",
                        details={"argument": name, "group": str(lab)})
            return {lab: int(v) for lab, v in out.items()}

        gmin, gmax = limits(group_min, "group_min"), limits(group_max, "group_max")
        pos = {lab: k for k, lab in enumerate(uniq)}
        unknown = [lab for lab in list(gmin) + list(gmax) if lab not in pos]
        if unknown:
            raise InputDataError(
                f"Group limits name groups no candidate belongs to: {unknown[:10]}.",
                f"分组限制中的分组没有任何候选点：{unknown[:10]}。",
                hint_en="Check the spelling of the group labels.",
                hint_zh="请检查分组名称拼写。",
                details={"groups": [str(u) for u in unknown]})
        out = GroupRows([], [], [], [], np.full(self.m, -1))
        for lab in uniq:
            if lab not in gmin and lab not in gmax:
                continue
            sites = np.flatnonzero(inverse == pos[lab])
            req = int(self.required[sites].sum())
            free_sites = sites[self.free[sites]]
            lo, hi = gmin.get(lab, 0), gmax.get(lab, np.inf)
            if hi < req or lo > req + free_sites.size:
                bad = hi < req
                raise InfeasibleError(
                    (f"Group {lab!r} allows at most {hi} new sites but {req} are required."
                     if bad else
                     f"Group {lab!r} needs at least {lo} new sites but only {req + free_sites.size} can be chosen there."),
                    (f"分组 {lab!r} 最多允许 {hi} 个新站点，但必选了 {req} 个。"
                     if bad else
                     f"分组 {lab!r} 至少需要 {lo} 个新站点，但只有 {req + free_sites.size} 个可选。"),
                    hint_en="Relax the group limit or change the required/forbidden sites.",
                    hint_zh="请放宽分组限制，或调整必选/禁选站点。",
                    details={"group": str(lab), "min": lo, "max": None if hi == np.inf else hi,
                             "required": req, "choosable": int(req + free_sites.size)})
            row = len(out.labels)
            out.labels.append(lab)
            out.members.append(self.col_of[free_sites])
            out.lo.append(max(lo - req, 0))
            out.hi.append(min(hi - req, free_sites.size))
            out.of_site[sites] = row
        out.lo = np.asarray(out.lo, dtype=np.float64)
        out.hi = np.asarray(out.hi, dtype=np.float64)
        return out

    def check_p(self, p: Any) -> int:
        """Validate ``p`` (number of new sites) against the roles and groups."""
        if p is None or int(p) != p or p < 0:
            raise InputDataError(
                f"p (the number of new sites) must be a whole number >= 0, got {p!r}.",
                f"p（新建站点数）必须是非负整数，实际为 {p!r}。",
                hint_en="Give the number of new sites (--p on the command line).", hint_zh="请指定新建站点数（命令行为 --p）。", details={"p": str(p)})
        p = int(p)
        n_choosable = self.n_required + self.free_idx.size
        if p > n_choosable:
            raise InfeasibleError(
                f"p = {p} new sites asked, but only {n_choosable} candidate sites can be chosen "
                f"({int(self.existing.sum())} existing, {int(self.forbidden.sum())} forbidden).",
                f"要求新建 p = {p} 个站点，但只有 {n_choosable} 个候选点可选"
                f"（{int(self.existing.sum())} 个为现有设施，{int(self.forbidden.sum())} 个禁选）。",
                hint_en="Lower p or add candidate sites.",
                hint_zh="请减小 p 或增加候选点。",
                details={"p": p, "choosable": n_choosable})
        if p < self.n_required:
            raise InfeasibleError(
                f"p = {p} but {self.n_required} sites are required.",
                f"p = {p}，但必选站点有 {self.n_required} 个。",
                hint_en="Raise p to at least the number of required sites.",
                hint_zh="请把 p 提高到不少于必选站点数。",
                details={"p": p, "required": ids_of(self.candidate_ids, np.flatnonzero(self.required))})
        g = self.groups
        k = p - self.n_required
        if len(g.labels):
            in_group = np.zeros(self.free_idx.size, dtype=bool)
            for mem in g.members:
                in_group[mem] = True
            most = g.hi.sum() + (~in_group).sum()
            least = g.lo.sum()
            if k > most or k < least:
                raise InfeasibleError(
                    (f"The group limits allow at most {int(most) + self.n_required} new sites, fewer than p = {p}."
                     if k > most else
                     f"The group minimums need at least {int(least) + self.n_required} new sites, more than p = {p}."),
                    (f"分组上限最多只允许 {int(most) + self.n_required} 个新站点，少于 p = {p}。"
                     if k > most else
                     f"分组下限至少需要 {int(least) + self.n_required} 个新站点，多于 p = {p}。"),
                    hint_en="Change p or the group limits.",
                    hint_zh="请调整 p 或分组限制。",
                    details={"p": p, "group_max_total": int(most) + self.n_required,
                             "group_min_total": int(least) + self.n_required})
        return p

    def new_sites(self, cols: np.ndarray) -> np.ndarray:
        """Required sites plus the chosen free columns, as sorted candidate indices."""
        return np.sort(np.concatenate([np.flatnonzero(self.required),
                                       self.free_idx[np.asarray(cols, dtype=np.int64)]]))

    def group_matrix(self) -> sp.csr_matrix:
        """Rows of group limits over the free columns."""
        g = self.groups
        if not g.labels:
            return sp.csr_matrix((0, self.free_idx.size))
        rows = np.concatenate([np.full(mem.size, r) for r, mem in enumerate(g.members)])
        cols = np.concatenate(g.members)
        return sp.csr_matrix((np.ones(cols.size), (rows, cols)),
                             shape=(len(g.labels), self.free_idx.size))


def _factorize(labels: np.ndarray):
    """Unique labels (first-seen order) and the inverse index, for any hashables."""
    pos: dict[Hashable, int] = {}
    inverse = np.empty(labels.size, dtype=np.int64)
    for k, lab in enumerate(labels.tolist()):
        inverse[k] = pos.setdefault(lab, len(pos))
    return list(pos), inverse
