"""Capacity-aware proposals: where to build and how big (``coverplan propose --sizes``).

Each candidate place may get one of the type's size classes (30 / 60 / 100
beds ...), each with a cost; existing facilities keep their capacity; each
village is served whole by one facility within the standard (single source);
the budget is a number of new sites or a sum of money. The model serves as
much demand as it can, and among plans serving the same, the cheapest::

    max  sum_ij w_i x_ij  -  eps sum_ls cost_s y_ls
    s.t. sum_j x_ij <= 1                                  every village
         sum_i w_i x_ij <= cap_j                          existing facility j
         sum_i w_i x_il <= sum_s cap_s y_ls               new place l
         x_il <= sum_s y_ls                               served only where a site opens
         sum_s y_ls <= 1                                  one size per place
         sum_ls y_ls <= N  or  sum_ls cost_s y_ls <= B    the budget
         x, y binary

A type whose rule is "inside" (a facility inside each county) reaches the villages of the area it stands in,
whatever the distance, as its coverage counts it (:func:`inside_reach`), not those within the standard.

The demand points are those an upgrade counts (planner.upgrades.upgrade_demand): the type's coverage
points where its weight is the capacity's basis (welfare homes: the rural township seats, each with its
township's people), else villages and communities. The summary's ``covered_before`` / ``covered_after``
(within the standard, distance only) are then the coverage's own figures, beside ``served`` (capacity too).

The assignment ``x_il`` is per place, not per place and size: the one size
chosen at ``l`` gives its capacity. On Shiyan's elderly complexes (three
sizes, eight sites) this has a third of the columns of the per-size form and,
within the same 60 s, finds a plan serving about 140 more people and halves
the gap still open (0.056 % against 0.12 %); on welfare homes (three sites)
it proves the same optimum in 0.5 s instead of 2.0 s.

Villages of equal weight are interchangeable at a facility, and on the region's data most villages of
a county weigh the same: the capacity rows and the objective count them per facility and weight class
(whole ``n_fk``, the ``x`` summed in them continuous), and each capacity is the largest load whole
villages can make up (:func:`solve_sizing`, :func:`largest_load`). Fang County's one complex was
64.9 s and unproven at 0.31 % with binary ``x`` only (QA 24); it is proven in under a second.

``eps`` is small enough that no saving can buy back one village's demand, so
cost only decides between plans that serve the same people: that is why one
big site can replace two small ones. Capacity is counted in people of the
standard's basis (one bed serves 1000 / per_1000 people). The engine's
capacitated p-median (planner.models) must assign every village and has no
site costs, so this fixed-charge form is built here, solved by the engine's HiGHS runner
(``planner.models.highs.solve_mip``: quiet, time-limited, cancellable from a web job).
"""
from __future__ import annotations

import math

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo import settings
from geo.errors import InfeasibleError, InputDataError
from geo.regions import Region
from planner.capacity import no_capacity_error, site_capacity, whole_split
from planner.coverage import covered_matrix, existing_facilities, inside_matrix, records, unit_costs
from planner.facility_types import FacilityType, get_type
from planner.models.base import check_time_limit
from planner.models.control import caller_controls
from planner.models.highs import solve_mip
from planner.sites import candidate_sites, demand_units, site_marks


def _size_list(text: str | list) -> list[float]:
    """The sizes as given, in their order; a clear message naming them otherwise (by the field's name,
    ``sizes``, which the CLI's ``--sizes`` and the web's form share: not the CLI's flag in a web answer)."""
    items = text if isinstance(text, list) else number_items(str(text))
    sizes = number_values(items) or []
    if not sizes or any(not np.isfinite(s) or s <= 0 for s in sizes):
        raise InputDataError(f"Sizes (sizes) {text!r}: give sizes > 0 separated by commas, e.g. 30,60,100.",
                             f"规模档次（sizes）“{text}”无效：请填写大于0、以逗号分隔的规模，如 30,60,100。",
                             details={"parameter": "sizes", "value": str(text)})
    part = next((s for s in sizes if s < 1 or s != math.floor(s)), None)
    if part is not None:
        # a size is a number of beds (day places, plots): 0.5 or 1e-9 was solved, and 0.5-bed sites proposed (QA 25)
        raise InputDataError(f"Sizes (sizes) {text!r}: {part:g} is not a whole number of 1 or more; each size is a "
                             "number of beds (places, plots), e.g. 30,60,100.",
                             f"规模档次（sizes）“{text}”无效：{part:g} 不是不小于 1 的整数；规模为床位（位、穴）数，"
                             "如 30,60,100。",
                             details={"parameter": "sizes", "value": str(text), "not_whole": part})
    return sizes


def number_items(text: str) -> list[str]:
    """The items of a list of numbers as typed ("30,60,100"; Chinese commas and 、 separate them too, as the web's
    form reads them: web.capacity_proposals.parse_numbers), blanks between commas left out."""
    return [s for s in text.replace("，", ",").replace("、", ",").split(",") if s.strip()]


def number_values(items: list) -> list[float] | None:
    """``items`` (:func:`number_items`, or a list of numbers) as numbers, each text read by the web's rule
    (planner.textrules.number_text: full-width digits read as digits; "1_5", "٣٠" and "²" are no number, though
    float() took them as 15, 30 and 2), or None when one is no number (QA 35: the CLI solved ``--sizes 1_5`` with
    [15] where the web refused it)."""
    from planner.textrules import number_text

    out = []
    for item in items:
        if isinstance(item, bool):
            return None
        text = number_text(item) if isinstance(item, str) else item
        try:
            out.append(float("x" if text is None else text))
        except (TypeError, ValueError):
            return None
    return out


def parse_sizes(text: str | list) -> list[float]:
    """``"30,60,100"`` -> [30, 60, 100], sorted, each once (:func:`_size_list` for the message)."""
    return sorted(set(_size_list(text)))


def sized_classes(sizes: str | list, costs: list[float] | None = None) -> tuple[list[float], list[float] | None]:
    """The sizes sorted, each once, and the costs given in the sizes' order sorted with them: sizes
    "100,30" with costs "750,300" were solved as 30 -> 750 and 100 -> 300, the sizes sorted and the costs
    not (QA 21). With costs, each size is given once, and one cost per size."""
    raw = _size_list(sizes)
    if costs is None:
        return sorted(set(raw)), None
    if len(costs) != len(raw):
        raise InputDataError(f"Costs (costs): give one cost per size ({len(raw)}), in the sizes' order.",
                             f"造价（costs）无效：每个规模给一个造价（共 {len(raw)} 个），顺序与规模相同。",
                             details={"parameter": "costs", "sizes": len(raw), "costs": len(costs)})
    if len(set(raw)) != len(raw):
        twice = next(x for x in raw if raw.count(x) > 1)
        raise InputDataError(f"Sizes (sizes): {twice:g} is given twice; with costs, give each size once.",
                             f"规模档次（sizes）无效：{twice:g} 重复；给出造价时每个规模只能填一次。",
                             details={"parameter": "sizes", "value": twice})
    pairs = sorted(zip(raw, costs))
    return [x for x, _ in pairs], [float(c) for _, c in pairs]


def check_sizes(ft: FacilityType, sizes: list[float]) -> None:
    """Sizes beyond the type's largest believable facility (``capacity.max_per_site``) are a unit
    mistake (people instead of beds, a total for a county): refused, naming the limit."""
    big = [s for s in sizes if s > ft.capacity.max_per_site]
    if big:
        lim = ft.capacity.max_per_site
        raise InputDataError(
            f"Sizes (sizes): {big[0]:g} is larger than any single {ft.name('en')} ({lim:g} at most); "
            "give each site's capacity.",
            f"规模档次（sizes）无效：{big[0]:g} 超过单处{ft.name('zh')}的合理规模（最多 {lim:g}），请填写每处的容量。",
            details={"parameter": "sizes", "value": big[0], "max": lim})


