"""Plain-language rationale of a proposal: per-site reasons, what is still uncovered and why,
and model errors that name places instead of matrix rows.

Every sentence is built from numbers the proposal already computed, in
Chinese and English, worded by the facility type: its demand weight (people
aged 60+, residents, or plain units), its demand units (villages, seats,
scenic areas) and its cost unit (minutes, or metres shown as km).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import InfeasibleError
from planner.facility_types import FacilityType

#: Who the weight counts: (zh, en); None for "units" (every unit counts one).
WEIGHT_LABEL = {"aged_60": ("60岁以上老人", "people aged 60+"), "aged_65": ("65岁以上老人", "people aged 65+"),
                "aged_80": ("80岁以上老人", "people aged 80+"), "population": ("常住人口", "residents"),
                "units": None}

#: Demand units: (zh counter + noun, en singular, en plural).
UNIT_WORDS = {"villages": ("个村（社区）", "village/community", "villages/communities"),
              "rural_villages": ("个行政村（不含社区）", "village", "villages"),
              "township_seats": ("个乡镇驻地", "township seat", "township seats"),
              "rural_township_seats": ("个乡镇驻地（不含街道）", "rural township seat", "rural township seats"),
              "seats": ("个县城或乡镇驻地", "county or township seat", "county or township seats"),
              "scenic_areas": ("个景区", "scenic area", "scenic areas"),
              "county_seats": ("个县城", "county seat", "county seats")}


MODEL_NAMES = {"mclp": ("最大覆盖模型（MCLP）", "the maximal covering model (MCLP)"),
               "lscp": ("最少设施全覆盖模型（LSCP）", "the set covering model (LSCP)"),
               "pmedian": ("总出行最短模型（p-median）", "the p-median model (shortest total travel)"),
               "pcenter": ("最远距离最短模型（p-center）", "the p-center model (shortest longest trip)")}

LIST_NAMES = 5  # demand units named in an error before "等N个"


def short_name_zh(ftype: FacilityType) -> str:
    """The short Chinese name a site is called by ("距最近现有日间照料中心"): from the type's site-name pattern."""
    return ftype.short_name_zh()


def cost_text(cost, unit: str, lang: str) -> str:
    """A travel cost as a planner says it: 69分钟 / 69 min, 4.2公里 / 4.2 km (850米 under 1 km)."""
    if cost is None or not np.isfinite(cost):
        return "不可达" if lang == "zh" else "unreachable"
    if unit == "m":
        if cost < 1000:
            return f"{cost:.0f}米" if lang == "zh" else f"{cost:.0f} m"
        return f"{cost / 1000:.1f}公里" if lang == "zh" else f"{cost / 1000:.1f} km"
    return f"{cost:.0f}分钟" if lang == "zh" else f"{cost:.0f} min"


def units_text(n: int, ftype: FacilityType, lang: str) -> str:
    zh, one, many = UNIT_WORDS.get(ftype.demand, ("个单元", "unit", "units"))
    return f"{n:,}{zh}" if lang == "zh" else f"{n:,} {one if n == 1 else many}"


def people(weight: float) -> str:
    """A weight as the whole number read aloud, with thousands separators."""
    return f"{int(round(float(weight))):,}"


def unit_label(row, lang: str = "zh") -> str:
    """A demand unit by name and code: 武当路街道顾家岗社区居委会（420302001001）."""
    name, uid = str(row["name"]), str(row["id"])
    town = str(row.get("township_name") or "")
    if row.get("kind") in ("village", "community") and town and not name.startswith(town):
        name = town + name
    code = uid.split("-", 1)[1] if uid.startswith(("seat-", "county-")) else uid
    if not code.isdigit():
        return name
    return f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"


def _name_list(labels: list[str], lang: str, limit: int = LIST_NAMES) -> str:
    shown = labels[:limit]
    if lang == "zh":
        return "、".join(shown) + (f"等{len(labels):,}个" if len(labels) > limit else "")
    return ", ".join(shown) + (f" and {len(labels) - limit:,} more" if len(labels) > limit else "")


