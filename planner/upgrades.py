"""Which K existing facilities to upgrade or convert: a proposal of its own (issue 16).

The plan upgrades at least 50 rural mutual-aid care centres and 5 rural welfare
homes and converts at least 8 welfare homes into regional centres (§九, §十).
An upgrade gives an existing facility more capacity and, where the type says
so, a longer reach (``[types.X.upgrade]``); a conversion gives it a new role,
the type ``role`` with its own standard and demand (``[types.X.conversion]``).

What an upgrade is worth is the demand it lets the facilities serve. Demand is
served through capacity: a facility of capacity ``c`` serves at most
``c x 1000 / per_1000`` people of the capacity basis (the standard says how
many people one bed is for), and only people within its reach. The served
demand of a set of facilities is then a transportation problem; choosing the
K upgrades that maximise it, with the per-county limits, is one MIP (the engine's
HiGHS runner, planner.models.highs). The demand points are the type's coverage
points (:func:`upgrade_demand`: welfare homes' rural township seats, mutual-aid
centres' villages), so "served" never counts other people than "covered"::

    max  sum x_ij
    s.t. sum_j x_ij <= w_i                         every demand point i
         sum_i x_ij <= B_j + (U_j - B_j) z_j       every facility j (B: now, U: upgraded)
         x_ij <= w_i z_j                           pairs reached only after the upgrade
         sum_j z_j <= K,  sum_{j in county} z_j <= per_county_max
         x >= 0, z binary

The chosen sites are put in priority order by what each adds given the others
(the served demand with all K minus that without it), with the same kind of
rationale as a new site. Chosen sites that can be left out with nobody less
served (two reaching the same people: one of them; or one that adds nobody at
all) come last and are counted (``after.surplus``, ``after.needed``) and named in
a note: K is kept, as the plan counts upgrades, but the answer says what the
last ones buy (QA 32).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo import settings
from geo.errors import InfeasibleError, InputDataError
from geo.regions import Region
from planner.capacity import demand_villages, site_capacity
from planner.coverage import existing_facilities, records, unit_costs
from planner.facility_types import FacilityType, get_type, load_facility_types
from planner.i18n import share_text, t
from planner.models.base import check_time_limit
from planner.sites import demand_units
from planner.sizing import RowBlock, run_mip


def _no_upgrade(ft: FacilityType, conversion: bool) -> InputDataError:
    what = "conversion" if conversion else "upgrade"
    able = [k for k, t in load_facility_types().items() if (t.conversion if conversion else t.upgrade)]
    return InputDataError(
        f"Type '{ft.key}' states no {what} ([types.{ft.key}.{what}]); types with one: {', '.join(able) or 'none'}.",
        f"设施类型“{ft.key}”（{ft.name_zh}）未设定{'转型' if conversion else '改造提升'}参数"
        f"（[types.{ft.key}.{what}]）；已设定的类型：{'、'.join(able) or '无'}。",
        hint_en="Choose one of those types or add the block to data/facility_types.toml.",
        hint_zh="请选择上述类型，或在 data/facility_types.toml 中增加该设定。",
        details={"type": ft.key, "types": able})


def _bad_k(k, n: int, ft: FacilityType, limit_total: int, unknown: int = 0) -> InputDataError:
    if not isinstance(k, (int, np.integer)) or k < 1:   # too few (or not a whole number), not too many
        return InputDataError(
            f"K = {k} facilities to upgrade: K must be a whole number of at least 1 (at most {limit_total}).",
            f"改造数量 K = {k} 无效：应为不小于 1 的整数（最多 {limit_total}）。",
            hint_en=f"Choose between 1 and {limit_total}.", hint_zh=f"请在 1 到 {limit_total} 之间选择。",
            details={"k": k, "facilities": n, "max": limit_total, "parameter": "k"})
    # facilities of unknown capacity are not counted among those to choose from: said, with the way to count them
    more_en = f" ({unknown:,} more have no capacity in the register and are not counted)" if unknown else ""
    more_zh = f"（另有 {unknown:,} 处容量未知，未计入）" if unknown else ""
    return InputDataError(
        f"K = {k} facilities to upgrade is too many: choose between 1 and {limit_total} of the {n} existing "
        f"{ft.name_en} facilities{more_en} (the per-county limits allow {limit_total}).",
        f"改造数量 K = {k} 过多：现有{ft.name_zh}共 {n} 处{more_zh}，按各县上限最多可选 {limit_total} 处，请在 1 到 {limit_total} 之间选择。",
        hint_en="To choose more, give the missing capacities, or load a register with more facilities of the type."
        if unknown else "To choose more, load a register with more facilities of the type.",
        hint_zh="如需选择更多，请补填缺失的容量，或导入包含更多此类设施的名录。" if unknown
        else "如需选择更多，请导入包含更多此类设施的名录。",
        details={"k": k, "facilities": n, "max": limit_total, "parameter": "k", "capacity_unknown": unknown})


def _none_to_upgrade(region: Region, ft: FacilityType, conversion: bool) -> InputDataError:
    where = [str(region.counties["name"].get(c, c)) for c in ft.demand_counties]
    zh_what, en_what = ("转型", "convert") if conversion else ("改造提升", "upgrade")
    return InputDataError(
        f"There is no existing {ft.name_en} to {en_what}" + (f" in {', '.join(where)}" if where else "") + ".",
        f"{'、'.join(where) if where else '本市'}没有可{zh_what}的现有{ft.name_zh}。",
        hint_en="Load a register with facilities of the type there, or propose new sites instead.",
        hint_zh="请导入包含该地此类设施的名录，或改为新建选址方案。",
        details={"type": ft.key, "counties": list(ft.demand_counties), "parameter": "k"})


@dataclass
class UpgradeInstance:
    """The numbers of one upgrade choice (demand points x facilities), ready for the MIP."""

    weight: np.ndarray          # demand of each demand point (people of the basis; see upgrade_demand)
    base_cap: np.ndarray        # people each facility serves now (0 for a conversion)
    up_cap: np.ndarray          # people it serves upgraded / converted
    base_reach: np.ndarray      # bool (villages x facilities): within reach now
    up_reach: np.ndarray        # bool: within reach upgraded / converted
    county: np.ndarray          # county code of each facility
    candidate: np.ndarray       # bool: may be chosen (existing facilities of the role type may not)


def served(inst: UpgradeInstance, chosen: np.ndarray, floor: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Demand served (max flow) with the ``chosen`` facilities upgraded; and what each facility serves.

    ``floor`` (what each facility serves now, say): each facility serves at least that many. A max flow grown from
    the present one never takes anyone from a facility (each augmenting path ends in a facility it adds to), so the
    total is the same; without it the solver's split among facilities reaching the same people is arbitrary, and
    a centre serving 194 now "served 582" once upgraded while its upgrade added 582 (QA 34)."""
    cap = np.where(chosen, inst.up_cap, inst.base_cap)
    reach = np.where(chosen[None, :], inst.up_reach, inst.base_reach)
    ii, jj = np.nonzero(reach & (cap[None, :] > 0) & (inst.weight[:, None] > 0))
    if not len(ii):
        return 0.0, np.zeros(len(cap))
    n, m, p = len(inst.weight), len(cap), len(ii)
    a_unit = sp.csr_matrix((np.ones(p), (ii, np.arange(p))), shape=(n, p))
    a_site = sp.csr_matrix((np.ones(p), (jj, np.arange(p))), shape=(m, p))
    lo = np.full(n + m, -np.inf)
    if floor is not None:  # a hair below, so that rounding never makes it infeasible
        lo[n:] = np.maximum(np.minimum(np.asarray(floor, float), cap) - 1e-6, 0.0)
    res = run_mip(-np.ones(p), [RowBlock(sp.vstack([a_unit, a_site]).tocsr(), lo,
                                     np.concatenate([inst.weight, cap]))],
                  inst.weight[ii], np.zeros(p, bool), time_limit=60.0, gap=0.0)
    if res.x is None:  # a bounded feasible LP (x = 0 is feasible): only a solver failure gets here
        raise InfeasibleError(f"The served-demand LP failed: {res.status}", f"服务需求线性规划求解失败：{res.status}")
    per_site = np.bincount(jj, weights=res.x, minlength=m)
    return float(-res.objective), per_site