#: The range of one site's cost, in 万元 (QA 28): 1e308 was taken, the total overflowed to null and read
#: "新址总造价 0", and 0.000001 showed as 0. Above 1,000,000 万元 (10 billion yuan) a single site is surely a
#: unit mistake (yuan typed as 万元, or a total), as below 0.01 万元 (100 yuan); budget_cost's limit is 1e9.
MIN_SITE_COST = 0.01
MAX_SITE_COST = 1_000_000.0
#: The most new sites and the largest total cost (万元) a sized proposal takes, on the web (budget_sites,
#: budget_cost) and in the CLI (--budget, --budget-cost) alike: the CLI took --budget 1000000000 and --budget-cost
#: 1e300 where the web refused them (QA 30).
MAX_BUDGET_SITES = 5000
MAX_BUDGET_COST = 1e9


def required_over_budget(n: int, cheapest: float, max_sites: int | None, max_cost: float | None, *,
                         names: tuple[list[str], list[str]] | None = None,
                         size: tuple[str, str] = ("", "")) -> InfeasibleError:
    """The error of ``n`` places the planner marked required (each opens with some size, the cheapest costing
    ``cheapest`` 万元) against a budget of ``max_sites`` sites or ``max_cost`` 万元 that cannot hold them all:
    naming them (``names``: (zh, en) lists) and the two ways out. It read "在时限内未找到规模方案（infeasible）…
    请延长时限", which no time limit can mend (QA 36)."""
    from geo.errors import listed

    if n <= 0 or (max_cost is None and (max_sites is None or n <= max_sites)):
        # not the required places (the sized model has no other way to be infeasible): said as it is
        return InfeasibleError("The sized model has no solution for these inputs.", "规模方案模型在这些输入下无解。",
                               hint_en="Check the sizes, costs and budget.", hint_zh="请检查规模、造价和预算。",
                               details={"required": n, "budget_sites": max_sites, "budget_cost": max_cost})
    zh_names, en_names = names or ([], [])
    which_zh = f"（{listed(zh_names[:10], 'zh', total=len(zh_names))}）" if zh_names else ""
    which_en = f" ({listed(en_names[:10], 'en', total=len(en_names))})" if en_names else ""
    sites_en = f"{n} site{'s' if n != 1 else ''} marked required{which_en}"
    sites_zh = f"标记为必选的 {n} 处站点{which_zh}"
    details = {"parameter": "budget_sites" if max_sites is not None and n > max_sites else "budget_cost",
               "required": n, "budget_sites": max_sites, "budget_cost": max_cost}
    if max_sites is not None and n > max_sites:
        drop = n - int(max_sites)
        return InfeasibleError(
            f"The {sites_en} cannot all be built: the budget allows {int(max_sites)} new "
            f"site{'s' if max_sites != 1 else ''}.",
            f"{sites_zh}无法全部新建：预算只允许新建 {int(max_sites)} 处。",
            hint_en=f"Raise the budget to at least {n} sites, or lift the required mark of {drop} of them on the map.",
            hint_zh=f"请把预算提高到至少 {n} 处，或在地图上取消其中 {drop} 处的“必选”标记。", details=details)
    need = n * cheapest
    size_zh, size_en = size
    each_en = f" (the cheapest size{', ' + size_en if size_en else ''}: {wan_text(cheapest)} × 10,000 yuan each)"
    each_zh = f"（最便宜一档{'为 ' + size_zh + '，' if size_zh else ''}每处 {wan_text(cheapest)} 万元）"
    return InfeasibleError(
        f"The {sites_en} cost at least {wan_text(need)} × 10,000 yuan{each_en}, more than the budget of "
        f"{wan_text(max_cost)} × 10,000 yuan.",
        f"{sites_zh}至少需 {wan_text(need)} 万元{each_zh}，超过预算 {wan_text(max_cost)} 万元。",
        hint_en=f"Raise the budget to at least {wan_text(need)} × 10,000 yuan, or lift the required mark of some of "
                "them on the map.",
        hint_zh=f"请把预算提高到至少 {wan_text(need)} 万元，或在地图上取消其中部分站点的“必选”标记。",
        details={**details, "needed_cost": need})


def cost_out_of_range(costs) -> int | None:
    """The index of the first cost outside [:data:`MIN_SITE_COST`, :data:`MAX_SITE_COST`], or None."""
    return next((i for i, c in enumerate(costs or []) if not MIN_SITE_COST <= float(c) <= MAX_SITE_COST), None)


def cost_range_text(shown: str, value: float, name: str = "costs") -> tuple[str, str]:
    """(en, zh): what is wrong with one site's cost ``shown`` (as typed) and what to give instead, for the
    web's ``costs`` and the CLI's ``--costs``."""
    lo, hi = f"{MIN_SITE_COST:g}", f"{MAX_SITE_COST:,.0f}"
    if value > MAX_SITE_COST:
        return (f"each site's cost in 10,000 yuan, from {lo} to {hi}: {shown} is more than any single site costs "
                f"(yuan instead of 10,000 yuan, or a total?); give one site's cost in 10,000 yuan, e.g. 500 for "
                "5 million yuan",
                f"每处 {lo} 至 {hi} 万元的造价：{shown} 超过单处站点的合理造价（是否把元当成了万元，"
                "或填了合计数？），请填写一处站点的造价（万元），如 500 表示 500 万元")
    return (f"each site's cost in 10,000 yuan, from {lo} to {hi}: {shown} is less than 100 yuan (0.01 × 10,000 "
            "yuan), surely a unit mistake; give one site's cost in 10,000 yuan, e.g. 500 for 5 million yuan",
            f"每处 {lo} 至 {hi} 万元的造价：{shown} 万元不足 100 元，应是单位有误，请填写一处站点的造价"
            "（万元），如 500 表示 500 万元")


