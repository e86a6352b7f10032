"""Sized and upgrade proposals from the browser (issue 16): the proposal form's
"sizes / 规模档次" and "upgrade existing facilities" choices.

The planner does the work (planner.sizing.propose_sized, planner.upgrades.propose_upgrades);
this module checks the form, runs them in the background job of web.proposals.start,
and shapes what is saved so the store, the list, the maps, the targets and the
downloads treat them like any other proposal:

- ``summary``: the planner's answer plus ``before`` / ``after``. For a sized
  proposal these are the distance coverage without and with the new sites (the
  same numbers as every other proposal, so the list and the comparison read
  them alike); the capacity side (served demand, utilisation, shortfall) is in
  ``sized``. For an upgrade ``before`` / ``after`` are the demand served through
  capacity (an upgrade adds capacity and reach, which distance coverage cannot
  show), with ``covered_share`` set to the served share so the list has a number.
- ``geojson``: one point per new site (sized) or chosen facility (upgrade), with
  ``priority`` and ``reason_zh`` / ``reason_en`` like new-site proposals; an
  upgrade's collection says ``kind: upgrade`` so ``targets`` counts it as upgrades.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np

from geo import settings
from geo.errors import InputDataError
from planner.coverage import analyse_coverage, existing_facilities
from planner.i18n import pick, share_text, t, with_unit
from web.params import refused, shown_number
from planner.textrules import number_text

KINDS = ("location", "sized", "upgrade")
MAX_SIZES = 8
MAX_K = 500
#: People of each capacity basis, for the reasons a planner reads.
BASIS = {"aged_60": ("60岁以上老人", "people aged 60+"), "aged_65": ("65岁以上老人", "people aged 65+"),
         "aged_80": ("80岁以上老人", "people aged 80+"), "population": ("人", "people")}


def parse_numbers(raw, name: str, whole: tuple[str, str] | None = None,
                  example: str = "30,60,100") -> list[float] | None:
    """A list of numbers from "30,60,100" (also Chinese commas), a JSON list of numbers (or of their text) or
    one JSON number (``"sizes": 1.5`` reads as "1.5" does: it was refused as not "大于0的数", QA 23); 400
    naming ``name``. true/false, an object, a list inside the list: refused.

    ``whole`` ((unit zh, unit en), e.g. 张床位 / beds): every number must be a whole number of at least 1,
    the 400 naming the one that is not. Sizes of 0.5 beds were solved and counted toward the plan's
    targets, and 1e-9 saved a proposal of no sites (QA 25)."""
    # left blank: the type's own (the page's empty box); an explicit empty list is refused below
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, str):
        items = raw.replace("，", ",").replace("、", ",").split(",")
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        items = [raw]
    else:
        items = None
    # ``example``: the field's own ("0,0" in costs was told "e.g. 30,60,100", the sizes' example: QA 27)
    expected = (f"numbers > 0 separated by commas, e.g. {example}", f"以逗号分隔、大于0的数，如 {example}")
    if items is None:
        raise refused(name, raw, *expected)
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float, str)):  # [[30]], [{}], [null]
            raise refused(name, raw, *expected)
        try:
            text = number_text(item) if isinstance(item, str) else item  # "1_0", "٥": not a number (QA 22)
            v = float("x" if text is None else text)
        except (TypeError, ValueError):
            raise refused(name, raw, *expected) from None
        if not np.isfinite(v) or v <= 0:
            raise refused(name, raw, *expected)
        if whole is not None and (v < 1 or v != int(v)):
            raise not_whole(name, raw, item, v, whole, example)
        out.append(v)
    if not out or len(out) > MAX_SIZES:
        raise refused(name, raw, f"1 to {MAX_SIZES} {expected[0]}", f"1至{MAX_SIZES}个{expected[1]}")
    return out


def typed_items(raw) -> list[str]:
    """The numbers of a sizes or costs field as typed ("99999999", not 1e+08), for a message naming one."""
    if isinstance(raw, str):
        return [x.strip() for x in raw.replace("，", ",").replace("、", ",").split(",")]
    items = raw if isinstance(raw, list) else [raw]
    # a JSON number as typed (1e12 was "1e+12"), as every refusal echoes one (web.params.shown_number)
    return [x.strip() if isinstance(x, str) else (f"{x:,}" if isinstance(x, int) else shown_number(x)) for x in items]


def not_whole(name: str, raw, item, v: float, unit: tuple[str, str], example: str = "30,60,100"):
    """The 400 for a size that is not a whole number of at least 1: which one, and what to give instead."""
    shown = item.strip() if isinstance(item, str) else f"{v:g}"
    near = max(1, int(round(v)))
    return refused(name, raw, f"whole numbers of at least 1 separated by commas, e.g. {example}: {shown} is "
                   f"{'below 1' if v < 1 else 'not a whole number'}, and a site holds whole {unit[1]}; "
                   f"give {near} or another whole number",
                   f"以逗号分隔、不小于1的整数，如 {example}：{shown} {'小于1' if v < 1 else '不是整数'}，"
                   f"每处规模按整数{unit[0]}计；请改为 {near} 或其他整数")


#: The fields only one kind of proposal takes: sent with another kind they were ignored without a word
#: ({"kind": "sized", "k": 3} ran; an upgrade dropped its "sizes": QA 25). API.md: write endpoints refuse
#: the fields they do not take.
KIND_FIELDS = {"sized": ("sizes", "costs", "budget_sites", "budget_cost"), "upgrade": ("k", "convert")}
#: The fields of a location proposal's model, refused with a sized or upgrade one (which sizes by its budget or
#: chooses k facilities, at the type's own standard); ``model`` "auto" is the form's default, no request.
LOCATION_FIELDS = ("model", "p", "standard", "standard_urban", "standard_rural")
#: What a sized or an upgrade proposal takes instead, as its refusals say it (only its own fields: the sized
#: one's named k, which a sized proposal refuses in turn).
KIND_TAKES = {
    "sized": ("a sized proposal takes sizes, costs and budget_sites and/or budget_cost (neither: the type's usual "
              "number of sites), at the type's own standard",
              "kind 为 sized 的方案按 budget_sites（新址数）和/或 budget_cost（总造价）确定新址，可另给 sizes、costs，"
              "服务标准取该类型的设定"),
    "upgrade": ("an upgrade takes k (how many existing facilities) and convert, at the type's own standard",
                "kind 为 upgrade 的方案按 k 选择现有设施改造提升（可另给 convert），服务标准取该类型的设定"),
}


def refuse_other_kinds(form: dict, kind: str) -> None:
    """A 400 naming the first field of another kind of proposal that ``form`` gives (``convert`` false,
    the default, is no request)."""
    for other, fields in KIND_FIELDS.items():
        if other == kind:
            continue
        for name in fields:
            value = form.get(name)
            if value is None or value == "" or (name == "convert" and value in (False, 0, "0", "false", "no")):
                continue
            takes = {"location": ("a location proposal (the default kind)", "新建选址方案（默认类型）"),
                     "sized": ("kind sized", "kind 为 sized 的方案"),
                     "upgrade": ("kind upgrade", "kind 为 upgrade 的方案")}[kind]
            raise refused(name, value, f"no {name} with {takes[0]}: {name} is for kind {other}; leave it out, "
                          f"or send kind {other}",
                          f"不填写（{takes[1]}不使用 {name}，它只用于 kind 为 {other} 的方案）；请删去该字段，"
                          f"或将 kind 设为 {other}")
    if kind in KIND_TAKES:
        _refuse_location_fields(form, kind)


def _refuse_location_fields(form: dict, kind: str) -> None:
    """A 400 naming the first field of a location model (``p``, ``model``, a standard) sent with a sized or an
    upgrade proposal, saying what that kind takes instead: it said "按 budget_sites / budget_cost 或 k 计算" to a
    sized proposal, which refuses k in turn."""
    for name in LOCATION_FIELDS:
        value = form.get(name)
        if value is None or value == "" or (name == "model" and value == "auto"):
            continue
        en, zh = KIND_TAKES[kind]
        raise refused(name, value, f"no {name} with kind {kind}: {en}; leave it out",
                      f"不填写（{zh}）；请删去该字段")


def parse(form: dict, ft, service, number) -> dict:
    """The sized / upgrade part of the form (``number`` is web.proposals' checked-number reader)."""
    kind = "location" if form.get("kind") in (None, "") else form.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:  # 0, false, [] or {} was taken as absent
        raise refused("kind", kind, "location, sized or upgrade", "location、sized 或 upgrade")
    refuse_other_kinds(form, kind)
    if kind == "location":
        return {"kind": "location"}
    if ft.capacity is None:
        with_cap = [k for k, x in service.types().items() if x.capacity]
        raise refused("kind", kind, f"a type with a capacity ({', '.join(with_cap)})",
                      f"设有容量的设施类型（{'、'.join(with_cap)}）")
    if kind == "sized":
        return _parse_sized(form, ft, number)
    return _parse_upgrade(form, ft, service, number)


def _parse_sized(form: dict, ft, number) -> dict:
    from planner.sizing import MAX_BUDGET_COST, MAX_BUDGET_SITES, check_sizes, size_costs, sized_classes

    unit = (t("capw_unit_" + ft.capacity.field, "zh"), t("capw_unit_" + ft.capacity.field, "en"))
    # each field's example is the type's own classes (a cemetery's sizes are not 30,60,100 beds)
    size_eg = ",".join(f"{x:g}" for x in ft.capacity.sizes or []) or "30,60,100"
    cost_eg = ",".join(f"{x:g}" for x in ft.capacity.size_costs or []) or "300,500,750"
    sizes = parse_numbers(form.get("sizes"), "sizes", whole=unit, example=size_eg) or list(ft.capacity.sizes)
    if not sizes:
        raise refused("sizes", form.get("sizes"), f"size classes, e.g. {size_eg}", f"规模档次，如 {size_eg}")
    _check_size_limit(form.get("sizes"), sizes, ft, unit)
    costs = parse_numbers(form.get("costs"), "costs", example=cost_eg)
    _check_cost_range(form.get("costs"), costs)
    if costs is not None and len(costs) != len(sizes):
        raise refused("costs", form.get("costs"), f"one cost per size ({len(sizes)})", f"每个规模一个造价（共 {len(sizes)} 个）")
    # sorted with their costs: "100,30" with "750,300" was solved as 30 -> 750 (QA 21); its errors name the field
    sizes, costs = sized_classes(sizes, costs)
    check_sizes(ft, sizes)  # a size no single facility has: 400 now, not a failed job later
    if costs is None and not ft.capacity.sizes:
        raise refused("costs", None, "a cost per size (the type states none)", "每个规模的造价（该类型未设定）")
    try:
        cost = size_costs(ft, sizes, costs)
    except InputDataError as e:  # the planner's own check, named as the form's field
        raise refused("costs", form.get("costs"), e.message("en"), e.message("zh")) from None
    budget_sites = number(form.get("budget_sites"), "budget_sites", int, minimum=1, maximum=MAX_BUDGET_SITES)
    budget_cost = number(form.get("budget_cost"), "budget_cost", float, above=0, maximum=MAX_BUDGET_COST)
    if budget_cost is not None and budget_cost < min(cost):
        cheapest = min(cost)
        size = sizes[int(np.argmin(cost))]
        raise refused("budget_cost", form.get("budget_cost"),
                      f"at least the cost of one site ({cheapest:g} × 10,000 yuan for size {size:g})",
                      f"不小于一处站点的造价（规模 {size:g}：{cheapest:g} 万元）")
    if budget_sites is None and budget_cost is None:
        budget_sites = ft.default_p  # the type's usual number of new sites, as for the other models
    return {"kind": "sized", "sizes": sizes, "costs": costs, "size_costs": cost,
            "budget_sites": budget_sites, "budget_cost": budget_cost}


def _check_cost_range(raw, costs: list[float] | None) -> None:
    """Each site's cost within planner.sizing's range (0.01 to 1,000,000 万元), named as typed: 1e308 was solved,
    its total overflowed to null and the page said "新址总造价 0"; 0.000001 showed as 0 (QA 28)."""
    from planner.sizing import cost_out_of_range, cost_range_text

    bad = cost_out_of_range(costs)
    if bad is None:
        return
    typed = typed_items(raw)
    shown = typed[bad] if bad < len(typed) and typed[bad] else f"{costs[bad]:g}"
    en, zh = cost_range_text(shown, costs[bad])
    raise refused("costs", raw, en, zh)


def _check_size_limit(raw, sizes: list[float], ft, unit: tuple[str, str]) -> None:
    """A size beyond the type's largest believable facility, named as typed: planner.sizing.check_sizes
    said "1e+08" of a typed 99999999 (QA 27)."""
    lim = ft.capacity.max_per_site
    big = [i for i, v in enumerate(sizes) if v > lim]
    if not big or raw is None:
        return
    typed = typed_items(raw)
    shown = typed[big[0]] if big[0] < len(typed) and typed[big[0]] else f"{sizes[big[0]]:,.0f}"
    type_en = ft.name("en")[:1].lower() + ft.name("en")[1:]  # mid-sentence
    raise refused("sizes", raw, f"sizes of at most {lim:,g} {unit[1]} a site: {shown} is more than any single "
                  f"{type_en} holds (a total, or people instead of {unit[1]}?); give each site's capacity",
                  f"每处不超过 {lim:,g} {unit[0]}的规模：{shown} 超过单处{ft.name('zh')}的合理规模"
                  f"（是否填了合计数，或把人数当成了{unit[0]}？），请填写每处的容量")


def upgrade_choosable(service, ft, conversion: bool) -> dict:
    """What an upgrade (a conversion) of ``ft`` may choose on the service's current data, counted as the solver
    counts it (planner.upgrades.choosable: existing facilities in ``ft``'s counties whose capacity is known, at
    most the per-county limit in each): ``total``, ``by_county``, ``unknown`` (left out for an unknown capacity),
    ``unknown_ids``."""
    from planner.upgrades import choosable
    return choosable(service.region, ft, conversion)


def upgrade_limit(service, ft, conversion: bool) -> int:
    """How many facilities an upgrade may choose (existing ones of known capacity, within the per-county limits):
    the largest K the solver accepts. With facilities there but none of known capacity, the solver's own message
    (their capacity is unknown), not "there are none" (QA 33: the form counted a facility added on the map without
    beds, the solver did not, and the re-solve kept a K the solver refused)."""
    from planner.upgrades import capacity_unknown_error

    n = upgrade_choosable(service, ft, conversion)
    if not n["total"] and n["unknown"]:
        raise capacity_unknown_error(ft, n["unknown"])
    return n["total"]


def upgrade_limits_by_county(service, ft, conversion: bool) -> dict[str, int]:
    """{county code: how many facilities an upgrade solved for that county may choose} (as
    :func:`upgrade_limit` counts them for a county planner, and the solver), for the form's K once a county is
    picked; a county without any is left out."""
    return dict(upgrade_choosable(service, ft, conversion)["by_county"])


def upgrade_left_out(rec: dict, service, ft, n: dict, lang: str) -> str:
    """The facilities of the type a re-solve of the upgrade proposal ``rec`` leaves out of the choice for want of
    a capacity (``n``: :func:`upgrade_choosable`), those added since it was solved said as new ("1 处新增设施未填
    床位，未作为候选"); "" when none is left out."""
    if not n["unknown"] or ft.capacity is None:
        return ""
    from web.proposals import solved_region

    try:  # the facilities of the data it was solved on (the current data when that cannot be read)
        before = set(existing_facilities(solved_region(rec, service), ft)["id"].astype(str))
    except Exception:  # only the words depend on it: all said as not new
        before = set(n["unknown_ids"])
    new = sum(1 for i in n["unknown_ids"] if i not in before)
    noun = t(f"capw_noun_{ft.capacity.field}", lang)
    noun = noun.lower() if lang == "en" else noun
    parts = [t(key + ("_one" if count == 1 and lang == "en" else ""), lang, n=f"{count:,}", noun=noun)
             for count, key in ((new, "qa33f7_unknown_new"), (n["unknown"] - new, "qa33f7_unknown_old")) if count]
    return ("; " if lang == "en" else "；").join(parts)


def _county_scoped(form: dict) -> bool:
    """Whether the proposal will be solved for one county (a county planner's, or ``county`` asked): its
    K is then checked against that county's facilities, naming it (check_scope), not the city's."""
    from flask import has_request_context
    county = form.get("county")
    if (isinstance(county, str) and county) or (isinstance(county, int) and not isinstance(county, bool)):
        return True  # a code sent as a JSON number (420325) is a county too (web.auth.scope_proposal reads it)
    if not has_request_context():
        return False
    from web import auth
    return not auth.user().citywide


def _parse_upgrade(form: dict, ft, service, number) -> dict:
    raw = form.get("convert")
    # true/false only (as GET /api/upgrades): "maybe" must not be solved as a plain upgrade
    if raw is not None and raw not in (True, False, 1, 0, "1", "0", "true", "false", "on", "yes", "no", ""):
        raise refused("convert", raw, "true or false", "true 或 false（是否转型）")
    convert = raw in (True, "1", "true", "on", "yes", 1)
    spec = ft.conversion if convert else ft.upgrade
    if spec is None:
        able = [k for k, x in service.types().items() if (x.conversion if convert else x.upgrade)]
        name = "convert" if convert else "kind"
        raise refused(name, form.get(name), f"a type that can be {'converted' if convert else 'upgraded'} "
                      f"({', '.join(able)})", f"可{'转型' if convert else '改造提升'}的设施类型（{'、'.join(able)}）")
    k = number(form.get("k"), "k", int, minimum=1, maximum=MAX_K)
    given = k is not None
    if k is None:
        from planner.facility_types import default_k
        k = default_k(ft, convert)
    limit = upgrade_limit(service, ft, convert)
    if limit == 0 and not _county_scoped(form):  # nothing to choose: "at most 0" said nothing useful
        what = ("convert", "转型") if convert else ("upgrade", "改造提升")
        raise refused("kind", form.get("kind"), f"a type with existing facilities to {what[0]} (the current data "
                      f"has no {ft.name('en')}); import a register that lists them on the Data page",
                      f"有现有设施可{what[1]}的设施类型（当前数据中没有{ft.name('zh')}）；请先在“数据管理”页导入包含这些设施的名录")
    if k > limit and not _county_scoped(form) and not given:
        # none typed ("" or left out): the type's default is more than can be chosen; "应为不超过 10" of an
        # empty field read as if something had been typed (QA 27)
        raise refused("k", form.get("k"), f"a whole number from 1 to {limit}: none was given, and the type's "
                      f"default K = {k} is more than the {limit} existing facilities that can be chosen (within "
                      "the per-county limits)",
                      f"1 至 {limit} 的整数：未填写改造数量 K，而该类型默认的 K = {k} 超过可选的现有设施数 {limit}"
                      "（按各县上限）")
    if k > limit and not _county_scoped(form):
        # the limit, where it comes from and what to type, as the form's city-wide refusal says it (QA 34: it
        # was "at most 15 (existing facilities within the per-county limits)")
        en, zh = _unknown_words(service, ft, convert)
        w_en, w_zh = ("converted", "转型") if convert else ("upgraded", "改造提升")
        if spec.per_county_max:
            why_en = (f"counted county by county and at most {spec.per_county_max} in each (the plan's per-county "
                      "limit), ")
            why_zh = f"逐县计数、每县至多计 {spec.per_county_max} 处（规划的每县上限），"
        else:
            why_en, why_zh = "summed over the counties, ", "各县合计 "
        raise refused("k", form.get("k"), f"a whole number from 1 to {limit}: the existing facilities in the city "
                      f"that can be {w_en} (those of known capacity), {why_en}are {limit} in all{en}",
                      f"1 至 {limit} 的整数：全市可{w_zh}的现有设施（容量已知的）{why_zh}合计 {limit} 处{zh}")
    # k_default: the type's K, not the planner's; check_scope lowers it to what the county has (and drops this)
    return {"kind": "upgrade", "k": int(k), "convert": bool(convert), **({} if given else {"k_default": True})}


def check_scope(params: dict, service, ft, lang: str = "zh") -> None:
    """An upgrade's K against the facilities of the county it is solved for (``ft`` as limited by
    planner.coverage.county_type): the form's check counted the whole city's. The type's default K (none
    typed) is lowered to what the county has, and the proposal's notes say so (web.proposals.auto_note), as a
    re-run's do: a county upgrade sent without K was refused over a K of 5 the client never sent (QA 22)."""
    default = params.pop("k_default", False)
    if params.get("kind") != "upgrade" or not ft.demand_counties:
        return
    limit = upgrade_limit(service, ft, params.get("convert"))
    where_zh = "、".join(service.county_names("zh").get(c, c) for c in ft.demand_counties)
    where_en = ", ".join(service.county_names("en").get(c, c) for c in ft.demand_counties)
    if limit == 0:
        what = ("convert", "转型") if params.get("convert") else ("upgrade", "改造提升")
        raise refused("kind", params["kind"], f"a type with existing facilities in {where_en} to {what[0]} "
                      f"({ft.name_en} has none there)", f"在{where_zh}有现有设施可{what[1]}的设施类型"
                      f"（{where_zh}没有{ft.name_zh}）")
    if params["k"] > limit and default:
        from web.proposals import auto_note

        # in both languages, apart from the planner's note (it was added to his note in the page's language only)
        auto_note(params, f"K 取 {limit}，而非该类型默认的 {params['k']}：{where_zh}按县上限只有 {limit} 处可选。",
                  f"K = {limit}, not the type's default {params['k']}: {where_en} has only {limit} that can be chosen "
                  "within the per-county limit.")
        params["k"] = limit
    elif params["k"] > limit:
        en, zh = _unknown_words(service, ft, params.get("convert"))
        raise refused("k", params["k"], f"at most {limit} (existing facilities in {where_en} within the per-county "
                      f"limit{en})", f"不超过 {limit}（{where_zh}的现有设施数，按县上限{zh}）")


def _unknown_words(service, ft, conversion) -> tuple[str, str]:
    """The part of an "at most K" refusal that says facilities of unknown capacity are no candidates (the solver
    leaves them out, planner.upgrades.choosable): a K the planner counted on the map was refused without a word of
    why (QA 33). ("", "") when there are none."""
    n = upgrade_choosable(service, ft, bool(conversion))["unknown"]
    if not n:
        return "", ""
    field = ft.capacity.field
    return (f"; {n:,} more {'has' if n == 1 else 'have'} no {t(f'capw_unit_{field}', 'en')} count given and cannot "
            f"be chosen until {'it has' if n == 1 else 'they have'}",
            f"；另有 {n:,} 处未填{t(f'capw_noun_{field}', 'zh')}数，填写后方可选择")


def default_name(params: dict, ft, lang: str = "zh") -> str:
    """"农村福利院·改造提升5处·12-03 07:15" / "…·规模2,000/5,000·…", in the language of the page it came from
    (planner.proposals.default_name, as `coverplan upgrade/propose --sizes --out` name their file's proposal)."""
    from datetime import datetime

    from planner.proposals import default_name as name

    return name(params["kind"], ft, lang, sizes=params.get("sizes"), k=params.get("k"),
                convert=bool(params.get("convert")), tail=f"{datetime.now():%m-%d %H:%M}")


def _coverage_summary(cov) -> dict:
    out = dict(cov.summary)
    out["facilities"] = int(len(cov.facilities))
    return out


def solve(params: dict, region, ft, graph, progress) -> tuple[dict, dict]:
    """Run the sized or upgrade proposal; returns the (summary, geojson) to save."""
    if params["kind"] == "sized":
        return _solve_sized(params, region, ft, graph, progress)
    return _solve_upgrade(params, region, ft, graph, progress)


def _site_reason(s: dict, ft, lang: str, points: str | None = None) -> str:
    """A new site's reason; ``points``: what the proposal's demand points are (its summary's, planner.sizing
    points_text: villages, or towns and townships counted at their seats)."""
    from planner.sizing import points_text, wan_text

    zh, en = BASIS.get(ft.capacity.basis, ("人", "people"))
    n = len(s["assigned_villages"])
    unit_zh = t("capw_unit_" + ft.capacity.field, "zh")
    unit_en = t("capw_unit_" + ft.capacity.field, "en")
    if lang == "en":
        return (f"size {s['size']:g} {unit_en} ({wan_text(s['cost'])} × 10,000 yuan, illustrative); serves "
                f"{points_text(n, points, 'en')} with "
                f"{s['load']:,.0f} {en}; utilisation {share_text(s['utilisation'])}")
    return (f"规模 {s['size']:g} {unit_zh}（造价 {wan_text(s['cost'])} 万元，示意）；服务 {points_text(n, points, 'zh')}、"
            f"{s['load']:,.0f} 名{zh}；使用率 {share_text(s['utilisation'])}")


def _solve_sized(params, region, ft, graph, progress):
    from planner.sizing import propose_sized

    progress(0.1, "demand and candidates")
    before = analyse_coverage(region, ft, mode=params["mode"], graph=graph)
    progress(0.2, "solving sized: MIP")
    out = propose_sized(region, ft, params["sizes"], costs=params.get("costs"),
                        budget_sites=params.get("budget_sites"), budget_cost=params.get("budget_cost"),
                        mode=params["mode"], graph=graph, time_limit=params["time_limit"])
    progress(0.85, "rationale")
    feats = []
    for s in out["sites"]:
        points = (out.get("summary") or {}).get("points")
        s["reason_zh"], s["reason_en"] = _site_reason(s, ft, "zh", points), _site_reason(s, ft, "en", points)
        s["id"] = s["candidate_id"]
        props = {k: v for k, v in s.items() if k != "assigned_villages"}
        # added_weight: what the offline map (planner.mapexport) labels every proposed site with
        props.update({"facility_type": ft.key, "assigned_villages": len(s["assigned_villages"]),
                      "added_weight": s["load"]})
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point", "coordinates": [round(s["lon"], 7), round(s["lat"], 7)]}})
    sites = gpd.GeoDataFrame.from_features(feats, crs=settings.STORAGE_CRS) if feats else None
    after = analyse_coverage(region, ft, extra_sites=sites, mode=params["mode"], graph=graph) if feats else before
    # no site: why, in words (QA 27: "预算 5 处", 80 people unserved and an empty table, without a word)
    why = None if feats else no_site_explanation(out, region, ft)
    summary = {**out, "kind": "sized",
               "standard": {"urban": ft.standard_urban, "rural": ft.standard_rural, "unit": ft.unit},
               "cost_unit": ft.unit, "before": _coverage_summary(before), "after": _coverage_summary(after),
               "sized": {"summary": out["summary"], "by_county": out["by_county"], "existing": out["existing"],
                         "field": out["field"], "basis": out["basis"]}}
    summary.pop("by_county", None)  # the page's county table is the coverage one's shape; sized rows live in "sized"
    if why:
        summary["explanation_zh"], summary["explanation_en"] = why["zh"], why["en"]
        summary["no_site_reason"] = why["reason"]
    return summary, {"type": "FeatureCollection", "features": feats,
                     "coverplan": {"type": ft.key, "kind": "sized", "params": out["params"]}}


def no_site_explanation(out: dict, region, ft) -> dict:
    """Why a sized proposal proposes no new site, how many stay unserved and what to do, in both languages
    (``reason``: ``all_served``, ``no_candidates``, ``all_forbidden`` or ``out_of_reach``)."""
    from planner.sites import candidate_sites, site_marks

    z = out.get("summary") or {}
    unserved, villages, demand = int(z.get("unserved") or 0), int(z.get("unserved_villages") or 0), int(z.get("demand") or 0)
    people_zh, people_en = BASIS.get(ft.capacity.basis, ("人", "people"))
    type_en = ft.name_en[:1].lower() + ft.name_en[1:]  # mid-sentence: "already has a rural welfare home"
    counties = list(ft.demand_counties or [])
    names = region.counties["name"] if "name" in region.counties else {}
    where_zh = "、".join(str(names.get(c, c)) for c in counties) if counties else "全市"
    try:
        from planner.coverage import county_names_en
        en_names = county_names_en(region.counties)
    except Exception:  # a hand-made region without names: the Chinese ones
        en_names = {}
    where_en = ", ".join(str(en_names.get(c) or names.get(c, c)) for c in counties) if counties else "the whole city"
    if unserved <= 0:
        return {"reason": "all_served",
                "zh": f"无需新建：{where_zh}现有{ft.name_zh}在服务标准内、按容量已可服务全部 {demand:,} 名{people_zh}。",
                "en": f"No new site is needed: the existing {type_en} facilities of {where_en} serve all {demand:,} "
                      f"{people_en} within the standard and their capacity."}
    existing = existing_facilities(region, ft)
    cands = candidate_sites(region, ft, existing)
    marks, _ = site_marks(region, ft, cands)
    new = ~cands["existing"].astype(bool).to_numpy()
    forbidden = int((new & (marks == "forbidden")).sum())
    usable = int((new & (marks != "forbidden")).sum())
    unknown = sum(1 for r in out.get("existing") or [] if not r.get("capacity_known", True))
    from planner.sizing import points_text  # villages, or towns and townships counted at their seats

    left_zh = f"仍有 {points_text(villages, z.get('points'), 'zh')}的 {unserved:,} 名{people_zh}未得到服务。"
    left_en = f"{unserved:,} {people_en} ({points_text(villages, z.get('points'), 'en')}) stay unserved."
    if usable == 0 and forbidden:
        reason = "all_forbidden"
        why_zh = f"未新建任何站点：{where_zh}的 {forbidden:,} 处候选点均已被标记为不可选址。"
        why_en = f"No new site is proposed: all {forbidden:,} candidate sites in {where_en} are marked as not allowed."
    elif usable == 0:
        reason = "no_candidates"
        if ft.one_per_township:
            why_zh = f"未新建任何站点：{where_zh}没有候选点——每个乡镇都已有{ft.name_zh}（每乡镇设一处）。"
            why_en = (f"No new site is proposed: there is no candidate site in {where_en}, as every township there "
                      f"already has a {type_en} (one per township).")
        else:
            why_zh = f"未新建任何站点：{where_zh}没有候选点。"
            why_en = f"No new site is proposed: there is no candidate site in {where_en}."
    else:
        reason = "out_of_reach"
        why_zh = (f"未新建任何站点：{where_zh}的 {usable:,} 处候选点都不能在服务标准内服务尚未得到服务的村"
                  "（或预算不足以建任何一档规模）。")
        why_en = (f"No new site is proposed: none of the {usable:,} candidate sites in {where_en} reaches the unserved "
                  "villages within the standard (or the budget allows no size).")
    do_zh, do_en = [], []
    if ft.upgrade is not None or ft.conversion is not None:
        do_zh.append("改为“改造提升现有设施”方案，为现有设施扩容")
        do_en.append("make an upgrade proposal instead (kind: upgrade existing facilities) to add capacity to the existing ones")
    if unknown:
        unit_zh, unit_en = t("capw_unit_" + ft.capacity.field, "zh"), t("capw_unit_" + ft.capacity.field, "en")
        do_zh.append(f"在“数据管理”页补填 {unknown} 处现有{ft.name_zh}未知的{unit_zh}数（未知按 0 计）后重新计算")
        do_en.append(f"fill in the {unit_en} of the {unknown} existing {type_en} "
                     f"{'facility' if unknown == 1 else 'facilities'} whose capacity is unknown (counted as 0) on "
                     "the Data page, and solve again")
    if reason == "all_forbidden":
        do_zh.append("在地图上取消部分“不可选址”标记")
        do_en.append("lift some of the not-allowed marks on the map")
    else:
        do_zh.append("在地图上新增候选点")
        do_en.append("add a candidate site on the map")
    return {"reason": reason, "zh": why_zh + left_zh + "可" + "；或".join(do_zh) + "。",
            "en": why_en + " " + left_en + " You can " + "; or ".join(do_en) + "."}


def _solve_upgrade(params, region, ft, graph, progress):
    from planner.upgrades import propose_upgrades

    progress(0.2, "solving upgrade: MIP")
    plan = propose_upgrades(region, ft, params["k"], conversion=params["convert"], mode=params["mode"], graph=graph,
                            time_limit=params["time_limit"])
    progress(0.85, "rationale")
    d = plan.to_dict("zh")
    before, after = dict(plan.before), dict(plan.after)
    before["covered_share"], after["covered_share"] = before.get("served_share"), after.get("served_share")
    summary = {"type": ft.key, "type_name_zh": ft.name_zh, "type_name_en": ft.name_en, "kind": "upgrade",
               "role": d["role"], "role_name_zh": plan.role.name_zh if plan.role else None,
               "role_name_en": plan.role.name_en if plan.role else None,
               "params": d["params"], "solver": d["solver"], "before": before, "after": after,
               "sites": d["sites"], "upgrade_by_county": d["by_county"], "is_estimate": params["mode"] != "network",
               "standard": {"urban": ft.standard_urban, "rural": ft.standard_rural, "unit": ft.unit},
               "cost_unit": ft.unit, "synthetic_inputs": d["synthetic_inputs"],
               # what capacities are counted in and whose demand they serve, for the page's units
               "field": (plan.role or ft).capacity.field, "basis": d["params"].get("basis"),
               "notes_zh": [n["zh"] for n in plan.notes], "notes_en": [n["en"] for n in plan.notes]}
    fc = plan.to_geojson()
    for f in fc["features"]:  # added_weight: what the offline map (planner.mapexport) labels a site with
        f["properties"]["added_weight"] = f["properties"].get("added_served")
    return summary, fc


# -- reading a saved one ---------------------------------------------------------
#: The sized proposal's first English note as saved before QA 26, and as planner.sizing words it now.
OLD_COST_NOTE = ("Costs are coverplan's illustrative assumptions (万元, 示意): ",
                 "Costs are coverplan's illustrative assumptions (示意), in 10,000 yuan: ")


def view_extra(s: dict, lang: str) -> dict:
    """The sized / upgrade parts of a saved proposal's view."""
    kind = s.get("kind") or "location"
    out = {"kind": kind}
    if kind != "location":
        # the fields of a new-site rationale row, empty: pages made for those (the brief) show "–"
        blank = dict.fromkeys(("added_weight", "added_units", "farthest_cost", "nearest_existing_id",
                               "nearest_existing_name", "nearest_existing_cost", "beyond_standard_units"))
        out["sites"] = [{**blank, **x} for x in s.get("sites") or []]
    if kind == "sized":
        from planner.sizing import RULE_NOTE_LEAD, whole_shortfall

        sized = dict(s.get("sized") or {})  # copies: the saved record stays as it was solved
        sized["summary"] = dict(sized.get("summary") or {})
        sized["by_county"] = [dict(c) for c in sized.get("by_county") or []]
        # whole places that add up (also for proposals saved before the planner gave them)
        whole_shortfall(sized["summary"], sized["by_county"])
        out["sized"] = sized
        notes = s.get("notes_en" if lang == "en" else "notes_zh") or []
        # saved before the English note said "10,000 yuan": "(万元, 示意)" in English (QA 26)
        out["notes"] = [n.replace(*OLD_COST_NOTE) if isinstance(n, str) else n for n in notes]
        # how beds become people, and that it is not the overview's bed standard (QA 28): given to proposals saved
        # before the planner wrote it, and to the brief (which shows no other note) on its own
        rule = sized_rule_note(s, lang)
        if rule:
            lead = RULE_NOTE_LEAD[1 if lang == "en" else 0]
            if not any(isinstance(n, str) and n.startswith(lead) for n in out["notes"]):
                out["notes"].insert(min(1, len(out["notes"])), rule)
            out["capacity_rule"] = sized_rule_note(s, lang, short=True)  # the brief's: one A4 page
        out["cap_field"] = s.get("field")
        # whose people the served columns count, for their headers (服务人数（80岁以上老人）: QA 26)
        out["served_people"] = basis_people(sized_units(s)[1], lang)
    elif kind == "upgrade":
        params = s.get("params") or {}
        field, basis = _upgrade_units(s)
        out["upgrade"] = {"role": s.get("role"), "role_name": pick(s.get("role_name_zh"), s.get("role_name_en"), lang),
                          "by_county": s.get("upgrade_by_county") or [], "params": params}
        out["cap_field"], out["basis"] = field, basis
        notes = list(s.get("notes_en" if lang == "en" else "notes_zh") or [])
        if field and basis and params.get("standard_per_1000"):
            from planner.upgrades import OLD_FORMULA, capacity_note
            # saved before the note gave the number: "one bed serves 1000/standard people" -> "... 50 people"
            note = capacity_note(params["standard_per_1000"], basis, field)[lang if lang == "en" else "zh"]
            notes = [note if any(x in n for x in OLD_FORMULA) else n for n in notes]
        base = _demand_base(s)
        out["upgrade"]["demand_base"] = base[1 if lang == "en" else 0] if base else None
        out["notes"] = _with_demand_note(s, notes, lang)
    return out


def sized_rule_note(s: dict, lang: str, short: bool = False) -> str | None:
    """A sized proposal's capacity rule (planner.sizing.capacity_rule_note) in ``lang`` (``short``: the brief's
    wording): with the standard it was solved with (``params.per_1000``), or the type's for one saved before it
    was recorded."""
    from planner.sizing import capacity_rule_note

    ft = _served_type(s)
    if ft is None or ft.capacity is None:
        return None
    per = (s.get("params") or {}).get("per_1000")
    note = capacity_rule_note(ft, per if isinstance(per, (int, float)) and per > 0 else None, sized_units(s)[1])
    return note[("short_" if short else "") + ("en" if lang == "en" else "zh")] if note else None


def upgrade_geojson(fc: dict, s: dict, lang: str) -> dict:
    """An upgrade's saved GeoJSON (``fc``, with ``s`` its saved summary) in ``lang``: its ``coverplan``
    was the plan's own, made in Chinese when the job ran, so ?lang=en gave 农村福利院, the role and every
    note in Chinese and county rows without ``name_en`` (QA 25). The names and notes are the page's
    (:func:`view_extra`); county rows get ``name_en`` and sites ``county_name_en``. A copy: the saved one
    stays as it was solved."""
    import copy

    from web.proposals import upgrade_answer_county_en

    fc = copy.deepcopy(fc)
    meta = fc.setdefault("coverplan", {})
    meta["type_name"] = pick(s.get("type_name_zh"), s.get("type_name_en"), lang) or meta.get("type_name")
    if s.get("role"):
        meta["role_name"] = pick(s.get("role_name_zh"), s.get("role_name_en"), lang) or meta.get("role_name")
    meta["notes"] = view_extra(s, lang).get("notes") or []
    return upgrade_answer_county_en(fc)


#: A sized proposal's cost unit as saved (planner.sizing), for the English GeoJSON's ``params``.
COST_UNIT_EN = {"万元 (示意)": "10,000 yuan (示意, illustrative)"}


def proposal_geojson(fc: dict, s: dict, lang: str) -> dict:
    """Any kind of saved proposal's GeoJSON (``fc``, with ``s`` its saved summary) in ``lang``, naming its
    sites and counties as that language's CSV/Excel do: ?lang=en of a location or sized proposal said
    拟建五堰街道养老服务综合体 and 茅箭区 where its English CSV said "五堰街道 – proposed township
    elderly-service complex" and "Maojian District" (QA 26). ``name``, ``county_name`` and ``reason`` are the
    request's language; both languages stay beside them (``name_en`` / ``name_zh``, ``county_name_en`` /
    ``county_name_zh``, ``reason_zh`` / ``reason_en``), as do the block's ``notes_*`` / ``explanation_*``,
    with ``notes`` / ``explanation`` the request's. A copy: the saved one stays as it was solved."""
    import copy

    from web.proposals import upgrade_answer_county_en

    if s.get("kind") == "upgrade":  # its type, role and notes (QA 25); county_name_en on every site
        fc = upgrade_geojson(fc, s, lang)
    else:
        fc = upgrade_answer_county_en(copy.deepcopy(fc))  # county_name_en on every site (any kind's shape)
    en = lang == "en"
    for f in fc.get("features") or []:
        p = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(p, dict):
            continue
        if en and p.get("name_en") and p.get("name_en") != p.get("name"):
            p["name_zh"], p["name"] = p.get("name"), p["name_en"]  # the generated words in English
        if en and p.get("county_name_en") and p.get("county_name_en") != p.get("county_name"):
            p["county_name_zh"], p["county_name"] = p.get("county_name"), p["county_name_en"]
        if p.get("reason_zh") or p.get("reason_en"):
            p["reason"] = pick(p.get("reason_zh"), p.get("reason_en"), lang)
    meta = fc.get("coverplan")
    if not isinstance(meta, dict):
        return fc
    for key in ("notes", "explanation"):  # a location proposal's, saved in both languages
        if key not in meta and (f"{key}_zh" in meta or f"{key}_en" in meta):
            meta[key] = meta.get(f"{key}_en" if en else f"{key}_zh") or meta.get(f"{key}_zh" if en else f"{key}_en")
    for r in meta.get("by_county") or []:  # an upgrade's county rows
        if en and isinstance(r, dict) and r.get("name_en") and r.get("name_en") != r.get("name"):
            r["name_zh"], r["name"] = r.get("name"), r["name_en"]
    params = meta.get("params")
    if en and isinstance(params, dict) and params.get("cost_unit") in COST_UNIT_EN:
        meta["params"] = {**params, "cost_unit": COST_UNIT_EN[params["cost_unit"]]}
    return fc


def _served_type(s: dict):
    """The facility type whose demand an upgrade serves: its own, or for a conversion the role's."""
    from planner.facility_types import load_facility_types
    return load_facility_types().get(s.get("role") or s.get("type") or "")


def _demand_base(s: dict) -> tuple | None:
    """Whose people an upgrade's demand counts, when not everyone of its basis (planner.upgrades.DEMAND_BASE:
    "农村乡镇" for a welfare home), for the page's served line; None otherwise."""
    from planner.upgrades import DEMAND_BASE
    ft = _served_type(s)
    return DEMAND_BASE.get(ft.demand) if ft is not None else None


def _with_demand_note(s: dict, notes: list, lang: str) -> list:
    """``notes`` with the one naming the demand's base first (planner.upgrades.demand_note): proposals saved
    before it said "需求人数（80岁以上人口）45,197" beside a census of 61,637 without a word (QA 22). A
    conversion's own note already names its base."""
    from planner.upgrades import DEMAND_NOTE_LEAD, demand_note
    lead = DEMAND_NOTE_LEAD["en" if lang == "en" else "zh"]
    if s.get("role") or any(isinstance(n, str) and n.startswith(lead) for n in notes):
        return notes
    ft, demand = _served_type(s), (s.get("after") or {}).get("demand")
    if ft is None or ft.capacity is None or not demand:
        return notes
    note = demand_note(ft, float(demand), None)  # the city's figure is not saved with it
    return [note["en" if lang == "en" else "zh"], *notes] if note else notes


def sized_units(s: dict) -> tuple[str | None, str | None]:
    """(capacity field, demand basis) of a sized proposal: saved with it, or (saved before) the type's."""
    sized = s.get("sized") or {}
    field, basis = s.get("field") or sized.get("field"), s.get("basis") or sized.get("basis")
    if field and basis:
        return field, basis
    cap = getattr(_served_type(s), "capacity", None)
    return field or (cap.field if cap else None), basis or (cap.basis if cap else None)


def basis_people(basis: str | None, lang: str) -> str | None:
    """Who a capacity's demand counts, for a header's unit: 80岁以上老人 / people aged 80+."""
    words = BASIS.get(basis or "")
    return (words[1] if lang == "en" else words[0]) if words else None


def _upgrade_units(s: dict) -> tuple[str | None, str | None]:
    """(capacity field, demand basis) of an upgrade: saved with it, or (saved before) the type's it fills."""
    field, basis = s.get("field"), s.get("basis") or (s.get("params") or {}).get("basis")
    if field and basis:
        return field, basis
    from planner.facility_types import load_facility_types
    ft = load_facility_types().get(s.get("role") or s.get("type") or "")
    cap = ft.capacity if ft is not None else None
    return field or (cap.field if cap else None), basis or (cap.basis if cap else None)


def applied(rec: dict) -> dict:
    """What ``planner.targets`` needs besides type and sites: an upgrade counts as upgrades
    (a conversion as new sites of its role), not as new sites of its type."""
    s = rec.get("summary") or {}
    if s.get("kind") == "upgrade":
        return {"kind": "upgrade", "role": s.get("role")}
    return {}


def overlap_notes(recs: list[dict], lang: str) -> dict[str, str]:
    """{type key: note} when an upgrade and a conversion of a package choose the same facilities, each proposal
    named as the page names it: planner.targets.overlap_notes, which `coverplan targets` says too (QA 17)."""
    from planner.targets import overlap_notes as notes
    from web.proposals import display_name, sites_gdf

    ups = [r for r in recs if (r.get("summary") or {}).get("kind") == "upgrade"]  # the others' sites are not read
    return notes([{"type": r["type"], "sites": sites_gdf(r), **applied(r)} for r in ups],
                 [display_name(r, lang) for r in ups], lang)


SIZED_COLUMNS = [
    ("priority", "priority"), ("name", "name"), ("township_code", "code"), ("township_name", "township"),
    ("county_name", "county"), ("lon", "lon"), ("lat", "lat"), ("size", "capw_size"), ("cost", "capw_cost"),
    ("load", "capw_load"), ("utilisation", "capw_utilisation"), ("n_villages", "capw_n_villages"),
    ("villages", "capw_village_names"), ("reason", "reason"),
]
UPGRADE_COLUMNS = [
    ("priority", "priority"), ("name", "name"), ("id", "fac_id"), ("township_name", "township"),
    ("county_name", "county"), ("lon", "lon"), ("lat", "lat"), ("capacity_before", "capw_capacity_before"),
    ("capacity_after", "capw_capacity_after"), ("added_served", "capw_added_served"),
    ("added_alone", "capw_added_alone"), ("cost", "capw_cost"), ("reason", "reason"),
]


def export_title_parts(rec: dict, lang: str) -> list[str]:
    """What a sized proposal's CSV/XLSX title line adds to the proposal's parameters, so a handout needs no page
    (QA 28): the new sites' total cost (示意), the remaining shortfall and the capacity rule (how beds become
    people, and that it is not the overview's bed standard). [] for another kind. The table keeps its columns
    and one row per site (the GeoJSON's and the page's)."""
    from planner.sizing import wan_text

    s = rec.get("summary") or {}
    if s.get("kind") != "sized":
        return []
    v = view_extra(s, lang)
    z = (v.get("sized") or {}).get("summary") or {}
    cost = z.get("cost")  # null: saved before costs had a limit, its total overflowed; shown "–", never 0
    sep = ": "  # as the title's other parts ("范围: 全市")
    parts = [f"{t('capw_total_cost', lang)}{sep}{wan_text(cost)}"]
    field = v.get("cap_field")
    if field and z.get("shortfall_whole") is not None:
        n = int(z["shortfall_whole"])
        unit = t(("capw_unit1_" if n == 1 else "capw_unit_") + field, lang)
        parts.append(f"{t('capw_remaining_shortfall', lang)}{sep}{n:,} {unit}")
    rule = sized_rule_note(s, lang, short=True)  # the brief's wording; the title's parts are split by "；" / "; "
    if rule:
        parts.append(rule.rstrip("。.").replace("；", "，").replace("; ", ", while "))
    return parts


def _served_columns(rows: list[dict], columns: list[tuple[str, str]], s: dict, basis: str | None,
                    lang: str) -> list[tuple[str, str]]:
    """An upgrade's (or a conversion's) columns with what each facility serves now and once upgraded after what it
    serves more, headed and ordered as `coverplan upgrade --out` heads them (cli.capacity.upgrade_table: 现服务人数
    （60岁以上老人）, 改造后服务人数（60岁以上老人）; a conversion's without "served now", it serves none as the type
    it becomes): the web's CSV and XLSX gave what it serves more only (QA 34). An upgrade saved before
    planner.upgrades gave the figures: ``columns`` as they are."""
    keys = [k for k, _ in columns]
    if "served_after" in keys or not any(r.get("served_after") is not None for r in rows):
        return columns
    conv = bool(s.get("role"))
    who = t(f"capw_basis_{basis}", lang).removeprefix("名") if basis else t("qa34f17_who_weight", lang)
    verb = t("qa34f17_verb_converted" if conv else "qa34f17_verb_upgraded", lang)
    served = ([] if conv else [("served_before", t("qa34f14_col_served_before", lang, who=who))]) + \
        [("served_after", t("qa34f17_col_served_after", lang, verb=verb, who=who))]
    at = keys.index("added_alone" if "added_alone" in keys else "added_served") + 1
    return [*columns[:at], *served, *columns[at:]]


def export_table(rec: dict, lang: str):
    """(rows, columns) of a sized or upgrade proposal's download; None for a location proposal."""
    s = rec.get("summary") or {}
    kind = s.get("kind")
    if kind == "sized":
        # named in the export's language as the page names them (web.proposals.named_in): the English file
        # said 拟建…养老服务综合体 (QA 24)
        rows = [{**x, "name": (x.get("name_en") if lang == "en" else None) or x.get("name"),
                 "n_villages": len(x.get("assigned_villages") or []),
                 # a seat in English words ("香口乡 seat", planner.sizing): the English file said 土门镇驻地 (QA 35)
                 "villages": ("、" if lang != "en" else ", ").join(pick(v["name"], v.get("name_en"), lang)
                                                                  for v in x.get("assigned_villages") or []),
                 "reason": pick(x.get("reason_zh"), x.get("reason_en"), lang)} for x in s.get("sites") or []]
        field, basis = sized_units(s)
        # the size in its unit (规模（张床位）), as the upgrade's capacities are: "Size" alone said nothing (QA 25);
        # the served in people of the type's basis (服务人数（80岁以上老人）): "Served" alone neither (QA 26)
        units = {"size": t("capw_unit_" + field, lang) if field else None, "load": basis_people(basis, lang)}
        from planner.sizing import points_label  # towns and townships where it counts them at their seats

        points = ((s.get("sized") or {}).get("summary") or {}).get("points")
        return rows, [(k, with_unit(t(label, lang), units[k], lang) if units.get(k) else points_label(label, points))
                      for k, label in SIZED_COLUMNS]
    if kind == "upgrade":
        rows = [{**x, "reason": pick(x.get("reason_zh"), x.get("reason_en"), lang)} for x in s.get("sites") or []]
        # a conversion's figures are given the others converted, not upgraded (QA 25)
        columns = [(k, f"{label}_converted" if s.get("role") and k in ("added_served", "added_alone") else label)
                   for k, label in UPGRADE_COLUMNS]
        field, basis = _upgrade_units(s)
        # the people served named by whom they count (新增服务人数（80岁以上老人）): "Serves more" said not who (QA 28)
        people = basis_people(basis, lang)
        columns = [(k, with_unit(t(label, lang), people, lang) if people and k in ("added_served", "added_alone")
                    else label) for k, label in columns]
        columns = _served_columns(rows, columns, s, basis, lang)
        if not field:
            return rows, columns
        # the capacities in their unit (改造前容量（张床位）), as the page heads them
        unit = t("capw_unit_" + field, lang)
        return rows, [(k, with_unit(t(label, lang), unit, lang) if k.startswith("capacity_") else label)
                      for k, label in columns]
    return None