def allocation(inst: UpgradeInstance, chosen: np.ndarray, total: float, now: np.ndarray,
               added: dict) -> np.ndarray:
    """What each facility serves with the ``chosen`` upgraded, in a split of the ``total`` served that keeps
    what each serves ``now`` and, as far as the people allow, gives each chosen facility ``j`` ``now[j] +
    added[j]`` (``added``: what it adds given the others).

    The total is the max flow (:func:`served`); how it splits among facilities reaching the same villages is
    not unique, and the solver's split had a centre serving 194 now, adding 582 and "serving 582 once upgraded"
    (QA 34). Where two chosen facilities share the people they add, no split can give both; the reasons say so."""
    cap = np.where(chosen, inst.up_cap, inst.base_cap)
    reach = np.where(chosen[None, :], inst.up_reach, inst.base_reach)
    ii, jj = np.nonzero(reach & (cap[None, :] > 0) & (inst.weight[:, None] > 0))
    n, m, p = len(inst.weight), len(cap), len(ii)
    js = sorted(added)
    if not p or not js:
        return served(inst, chosen, floor=now)[1]
    q = len(js)  # deviations e+ and e- of each chosen facility from now + added
    nv = p + 2 * q
    a_unit = sp.csr_matrix((np.ones(p), (ii, np.arange(p))), shape=(n, nv))
    a_site = sp.csr_matrix((np.ones(p), (jj, np.arange(p))), shape=(m, nv))
    a_total = sp.csr_matrix((np.ones(p), (np.zeros(p, int), np.arange(p))), shape=(1, nv))
    pos = {j: r for r, j in enumerate(js)}
    rows_j = np.array([pos[j] for j in jj if j in pos])
    cols_j = np.flatnonzero(np.isin(jj, js))
    dev = sp.csr_matrix((np.concatenate([np.ones(len(cols_j)), -np.ones(q), np.ones(q)]),
                         (np.concatenate([rows_j, np.arange(q), np.arange(q)]),
                          np.concatenate([cols_j, p + np.arange(q), p + q + np.arange(q)]))), shape=(q, nv))
    want = np.array([min(float(now[j]) + float(added[j]), float(cap[j])) for j in js])
    floor = np.maximum(np.minimum(np.asarray(now, float), cap) - 1e-6, 0.0)
    rows = [RowBlock(a_unit, -np.inf, inst.weight), RowBlock(a_site, floor, cap),
            RowBlock(a_total, np.array([total - 1e-4]), np.inf), RowBlock(dev, want, want)]
    res = run_mip(np.concatenate([np.zeros(p), np.ones(2 * q)]), rows,
                  np.concatenate([inst.weight[ii], np.full(2 * q, np.inf)]), np.zeros(nv, bool),
                  time_limit=60.0, gap=0.0)
    if res.x is None:  # the split of served() is one of them: it is kept rather than failing
        return served(inst, chosen, floor=now)[1]
    return np.bincount(jj, weights=res.x[:p], minlength=m)


def choose(inst: UpgradeInstance, k: int, per_county_max: int | None, *, time_limit: float = 60.0) -> tuple[np.ndarray, dict]:
    """The MIP of the module doc: which ``k`` candidates to upgrade."""
    n, m = inst.up_reach.shape
    ii, jj = np.nonzero(inst.up_reach & (inst.up_cap[None, :] > 0) & (inst.weight[:, None] > 0))
    p = len(ii)
    extended = ~inst.base_reach[ii, jj]
    nv = p + m
    c = np.concatenate([-np.ones(p), np.zeros(m)])
    rows = []
    # villages: sum_j x_ij <= w_i
    rows.append((sp.csr_matrix((np.ones(p), (ii, np.arange(p))), shape=(n, nv)), -np.inf, inst.weight))
    # facilities: sum_i x_ij - (U_j - B_j) z_j <= B_j
    a = sp.csr_matrix((np.ones(p), (jj, np.arange(p))), shape=(m, nv)).tolil()
    for j in range(m):
        a[j, p + j] = -(inst.up_cap[j] - inst.base_cap[j])
    rows.append((a.tocsr(), -np.inf, inst.base_cap))
    # pairs reached only after the upgrade: x_p - w_i z_j <= 0
    ext = np.flatnonzero(extended)
    if len(ext):
        e = len(ext)
        data = np.concatenate([np.ones(e), -inst.weight[ii[ext]]])
        r = np.concatenate([np.arange(e), np.arange(e)])
        cols = np.concatenate([ext, p + jj[ext]])
        rows.append((sp.csr_matrix((data, (r, cols)), shape=(e, nv)), -np.inf, np.zeros(e)))
    # sum z = k, and per county
    zrow = np.zeros((1, nv))
    zrow[0, p:] = inst.candidate.astype(float)
    # exactly k: an upgrade that adds nobody was left out, and the plan had fewer sites than asked for
    # without a word; now it is chosen and the plan says it adds nobody (propose_upgrades' notes)
    rows.append((sp.csr_matrix(zrow), np.array([float(k)]), np.array([float(k)])))
    if per_county_max:
        counties = sorted(set(inst.county[inst.candidate]))
        cm = np.zeros((len(counties), nv))
        for r_, code in enumerate(counties):
            cm[r_, p + np.flatnonzero((inst.county == code) & inst.candidate)] = 1.0
        rows.append((sp.csr_matrix(cm), -np.inf, np.full(len(counties), float(per_county_max))))
    cons = [RowBlock(A, lo, hi) for A, lo, hi in rows]
    upper = np.concatenate([inst.weight[ii], inst.candidate.astype(float)])
    integrality = np.concatenate([np.zeros(p, bool), np.ones(m, bool)])
    res = run_mip(c, cons, upper, integrality, time_limit=time_limit, gap=1e-6)
    if res.x is None:
        raise InfeasibleError(f"No upgrade plan found in time ({res.status}).",
                              f"在时限内未找到改造方案（{res.status}）。",
                              hint_en="Raise the time limit.", hint_zh="请延长求解时限。")
    z = res.x[p:] > 0.5
    return z, {"status": res.status, "objective": float(-res.objective), "mip_gap": float(res.gap)}