# --------------------------------------------------------------------------- #
# Per site
# --------------------------------------------------------------------------- #
def site_reasons(ftype: FacilityType, model: str, sites: pd.DataFrame, *,
                 n_existing: int | None = None, reaches=None) -> tuple[list[str], list[str]]:
    """``reason_zh`` and ``reason_en`` for every proposed site, from its columns.

    Coverage models (MCLP, LSCP) are chosen for what they newly cover; p-median
    and p-center for the units they serve, so those say how many they serve and
    how many of them lie beyond the standard (a planner should check those).
    ``n_existing``: the type's existing facilities; when there are some but
    none is reachable from a site (a road network that does not join them),
    the reason says so instead of "there is none yet". ``reaches``: per site, whether
    it covers any demand unit at all; a coverage-model site that covers none (on a road
    network that reaches nobody within the standard) says that, not "already covered".
    """
    wl = WEIGHT_LABEL.get(ftype.weight)
    short_zh, name_en = short_name_zh(ftype), ftype.name_en_in_sentence()
    inside = ftype.rule == "inside"
    zh_out, en_out = [], []
    reaches = np.ones(len(sites), bool) if reaches is None else np.asarray(reaches, bool)
    for (_, s), reach in zip(sites.iterrows(), reaches):
        add_u, add_w = int(s["added_units"]), float(s["added_weight"])
        near = s["nearest_existing_cost"]
        if (near is None or (isinstance(near, float) and not np.isfinite(near))) and n_existing:
            near_zh = f"经路网无法到达任何现有{short_zh}（不在同一连通路网上）"
            near_en = f"no existing {name_en} can be reached from it on the road network"
        elif near is None or (isinstance(near, float) and not np.isfinite(near)):
            near_zh, near_en = f"全市尚无现有{short_zh}", f"there is no existing {name_en} yet"
        else:
            near_zh = f"距最近现有{short_zh}{cost_text(near, ftype.unit, 'zh')}"
            near_en = f"{cost_text(near, ftype.unit, 'en')} from the nearest existing {name_en}"
        if add_u:
            if wl:
                add_zh = f"新增覆盖{units_text(add_u, ftype, 'zh')}、{wl[0]}约{people(add_w)}人"
                add_en = f"Newly covers about {people(add_w)} {wl[1]} ({units_text(add_u, ftype, 'en')})"
            else:
                add_zh = f"新增覆盖{units_text(add_u, ftype, 'zh')}"
                add_en = f"Newly covers {units_text(add_u, ftype, 'en')}"
        else:
            add_zh = add_en = ""
        if model in ("mclp", "lscp"):
            if not add_u and not reach:
                # (a road network that reaches nobody from here, or a required site far from everyone)
                add_zh = "服务标准内不覆盖任何需求单元，不新增覆盖"
                add_en = "Covers no demand unit within the standard, so adds no coverage"
            elif not add_u:
                add_zh = "按建设顺序不再新增覆盖（其服务范围已由现有设施或更优先的拟建点覆盖）"
                add_en = ("Adds no coverage in build order (its reach is already covered by existing "
                          "or higher-priority sites)")
            zh_out.append(f"{add_zh}；{near_zh}。")
            en_out.append(f"{add_en}; {near_en}.")
            continue
        served, sw = int(s["served_units"]), float(s["served_weight"])
        beyond = int(s["beyond_standard_units"])
        if served:
            serve_zh = f"服务{units_text(served, ftype, 'zh')}" + (f"、{wl[0]}约{people(sw)}人" if wl else "")
            serve_en = f"Serves {units_text(served, ftype, 'en')}" + (f" (about {people(sw)} {wl[1]})" if wl else "")
        else:
            serve_zh = "暂不是任何需求单元的最近设施"
            serve_en = "Is not yet the nearest facility of any demand unit"
        if beyond:
            if inside:
                serve_zh += f"，其中{units_text(beyond, ftype, 'zh')}辖区内仍无设施，建议复核"
                serve_en += f"; {beyond:,} of them still have no facility inside their area: please review"
            else:
                far = cost_text(s["farthest_cost"], ftype.unit, "zh")
                serve_zh += f"，其中{units_text(beyond, ftype, 'zh')}超出服务标准（最远{far}），建议结合交通条件复核"
                serve_en += (f"; {beyond:,} of them lie beyond the service standard (farthest "
                             f"{cost_text(s['farthest_cost'], ftype.unit, 'en')}): check against local transport")
        if add_u:
            if wl:
                second_zh = f"新增覆盖{units_text(add_u, ftype, 'zh')}、约{people(add_w)}人；{near_zh}。"
                second_en = (f"Newly covers {units_text(add_u, ftype, 'en')} (about {people(add_w)} {wl[1]}); "
                             f"{near_en}.")
            else:
                second_zh, second_en = f"{add_zh}；{near_zh}。", f"{add_en}; {near_en}."
        else:
            second_zh, second_en = f"{near_zh}。", f"{near_en[:1].upper()}{near_en[1:]}."
        zh_out.append(f"{serve_zh}。{second_zh}")
        en_out.append(f"{serve_en}. {second_en}")
    return zh_out, en_out