def wan_text(x) -> str:
    """A cost in 万元 as pages and reasons show it: whole from 100 up or when whole (1,250), else to 0.01
    (0.5, 12.35): 0.4 万元 read "0" (QA 28). "–" for none."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    x = float(x)
    if x >= 100 or x == round(x):
        return f"{x:,.0f}"
    if x < 0.005:
        return f"{x:.2g}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def size_costs(ft: FacilityType, sizes: list[float], costs: list[float] | None = None) -> list[float]:
    """Cost of each size: given, or the type's size classes (interpolated between them, and at the
    unit cost of the nearest class outside them)."""
    if costs is not None:
        if len(costs) != len(sizes) or any(c <= 0 for c in costs):
            raise InputDataError("--costs must give one cost > 0 per size.", "--costs 须为每个规模给出一个大于0的造价。",
                                 details={"parameter": "costs"})
        bad = cost_out_of_range(costs)
        if bad is not None:
            en, zh = cost_range_text(f"{float(costs[bad]):g}", float(costs[bad]))
            raise InputDataError(f"Costs (costs): {en}.", f"造价（costs）无效：应为{zh}。",
                                 details={"parameter": "costs", "value": float(costs[bad]),
                                          "min": MIN_SITE_COST, "max": MAX_SITE_COST})
        return [float(c) for c in costs]
    spec = ft.capacity
    if not spec.sizes:
        raise InputDataError(f"Type '{ft.key}' states no size classes with costs; give --costs.",
                             f"设施类型“{ft.key}”未设定规模造价，请用 --costs 给出。", details={"parameter": "costs"})
    xs, ys = np.array(spec.sizes), np.array(spec.size_costs)
    out = []
    for s in sizes:
        if s < xs[0]:
            out.append(float(ys[0] * s / xs[0]))
        elif s > xs[-1]:
            out.append(float(ys[-1] * s / xs[-1]))
        else:
            out.append(float(np.interp(s, xs, ys)))
    return out


@dataclass
class RowBlock:
    """A block of rows ``lo <= A x <= hi`` (scipy's LinearConstraint shape, for solve_mip)."""

    a: sp.spmatrix
    lo: float | np.ndarray
    hi: float | np.ndarray


def run_mip(c: np.ndarray, rows: list, ub: np.ndarray, integer: np.ndarray, *, time_limit: float,
            gap: float, offset: float = 0.0, start: np.ndarray | None = None):
    """Minimise ``c.x + offset`` over ``rows`` and ``0 <= x <= ub`` with the engine's HiGHS runner
    (``start``: a feasible point to start from)."""
    time_limit = check_time_limit(time_limit)
    a = sp.vstack([r.a for r in rows]).tocsr()
    lo = np.concatenate([np.broadcast_to(np.asarray(r.lo, float), (r.a.shape[0],)) for r in rows])
    hi = np.concatenate([np.broadcast_to(np.asarray(r.hi, float), (r.a.shape[0],)) for r in rows])
    return solve_mip(c=c, lb=np.zeros(len(c)), ub=ub, a=a, rlo=lo, rhi=hi, integer=integer,
                     time_limit=time_limit, gap=gap, offset=offset, start=start, options=SIZING_OPTIONS)


@dataclass
class SizingInstance:
    """Matrices of one sized proposal: villages x (existing sites + new place-size columns)."""

    weight: np.ndarray         # people of the basis per village
    reach_existing: np.ndarray  # bool (villages x existing)
    cap_existing: np.ndarray   # people each existing facility serves
    reach_new: np.ndarray      # bool (villages x places)
    sizes: np.ndarray          # capacity (people) of each size class
    costs: np.ndarray          # cost of each size class
    required: np.ndarray | None = None  # bool per place: the planner marked it required (some size opens)


#: A facility's capacity is tightened to the largest load its villages can make up exactly
#: (:func:`largest_load`) up to this many people; beyond it the capacity is kept as given.
FILL_BITS = 4_000_000


#: A solve that stopped within the gap asked for, short of a proof, tries this many seconds more (within
#: the time limit) to prove its plan optimal.
PROOF_SECONDS = 2.0

#: HiGHS options of the sized MIP (bench/sizing.py compares a setting with HiGHS's defaults). Its slow part
#: is packing whole villages into beds; a higher heuristic effort (0.8) found the default question's plan
#: within the 0.01 % gap sooner (elderly complexes, 8 sites: 14-43 s -> 5.4-5.6 s) but made others slower
#: (day-care centres, 15 sites: 12-13 s -> 14-26 s), so HiGHS's defaults are kept (bench/README.md).
SIZING_OPTIONS: dict = {}

#: The relative gap a sized solve stops at unless asked for less (at least :data:`MIN_SIZED_GAP`): within
#: 0.05 % of the best plan. At 0.01 % the web form's default question (elderly complexes city-wide, 8 sites)
#: took 14-60 s, reaching the 60 s limit under load, to gain at most a few dozen of 225,000 people; at 0.05 %
#: it answers in about 3 s (bench/README.md, "Sized proposals"). A plan found within it still gets
#: PROOF_SECONDS to be proven optimal.
SIZED_GAP = 5e-4
#: The least gap a sized solve may be asked for (closing the last 0.01 % is packing that can run for hours).
MIN_SIZED_GAP = 1e-4


def largest_load(weights, cap: float) -> float:
    """The largest load a facility of capacity ``cap`` can carry from villages of these ``weights``,
    each served whole: the largest sum of a subset of ``weights`` not above ``cap``.

    Whole villages fill a capacity only in steps of their sizes: on the county instances most villages
    weigh the same (165 or 166 people, a few 2,756, in Fang County), and the place chosen there carries
    at most 5,946 of a 6,000 complex's capacity, where the relaxation counted 6,000 (QA 24). A subset
    sum over whole people (a bitset, each weight's copies split in powers of two); the capacity as
    given where the weights are not whole numbers or the capacity is too large to count
    (:data:`FILL_BITS`), which is still a valid bound.
    """
    ws = np.asarray(weights, float)
    ws = ws[ws > 0]
    total = float(ws.sum())
    if total <= cap:
        return total
    if cap <= 0 or not np.isfinite(cap):
        return max(float(cap), 0.0)
    if not np.all(ws == np.round(ws)) or cap > FILL_BITS:
        return float(cap)
    top = int(math.floor(cap + 1e-9))
    mask = (1 << (top + 1)) - 1
    bits = 1                      # bit k set: a load of k people can be made up exactly
    values, counts = np.unique(ws.astype(np.int64), return_counts=True)
    for v, m in zip(values.tolist(), counts.tolist()):
        m, part = min(m, top // v), 1
        while m > 0:              # copies 1, 2, 4, ..., rest: every count 0..m
            k = min(part, m)
            bits |= (bits << (v * k)) & mask
            m -= k
            part *= 2
    return float(bits.bit_length() - 1)


def solve_sizing(inst: SizingInstance, *, max_sites: int | None = None, max_cost: float | None = None,
                 time_limit: float = 60.0, gap: float = 0.0) -> dict:
    """The MIP of the module doc; returns chosen (place, size) pairs and the assignment.

    Villages of the same weight are interchangeable at a facility: what its capacity row sees is how many
    of them it serves. So each facility and weight class with two villages or more gets a whole count
    ``n_fk = sum_{i in k} x_if`` that carries the capacity row and the objective, and those ``x_if`` are
    continuous. For integral counts and sites, what is left is one bipartite transportation problem per
    weight class (villages to facilities, ``n_fk`` each), whose vertices are integral: the formulation is
    exact, and HiGHS branches on a few counts instead of thousands of symmetric assignments (QA 24:
    Fang County's one complex in 64.9 s, 0.31 % unproven; now proven in under a second). A class with a
    single village at a facility keeps its binary ``x_if``. Each capacity is the largest load its
    villages can make up (:func:`largest_load`). Should HiGHS hand back fractional ``x`` anyway, the
    assignment is recomputed from the counts (:func:`_whole_assignment`).
    """
    n, e = inst.reach_existing.shape
    L, S = inst.reach_new.shape[1], len(inst.sizes)
    w = np.asarray(inst.weight, float)
    reach = np.hstack([inst.reach_existing, inst.reach_new]).astype(bool) & (w[:, None] > 0)
    fixed = _roomy_existing(w, reach, np.asarray(inst.cap_existing, float))
    reach[fixed >= 0] = False
    ia, fa = np.nonzero(reach)                       # arcs: village ia may be served by facility fa
    na = len(ia)
    klass = np.unique(w, return_inverse=True)[1].ravel() if n else np.zeros(0, int)
    kk = int(klass.max()) + 1 if n else 1
    keys, group, size = np.unique(fa * kk + klass[ia], return_inverse=True, return_counts=True)
    group = group.ravel()
    grouped = size[group] > 1                        # the arc's x is summed into a count
    gsel = np.flatnonzero(size > 1)
    ng = len(gsel)
    gidx = np.full(len(keys), -1)
    gidx[gsel] = np.arange(ng)
    gfac = keys[gsel] // kk
    gw = np.zeros(len(keys))
    gw[group] = w[ia]
    gw = gw[gsel]
    # columns: x per arc, n per count, y per place and size (y = l * S + s)
    ny = L * S
    nv = na + ng + ny
    xcol, ncol, ycol = np.arange(na), na + np.arange(ng), na + ng + np.arange(ny)
    yplace = np.repeat(np.arange(L), S)
    col_cost = np.tile(inst.costs, L).astype(float)
    cap_e = np.array([largest_load(w[reach[:, j]], float(inst.cap_existing[j])) for j in range(e)], float)
    col_cap = np.array([largest_load(w[reach[:, e + l]], float(inst.sizes[s])) for l in range(L) for s in range(S)],
                       float)
    total_cost = float(col_cost.sum()) or 1.0
    wmin = float(w[w > 0].min()) if (w > 0).any() else 1.0
    eps = 0.5 * wmin / total_cost
    single = np.flatnonzero(~grouped)
    c = np.concatenate([np.where(grouped, 0.0, -w[ia]), -gw, eps * col_cost])
    cons = [RowBlock(sp.csr_matrix((np.ones(na), (ia, xcol)), shape=(n, nv)), -np.inf, 1)]
    if ng:  # the counts: sum of the class's x at the facility - n = 0
        ga = np.flatnonzero(grouped)
        cons.append(RowBlock(sp.csr_matrix((np.concatenate([np.ones(len(ga)), -np.ones(ng)]),
                                            (np.concatenate([gidx[group[ga]], np.arange(ng)]),
                                             np.concatenate([xcol[ga], ncol]))), shape=(ng, nv)), 0, 0))
    # capacity of each facility: what it serves <= its capacity (existing), or that of the size it gets (new)
    cons.append(RowBlock(sp.csr_matrix((np.concatenate([w[ia[single]], gw, -col_cap]),
                                        (np.concatenate([fa[single], gfac, e + yplace]),
                                         np.concatenate([xcol[single], ncol, ycol]))), shape=(e + L, nv)),
                         -np.inf, np.concatenate([cap_e, np.zeros(L)])))
    if ny:
        # x_il <= sum_s y_ls: the strong linking (the LP bound is useless without it)
        an = np.flatnonzero(fa >= e)
        pn = len(an)
        link_y = na + ng + (np.repeat(fa[an] - e, S) * S + np.tile(np.arange(S), pn))
        cons.append(RowBlock(sp.csr_matrix((np.concatenate([np.ones(pn), -np.ones(pn * S)]),
                                            (np.concatenate([np.arange(pn), np.repeat(np.arange(pn), S)]),
                                             np.concatenate([xcol[an], link_y]))), shape=(pn, nv)), -np.inf, 0))
        # one size per place; a place the planner marked required opens with one of them
        req = inst.required if inst.required is not None else np.zeros(L, bool)
        cons.append(RowBlock(sp.csr_matrix((np.ones(ny), (yplace, ycol)), shape=(L, nv)),
                             np.where(req, 1.0, -np.inf), 1))
        if max_sites is not None:
            cons.append(RowBlock(sp.csr_matrix((np.ones(ny), (np.zeros(ny, int), ycol)), shape=(1, nv)),
                                 -np.inf, max_sites))
        if max_cost is not None:
            cons.append(RowBlock(sp.csr_matrix((col_cost, (np.zeros(ny, int), ycol)), shape=(1, nv)),
                                 -np.inf, max_cost))
    offset = -float(w[fixed >= 0].sum())
    if nv == 0:
        # nothing left to decide (no candidate place, every village served by a roomy existing facility or out of
        # reach): the plan is the existing facilities' assignment. HiGHS, handed a model without columns, reports
        # no solution, which read "no sized plan found in time ... extend the time limit" after 0.1 s (QA 36)
        return {"assign": fixed.copy(), "chosen": {}, "status": "optimal", "objective": -offset, "mip_gap": 0.0,
                "seconds": 0.0}
    ub = np.concatenate([np.ones(na), size[gsel].astype(float), np.ones(ny)])
    integer = np.concatenate([~grouped, np.ones(ng + ny, bool)])
    res = run_mip(c, cons, ub, integer, time_limit=time_limit, gap=gap, offset=offset)
    left = float(time_limit) - res.seconds
    if res.status == "feasible" and res.x is not None and left > 0.05:
        # stopped within the gap asked for: a proof is often a moment away (every county's complexes,
        # budgets 1-5: 0.3 s at most), so it gets PROOF_SECONDS more, from the plan found
        proof = run_mip(c, cons, ub, integer, time_limit=min(left, PROOF_SECONDS), gap=0.0, offset=offset,
                        start=res.x)
        if proof.status == "optimal":
            proof.seconds += res.seconds
            res = proof
    if res.status == "infeasible":
        # only the required places can make it so (every x may stay 0): more of them, or dearer, than the budget
        # allows. propose_sized says so by name before solving; this is the bare model's word, never "extend the time
        # limit", which cannot help (QA 36)
        raise required_over_budget(int(np.asarray(inst.required if inst.required is not None else [], bool).sum()),
                                   float(np.min(inst.costs)) if len(inst.costs) else 0.0, max_sites, max_cost)
    if res.x is None:
        raise InfeasibleError(f"No sized plan found in time ({res.status}).", f"在时限内未找到规模方案（{res.status}）。",
                              hint_en="Raise --time-limit or use fewer sizes.", hint_zh="请延长时限或减少规模档次。")
    y = res.x[na + ng:].reshape(L, S) > 0.5 if ny else np.zeros((0, S), bool)
    cap = np.concatenate([cap_e, (col_cap.reshape(L, S) * y).sum(axis=1)]) if L else cap_e
    x = res.x[:na] > 0.5
    load = np.bincount(fa[x], weights=w[ia[x]], minlength=e + L)
    sent = np.bincount(gidx[group[x & grouped]], minlength=ng)
    if (load > cap + 1e-6).any() or (sent != np.round(res.x[na:na + ng])).any():
        # fractional x at HiGHS's point: the same counts, in whole villages
        x = _whole_assignment(ia, fa, grouped, gidx[group], np.round(res.x[na:na + ng]), res.x[:na] > 0.5,
                              np.flatnonzero(y.any(axis=1)) + e, e, n, time_limit)
    assign = fixed.copy()            # -1 unserved; 0..e-1 existing; e + l: new place l
    assign[ia[x]] = fa[x]
    chosen = {int(l): int(np.flatnonzero(y[l])[0]) for l in np.flatnonzero(y.any(axis=1))}
    return {"assign": assign, "chosen": chosen, "status": res.status, "objective": float(-res.objective),
            "mip_gap": float(res.gap), "seconds": round(res.seconds, 3)}


def _roomy_existing(w: np.ndarray, reach: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Villages served, in some optimal plan, by an existing facility with room for every village it
    reaches: such a facility takes them all (each was unserved or frees room elsewhere), and once they
    are out of the model the next one may have that room. Per village the facility (-1: left to the MIP).

    HiGHS's presolve made these deductions on binary ``x`` (welfare homes: 127 of 5,401 rows left), not
    through the weight-class counts of :func:`solve_sizing`: made here, the same for both."""
    n, e = len(w), len(cap)
    fixed = np.full(n, -1)
    live = reach[:, :e].copy()
    while True:
        roomy = np.flatnonzero(live.any(axis=0) & (w @ live <= cap + 1e-9))
        if not len(roomy):
            return fixed
        for j in roomy:
            mine = live[:, j].copy()
            fixed[mine] = j
            live[mine] = False


def _whole_assignment(ia, fa, grouped, gi, counts, xs, opened, e, n, time_limit) -> np.ndarray:
    """Whole-village arcs with the MIP's counts: each count's class sends exactly ``counts[g]`` villages
    to its facility, each village to one facility at most, the single-village arcs as the MIP set them,
    no village to a place left closed. Per weight class a bipartite transportation problem with whole
    numbers, so its LP vertices are whole: HiGHS solves it at the root."""
    ok = grouped & ((fa < e) | np.isin(fa, opened)) & ~np.isin(ia, ia[~grouped & xs])
    arcs = np.flatnonzero(ok)
    m = len(arcs)
    rows = [RowBlock(sp.csr_matrix((np.ones(m), (ia[arcs], np.arange(m))), shape=(n, m)), -np.inf, 1),
            RowBlock(sp.csr_matrix((np.ones(m), (gi[arcs], np.arange(m))), shape=(len(counts), m)), counts, counts)]
    # part of making the plan found whole, not a search: a stop asked of the solve ("stop and save" keeps the plan
    # found so far) must not interrupt it, or the plan it keeps would be lost here
    with caller_controls(None, None, time_limit):
        res = run_mip(np.zeros(m), rows, np.ones(m), np.ones(m, bool), time_limit=max(float(time_limit), 10.0),
                      gap=0.0)
    if res.x is None:
        raise InfeasibleError("The sized plan's assignment could not be made whole; solve again.",
                              "规模方案的分配无法取整，请重新求解。")
    x = ~grouped & xs
    x[arcs[res.x > 0.5]] = True
    return x


def propose_sized(region: Region, type_key: str | FacilityType, sizes: list[float], *,
                  costs: list[float] | None = None, budget_sites: int | None = None,
                  budget_cost: float | None = None, facilities: gpd.GeoDataFrame | None = None,
                  mode: str = "estimate", graph=None, time_limit: float = 60.0, gap: float = SIZED_GAP) -> dict:
    """A sized, capacity-aware proposal as a JSON-ready dict (sites, assignments, utilisation, shortfall)."""
    check_time_limit(time_limit)  # before the coverage work, not after it
    ft = type_key if isinstance(type_key, FacilityType) else get_type(type_key)
    if ft.capacity is None:
        raise no_capacity_error(ft)
    sizes, costs = sized_classes(sizes, costs)
    check_sizes(ft, sizes)
    cost = size_costs(ft, sizes, costs)
    if budget_sites is not None and budget_sites < 1:
        raise InputDataError(f"--budget {budget_sites}: the budget must allow at least one new site.",
                             f"--budget {budget_sites} 无效：预算至少应能新建1处。",
                             details={"parameter": "budget", "value": budget_sites})
    if budget_cost is not None and not math.isfinite(budget_cost):  # nan was no budget, inf none either
        raise InputDataError(f"--budget-cost {budget_cost}: give the total cost allowed (10,000 yuan), a finite number.",
                             f"--budget-cost {budget_cost} 无效：请填写总造价上限（万元），须为有限数。",
                             details={"parameter": "budget_cost", "value": str(budget_cost)})
    if budget_cost is not None and budget_cost < min(cost):
        raise InputDataError(
            f"--budget-cost {budget_cost:g}: smaller than the cheapest site ({min(cost):g} for size "
            f"{sizes[int(np.argmin(cost))]:g}); no site can be built.",
            f"--budget-cost {budget_cost:g} 小于最便宜的一处站点造价（规模 {sizes[int(np.argmin(cost))]:g}，"
            f"{min(cost):g}），无法新建任何站点。",
            hint_en="Raise the budget or add a smaller size.", hint_zh="请提高预算，或增加更小的规模档次。",
            details={"parameter": "budget_cost", "value": budget_cost, "cheapest": min(cost)})
    spec = ft.capacity
    per = 1000.0 / spec.per_1000
    existing = existing_facilities(region, ft, facilities)
    cands = candidate_sites(region, ft, existing)
    marks, _ = site_marks(region, ft, cands)  # the planner's required/forbidden candidate sites
    keep = ~cands["existing"].astype(bool).to_numpy() & (marks != "forbidden")
    new = cands[keep].reset_index(drop=True)
    required = marks[keep] == "required"
    check_required(region, new, required, sizes, cost, budget_sites, budget_cost, spec.field)
    from planner.upgrades import upgrade_demand  # (planner.upgrades imports this module)

    # the demand points an upgrade counts, the type's coverage points where its weight is the capacity's basis
    # (welfare homes: the rural township seats): "covered" is then the coverage's figure (QA 35: the sized
    # proposal counted villages, 44,751 beside the coverage's 44,893)
    v, at_points = upgrade_demand(region, ft)
    units = gpd.GeoDataFrame({"urban": v["urban"].astype(bool).to_numpy()}, geometry=v.geometry.values,
                             crs=settings.STORAGE_CRS)
    std = np.where(units["urban"], ft.standard_urban, ft.standard_rural)[:, None]
    cost_e, is_estimate = unit_costs(units, existing, ft, mode=mode, graph=graph)
    cost_n, _ = unit_costs(units, new, ft, mode=mode, graph=graph)
    # within the standard, distance only, as the coverage counts it (its rule, at its points)
    if at_points:
        covered = (covered_matrix(v, existing, ft, cost_e), covered_matrix(v, new, ft, cost_n))
    elif ft.rule == "inside":
        covered = (inside_reach(region, ft, v, existing), inside_reach(region, ft, v, new))
    else:
        covered = (cost_e <= std, cost_n <= std)
    # what a facility may serve: within the standard; for a type covered by a facility inside the unit's area
    # (disabled-care facilities: one inside each county), that area, as the coverage counts it. Fang County's one
    # 200-bed site served the villages within 60 minutes only, 63 % with room to spare, while the coverage page
    # said 100 % (QA 36)
    reach_e, reach_n = covered if ft.rule == "inside" else (cost_e <= std, cost_n <= std)
    cap_e, known = site_capacity(existing, spec.field)
    inst = SizingInstance(weight=v[spec.basis].to_numpy(float), reach_existing=reach_e,
                          cap_existing=cap_e * per, reach_new=reach_n,
                          sizes=np.array(sizes) * per, costs=np.array(cost), required=required)
    sol = solve_sizing(inst, max_sites=budget_sites, max_cost=budget_cost, time_limit=time_limit, gap=gap)
    out = _report(region, ft, v, existing, new, inst, sol, sizes, cost, cap_e, known, per,
                   {"sizes": sizes, "costs": cost, "budget_sites": budget_sites, "budget_cost": budget_cost,
                    "mode": mode, "single_source": True, "per_1000": spec.per_1000,
                    "site_marks": {"required": int(required.sum()), "forbidden": int((marks == "forbidden").sum())}, "cost_unit": "万元 (示意)", "gap": gap}, is_estimate,
                   covered=covered, at_points=at_points,
                   same=_covered_as_coverage(region, ft, existing, new, at_points))
    rule = capacity_rule_note(ft)  # how beds become people, and that it is not the overview's bed standard (QA 28)
    out["notes_zh"].insert(1, rule["zh"])
    out["notes_en"].insert(1, rule["en"])
    beyond = None if costs is not None else extrapolated_note(ft, sizes, cost)
    if beyond:
        out["notes_zh"].append(beyond["zh"])
        out["notes_en"].append(beyond["en"])
    return out


def check_required(region: Region, new: gpd.GeoDataFrame, required: np.ndarray, sizes: list[float],
                   cost: list[float], budget_sites: int | None, budget_cost: float | None, field: str) -> None:
    """Refuse, before the coverage work, places marked required that the budget cannot all build (more of them than
    ``budget_sites``, or their cheapest sizes above ``budget_cost``), naming them and the ways out
    (:func:`required_over_budget`): the solve found no plan and said to extend its time limit (QA 36)."""
    n = int(np.asarray(required, bool).sum())
    if not n:
        return
    cheapest = float(min(cost))
    over_sites = budget_sites is not None and n > budget_sites
    over_cost = budget_cost is not None and n * cheapest > float(budget_cost) + 1e-9
    if not (over_sites or over_cost):
        return
    from planner.coverage import place_names_en
    from planner.i18n import t

    zh = [str(x) for x in new.loc[np.asarray(required, bool), "name"]]
    en_of = place_names_en(region)
    i = int(np.argmin(cost))
    size = (f"{sizes[i]:,.0f} {t('capw_unit_' + field, 'zh')}",
            f"{sizes[i]:,.0f} {t(('capw_unit1_' if sizes[i] == 1 else 'capw_unit_') + field, 'en')}")
    raise required_over_budget(n, cheapest, budget_sites if over_sites else None,
                               budget_cost if not over_sites else None,
                               names=(zh, [str(en_of.get(x, x)) for x in zh]), size=size)


def inside_reach(region: Region, ft: FacilityType, v: pd.DataFrame, sites: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean (villages x sites) for a type whose rule is "inside": a village is reached by a site that lies in
    the area of the coverage's demand unit the village belongs to (its county for county seats, its township for
    township seats, planner.coverage.inside_matrix on planner.sites.demand_units), whatever the distance: the
    coverage's "covered" counted at villages."""
    units = demand_units(region, ft)
    if not len(v) or not len(sites) or not len(units):
        return np.zeros((len(v), len(sites)), bool)
    inside = inside_matrix(units, sites)
    kind = units["kind"].astype(str).to_numpy()
    member = np.zeros((len(v), len(units)), bool)
    for col, k in (("county_code", "county_seat"), ("township_code", "township_seat")):
        mine = kind == k
        if mine.any():
            member[:, mine] = (v[col].astype(str).to_numpy()[:, None]
                               == units.loc[mine, col].astype(str).to_numpy()[None, :])
    rest = ~np.isin(kind, ["county_seat", "township_seat"])
    if rest.any():  # a village unit (or a place of its own): the village itself
        codes = (v["code"] if "code" in v.columns else v.index.to_series()).astype(str).to_numpy()
        member[:, rest] = codes[:, None] == units.loc[rest, "id"].astype(str).to_numpy()[None, :]
    return (member.astype(np.int32) @ inside.astype(np.int32)) > 0


def _covered_as_coverage(region: Region, ft: FacilityType, existing, new, at_points: bool):
    """For a type counted at villages under the "inside" rule, a function (opened new places -> whether the
    villages' "covered" before and after equal the coverage's own, counted at its units): the census's county
    totals and its villages' sums agree on Shiyan's data, so the note can call the figures the coverage page's.
    None otherwise (the figures are the coverage's at its points, or not comparable)."""
    if at_points or ft.rule != "inside" or ft.weight == "units":
        return None
    units = demand_units(region, ft)
    w = units["weight"].to_numpy(float)
    cov_e, cov_n = inside_matrix(units, existing), inside_matrix(units, new)

    def figures(opened: list[int]) -> tuple[int, int]:
        before = cov_e.any(axis=1) if cov_e.shape[1] else np.zeros(len(w), bool)
        after = before | (cov_n[:, opened].any(axis=1) if opened else False)
        return int(round(float(w[before].sum()))), int(round(float(w[after].sum())))
    return figures


#: The opening words of :func:`capacity_rule_note` (zh, en): a saved proposal's notes that have it.
RULE_NOTE_LEAD = ("服务人数按", "Served people are counted at ")


def capacity_rule_note(ft: FacilityType, per_1000: float | None = None, basis: str | None = None) -> dict | None:
    """How a sized proposal turns capacity into people (``per_1000`` of ``basis``: the type's, or as saved with
    the proposal), and, for beds, that this is not the overview's bed standard (``[bed_standard]``), naming both
    numbers: "60 beds serve 6,000 people" and its shortfall disagreed with the overview's 40 per 1,000 without
    a word (QA 28). None for a type without a capacity."""
    spec = ft.capacity
    if spec is None:
        return None
    from planner.facility_types import bed_standard
    from planner.i18n import t

    per_1000 = float(per_1000 or spec.per_1000)
    basis = basis or spec.basis
    one = 1000.0 / per_1000
    one_txt = f"{one:,.0f}" if abs(one - round(one)) < 0.05 else f"{one:,.1f}"
    unit_zh, unit_en = t(f"capw_unit_{spec.field}", "zh"), t(f"capw_unit_{spec.field}", "en")
    one_zh = t(f"capw_unit1_{spec.field}", "zh")
    one_en = t(f"capw_unit1_{spec.field}", "en")
    measure = one_zh[:1] if one_zh[:1] in "张个" else "个"
    one_zh = one_zh[1:] if one_zh[:1] in "张个" else one_zh
    who_zh, who_en = t(f"capw_basis_{basis}", "zh"), t(f"capw_basis_{basis}", "en")
    zh = (f"服务人数按每千{who_zh}配置 {per_1000:g} {unit_zh}折算，即一{measure}{one_zh}服务 {one_txt} {who_zh}"
          f"（{ft.name_zh}的容量标准）")
    en = (f"Served people are counted at {per_1000:g} {unit_en} per 1,000 {who_en}: one {one_en} serves {one_txt} "
          f"{who_en} (the {ft.name_en_in_sentence()}'s capacity standard)")
    # the brief's (one A4 page): the same numbers in fewer words
    short_zh = f"服务人数按每千{who_zh}配置 {per_1000:g} {unit_zh}折算（一{measure}{one_zh}服务 {one_txt} {who_zh[:1] or '人'}）"
    short_en = f"Served: {per_1000:g} {unit_en} per 1,000 {who_en}, one {one_en} serving {one_txt} of them"
    std = bed_standard() if spec.field == "beds" else None
    if std and (float(std["per_1000"]) != per_1000 or std.get("basis") != basis):
        s_zh, s_en = t(f"capw_basis_{std['basis']}", "zh"), t(f"capw_basis_{std['basis']}", "en")
        n = f"{float(std['per_1000']):g}"
        zh += (f"；这不同于总览床位表的床位标准（每千{s_zh}不少于 {n} 张床位，各类养老床位合计），"
               "故本方案的服务人数和剩余缺口与总览的床位缺口不可直接比较。")
        en += (f". This differs from the overview's bed standard (at least {n} beds per 1,000 "
               f"{s_en}, all elderly-care beds together), so this proposal's served people and remaining shortfall "
               "do not compare directly with the overview's bed shortfall.")
        short_zh += f"；总览床位标准为每千{s_zh}不少于 {n} 张床位，其缺口与此不同。"
        short_en += (f"; the overview's bed standard is at least {n} beds per 1,000 "
                     f"{s_en}, so its shortfall differs.")
    else:
        zh, en, short_zh, short_en = zh + "。", en + ".", short_zh + "。", short_en + "."
    return {"zh": zh, "en": en, "short_zh": short_zh, "short_en": short_en}


def extrapolated_note(ft: FacilityType, sizes: list[float], cost: list[float]) -> dict | None:
    """The note for sizes outside the type's stated size classes (``capacity.sizes``), whose cost
    :func:`size_costs` extrapolates at the nearest class's unit cost: 1,000 beds cost 7,500 with no word
    that the type states costs for 30-100 beds only (QA 25). None when every size is within them."""
    spec = ft.capacity
    if spec is None or not spec.sizes:
        return None
    lo, hi = float(min(spec.sizes)), float(max(spec.sizes))
    out = [(x, c) for x, c in zip(sizes, cost) if x < lo or x > hi]
    if not out:
        return None
    from planner.i18n import t

    unit_zh, unit_en = t(f"capw_unit_{spec.field}", "zh"), t(f"capw_unit_{spec.field}", "en")
    one_en = t(f"capw_unit1_{spec.field}", "en")
    def money(c: float) -> str:
        return f"{c:,.0f}" if c == round(c) else f"{c:,.2f}".rstrip("0").rstrip(".")

    what_zh = "、".join(f"{x:,.0f} {unit_zh}（{money(c)} 万元）" for x, c in out)
    what_en = ", ".join(f"{x:,.0f} {one_en if x == 1 else unit_en} ({money(c)} × 10,000 yuan)" for x, c in out)
    many = len(out) > 1
    span = f"{lo:,.0f}" if lo == hi else f"{lo:,.0f}–{hi:,.0f}"
    return {"zh": f"规模 {what_zh}超出该类型设定的造价档次（{span} {unit_zh}），其造价按最近一档的单位造价"
                  "外推，未经设定，仅为粗略示意，请以本地概算为准。",
            "en": f"{'Sizes' if many else 'Size'} {what_en} {'are' if many else 'is'} outside the size classes "
                  f"the type states costs for ({span} {unit_en if hi != 1 else one_en}): "
                  f"{'their costs are' if many else 'its cost is'} extrapolated beyond that range at the nearest "
                  "class's cost per place, a rough illustration only; use local estimates."}


#: What a sized proposal's demand points are (``summary.points``): villages and communities, or towns and
#: townships counted at their seats (welfare homes, regional centres: the type's coverage points).
TOWNSHIP_POINTS = ("township_seats", "rural_township_seats")


def points_text(n: int, points: str | None, lang: str) -> str:
    """"12 个村（社区）" / "12 villages", or "3 个乡镇" / "3 towns and townships" where a sized proposal's demand
    points are township seats (``summary.points``: "townships"; a proposal saved before it counted villages)."""
    from planner.i18n import t

    key = "qa35f3_n_townships" if points == "townships" else "qa35f3_n_villages"
    return t(key + ("_1" if n == 1 else ""), lang, n=f"{n:,}")


#: The labels (planner.i18n keys) that name a sized proposal's demand points, and theirs where it counts towns and
#: townships at their seats (:func:`points_label`): its tables' headers, its page's rows and the site popups.
TOWNSHIP_LABELS = {"capw_n_villages": "qa35f3_col_n_townships", "capw_village_names": "qa35f3_col_township_names",
                   "capw_assigned_villages": "qa35f8_assigned_townships",
                   "capw_unserved_villages": "qa35f8_unserved_townships",
                   "capw_shortfall_note": "qa35f8_shortfall_note_townships"}


def points_label(key: str, points: str | None) -> str:
    """A sized proposal's label key (planner.i18n) in the words of its demand points: "分配村（社区）数", the names'
    column, "未服务的村（社区）" ... say towns and townships where it counts them at their seats (``summary.points``
    "townships", :data:`TOWNSHIP_LABELS`); a proposal saved before QA 35 recorded none, and counted villages."""
    if points != "townships":
        return key
    return TOWNSHIP_LABELS.get(key, key)


def _report(region, ft, v, existing, new, inst, sol, sizes, cost, cap_e, known, per, params, is_estimate, *,
            covered: tuple | None = None, at_points: bool = False, same=None) -> dict:
    w, assign = inst.weight, sol["assign"]
    e = len(existing)
    sample = bool(existing["synthetic"].astype(bool).any()) if e and "synthetic" in existing else False
    source = _existing_source(region, ft, e, sample)
    names = v["name"].to_numpy()
    codes = (v["id"] if "id" in v.columns else v.index).astype(str).to_numpy()
    points = "townships" if at_points and ft.demand in TOWNSHIP_POINTS else "villages"
    # the English of the points named by generated words (a township's seat: "香口乡驻地" -> "香口乡 seat", a county's:
    # "Fang County seat"), as other English faces name them (planner.coverage.place_names_en); villages are proper
    # names, and have none (QA 35: the English CSV read 土门镇驻地)
    from planner.coverage import place_names_en
    names_en = place_names_en(region)

    def point(i: int) -> dict:
        out = {"code": codes[i], "name": names[i], "demand": int(w[i])}
        if str(names[i]) in names_en:
            out["name_en"] = names_en[str(names[i])]
        return out
    site_rows = []
    for l, s in sorted(sol["chosen"].items(), key=lambda kv: -w[assign == e + kv[0]].sum()):
        mine = np.flatnonzero(assign == e + l)
        load = float(w[mine].sum())
        row = new.iloc[l]
        site_rows.append({
            "name": ft.site_name(str(row["name"]).removesuffix("驻地")),
            "name_en": ft.site_name_en(str(row["name"]).removesuffix("驻地")), "candidate_id": str(row["id"]),
            "township_code": str(row["township_code"]), "township_name": row["township_name"],
            "county_code": str(row["county_code"]), "county_name": row["county_name"],
            "size": sizes[s], "cost": cost[s], "capacity_people": round(sizes[s] * per, 2),
            "load": round(load, 2), "utilisation": round(load / (sizes[s] * per), 4),
            "assigned_villages": [point(i) for i in mine],
            "lon": float(row.geometry.x), "lat": float(row.geometry.y)})
    for prio, r in enumerate(site_rows, start=1):
        r["priority"] = prio
    ex_rows = []
    for j in range(e):
        mine = np.flatnonzero(assign == j)
        load = float(w[mine].sum())
        cap = float(inst.cap_existing[j])
        ex_rows.append({"id": str(existing["id"].iloc[j]), "name": existing["name"].iloc[j],
                        "capacity": float(cap_e[j]), "capacity_known": bool(known[j]),
                        "load": round(load, 2), "utilisation": round(load / cap, 4) if cap > 0 else None,
                        "assigned_villages": int(len(mine))})
    served = assign >= 0
    # the unserved apart by why: no facility of the plan (existing or opened) reaches them, which more capacity cannot
    # mend, or one does and is full (QA 36: a county's 46-bed "shortfall" was people beyond reach of a half-empty site)
    opened_cols = sorted(sol["chosen"])
    reached = (inst.reach_existing.any(axis=1) if inst.reach_existing.shape[1] else np.zeros(len(w), bool))
    if opened_cols:
        reached = reached | inst.reach_new[:, opened_cols].any(axis=1)
    beyond = ~served & ~reached
    total = float(w.sum())
    short_people = w[~served]
    by_c = pd.DataFrame({"county_code": v["county_code"].astype(str).to_numpy(), "w": w, "served": served,
                         "beyond": beyond})
    county = []
    for code, g in by_c.groupby("county_code"):
        unserved = float(g.loc[~g["served"], "w"].sum())
        county.append({"county_code": code, "name": region.counties["name"].get(code, ""),
                       "demand": int(g["w"].sum()), "unserved": int(unserved),
                       "unserved_beyond_reach": int(g.loc[g["beyond"], "w"].sum()),
                       "shortfall_capacity": round(unserved / per, 2),
                       "new_sites": sum(1 for r in site_rows if r["county_code"] == code)})
    summary = {"demand": int(total), "served": int(w[served].sum()),
               "served_share": float(w[served].sum() / total) if total else None,
               "unserved": int(short_people.sum()), "unserved_villages": int((~served).sum()),
               "unserved_beyond_reach": int(w[beyond].sum()), "unserved_beyond_reach_villages": int(beyond.sum()),
               "unserved_no_room": int(w[~served & reached].sum()),
               "unserved_no_room_villages": int((~served & reached).sum()),
               "shortfall_capacity": round(float(short_people.sum()) / per, 2),
               "new_sites": len(site_rows), "cost": float(sum(r["cost"] for r in site_rows))}
    if covered is not None:
        # within the standard, distance only (the coverage's "covered"), before and with the new sites, beside
        # the people served through capacity; at the type's coverage points the coverage's own figure
        cov_e, cov_n = covered
        before = cov_e.any(axis=1) if cov_e.shape[1] else np.zeros(len(w), bool)
        opened = sorted(sol["chosen"])
        after = before | (cov_n[:, opened].any(axis=1) if opened else False)
        summary.update({"covered_before": int(round(float(w[before].sum()))),
                        "covered_after": int(round(float(w[after].sum())))})
    summary.update({"counted_at": "coverage_points" if at_points else "villages", "points": points})
    whole_shortfall(summary, county)
    # counted at villages under the "inside" rule, "covered" is the coverage page's own figure where the villages'
    # people add up to the coverage's units' (a county's census total)
    as_coverage = (same is not None and summary.get("covered_before") is not None
                   and same(opened_cols) == (summary["covered_before"], summary["covered_after"]))
    single, covered_words = sized_point_notes(ft, summary, as_coverage=as_coverage)
    split = unserved_split_note(ft, summary, per)
    return {"type": ft.key, "type_name_zh": ft.name_zh, "type_name_en": ft.name_en, "kind": "sized",
            "field": ft.capacity.field, "basis": ft.capacity.basis, "params": params,
            "solver": {"model": "sized_single_source_mip", "status": sol["status"], "objective": sol["objective"],
                       "mip_gap": sol["mip_gap"]},
            "sites": site_rows, "existing": ex_rows,
            "summary": summary,
            "by_county": county, "is_estimate": is_estimate, "synthetic_inputs": True,  # the costs are, always
            "notes_zh": ["造价为 coverplan 示意假设（万元），请替换为本地概算；" + source["zh"],
                         single["zh"], *([covered_words["zh"]] if covered_words else []),
                         *([split["zh"]] if split else [])],
            "notes_en": ["Costs are coverplan's illustrative assumptions (示意), in 10,000 yuan: replace with local "
                         "estimates; "
                         + source["en"],
                         single["en"], *([covered_words["en"]] if covered_words else []),
                         *([split["en"]] if split else [])]}


#: The single-source note (zh, en) where a sized proposal's demand points are villages and communities (as every
#: one said before QA 35); counted at township seats, :func:`sized_point_notes` says towns and townships.
SINGLE_SOURCE_VILLAGES = ("每个村（社区）整体由一处设施服务（单一来源），且须在服务标准内。",
                          "Each village is served whole by one facility (single source), within the standard.")


def sized_point_notes(ft: FacilityType, summary: dict, *, as_coverage: bool = False) -> tuple[dict, dict | None]:
    """The single-source note in the words of the proposal's demand points (villages, or towns and townships at
    their seats) and of the type's rule, and the note setting the people covered (the coverage's "covered": within
    the standard, or for an "inside" type in an area with a facility) beside those served through capacity: at the
    type's coverage points, or counted at villages under the "inside" rule where the villages' people add up to the
    coverage's (``as_coverage``), they are the coverage page's figures; counted at villages otherwise, it says what
    differs: the weight (cemeteries: places, not people), or, the weight being the same, the points (a county seat
    standing for its whole county's people). It blamed the weight where both counted people aged 80+, and read
    "按行政村（社区）的名80岁以上老人计" (QA 36)."""
    from planner.i18n import t

    basis = ft.capacity.basis
    langs = ("zh", "en")
    who = {lang: t(f"capw_basis_{basis}", lang) for lang in langs}
    # "名80岁以上老人" counts people after a number ("8,387 名80岁以上老人"); after "的" it is "80岁以上老人"
    bare = {lang: who[lang].removeprefix("名") for lang in langs}
    if bare["zh"] == "人":  # everyone: "按行政村（社区）的人口计", not "的人计"
        bare["zh"] = "人口"
    name = {"zh": ft.name_zh, "en": ft.name_en_in_sentence()}
    inside = ft.rule == "inside"
    area = {lang: t("qa36s_area_county" if ft.demand == "county_seats" else "qa36s_area_township", lang)
            for lang in langs}
    if summary.get("points") == "townships":
        single = {lang: t("qa35f3_single_townships", lang, who=bare[lang]) for lang in langs}
    elif inside:
        single = {lang: t("qa36s_single_inside", lang, area=area[lang], type=name[lang]) for lang in langs}
    else:
        single = {"zh": SINGLE_SOURCE_VILLAGES[0], "en": SINGLE_SOURCE_VILLAGES[1]}
    if summary.get("covered_before") is None:
        return single, None
    nums = {"before": f"{summary['covered_before']:,}", "after": f"{summary['covered_after']:,}",
            "served": f"{summary['served']:,}"}
    if inside and (as_coverage or summary.get("counted_at") == "coverage_points"):
        words = {lang: t("qa36s_covered_inside", lang, type=name[lang], who=bare[lang], area=area[lang], **nums)
                 for lang in langs}
    elif summary.get("counted_at") == "coverage_points":
        words = {lang: t("qa35f3_covered", lang, type=name[lang], who=who[lang], **nums) for lang in langs}
    elif ft.weight == basis:
        # the same people, counted at other points: the coverage's county seats carry their whole county's
        points = {lang: t("qa36s_points_" + ("county_seats" if ft.demand == "county_seats" else "seats"), lang)
                  for lang in langs}
        key = "qa36s_covered_villages_inside" if inside else "qa36s_covered_villages_points"
        words = {lang: t(key, lang, type=name[lang], who=bare[lang], points=points[lang], area=area[lang], **nums)
                 for lang in langs}
    else:
        weight = {lang: t("qa34f8_weight_units" if ft.weight == "units" else f"weight_{ft.weight}", lang)
                  for lang in langs}
        words = {lang: t("qa35f3_covered_villages", lang, type=name[lang], who=bare[lang], weight=weight[lang],
                         **nums) for lang in langs}
    return single, words


def unserved_split_note(ft: FacilityType, summary: dict, per: float) -> dict | None:
    """The note parting the people left unserved by why (``summary``'s ``unserved_beyond_reach`` and
    ``unserved_no_room``): beyond the reach of every facility of the plan, whom more capacity cannot serve (another
    site can), and within reach of a full one, with the capacity they lack; the remaining shortfall counts both
    (its whole places split as :func:`whole_shortfall` rounds them). None when everyone is served."""
    from planner.i18n import t

    out_n, room_n = int(summary.get("unserved_beyond_reach") or 0), int(summary.get("unserved_no_room") or 0)
    if out_n + room_n <= 0:
        return None
    field = ft.capacity.field
    _, (out_k, room_k) = whole_split(summary.get("shortfall_capacity"), [out_n / per, room_n / per])
    area = {lang: t("qa36s_area_county" if ft.demand == "county_seats" else "qa36s_area_township", lang)
            for lang in ("zh", "en")}
    out = {}
    for lang in ("zh", "en"):
        def unit(k: int) -> str:
            return t(("capw_unit1_" if k == 1 and lang == "en" else "capw_unit_") + field, lang)
        parts = []
        if out_n:
            key = "qa36s_beyond_inside" if ft.rule == "inside" else "qa36s_beyond_within"
            units = t(("capw_noun_" if lang == "zh" else "capw_unit_") + field, lang)  # "增加床位" / "more beds"
            parts.append((out_n, t(key, lang, k=f"{out_k:,}", unit=unit(out_k), units=units, area=area[lang])))
        if room_n:
            parts.append((room_n, t("qa36s_no_room", lang, k=f"{room_k:,}", unit=unit(room_k))))
        who = t(f"capw_basis_{ft.capacity.basis}", lang)
        end = "。" if lang == "zh" else "."
        if len(parts) == 1:
            out[lang] = t("qa36s_unserved_all", lang, n=f"{out_n + room_n:,}", who=who) + parts[0][1] + end
        else:
            lead = t("qa36s_unserved_lead", lang, n=f"{out_n + room_n:,}", who=who)
            out[lang] = lead + ("；" if lang == "zh" else "; ").join(
                t("qa36s_part_n", lang, n=f"{n:,}") + words for n, words in parts) + end
    return out


def _existing_source(region, ft: FacilityType, n: int, sample: bool) -> dict:
    """Where the existing facilities' capacities come from, for the first note: the sample's, the imported
    register's, or none at all: with no facility of the type (in the county) the note said the capacities
    were "the imported register's" on the embedded sample, where nothing was imported (QA 25)."""
    if sample:
        return {"zh": "现有设施容量为示例数据（示意）。", "en": "existing capacities are sample data (示意)."}
    if n:
        return {"zh": "现有设施容量取自已导入的名录。", "en": "existing capacities are the imported register's."}
    from planner.coverage import county_names_en

    codes = list(ft.demand_counties or ())
    where_zh = "、".join(str(region.counties["name"].get(c, c)) for c in codes) if codes else "全市"
    en_names = county_names_en(region.counties) if codes else None
    where_en = f"in {', '.join(str(en_names.get(c, c)) for c in codes)}" if codes else "in the city"
    return {"zh": f"{where_zh}现有{ft.name_zh} 0 处，全部容量来自新址。",
            "en": f"there is no existing {ft.name_en_in_sentence()} {where_en}, so all capacity is the new sites'."}


def whole_shortfall(summary: dict, by_county: list[dict]) -> None:
    """Add ``shortfall_whole`` (whole places) to a sized proposal's summary and county rows, in place.

    The remaining shortfall is fractional (people / people per place): rounding each county on its own
    made the rows add up to 6,946 under a headline of 6,947. The rule is the capacity report's
    (planner.capacity.whole_units): the total rounded to the nearest place, split over the counties by
    largest remainder. Recomputed for proposals saved before these fields existed (web.capacity_proposals).
    """
    n, parts = whole_split(summary.get("shortfall_capacity"), [c.get("shortfall_capacity") for c in by_county])
    summary["shortfall_whole"] = n
    for c, v in zip(by_county, parts):
        c["shortfall_whole"] = v