@dataclass
class UpgradePlan:
    """An upgrade (or conversion) proposal: the chosen facilities in priority order, with rationale."""

    ftype: FacilityType
    role: FacilityType | None
    k: int
    sites: pd.DataFrame
    before: dict
    after: dict
    solver: dict
    params: dict
    by_county: pd.DataFrame
    notes: list[dict] = field(default_factory=list)

    def to_dict(self, lang: str = "zh") -> dict:
        return {"type": self.ftype.key, "type_name": self.ftype.name(lang), "kind": "upgrade",
                "role": self.role.key if self.role else None,
                "role_name": self.role.name(lang) if self.role else None, "k": self.k,
                # whom the served counts count (the standard's basis of the type served)
                "basis": ((self.role or self.ftype).capacity.basis if (self.role or self.ftype).capacity else None),
                "params": self.params, "solver": self.solver, "before": self.before, "after": self.after,
                "by_county": records(self.by_county), "sites": records(self.sites.drop(columns=["geometry"])),
                "synthetic_inputs": bool(self.sites["synthetic"].any()) if len(self.sites) else False,
                "notes": [n["en" if lang == "en" else "zh"] for n in self.notes]}

    def to_geojson(self, lang: str = "zh") -> dict:
        """The chosen facilities as points; ``coverplan`` says it is an upgrade (``targets --proposal``)."""
        feats = []
        for rec, geom in zip(records(self.sites.drop(columns=["geometry"])), self.sites.geometry):
            feats.append({"type": "Feature", "properties": {**rec, "facility_type": self.ftype.key},
                          "geometry": {"type": "Point", "coordinates": [round(geom.x, 7), round(geom.y, 7)]}})
        meta = {k: v for k, v in self.to_dict(lang).items() if k not in ("sites",)}
        return {"type": "FeatureCollection", "features": feats, "coverplan": meta}