# --------------------------------------------------------------------------- #
# Proposal level: what the proposal leaves uncovered, and why
# --------------------------------------------------------------------------- #
def uncovered_explanation(ftype: FacilityType, model: str, p, units: pd.DataFrame, cover: np.ndarray,
                          is_existing: np.ndarray, chosen: np.ndarray, groups: np.ndarray,
                          after_cover: np.ndarray, off_network: np.ndarray | None = None,
                          marks: np.ndarray | None = None) -> dict:
    """Why units stay uncovered after the proposal, counted by cause, in both languages.

    Causes: off the road network (network mode: farther than 1 km from the
    roads, or on a part not joined to any site; ``off_network`` per unit); no
    candidate site (nor existing facility) within the standard at all; only
    candidates the planner marked forbidden reach them (``marks``, per column:
    "forbidden", "required" or ""); only candidates in townships that already got
    their one new site (one-per-township types); or coverable by an unchosen
    candidate, which is the model's choice at this number of sites.
    """
    w = units["weight"].to_numpy(float)
    unc = ~after_cover
    out = {"uncovered_units": int(unc.sum()), "off_network": 0, "no_candidate": 0, "forbidden_only": 0,
           "one_per_township": 0, "not_chosen": 0, "explanation_zh": "", "explanation_en": ""}
    if not unc.any():
        return out
    reachable = cover.any(axis=1)
    # a unit no site can reach on the roads is not a matter of candidates or standards
    off = unc & ~reachable & (np.zeros(len(unc), bool) if off_network is None else np.asarray(off_network, bool))
    no_cand = unc & ~reachable & ~off
    forbidden = (np.zeros(cover.shape[1], bool) if marks is None
                 else np.asarray(marks, dtype=object) == "forbidden")
    # reached only by candidates the planner forbade: more sites or LSCP cannot reach them either (QA 36: "add
    # sites, or use LSCP" was said, and both were refused)
    forbidden_only = unc & reachable & ~cover[:, ~forbidden].any(axis=1)
    usable = ~is_existing.copy() & ~forbidden
    if ftype.one_per_township and len(chosen):
        usable &= ~np.isin(groups, groups[chosen])
    usable[chosen] = False
    blocked = unc & reachable & ~forbidden_only & ~cover[:, usable].any(axis=1)
    if not ftype.one_per_township:
        blocked[:] = False
    not_chosen = unc & reachable & ~forbidden_only & ~blocked
    n0, n1, n2, n3 = int(off.sum()), int(no_cand.sum()), int(blocked.sum()), int(not_chosen.sum())
    nf = int(forbidden_only.sum())
    out.update(off_network=n0, no_candidate=n1, forbidden_only=nf, one_per_township=n2, not_chosen=n3)
    wl = WEIGHT_LABEL.get(ftype.weight)
    head_zh = f"新建后仍有{units_text(int(unc.sum()), ftype, 'zh')}未覆盖"
    head_en = f"After the proposal {units_text(int(unc.sum()), ftype, 'en')} remain uncovered"
    if wl:
        head_zh += f"，涉及{wl[0]}约{people(w[unc].sum())}人"
        head_en += f" (about {people(w[unc].sum())} {wl[1]})"
    parts_zh, parts_en = [], []
    where_zh = "辖区内" if ftype.rule == "inside" else f"服务标准（{ftype.standard_text('zh')}）内"
    where_en = "inside their area" if ftype.rule == "inside" else f"within the standard ({ftype.standard_text('en')})"
    if n0:
        rows = [r for _, r in units.loc[off].iterrows()]
        names_zh = _name_list([unit_label(r, "zh") for r in rows], "zh", 3)
        names_en = _name_list([unit_label(r, "en") for r in rows], "en", 3)
        parts_zh.append(f"{units_text(n0, ftype, 'zh')}离路网超过 1 公里，或与所有候选点位和现有设施不在同一连通路网上，"
                        f"如{names_zh}；若路网只覆盖部分区域，请上传覆盖全市的路网，或改用估算方式")
        parts_en.append(f"{units_text(n0, ftype, 'en')} {'is' if n0 == 1 else 'are'} more than 1 km from the road "
                        f"network or not joined on it to any candidate or existing facility, e.g. {names_en}: if "
                        "the network covers only part of the region, upload one for the whole city, or use "
                        "the estimate mode")
    if n1:
        rows = [r for _, r in units.loc[no_cand].iterrows()]
        names_zh = _name_list([unit_label(r, "zh") for r in rows], "zh", 3)
        names_en = _name_list([unit_label(r, "en") for r in rows], "en", 3)
        parts_zh.append(f"{units_text(n1, ftype, 'zh')}在{where_zh}没有任何候选点位，如{names_zh}，"
                        "需提高服务标准或增加候选点位")
        parts_en.append(f"{units_text(n1, ftype, 'en')} {'has' if n1 == 1 else 'have'} no candidate site {where_en}, "
                        f"e.g. {names_en}: raise the standard or add candidate sites")
    if nf:
        rows = [r for _, r in units.loc[forbidden_only].iterrows()]
        names_zh = _name_list([unit_label(r, "zh") for r in rows], "zh", 3)
        names_en = _name_list([unit_label(r, "en") for r in rows], "en", 3)
        parts_zh.append(f"{units_text(nf, ftype, 'zh')}在{where_zh}只有规划人员标为禁选的候选点位，如{names_zh}；"
                        "增加新建数量或改用其他模型都不能覆盖，需取消禁选标记或在附近增加候选点位")
        parts_en.append(f"{units_text(nf, ftype, 'en')} can be reached {where_en} only by candidates the planner "
                        f"marked forbidden, e.g. {names_en}: more sites or another model cannot cover "
                        f"{'it' if nf == 1 else 'them'}; lift the mark, or add candidate sites near "
                        f"{'it' if nf == 1 else 'them'}")
    if n2:
        parts_zh.append(f"{units_text(n2, ftype, 'zh')}只能由已有新址的乡镇内其他点位覆盖（每个乡镇最多新建一处）")
        parts_en.append(f"{units_text(n2, ftype, 'en')} could only be covered from townships that already "
                        "get their one new site (one per township)")
    if n3:
        mz, me = MODEL_NAMES.get(model, (model, model))
        if model == "mclp":
            parts_zh.append(f"{units_text(n3, ftype, 'zh')}可由未选用的候选点位覆盖，但新建{p}处不足以全部覆盖；"
                            "可增加新建数量，或用最少设施全覆盖模型（LSCP）求出所需数量")
            parts_en.append(f"{units_text(n3, ftype, 'en')} could be covered by unchosen candidates, but {p} new "
                            "sites are too few to reach them all: add sites, or use LSCP for the number needed")
        elif model == "lscp":
            parts_zh.append(f"{units_text(n3, ftype, 'zh')}可由未选用的候选点位覆盖，但求解在时间限制内未完成；"
                            "可延长求解时间")
            parts_en.append(f"{units_text(n3, ftype, 'en')} could be covered by unchosen candidates, but the "
                            "solve did not finish within the time limit: allow more time")
        else:
            parts_zh.append(f"{units_text(n3, ftype, 'zh')}可由未选用的候选点位覆盖；{mz}以缩短出行距离而非覆盖数量为目标，"
                            f"新建{p}处时未覆盖它们；可增加新建数量，或改用最大覆盖（MCLP）或最少设施全覆盖（LSCP）模型")
            parts_en.append(f"{units_text(n3, ftype, 'en')} could be covered by unchosen candidates; {me} shortens "
                            f"travel rather than maximising coverage and leaves them out with {p} new sites: add "
                            "sites, or use MCLP or LSCP")
    out["explanation_zh"] = head_zh + "：" + "；".join(parts_zh) + "。"
    out["explanation_en"] = head_en + ": " + "; ".join(parts_en) + "."
    return out


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #
def readable_infeasible(exc: InfeasibleError, ftype: FacilityType, model: str,
                        units: pd.DataFrame, p=None, off_network: np.ndarray | None = None) -> InfeasibleError:
    """The models' infeasibility, told with demand-unit names and what to do.

    The models know only row numbers; here those become the villages, seats
    or scenic areas they stand for (first few by name and code, "等N个"), and
    the hint names the planner's three ways out. Errors without rows pass
    through unchanged. ``off_network`` (network mode, per unit): units no site
    reaches on the roads, told as off the network (as uncovered_explanation
    does), not as lacking candidates, which a higher standard would not fix.
    """
    details = dict(exc.details or {})
    idx = details.pop("demand_index", None)
    if idx is None:
        if "group_max_total" in details and ftype.one_per_township:
            most = int(details["group_max_total"])
            return InfeasibleError(
                f"At most {most} new sites are possible (one per township without a {ftype.name_en_in_sentence()}), "
                f"fewer than the {p} asked.",
                f"每个尚无{short_name_zh(ftype)}的乡镇最多新建一处，最多可新建{most}处，少于所要求的{p}处。",
                hint_en=f"Ask for at most {most} sites, or use LSCP for the fewest sites that cover everyone.",
                hint_zh=f"请把新建数量减少到{most}处以内，或改用最少设施全覆盖模型（LSCP）。",
                details=details)
        return exc
    idx = [int(i) for i in idx]
    sub = units.iloc[idx]
    labels = [unit_label(r, "zh") for _, r in sub.iterrows()]
    labels_en = [unit_label(r, "en") for _, r in sub.iterrows()]
    n = len(labels)
    details.pop("demand", None)
    details.update({"units": [str(u) for u in sub["id"]], "unit_names": list(sub["name"].astype(str)),
                    "count": n, "model": model})
    what_zh = units_text(n, ftype, "zh")
    what_en = units_text(n, ftype, "en")
    have = "has" if n == 1 else "have"
    off = np.zeros(n, bool) if off_network is None else np.asarray(off_network, bool)[idx]
    if "radius" in details and off.any():   # network mode: some (or all) are off the roads
        details.pop("radius", None)
        n0, rest = int(off.sum()), [i for i, o in enumerate(off) if not o]
        details.update(off_network=n0, no_candidate=len(rest))
        w0_zh, w0_en = units_text(n0, ftype, "zh"), units_text(n0, ftype, "en")
        off_zh = [x for x, o in zip(labels, off) if o]
        off_en = [x for x, o in zip(labels_en, off) if o]
        zh = (f"有{w0_zh}离路网超过 1 公里，或与所有候选点位和现有设施不在同一连通路网上，经路网无法到达："
              f"{_name_list(off_zh, 'zh')}。")
        en = (f"{w0_en} {'is' if n0 == 1 else 'are'} off the road network (more than 1 km from the roads, or not "
              f"joined on them to any candidate or existing facility): {_name_list(off_en, 'en')}.")
        if rest:
            zh += (f"另有{units_text(len(rest), ftype, 'zh')}在服务标准（{ftype.standard_text('zh')}）内没有任何候选点位："
                   f"{_name_list([labels[i] for i in rest], 'zh')}。")
            en += (f" Another {units_text(len(rest), ftype, 'en')} {'has' if len(rest) == 1 else 'have'} no candidate "
                   f"site within the service standard ({ftype.standard_text('en')}): "
                   f"{_name_list([labels_en[i] for i in rest], 'en')}.")
        hint_zh = ("全覆盖要求每个村（社区）都能经路网到达：若路网只覆盖部分区域，请在“数据”页上传覆盖全市的路网，"
                   "或改用估算方式（直线×绕行系数）；也可改用最大覆盖模型（MCLP）并指定新建数量，先覆盖路网能到达的部分。")
        hint_en = ("Full coverage needs every unit reachable on the roads: if the network covers only part of the "
                   "region, upload one for the whole city on the Data page, or use the estimate mode (straight "
                   "line × detour factor); or use MCLP with a number of sites to cover what the roads reach.")
        return InfeasibleError(en, zh, hint_en=hint_en, hint_zh=hint_zh, details=details)
    if "radius" in details:   # a coverage model: no candidate within the standard
        details.pop("radius", None)
        if ftype.rule == "inside":
            en = f"{what_en} {have} no candidate site inside their area: {_name_list(labels_en, 'en')}."
            zh = f"有{what_zh}辖区内没有任何候选点位：{_name_list(labels, 'zh')}。"
        else:
            en = (f"{what_en} {have} no candidate site within the service standard "
                  f"({ftype.standard_text('en')}): {_name_list(labels_en, 'en')}.")
            zh = (f"有{what_zh}在服务标准（{ftype.standard_text('zh')}）内没有任何候选点位："
                  f"{_name_list(labels, 'zh')}。")
        hint_en = ("Raise the service standard, add candidate sites near them (or load the real facility "
                   "register), or use MCLP with a number of sites to cover what can be covered.")
        hint_zh = ("可以：提高服务标准；在这些地点附近增加候选点位（或导入实际设施名录）；"
                   "或改用最大覆盖模型（MCLP）并指定新建数量，先覆盖能覆盖的部分。")
    else:                     # unreachable by the road network
        en = f"{what_en} cannot reach any candidate site: {_name_list(labels_en, 'en')}."
        zh = f"有{what_zh}无法到达任何候选点位：{_name_list(labels, 'zh')}。"
        hint_en = ("Check that the road network reaches them (or use straight-line estimates), "
                   "or add candidate sites near them.")
        hint_zh = "请检查路网是否通达这些地点（或改用直线估算），或在其附近增加候选点位。"
    return InfeasibleError(en, zh, hint_en=hint_en, hint_zh=hint_zh, details=details)