def upgrade_candidates(region: Region, ft: FacilityType,
                       facilities: gpd.GeoDataFrame | None = None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The existing facilities an upgrade (or a conversion) of ``ft`` may choose, and those it leaves out because
    the register gives no capacity for them.

    Only facilities in the type's counties may be chosen (``ft.demand_counties``: a county planner's, as new sites
    are, planner.sites). A facility whose capacity is unknown cannot be weighed: "0 -> 20 beds" made it look like
    the best upgrade, so it is left out of the choice and named (as /api/beds does). The one rule of what can be
    chosen: the solver (:func:`propose_upgrades`) and the forms' K limits (:func:`choosable`) both read it (QA 33:
    a facility added on the map without beds was counted by the form and the re-solve, not by the solver)."""
    cand = existing_facilities(region, ft, facilities)
    if ft.demand_counties:
        cand = cand[cand["county_code"].astype(str).isin(ft.demand_counties)]
    if ft.capacity is None:  # nothing to weigh them by: propose_upgrades says so
        return cand, cand.iloc[0:0]
    _, known = site_capacity(cand, ft.capacity.field)
    return cand[known], cand[~known]


def county_limits(counties, per_county_max: int | None) -> dict[str, int]:
    """{county code: how many of the candidates in ``counties`` (one code per candidate) may be chosen}, at most
    ``per_county_max`` in each; a county without any is left out."""
    counts = pd.Series(np.asarray(counties, dtype=object)).astype(str).value_counts()
    most = int(per_county_max) if per_county_max else None
    return {str(c): min(most, int(n)) if most else int(n) for c, n in counts.items() if n}


def choosable(region: Region, ft: FacilityType, conversion: bool = False,
              facilities: gpd.GeoDataFrame | None = None) -> dict:
    """How many facilities an upgrade (``conversion``: a conversion) of ``ft`` may choose, counted as the solver
    counts them (:func:`upgrade_candidates`, :func:`county_limits`): ``total`` (the largest K it accepts),
    ``by_county`` ({code: limit}), ``facilities`` (the candidates), ``unknown`` (the facilities left out for an
    unknown capacity), ``unknown_by_county`` and ``unknown_ids``."""
    spec = ft.conversion if conversion else ft.upgrade
    if spec is None:
        raise _no_upgrade(ft, conversion)
    cand, unknown = upgrade_candidates(region, ft, facilities)
    by_county = county_limits(cand["county_code"], spec.per_county_max)
    return {"total": int(sum(by_county.values())), "by_county": by_county, "facilities": int(len(cand)),
            "unknown": int(len(unknown)),
            "unknown_by_county": county_limits(unknown["county_code"], None) if len(unknown) else {},
            "unknown_ids": [str(i) for i in unknown["id"]] if "id" in unknown else []}


def capacity_unknown_error(ft: FacilityType, n_unknown: int) -> InputDataError:
    """Facilities of the type exist, but none has a capacity to weigh an upgrade by."""
    return InputDataError(
        f"The {n_unknown:,} existing {ft.name_en} facilities have no {t(f'capw_unit_{ft.capacity.field}', 'en')} "
        "count in the register, so no upgrade can be weighed.",
        f"现有 {n_unknown:,} 处{ft.name_zh}的{t(f'capw_noun_{ft.capacity.field}', 'zh')}数均未知，无法比较改造效果。",
        hint_en="Give their capacities in the register (or in each facility's details on the map).",
        hint_zh="请在名录中填写其容量（或在地图上编辑设施时填写）。",
        details={"type": ft.key, "capacity_unknown": int(n_unknown), "parameter": "k"})


def _instance(region: Region, ft: FacilityType, spec, facilities, mode: str, graph) -> tuple:
    """The instance, the facilities (candidates first) and the type whose standard applies."""
    target = get_type(spec.role) if spec.role else ft
    if spec.role and ft.demand_counties:
        # a conversion limited to some counties (a county planner's: planner.coverage.county_type) serves the
        # role's demand there only, not the whole city's
        keep = tuple(c for c in ft.demand_counties if not target.demand_counties or c in target.demand_counties)
        target = dataclasses.replace(target, demand_counties=keep, county_scope=ft.county_scope)
    if target.capacity is None or ft.capacity is None:
        raise InputDataError(f"Types '{ft.key}' and '{target.key}' need a capacity block for upgrades.",
                             f"改造提升需要设施类型“{ft.key}”和“{target.key}”均设定容量。")
    cand, unknown = upgrade_candidates(region, ft, facilities)
    others = existing_facilities(region, target, facilities) if spec.role else cand.iloc[0:0]
    sites = pd.concat([cand, others], ignore_index=True)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=settings.STORAGE_CRS)
    v, at_units = upgrade_demand(region, target)
    units = gpd.GeoDataFrame({"urban": v["urban"].astype(bool).to_numpy()}, geometry=v.geometry.values,
                             crs=settings.STORAGE_CRS)
    costs, is_estimate = unit_costs(units, sites, target, mode=mode, graph=graph)
    std = np.where(units["urban"], target.standard_urban, target.standard_rural)[:, None]
    per = 1000.0 / target.capacity.per_1000  # people one unit of capacity is for
    # each facility in its own type's unit: the candidates in theirs, the role's facilities (a conversion) in the role's
    cap_now = np.concatenate([site_capacity(cand, ft.capacity.field)[0],
                              site_capacity(others, target.capacity.field)[0]]) if len(others) \
        else site_capacity(sites, ft.capacity.field)[0]
    is_cand = np.arange(len(sites)) < len(cand)
    if spec.role:
        base_cap = np.where(is_cand, 0.0, cap_now * per)
        up_cap = np.where(is_cand, (cap_now + spec.add_capacity) * per, cap_now * per)
        base_reach = (costs <= std) & ~is_cand[None, :]
        up_reach = costs <= std
    else:
        base_cap = cap_now * per
        up_cap = (cap_now + spec.add_capacity) * per
        base_reach = costs <= std
        up_reach = costs <= std * spec.reach_factor
    inst = UpgradeInstance(weight=v[target.capacity.basis].to_numpy(float), base_cap=base_cap, up_cap=up_cap,
                           base_reach=base_reach, up_reach=up_reach,
                           county=sites["county_code"].astype(str).to_numpy(), candidate=is_cand)
    # who is within reach now as the type's coverage counts it: every existing facility of the type, those of
    # unknown capacity too (they serve no one here, but cover their people there)
    in_reach_now = base_reach.any(axis=1)
    if not spec.role and len(unknown):
        c_unknown, _ = unit_costs(units, unknown, target, mode=mode, graph=graph)
        in_reach_now |= (c_unknown <= std).any(axis=1)
    return inst, sites, target, cap_now, costs, std, is_estimate, unknown, {"at_units": at_units,
                                                                            "in_reach_now": in_reach_now}


def upgrade_demand(region: Region, target: FacilityType) -> tuple[pd.DataFrame, bool]:
    """The demand points an upgrade (or conversion) into ``target`` counts, and whether they are the type's own
    coverage points (planner.sites.demand_units).

    They are the coverage's points wherever its weight is the capacity's basis (welfare homes: the rural township
    seats' people aged 80+), so the upgrade's "served now" and the coverage's "covered" count the same people at
    the same places (QA 34: 44,751 served at villages beside 44,893 covered at seats, with nothing to say why).
    Where the coverage weighs something else (a count of places, a county seat standing for the whole county), the
    villages and communities of :func:`planner.capacity.demand_villages` are counted instead, and a note says so."""
    basis = target.capacity.basis
    if target.weight == basis and target.demand not in ("county_seats", "seats"):
        g = demand_units(region, target)  # its weight is the basis, counted as the coverage counts it
        return g.assign(**{basis: g["weight"].to_numpy(float)}), True
    return demand_villages(region, target), False


#: Whose people a capacity's demand counts where it is not everyone's (planner.capacity.demand_villages):
#: (short zh, short en, zh, en). A welfare-home upgrade's 45,197 "aged 80+" read as wrong beside the census's
#: 61,637 while the page never said the base was rural towns and townships (QA 22).
DEMAND_BASE = {"rural_township_seats": ("农村乡镇", "rural towns and townships", "农村乡镇（乡、镇，不含城区街道）",
                                        "rural towns and townships (not urban subdistricts)"),
               "rural_villages": ("行政村", "villages", "行政村（不含城镇社区）", "administrative villages (not urban communities)"),
               "meal_communities": ("社区", "communities", "社区（不含行政村）", "communities (not rural villages)")}
#: How the note naming the demand's base begins (web.capacity_proposals adds it to proposals saved before it).
DEMAND_NOTE_LEAD = {"zh": "需求人数为", "en": "Demand counts "}


def demand_note(target: FacilityType, total: float, city: float | None, county_names: tuple = ()) -> dict | None:
    """The note naming whose people the demand counts ("需求人数为农村乡镇（…）的80岁以上人口，共 45,197 人"),
    with the whole city's figure when known (``city``); None when the demand is everyone of the basis.

    With ``county_names`` (a county's proposal: (zh, en) pairs), ``city`` is those counties' own figure and
    is said as theirs: a Zhangwan District upgrade compared its 691 with the whole city's 61,637 (QA 25)."""
    base = DEMAND_BASE.get(target.demand)
    if base is None and not county_names:
        return None
    basis = target.capacity.basis
    who_zh, who_en = t(f"weight_{basis}", "zh"), t(f"weight_{basis}", "en")
    where_zh = "、".join(zh for zh, _ in county_names) + (base[2] if base else "")
    where_en = (f" of {base[3]}" if base else "") + (f" in {', '.join(en for _, en in county_names)}"
                                                     if county_names else "")
    rest_zh, rest_en = "", ""
    if city is not None and city - total >= 0.5 and county_names:
        names_en = ", ".join(en for _, en in county_names)
        rest_zh = f"；{'、'.join(zh for zh, _ in county_names)}{who_zh}共 {city:,.0f} 人，其余 {city - total:,.0f} 人不计入"
        rest_en = (f"; {names_en} {'has' if len(county_names) == 1 else 'have'} {city:,.0f} {who_en} in all, the other "
                   f"{city - total:,.0f} are not counted")
    elif city is not None and city - total >= 0.5:
        rest_zh = f"；全市{who_zh}共 {city:,.0f} 人，其余 {city - total:,.0f} 人不计入"
        rest_en = f"; the whole city has {city:,.0f} {who_en}, the other {city - total:,.0f} are not counted"
    name_en = target.name_en_in_sentence()
    of_zh = f"（{target.name_zh}的服务对象）" if base else ""
    of_en = f", whom a {name_en} serves" if base else ""
    return {"zh": f"{DEMAND_NOTE_LEAD['zh']}{where_zh}的{who_zh}{of_zh}，共 {total:,.0f} 人{rest_zh}。",
            "en": f"{DEMAND_NOTE_LEAD['en']}{who_en}{where_en}{of_en}: {total:,.0f}{rest_en}."}


#: The first note of a proposal saved before capacity_note: a formula, not the number it gives.
OLD_FORMULA = ("1000/标准", "1000/standard")


def capacity_note(per_1000: float, basis: str, field: str, sample: bool = True) -> dict:
    """How served demand is counted, with the number the standard gives ("one bed serves 50 people aged
    80+"), not the formula: the planner reads the figure, and the standard is stated on the page elsewhere."""
    per = 1000.0 / float(per_1000)
    one = f"{per:,.0f}" if abs(per - round(per)) < 0.05 else f"{per:,.1f}"
    unit_zh, unit_en = t(f"capw_unit_{field}", "zh"), t(f"capw_unit_{field}", "en")
    who_zh, who_en = t(f"capw_basis_{basis}", "zh"), t(f"capw_basis_{basis}", "en")
    one_zh = unit_zh[1:] if unit_zh[:1] in "张个" else unit_zh  # 张床位 -> 一张床位
    one_en = {"beds": "bed", "day_places": "day place", "plots": "plot", "meal_places": "meal place"}.get(field, unit_en)
    measure = unit_zh[:1] if unit_zh[:1] in "张个" else "个"
    return {"zh": f"服务量按“每千人配置标准”折算：每千{who_zh}配置 {per_1000:g} {unit_zh}，"
                  f"即一{measure}{one_zh}服务 {one} {who_zh}；"
                  + ("现有设施容量与人口分解为示意数据。" if sample else "人口分解为示意数据，现有设施容量取自已导入的名录。"),
            "en": f"Served demand converts capacity by the standard ({per_1000:g} {unit_en} per 1,000 {who_en}): "
                  f"one {one_en} serves {one} {who_en}; "
                  + ("the sample capacities and the population split are illustrative (示意)." if sample
                     else "the population split is illustrative (示意); the capacities are the imported register's.")}


def _fmt_reach(value: float, unit: str, lang: str) -> str:
    if unit == "m":
        return f"{value / 1000:g} km" if lang == "en" else f"{value / 1000:g}公里"
    return f"{value:g} min" if lang == "en" else f"{value:g}分钟"


def _reach_change(now: float, after: float, unit: str, lang: str) -> str:
    """"45分钟→60分钟", or "45分钟（不变）" / "45 min (unchanged)" when the upgrade does not lengthen it: "45分钟→45分钟"
    read as a change (QA 28)."""
    a, b = _fmt_reach(now, unit, lang), _fmt_reach(after, unit, lang)
    if a != b:
        return f"{a}→{b}"
    return f"{a} (unchanged)" if lang == "en" else f"{a}（不变）"


def surplus_sites(inst: UpgradeInstance, chosen: np.ndarray, order: list, gains: dict,
                  after_total: float) -> tuple[set, dict]:
    """The chosen sites that can be left out with nobody less served, and for each the kept sites that serve
    its people instead.

    A site that adds nobody given the others is not necessarily idle: two centres reaching the same 166 people
    each add 0 given the other, yet together add 166 -- one of the two is needed, the other buys nobody. From
    the last in ``order`` up, each site that adds nobody given the others is left out while the rest still serve
    ``after_total``; those left out are the surplus (QA 32: ``after.idle`` was 0 and no note said so).
    ``partners``: for a surplus site, the kept chosen sites whose reach shares its villages (those adding nobody
    given the others first: the ones it duplicates)."""
    kept = chosen.copy()
    surplus: set = set()
    for j in reversed(order):
        if round(gains[j]) != 0:
            continue
        kept[j] = False
        if served(inst, kept)[0] >= after_total - 0.5:
            surplus.add(j)
        else:
            kept[j] = True
    partners = {}
    for j in surplus:
        share = [i for i in order if kept[i] and (inst.up_reach[:, i] & inst.up_reach[:, j]
                                                  & (inst.weight > 0)).any()]
        partners[j] = [i for i in share if round(gains[i]) == 0] or share
    return surplus, partners


def surplus_note(order: list, surplus: set, redundant: list, partners: dict, label: dict, *, k: int,
                 cost: float | None, role: bool) -> dict:
    """The note on chosen sites that add nobody given the others while they would alone (``redundant``): "K = 50,
    but only 49 add anyone", naming them and the sites serving their people, and what all ``surplus`` cost
    for no one more (QA 32)."""
    needed, n_s = len(order) - len(surplus), len(surplus)
    n_idle = n_s - len(redundant)
    verb_zh, verb_en, base_en = ("转型", "converted", "convert") if role else ("改造", "upgraded", "upgrade")
    more_zh = f" 等 {len(redundant)} 处" if len(redundant) > 5 else ""
    more_en = f" and {len(redundant) - 5} more" if len(redundant) > 5 else ""
    names_zh = "、".join(label[j]["zh"] for j in redundant[:5]) + more_zh
    names_en = ", ".join(label[j]["en"] for j in redundant[:5]) + more_en
    by = list(dict.fromkeys(i for j in redundant for i in partners[j]))
    by_zh = "、".join(label[i]["zh"] for i in by[:5]) + (f" 等 {len(by)} 处" if len(by) > 5 else "")
    by_en = ", ".join(label[i]["en"] for i in by[:5]) + (f" and {len(by) - 5} more" if len(by) > 5 else "")
    one = len(redundant) == 1
    # short: the brief (one A4 page) prints every note
    zh = (f"K = {k}，但只有 {needed} 处增加服务人数：{names_zh}在其他选中点位已{verb_zh}时不增加服务人数"
          + (f"（与同样选中的{by_zh}服务同一批人）" if by else "") + "。"
          + (f"另有 {n_idle} 处单独{verb_zh}也不增加。" if n_idle else "")
          + f"其余 {needed} 处服务人数相同"
          + (f"，多出的 {n_s} 处造价约 {cost * n_s:,.0f} 万元（示意），按本数据不增加服务人数" if cost is not None else "")
          + f"；保留{'它' if n_s == 1 else '它们'}只为凑足 K = {k} 处（如规划要求的{verb_zh}数量），"
          f"不必凑足时可只{verb_zh}前 {needed} 处，或将预算用于新建设施。")
    en = (f"K = {k}, but only {needed} add anyone: {names_en} {'adds' if one else 'add'} nobody given the others"
          + (f" ({by_en}, also chosen, {'serves' if len(by) == 1 else 'serve'} the same people)" if by else "") + "."
          + (f" {n_idle} more {'adds' if n_idle == 1 else 'add'} nobody even {verb_en} alone." if n_idle else "")
          + f" The other {needed} serve as many"
          + (f"; the {n_s} left over {'costs' if n_s == 1 else 'cost'} about {cost * n_s:,.0f} (10,000 yuan, "
             f"illustrative) for no one more" if cost is not None else "")
          + f". {'It only makes' if n_s == 1 else 'They only make'} up K = {k} (e.g. the plan's count); else "
          f"{base_en} the first {needed}, or spend the budget on new facilities.")
    return {"zh": zh, "en": en}


def covered_note(ft: FacilityType, target: FacilityType, spec, covered_now: float, served_now: float,
                 covered_after: float, served_after: float) -> dict | None:
    """The note on people within reach whom the capacity does not serve: "44,893 within reach of a welfare home
    now (the coverage's covered), 44,742 served by the beds": the coverage counts distance only, the upgrade
    capacity too, and the two figures stood apart unexplained (QA 34). None when they agree."""
    basis = target.capacity.basis
    who = {lang: t(f"capw_basis_{basis}", lang) for lang in ("zh", "en")}
    noun = {lang: t(f"capw_noun_{target.capacity.field}", lang) for lang in ("zh", "en")}
    role = bool(spec.role)
    parts_zh, parts_en = [], []
    if covered_now - served_now >= 0.5:
        name_zh, name_en = (target.name_zh, target.name_en_in_sentence()) if role else \
            (ft.name_zh, ft.name_en_in_sentence())
        parts_zh.append(t("qa34f8_covered_now", "zh", type=name_zh, cov=f"{covered_now:,.0f}", who=who["zh"],
                          noun=noun["zh"], served=f"{served_now:,.0f}", gap=f"{covered_now - served_now:,.0f}"))
        parts_en.append(t("qa34f8_covered_now", "en", type=name_en, cov=f"{covered_now:,.0f}", who=who["en"],
                          noun=noun["en"].lower(), served=f"{served_now:,.0f}",
                          gap=f"{covered_now - served_now:,.0f}"))
    if covered_after - served_after >= 0.5:
        key = "qa34f8_covered_after_conv" if role else "qa34f8_covered_after"
        for lang, parts in (("zh", parts_zh), ("en", parts_en)):
            parts.append(t(key, lang, cov=f"{covered_after:,.0f}", who=who[lang], served=f"{served_after:,.0f}",
                           gap=f"{covered_after - served_after:,.0f}"))
    if not parts_zh:
        return None
    return {"zh": t("qa34f8_covered_lead", "zh") + "；".join(parts_zh) + "。",
            "en": t("qa34f8_covered_lead", "en") + "; ".join(parts_en) + "."}


def villages_note(target: FacilityType, spec, served_now: float, total: float) -> dict:
    """Where the upgrade counts people at villages and communities, not at the type's coverage points (a coverage
    weighing places or county seats): its figures are not the coverage's, said so with its own (QA 34)."""
    who = {lang: t(f"capw_basis_{target.capacity.basis}", lang) for lang in ("zh", "en")}
    weight = {lang: t("qa34f8_weight_units" if target.weight == "units" else f"weight_{target.weight}", lang)
              for lang in ("zh", "en")}
    name = {"zh": target.name_zh, "en": f"the {target.name_en_in_sentence()}"}
    return {lang: t("qa34f8_at_villages", lang, type=name[lang], who=who[lang], weight=weight[lang],
                    served=f"{served_now:,.0f}", total=f"{total:,.0f}",
                    verb=t("qa34f8_verb_conv" if spec.role else "qa34f8_verb_up", lang)) for lang in ("zh", "en")}


def propose_upgrades(region: Region, type_key: str | FacilityType, k: int, *, conversion: bool = False,
                     facilities: gpd.GeoDataFrame | None = None, mode: str = "estimate", graph=None,
                     time_limit: float = 60.0, clip_k: bool = False, county: str | None = None) -> UpgradePlan:
    """Choose the ``k`` existing facilities of a type whose upgrade (or conversion) serves the most demand.

    ``clip_k``: a ``k`` above what can be chosen is lowered to it, with a note (for a default K).
    ``county`` (a county code): that county's facilities and demand only, as a county planner's proposal
    (planner.coverage.county_type limits the type the same way).
    """
    check_time_limit(time_limit)  # before the coverage work, not after it
    ft = type_key if isinstance(type_key, FacilityType) else get_type(type_key)
    if county is not None:
        from planner.coverage import check_county
        code = check_county(region, county)
        ft = dataclasses.replace(ft, demand_counties=(code,), county_scope=code)
    spec = ft.conversion if conversion else ft.upgrade
    if spec is None:
        raise _no_upgrade(ft, conversion)
    inst, sites, target, cap_now, costs, std, is_estimate, unknown, reach = _instance(region, ft, spec, facilities,
                                                                                      mode, graph)
    n_cand = int(inst.candidate.sum())
    if not n_cand and len(unknown):  # they exist, but none has a capacity to weigh
        raise capacity_unknown_error(ft, len(unknown))
    if not n_cand:
        raise _none_to_upgrade(region, ft, conversion)
    per_c = spec.per_county_max
    limit = sum(county_limits(inst.county[inst.candidate], per_c).values())  # as the forms count it (choosable)
    notes = []
    if clip_k and isinstance(k, (int, np.integer)) and k > limit:  # a default K above what can be chosen
        notes.append({"zh": f"K 取可选上限 {limit:,}（默认值 {k:,} 超过按各县上限、已知容量的设施可选的数量）。",
                      "en": f"K is {limit:,}, as many as can be chosen (the default {k:,} is more than the facilities "
                            "of known capacity allow within the per-county limits)."})
        k = limit
    if not isinstance(k, (int, np.integer)) or k < 1 or k > limit:
        raise _bad_k(k, n_cand, ft, limit, unknown=len(unknown))
    none = np.zeros(len(sites), bool)
    before_total, before_site = served(inst, none)
    chosen, solver = choose(inst, int(k), per_c, time_limit=time_limit)
    after_total, _ = served(inst, chosen)
    gains = {}
    for j in np.flatnonzero(chosen):  # what each adds given the others
        without = chosen.copy()
        without[j] = False
        gains[j] = after_total - served(inst, without)[0]
    alone = {}
    for j in gains:  # what each adds on its own (only it upgraded): the gains above need not sum to the total
        only = np.zeros(len(sites), bool)
        only[j] = True
        alone[j] = served(inst, only)[0] - before_total
    util_now = np.divide(before_site, inst.base_cap, out=np.zeros(len(sites)), where=inst.base_cap > 0)
    # ties (often upgrades that add nobody) go to the facility used most now, then the most demand in reach
    order = sorted(gains, key=lambda j: (-round(gains[j], 6), -round(alone[j], 6), -util_now[j],
                                         -float(inst.weight[inst.up_reach[:, j]].sum()), str(sites["id"].iloc[j])))
    idle = [j for j in order if round(gains[j]) == 0 and round(alone[j]) == 0]
    surplus, partners = surplus_sites(inst, chosen, order, gains, after_total)
    # the sites that are needed first, in their order; those that only make up K last (QA 32)
    order = [j for j in order if j not in surplus] + [j for j in order if j in surplus]
    given_zero = [j for j in order if round(gains[j]) == 0]
    redundant = [j for j in order if j in surplus and round(alone[j]) > 0]  # idle given the others, not alone
    prio_of = {j: n for n, j in enumerate(order, start=1)}
    label = {j: {"zh": f"第 {prio_of[j]} 位（{sites['name'].iloc[j]}）", "en": f"#{prio_of[j]} ({sites['name'].iloc[j]})"}
             for j in order}
    dup_of: dict = {}  # a kept site that adds nobody given the others -> the surplus sites reaching its people
    for j in redundant:
        for i in partners[j]:
            dup_of.setdefault(i, []).append(j)
    # what each serves once upgraded, split as close to "now + what it adds" as the people allow (see allocation)
    after_site = allocation(inst, chosen, after_total, before_site, gains)
    # the most any number of upgrades could serve: said when K more would not help
    ceiling = served(inst, inst.candidate.copy())[0] if len(idle) or surplus or after_total < float(inst.weight.sum()) \
        else after_total
    total = float(inst.weight.sum())
    unit, basis = target.unit, target.capacity.basis
    basis_zh = {"aged_60": "60岁以上老人", "aged_65": "65岁以上老人", "aged_80": "80岁以上老人", "population": "人"}[basis]
    basis_en = {"aged_60": "people aged 60+", "aged_65": "people aged 65+", "aged_80": "people aged 80+",
                "population": "people"}[basis]
    cap_unit = {lang: t(f"capw_unit_{ft.capacity.field}", lang) for lang in ("zh", "en")}  # 17→27 of what
    rows = []
    for prio, j in enumerate(order, start=1):
        s = sites.iloc[j]
        reach_now = float(np.median(std)) if not spec.role else 0.0
        reach_up = float(np.median(std)) * (spec.reach_factor if not spec.role else 1.0)
        in_reach = float(inst.weight[inst.up_reach[:, j]].sum())
        util = float(before_site[j] / inst.base_cap[j]) if inst.base_cap[j] > 0 else None
        cap_after = float(cap_now[j] + spec.add_capacity)
        g, a = gains[j], alone[j]
        now_j, after_j = float(before_site[j]), float(after_site[j])
        # "full" only when it is: 99.96 % used is not full, and never reads 100 % (share_text's rule)
        full = util is not None and util >= 1 - 1e-9
        used = "—" if util is None else share_text(util)
        alone_only = len(order) == 1  # no "given the other chosen sites" when there are none (QA 25)
        # each figure at its reach: what it serves now at the present one, the people and what it serves at the
        # upgraded one (QA 34: "used 5.1%, 776 within reach" mixed the two); where what it serves more itself is
        # not what it adds to the total (chosen sites sharing people), both are said
        r_up = {lang: _fmt_reach(reach_up, unit, lang) for lang in ("zh", "en")}
        r_now = {lang: _fmt_reach(reach_now, unit, lang) for lang in ("zh", "en")}
        inc = after_j - now_j
        shared = round(inc) != round(g)
        if spec.role:
            zh = (f"转型为{target.name_zh}后，床位 {cap_now[j]:.0f}→{cap_after:.0f}，{r_up['zh']}"
                  f"内有{in_reach:,.0f}名{basis_zh}，转型后本处服务{after_j:,.0f}人；可新增服务{g:,.0f}人" +
                  ("" if alone_only else f"（在其他选中点位已转型的前提下；单独转型可新增{a:,.0f}人）"))
            en = (f"converted to {target.name_en}: beds {cap_now[j]:.0f}→{cap_after:.0f}, {in_reach:,.0f} {basis_en} "
                  f"within {r_up['en']}, of whom it serves {after_j:,.0f} once converted; serves {g:,.0f} more" +
                  ("" if alone_only else f" (given the other chosen sites converted; {a:,.0f} more if converted alone)"))
        else:
            zh = (f"容量 {cap_now[j]:.0f}→{cap_after:.0f} {cap_unit['zh']}，服务半径 {_reach_change(reach_now, reach_up, unit, 'zh')}"
                  f"；现服务{now_j:,.0f}人（{r_now['zh']}内，{'满负荷' if full else '使用率' + used}）；"
                  f"改造后{r_up['zh']}内有{in_reach:,.0f}名{basis_zh}，本处服务{after_j:,.0f}人；" +
                  (f"改造后新增服务{g:,.0f}人" if alone_only else
                   f"在其他选中点位已改造的前提下，改造后新增服务{g:,.0f}人（单独改造可新增{a:,.0f}人）"))
            en = (f"capacity {cap_now[j]:.0f}→{cap_after:.0f} {cap_unit['en']}, reach {_reach_change(reach_now, reach_up, unit, 'en')}"
                  f"; now serves {now_j:,.0f} within {r_now['en']} ({'full' if full else 'used ' + used}); "
                  f"{in_reach:,.0f} {basis_en} within {r_up['en']} once upgraded, of whom it serves {after_j:,.0f}; "
                  f"serves {g:,.0f} more once upgraded" +
                  ("" if alone_only else f", given the other chosen sites upgraded ({a:,.0f} more if upgraded alone)"))
        if shared:
            zh += t("qa34f8_shared", "zh", inc=f"{inc:,.0f}", g=f"{g:,.0f}")
            en += t("qa34f8_shared", "en", inc=f"{inc:,.0f}", g=f"{g:,.0f}")
        if j in redundant:  # it adds someone alone, but the kept sites serve the same people (QA 32)
            who = partners[j][:3]
            zh += (f"；其他选中点位已{'转型' if spec.role else '改造'}时可不{'转型' if spec.role else '改造'}："
                   + (f"它单独可服务的人已由{'、'.join(label[i]['zh'] for i in who)}服务，" if who else "")
                   + "选它只为凑足 K 处")
            en += ("; not needed given the others: " +
                   (f"the people it would add alone are served by {', '.join(label[i]['en'] for i in who)}; " if who
                    else "") + "it only makes up K")
        elif j in dup_of:  # the kept one of such a pair: needed, though its "given the others" figure is 0
            zh += (f"；与{'、'.join(label[i]['zh'] for i in dup_of[j][:3])}服务同一批人，"
                   f"只需{'转型' if spec.role else '改造'}其中一处：保留本处")
            en += (f"; it reaches the same people as {', '.join(label[i]['en'] for i in dup_of[j][:3])}: only one "
                   f"is needed, and this one is kept")
        rows.append({"priority": prio, "id": str(s["id"]), "name": s["name"],
                     "township_code": str(s["township_code"]),
                     "township_name": region.townships["name"].get(str(s["township_code"]), ""),
                     "county_code": str(s["county_code"]),
                     "county_name": region.counties["name"].get(str(s["county_code"]), ""),
                     "capacity_before": float(cap_now[j]), "capacity_after": cap_after,
                     "reach_before": reach_now, "reach_after": reach_up, "reach_unit": unit,
                     "utilisation_before": None if util is None else round(util, 4),
                     "demand_in_reach": round(in_reach, 1), "added_served": round(g, 2), "added_alone": round(a, 2),
                     # left out, the other chosen sites serve as many: it only makes up K (QA 32)
                     "surplus": j in surplus,
                     # served_after = served_before + what it serves more itself (its own split, see allocation)
                     "served_before": round(now_j, 2), "served_after": round(after_j, 2),
                     "cost": spec.cost, "synthetic": bool(s.get("synthetic", False)),
                     "reason_zh": zh, "reason_en": en,
                     "lon": float(s.geometry.x), "lat": float(s.geometry.y), "geometry": s.geometry})
    table = gpd.GeoDataFrame(rows, geometry="geometry", crs=settings.STORAGE_CRS) if rows else \
        gpd.GeoDataFrame({"id": []}, geometry=[], crs=settings.STORAGE_CRS)
    by_c = pd.DataFrame({"county_code": sorted(set(inst.county[inst.candidate]))})
    by_c["name"] = by_c["county_code"].map(region.counties["name"])
    by_c["facilities"] = [int(((inst.county == c) & inst.candidate).sum()) for c in by_c["county_code"]]
    by_c["chosen"] = [int(((inst.county == c) & chosen).sum()) for c in by_c["county_code"]]
    by_c["limit"] = per_c
    col_sum, gain = float(sum(gains[j] for j in order)), after_total - before_total
    if len(order) > 1 and abs(col_sum - gain) >= 0.5:
        # the rows' "serves more" figures are each site's given the others: said in the answer itself (the web
        # page said it under its table; the CLI's JSON and a script did not: QA 19)
        notes.append({"zh": t("capw_added_sum_note", "zh", sum=f"{col_sum:,.0f}", total=f"{gain:,.0f}"),
                      "en": t("capw_added_sum_note", "en", sum=f"{col_sum:,.0f}", total=f"{gain:,.0f}")})
    overlap = [j for j in order if round(gains[j]) == 0]
    if after_total > before_total + 0.5 and len(overlap) == len(order) > 1 and not redundant:
        # (with surplus sites that add someone alone, the note below says it with the numbers)
        # each adds nobody given the others, yet together they add some: the same people counted by several
        notes.append({"zh": f"所选 {len(order)} 处合计新增服务 {after_total - before_total:,.0f} 人，但每一处在其他各处已"
                            f"{'转型' if spec.role else '改造'}的前提下都不再增加服务人数：它们服务的是同一批人，"
                            "少选几处即可达到同样效果（见各行“单独改造可新增”）。",
                      "en": f"The {len(order)} chosen together serve {after_total - before_total:,.0f} more, but none adds "
                            "anyone given the others: they serve the same people, and fewer would do as well (see "
                            "each row's figure on its own)."})
    if idle:
        verb_zh, verb_en = ("转型", "conversion") if spec.role else ("改造", "upgrade")
        if len(order) == 1:  # "1 of the 1 chosen facilities serve" read as a slip
            notes.append({"zh": f"所选这 1 处{verb_zh}后不增加服务人数（按本数据，其半径内的需求已由现有容量服务）："
                                "选它与选其他同类设施结果相同。",
                          "en": f"The one chosen facility serves no one more after the {verb_en} (on these data the "
                                "demand within its reach is served by the capacity there now): any other facility of "
                                "the type would do as well."})
        else:
            notes.append({"zh": f"所选 {len(order)} 处中有 {len(idle)} 处{verb_zh}后不增加服务人数（按本数据，其半径内的需求已由"
                                "现有容量服务）：选它们与选其他同类设施结果相同，这几处按现使用率排序。",
                          "en": f"{len(idle)} of the {len(order)} chosen facilities "
                                f"{'serves' if len(idle) == 1 else 'serve'} no one more after the {verb_en} (on these "
                                "data the demand within their reach is served by the capacity there now): any other "
                                "facility of the type would do as well; these are ordered by how much they are used now."})
    if redundant:
        notes.append(surplus_note(order, surplus, redundant, partners, label, k=int(k), cost=spec.cost,
                                  role=bool(spec.role)))
    if after_total < total - 0.5 and ceiling < after_total + 0.5:
        out_of_reach = total - ceiling
        but_zh = f"（容量未知的 {len(unknown):,} 处除外，见下）" if len(unknown) else ""
        but_en = f" (the {len(unknown):,} of unknown capacity aside, below)" if len(unknown) else ""
        notes.append({"zh": f"即使{'转型' if spec.role else '改造'}全部 {n_cand:,} 处现有设施{but_zh}（不计每县上限），也只能服务 {ceiling:,.0f} 名{basis_zh}；"
                            f"其余 {out_of_reach:,.0f} 人不在任何设施{'转型' if spec.role else '改造'}后的服务范围内或超出其容量，"
                            "须新建设施（见“新建方案”）。",
                      "en": f"Even with all {n_cand:,} existing facilities{but_en} {'converted' if spec.role else 'upgraded'} "
                            "(the per-county limits aside), "
                            f"{ceiling:,.0f} {basis_en} are served; the other {out_of_reach:,.0f} are beyond every "
                            "facility's reach or capacity after it, and need new facilities (see New proposal)."})
    if len(unknown):
        names = "、".join(str(n) for n in unknown["name"].head(5)) + (f" 等 {len(unknown):,} 处" if len(unknown) > 5 else "")
        names_en = ", ".join(str(n) for n in unknown["name"].head(5)) + (f" and {len(unknown) - 5:,} more"
                                                                         if len(unknown) > 5 else "")
        one_many = ("facility has", "is", "its count", "it") if len(unknown) == 1 else \
            ("facilities have", "are", "their counts", "them")
        notes.append({"zh": f"名录中 {len(unknown):,} 处{ft.name_zh}的{t(f'capw_noun_{ft.capacity.field}', 'zh')}数未知"
                            f"（{names}），未参与比选：在名录中填写后即可纳入。",
                      "en": f"{len(unknown):,} {ft.name_en} {one_many[0]} no {t(f'capw_unit_{ft.capacity.field}', 'en')} "
                            f"count in the register ({names_en}) and {one_many[1]} left out of the choice; give "
                            f"{one_many[2]} in the register to include {one_many[3]}."})
    sample = bool(sites["synthetic"].astype(bool).any()) if len(sites) and "synthetic" in sites else False
    if not spec.role:  # a conversion's base is said below, beside the upgrade's it differs from
        from planner.coverage import county_names_en

        en_names = county_names_en(region.counties)
        scope = tuple((str(region.counties["name"].get(c, c)), str(en_names.get(c, c))) for c in target.demand_counties)
        # the counties' own people of the basis with a county's scope, the whole city's otherwise
        pool = region.villages[region.villages["county_code"].astype(str).isin(target.demand_counties)] \
            if target.demand_counties else region.villages
        base = demand_note(target, total, float(pool[basis].sum()), scope)
        if base:
            notes.insert(0, base)
    notes.append(capacity_note(target.capacity.per_1000, basis, target.capacity.field, sample))
    if spec.role and (target.demand, basis) != (ft.demand, ft.capacity.basis):
        # a conversion serves the role's demand, an upgrade the type's own: the two answers' totals differ
        # (welfare homes: 45,197 aged 80+ at rural township seats, regional centres: 61,637 at all), said
        # so the planner does not read one as wrong (QA 21)
        # whose people the total counts, as demand_villages counts them: "乡镇驻地的80岁以上老人，共 61,637 人" was
        # the whole city's, subdistricts included (QA 25)
        who_zh, who_en = t(f"capw_basis_{basis}", "zh"), t(f"capw_basis_{basis}", "en")
        counties = [str(region.counties["name"].get(c, c)) for c in target.demand_counties]
        if counties:
            from planner.coverage import county_names_en

            en_names = county_names_en(region.counties)
            place_zh = "、".join(counties)
            place_en = ", ".join(str(en_names.get(c, c)) for c in target.demand_counties)
        else:
            place_zh, place_en = "全市", "the whole city"
        base = DEMAND_BASE.get(target.demand)
        where_zh = f"{place_zh}{base[2]}" if base else f"{place_zh}全部乡镇（街道）"
        where_en = (f"{base[3]} in {place_en}" if counties else f"{base[3]} of the whole city") if base else \
            f"all towns, townships and subdistricts of {place_en}" if counties else \
            "the whole city (towns, townships and urban subdistricts)"
        notes.append({"zh": f"转型后按新类型（{target.name_zh}）的服务对象计算：{where_zh}的"
                            f"{who_zh.removeprefix('名')}，共 {total:,.0f} 人；改造提升按原类型（{ft.name_zh}）的服务对象"
                            "计算，基数不同。",
                      "en": f"Converted, a facility serves the demand of its new type ({target.name_en}): {who_en} of "
                            f"{where_en}, {total:,.0f} in all; an upgrade serves that of its own type ({ft.name_en}), "
                            "a different base."})
    # within reach (the coverage's "covered": distance only) beside served (capacity too), at the same points
    covered_now = float(inst.weight[reach["in_reach_now"]].sum())
    covered_after = float(inst.weight[reach["in_reach_now"]
                                      | np.where(chosen[None, :], inst.up_reach, inst.base_reach).any(axis=1)].sum())
    gap_note = covered_note(ft, target, spec, covered_now, before_total, covered_after, after_total)
    if gap_note:
        notes.append(gap_note)
    if not reach["at_units"]:
        notes.append(villages_note(target, spec, before_total, total))
    if is_estimate:
        notes.append({"zh": "出行成本为直线距离估算。", "en": "Travel costs are straight-line estimates."})
    cost_total = None if spec.cost is None else spec.cost * len(order)
    return UpgradePlan(
        ftype=ft, role=target if spec.role else None, k=int(k), sites=table,
        # covered: within reach of a facility, distance only, at the type's coverage points (its coverage's figure)
        before={"served": round(before_total, 2), "demand": round(total, 2),
                "served_share": before_total / total if total else None,
                "unserved": round(total - before_total, 2), "covered": round(covered_now, 2),
                "counted_at": "coverage_points" if reach["at_units"] else "villages"},
        after={"served": round(after_total, 2), "demand": round(total, 2), "covered": round(covered_after, 2),
               "served_share": after_total / total if total else None,
               "unserved": round(total - after_total, 2), "cost": cost_total,
               "served_if_all": round(ceiling, 2),
               # idle: adds nobody, given the others or alone (its demand is served now); idle_given_others: adds
               # nobody given the other chosen sites (idle ones, and those whose people another chosen site
               # serves too); surplus: can be left out with nobody less served; needed: K less the surplus, the
               # sites that serve as many (QA 32: two sharing 166 people read idle 0)
               "idle": len(idle), "idle_alone": len(idle), "idle_given_others": len(given_zero),
               "surplus": len(surplus), "needed": len(order) - len(surplus),
               "surplus_cost": None if spec.cost is None else spec.cost * len(surplus)},
        solver={**solver, "model": "upgrade_mip"},
        params={"k": int(k), "conversion": conversion, "add_capacity": spec.add_capacity,
                "reach_factor": spec.reach_factor, "per_county_max": per_c, "mode": mode,
                "standard_per_1000": target.capacity.per_1000, "basis": basis},
        by_county=by_c, notes=notes)
