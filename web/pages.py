"""HTML pages. They render a frame; the maps and tables fill in from the JSON API,
so everything a page shows is also reachable without the browser."""
from __future__ import annotations

import functools
import math
import re
from pathlib import Path

from flask import Blueprint, g, render_template, request, url_for

from geo.errors import InputDataError, NetworkError
from planner.coverage import analyse_coverage
from planner.i18n import cost_text, share_text, t
from planner.maplayers import provenance_note
from planner.targets import PLAN_COLUMNS
from web.api import heavy
from web.extensions import ext
from web.service import EXPORTS_KEPT, english_text

bp = Blueprint("pages", __name__)


def svc():
    return ext()["service"]


@bp.get("/healthz")
def healthz():
    from web.api import healthz as api_healthz
    return api_healthz()


@bp.app_context_processor
def _illustrative_header() -> dict:
    """The header's 示意 follows the data in use, not the version number: a rollback to v0 or an
    import of one facility type still leaves synthetic or approximate layers behind."""
    try:
        layers = illustrative_layers(svc().region.provenance.get("layers", {}))
    except Exception:  # the header must never take a page (or the error page) down
        layers = ["townships"]
    lang = getattr(g, "lang", "zh")
    by_type = ((svc().region.provenance.get("layers", {}).get("facilities") or {}).get("by_type") or {}) \
        if "facilities" in layers else {}
    # counted over every facility type, as the overview's sources line names them (_facility_source): a
    # type is the planner's own once imported with nothing synthetic left; the rest, those the sample has
    # no facility of included, are still the sample (QA 21: "6 of 7" here beside 11 of 12 types there)
    types = list(svc().types()) if by_type else []
    own = [k for k in types if (by_type.get(k) or {}).get("dataset_version") and not by_type[k].get("synthetic")]

    def name(k: str) -> str:
        # a register part imported: the facilities are named as the part still the sample's
        if k == "facilities" and own and len(own) < len(types):
            return t("facilities_partly_sample", lang, n=len(types) - len(own), total=len(types))
        return t(k, lang)
    names = t("layer_list_sep", lang).join(name(k) for k in layers)
    return {"data_illustrative": bool(layers), "illustrative_layers": layers,
            "data_illustrative_title": t("illustrative_layers", lang, layers=names) if layers else ""}


#: the layers a planner can replace on /data; each says in its provenance whether it is synthetic
_REPLACEABLE = ("townships", "villages", "population", "facilities")


def illustrative_layers(prov: dict) -> list[str]:
    """The layers in use that are synthetic or approximate (示意). The build and each import flag
    ``synthetic``; the population split has no flag: it is derived (示意 below county level) until
    the planner supplies one."""
    out = []
    for name in _REPLACEABLE:
        meta = prov.get(name) or {}
        if meta.get("synthetic") or (name == "population" and meta.get("quality") == "derived"
                                     and not meta.get("supplied_by")):
            out.append(name)
    return out


def map_approx(region, lang: str, type_key: str | None, types: dict) -> dict:
    """The map note's 示意 phrases for townships, villages and facilities (map.js reads them off the map's element):
    the boundaries and villages named by how many are still approximate or synthetic (and the file the others came
    in), the registers by which types are still the sample."""
    from planner.maplayers import provenance_labels

    by = provenance_labels(region, lang, type_key, types)["by_layer"]
    return {"townships": by.get("townships", ""), "villages": by.get("villages", ""),
            "facilities": by.get("facilities", "")}


@bp.get("/")
def overview():
    s = svc()
    info = s.region_summary()
    prov = dict(s.region.provenance.get("layers", {}))
    if (prov.get("facilities") or {}).get("by_type"):
        prov["facilities"] = {**prov["facilities"], **_facility_source(prov["facilities"], g.lang)}
    # the bed-target card breaks down the city's target, or one county's own (its 范围 select)
    return render_template("overview.html", active="overview", info=info, provenance=prov,
                           # the region map's 示意 line: the villages and registers as imported (QA 27)
                           approx=map_approx(s.region, g.lang, None, s.types()),
                           bed_source=_bed_source(g.lang),
                           counties=[{"code": c, "name": n} for c, n in s.county_names(g.lang).items()])


def _facility_source(meta: dict, lang: str) -> dict:
    """After an import the register is mixed: name the types that are the planner's own register
    (with every file and data version their rows came in) and those still from the synthetic sample,
    in plain words."""
    from planner.maplayers import register_sources_text

    region = svc().region
    types = svc().types()
    by_type = meta.get("by_type") or {}

    def name(k: str) -> str:
        return types[k].name(lang) if k in types else k

    def item(k: str, b: dict) -> str:
        # every file the type's own rows came in, with its version, oldest first, and the map edits counted
        # once, worded as the map's summary lines (planner.maplayers.register_sources_text): after one county's
        # import (a.csv, v1) and another's (b.csv, v2) the line named only b.csv (F3); each edit was an entry (QA 31)
        where = register_sources_text(region, k, lang,
                                      fallback=(str(b.get("file") or ""), int(b["dataset_version"])))
        return f"{name(k)}{t('prov_paren', lang, x=where)}"
    # A type with a version of its own is the planner's register only when none of it is synthetic:
    # a county's import or an edit of the sample leaves the rest of the type synthetic (示意).
    # (a version that only edited sample rows imported nothing: the type is the sample's, QA 28)
    versioned = {k: b for k, b in by_type.items() if b.get("dataset_version") and int(b.get("own", 1)) > 0}
    own = [item(k, b) for k, b in versioned.items() if not b.get("synthetic")]
    mixed = [item(k, b) for k, b in versioned.items() if b.get("synthetic")]
    sample = [name(k) for k in types if k not in versioned]
    sep = t("layer_list_sep", lang)
    parts = [t("fac_src_planner", lang, items=sep.join(own)) if own else "",
             t("fac_src_mixed", lang, items=sep.join(mixed)) if mixed else "",
             t("fac_src_sample", lang, items=sep.join(sample)) if sample else ""]
    text = ("；" if lang != "en" else "; ").join(p for p in parts if p)
    text = text[:1].upper() + text[1:]  # a sentence of its own (the facilities page's header line)
    # both languages carry the same text: the template picks source_zh / source by the page's language
    return {"source_zh": text, "source": text}


def _bed_source(lang: str) -> str:
    """Where the bed standard comes from, as the overview's note under the beds table says it."""
    from planner.facility_types import bed_standard
    std = bed_standard() or {}
    if lang != "en":
        return std.get("source_zh") or std.get("source") or ""
    return english_text(std.get("source") or "", _counties_en())


def _counties_en() -> dict[str, str]:
    """Chinese -> English names of counties (and of the points named after them), for English texts."""
    return svc().place_names_en()


@functools.lru_cache(maxsize=1)  # the file ships with the app: rendered once per process
def api_reference() -> tuple[str, tuple[dict, ...]]:
    """web/API.md as HTML (Python-Markdown: tables, fenced code, heading anchors) and its
    second-level headings for the contents line. The file is ours, shipped with the app;
    its top heading is left out, the page has its own title."""
    import markdown
    text = (Path(__file__).parent / "API.md").read_text("utf-8")
    text = re.sub(r"\A\s*# [^\n]*\n", "", text)
    md = markdown.Markdown(extensions=["tables", "fenced_code", "toc", "sane_lists"])
    # a pipe inside a table cell is written \| (GitHub's rule); Python-Markdown keeps the cell
    # whole but leaves the backslash in code spans
    body = md.convert(text).replace("\\|", "|")
    toc = tuple({"anchor": h["id"], "text": h["name"]} for h in md.toc_tokens if h["level"] == 2)
    return body, toc


@bp.get("/api-doc")
def api_doc():
    body, toc = api_reference()
    return render_template("api_doc.html", active="api", body=body, toc=toc)


def _map_mode(s) -> str:
    """A map page's travel mode: network only when asked and a road network is loaded (then the
    toolbar offers the choice), else the estimate (an old link to a removed network still opens)."""
    return "network" if request.args.get("mode") == "network" and s.has_graph() else "estimate"


@bp.get("/map/<type_key>")
def coverage_map(type_key: str):
    s = svc()
    ft = s.get_type(type_key)
    has_graph = s.has_graph()
    # the summary, layers, chart, export and the proposal link all follow this one mode
    mode = _map_mode(s)
    cov = s.coverage_dict(ft.key, g.lang, mode=mode)
    township = request.args.get("township") or ""
    if township and township not in s.region.townships.index:
        township = ""  # an unknown code just shows the whole city
    county = request.args.get("county") or ""
    if county not in s.region.counties.index:
        county = ""
    assumptions = ft.assumptions_text(g.lang)
    if g.lang == "en":  # the plan's sections as numbers, county names in English
        assumptions = english_text(assumptions, _counties_en())
    mode_arg = {"mode": mode} if mode == "network" else {}
    return render_template("map.html", active="map", ft=ft, cov=cov, township=township, county=county,
                           approx=map_approx(s.region, g.lang, ft.key, s.types()),
                           assumptions=assumptions, place_en=_counties_en() if g.lang == "en" else {},
                           mode=mode, mode_arg=mode_arg, has_graph=has_graph,
                           layers_url=url_for("api.coverage_layers", type_key=ft.key, lang=g.lang, **mode_arg))


@bp.get("/map/<type_key>/export.html")
def coverage_map_export(type_key: str):
    """The coverage map as one self-contained HTML file (folium, Leaflet inlined): opens offline."""
    from flask import Response

    # folium takes about 0.6 s to import: only the export routes load it
    from planner.mapexport import coverage_map as folium_map, scope_bounds, standalone_html

    s = svc()
    ft = s.get_type(type_key)
    mode = _map_mode(s)
    # the county the map page shows (its link carries it, map.js keeps it to the county filter): the file opens
    # framed on that county, as the page did (QA 33: it opened on the whole city); an unknown code, as on the
    # page, the whole city
    county = request.args.get("county") or ""
    if county not in s.region.counties.index:
        county = ""
    lang = g.lang

    def build():
        cov = s.coverage(ft.key, mode)
        return standalone_html(folium_map(s.region, cov, lang=lang, frame=scope_bounds(s.region, county)),
                               title=f"{ft.name(lang)} · coverplan")
    # 11-13 s of CPU and 4 MB each time (review 36): built once per type, mode, county and language, until the data
    # changes (the cache is per data version), the last few kept
    page = s.cached(("map_export", ft.key, mode, county, lang), heavy(build), kept=EXPORTS_KEPT)
    resp = Response(page, mimetype="text/html")
    # the two travel modes give different maps, as a county's from the city's: their downloads must not
    # overwrite each other
    suffix = ("-network" if mode == "network" else "") + (f"-{county}" if county else "")
    resp.headers["Content-Disposition"] = f"attachment; filename=coverage-{ft.key}{suffix}.html"
    return resp


@bp.get("/townships")
def townships():
    s = svc()
    types = list(s.types().values())
    sel = {k: request.args.get(k, "") for k in ("type", "county", "status")}
    if "type" not in request.args and types:
        sel["type"] = types[0].key  # one row per township to start with; "all" stays one click away
    names = s.county_names(g.lang)
    # what each type's capacity counts and per whom (data/facility_types.toml): the capacity columns name it
    cap_units = {ft.key: {"field": ft.capacity.field, "basis": ft.capacity.basis} for ft in types if ft.capacity}
    from web.exports import capacity_unknown_by_township

    return render_template("townships.html", active="townships", types=types,
                           counties=[{"code": c, "name": n} for c, n in names.items()], sel=sel, cap_units=cap_units,
                           # townships whose facilities state no capacity: "capacity unknown (n)", not 0 (QA 27)
                           cap_unknown=capacity_unknown_by_township(s),
                           # the checklist is measured on the estimate: with a road network loaded, say so
                           network_loaded=s.has_graph())


@bp.get("/proposals")
def proposals():
    from web import auth
    s = svc()
    types = list(s.types().values())
    user = auth.user()
    # the form's scope (全市 or a county, sent as ``county``): a county planner's proposals are his county's
    # whatever is sent (web.auth.scope_proposal), so his list holds that county only, fixed, and says why
    own = None if user.citywide else user.county
    # the per-county limits of upgrades and conversions by type, as GET /api/types says them (FacilityType.to_dict):
    # in the page, so K's hint names them from the start, not after a request (QA 34)
    k_caps = {ft.key: {"upgrade": (ft.upgrade.per_county_max or None) if ft.upgrade else None,
                       "convert": (ft.conversion.per_county_max or None) if ft.conversion else None} for ft in types}
    return render_template("proposals.html", active="proposals", types=types, k_caps=k_caps,
                           sel_type=request.args.get("type", ""), has_graph=s.has_graph(), marks=s.mark_counts(),
                           sel_mode=request.args.get("mode", ""), limits=_form_limits(s, types),
                           counties=[{"code": c, "name": n} for c, n in s.county_names(g.lang).items()],
                           own_county=own, own_county_label=auth.county_label(own, g.lang) if own else "")


def _form_limits(s, types) -> dict:
    """What the server takes in each number field of the proposal form, per type (QA 21: the form let
    a standard of 0 or 100,000 minutes through, the server refused it after the click): the standard's
    range in the type's unit (planner.proposals MIN/MAX_STANDARD, as web.proposals.parse_params checks
    it), the largest size of one site, and how many facilities an upgrade or a conversion may choose
    (web.capacity_proposals: at most MAX_K and the facilities there are, in the planner's county)."""
    import dataclasses

    from planner.coverage import existing_facilities
    from planner.proposals import max_standard, min_standard
    from planner.sites import choosable_counts
    from web import auth
    from web.capacity_proposals import MAX_K, upgrade_limit, upgrade_limits_by_county

    user = auth.user()
    county = None if user.citywide else user.county
    out = {}
    for ft in types:
        row = {"std_min": min_standard(ft), "std_max": max_standard(ft)}
        if ft.capacity:
            row["size_max"] = ft.capacity.max_per_site
        scoped = dataclasses.replace(ft, demand_counties=(county,), county_scope=county) if county else ft
        try:  # the number of new sites: at most the candidates that may be chosen, in all and per county
            n = choosable_counts(s.region, ft, existing_facilities(s.region, ft))
            row["p_max"] = n["by_county"].get(county, 0) if county else n["total"]
            row["p_max_by_county"] = {c: n["by_county"].get(c, 0) for c in s.region.counties.index.astype(str)}
        except Exception:  # the form's hint only: the server still checks
            pass
        for key, spec, convert in (("k_max", ft.upgrade, False), ("k_max_convert", ft.conversion, True)):
            if spec is not None:
                try:
                    n = upgrade_limit(s, scoped, convert)
                except Exception:  # the form's hint only: the server still checks
                    n = MAX_K
                row[key] = min(MAX_K, n) if n >= 1 else MAX_K  # none at all: the server says why
                try:  # the county picked in the form (a county planner's own): K within that county's limit
                    row[key + "_by_county"] = upgrade_limits_by_county(s, ft, convert)
                except Exception:  # the form's hint only: the server still checks
                    pass
        out[ft.key] = row
    return out


def _proposal_view(pid: str) -> dict:
    from web.proposals import saved, view
    return view(saved(pid), g.lang)


def _proposal_targets(rec: dict) -> tuple[list[dict], str]:
    """The targets a proposal moves (those with an "after"), and the travel mode they were measured in.

    A network proposal's targets are measured on the road network, as its before/after figures are,
    while a network is loaded; once none is (the server restarted without one, or a data version
    without one), on the estimate, and the page says so.  A conversion's targets are those of the
    role type it converts into.
    """
    from web.capacity_proposals import applied
    from web.proposals import sites_gdf
    extra = applied(rec)
    types = {rec["type"], extra.get("role") or rec["type"]}
    mode = "network" if (rec.get("params") or {}).get("mode") == "network" and svc().graph_source() else "estimate"
    applied = [{"type": rec["type"], "sites": sites_gdf(rec), **extra}]
    try:
        # on the estimate every type's coverage is cached for the maps, and the answer is the one
        # /api/targets keeps; on a road network each type costs seconds, so only the proposal's
        rows = svc().targets(g.lang, applied, mode=mode, types=types if mode == "network" else None)
    except NetworkError:  # the file is there but no longer reads as a road network: as if none
        mode, rows = "estimate", svc().targets(g.lang, applied)
    return [t for t in rows if t["type"] in types and "after" in t], mode


@bp.get("/proposals/<pid>")
def proposal(pid: str):
    from web.proposals import saved, solved_region, view
    rec = saved(pid)
    p = view(rec, g.lang)
    targets, targets_mode = _proposal_targets(rec)
    # the map note's 示意 words as of the data the proposal was solved on, as its brief says them: the page fell
    # back to "facility register synthetic" after one county's register was imported (QA 29)
    approx = map_approx(solved_region(rec, svc()), g.lang, rec.get("type"), svc().types())
    return render_template("proposal.html", active="proposals", p=p, targets=targets, targets_mode=targets_mode,
                           approx=approx)


#: a travel mode in a table cell: the short word ("路网" / "估算"), the note elsewhere explains the estimate
_MODE_WORD = {"estimate": "mode_estimate_short", "network": "mode_network"}


#: what the compare page's address takes besides ``lang`` (and a cache-buster): ``a`` and ``b``, or ``ids=a,b``
COMPARE_PARAMS = ("a", "b", "ids")


def _compare_pair() -> tuple[str, str, str]:
    """The compare page's two ids, and what is wrong with its address ("" if nothing): ``?ids=a,b`` was
    dropped without a word and the page asked to pick two (QA 23); it is ``?a=&b=``, and a parameter the
    page does not read is named with the address's right form rather than ignored."""
    from planner.textrules import escaped
    from web.params import ALWAYS

    lang = g.lang
    unknown = [k for k in request.args.keys() if k not in COMPARE_PARAMS and k not in ALWAYS]
    if unknown:
        shown = [escaped(k)[:40] for k in unknown[:5]] + (["…"] if len(unknown) > 5 else [])
        return "", "", t("cmp_unknown_params", lang, names=t("layer_list_sep", lang).join(shown))
    a, b = request.args.get("a", ""), request.args.get("b", "")
    if "ids" in request.args:
        if a or b:
            return "", "", t("cmp_ids_and_ab", lang)
        ids = [i.strip() for i in request.args.get("ids", "").split(",") if i.strip()]
        if len(ids) != 2:
            return "", "", t("cmp_ids_two", lang, n=len(ids))
        a, b = ids
    return a, b, ""


def unserved_points_row(za: dict, zb: dict, lang: str, whole, plain_delta) -> dict:
    """The comparison's row of the places two sized proposals leave unserved, in the words of their demand points
    (planner.sizing points_label: towns and townships where one counts them at their seats, QA 35). One counted at
    villages (or saved before QA 35) beside one counted at township seats: each figure says what it counts, and
    there is no difference to give between them."""
    from planner.sizing import points_label, points_text

    at_a, at_b = (("townships" if z.get("points") == "townships" else "villages") for z in (za, zb))
    a, b = za.get("unserved_villages"), zb.get("unserved_villages")
    if at_a == at_b:
        return {"label": t(points_label("capw_unserved_villages", at_a), lang), "a": whole(a), "b": whole(b),
                "delta": plain_delta(a, b)}
    return {"label": t("qa35f8_unserved_points", lang),
            "a": "–" if a is None else points_text(int(a), at_a, lang),
            "b": "–" if b is None else points_text(int(b), at_b, lang), "delta": "–"}


@bp.get("/proposals/compare")
def compare():
    a, b, problem = _compare_pair()
    if problem:
        # said on the page, with the way to the list, as an incomplete pair is (a 400: the address is wrong)
        return render_template("compare.html", active="proposals", pair=None, problem=problem, diff=[],
                               towns=[]), 400
    if not a or not b:
        # opened from a bare link or with one id: say how to choose, not an API error
        # (still a 400 when an incomplete pair was asked for)
        return render_template("compare.html", active="proposals", pair=None, diff=[], towns=[]), \
            (400 if a or b else 200)
    pa, pb = _proposal_view(a), _proposal_view(b)
    lang = g.lang
    if pa["type"] != pb["type"] or pa["cost_unit"] != pb["cost_unit"]:
        # different facility types have different demand, standards and even units (minutes vs metres)
        raise InputDataError(f"Only proposals of the same facility type can be compared (these are "
                             f"{pa['type_name']} and {pb['type_name']}).",
                             f"只能对比同一设施类型的两个方案（当前为“{pa['type_name']}”和“{pb['type_name']}”）。",
                             hint_en="Use the plan package page to see different types together.",
                             hint_zh="不同类型的方案请在“规划组合”页一并查看。", details={"parameter": "a,b"})

    if "upgrade" in (pa.get("kind"), pb.get("kind")):
        # an upgrade's before/after is demand served through capacity, not distance coverage (issue 16)
        raise InputDataError("Only proposals of new sites can be compared; an upgrade proposal is read on its own page.",
                             "只能对比两个新建选址方案；改造提升方案请在其方案页查看。", details={"parameter": "a,b"})
    if a == b:
        # one proposal against itself: a table of no change that read as a comparison (QA 21); said, as
        # for an incomplete pair, with the way back to the list
        return render_template("compare.html", active="proposals", pair=None, same=pa, diff=[], towns=[]), 400
    unit = pa["cost_unit"] or "min"

    def pct(x):
        # as every page shows a share: 99.96% of the people covered never reads "100.0%"
        return "–" if x is None else share_text(x)

    def num(x):
        return cost_text(x, unit, lang)

    def signed(d, shown: str, zero: str) -> str:
        # one typographic minus (U+2212) for every negative delta, not the hyphen Python's "+" format gives;
        # a delta that rounds to nothing is ± (not "+0.0" or "−0.0")
        return ("±" if shown == zero else "+" if d > 0 else "−") + shown

    from web.proposals import cost_delta_text, shown_cost, shown_share, sizes_text

    # a delta is of the figures shown beside it (19 and 28 minutes: +9, not the +9.5 of the unrounded means)
    def delta_cost(x, y):
        if x is None or y is None or not math.isfinite(y - x):  # unreachable on a side: no number to give
            return "–"
        d = shown_cost(y, unit) - shown_cost(x, unit)
        return signed(d, cost_delta_text(abs(d), unit, lang), cost_delta_text(0.0, unit, lang))

    def delta_pt(x, y):
        if x is None or y is None:
            return "–"
        d = shown_share(y) - shown_share(x)
        return f"{signed(d, f'{abs(d):.1f}', '0.0')} {t('percentage_points', lang)}"

    def delta_n(x, y, what):
        n = abs(int(y - x))
        word = t({"sites_unit": "site_unit_one", "units_unit": "unit_unit_one"}.get(what, what) if n == 1 else what, lang)
        return f"{signed(y - x, f'{n:,}', '0')} {word}"

    # a county planner's proposal counts his county only: its numbers are not to be subtracted from a
    # city-wide one's (or another county's); nor are figures on the road network from estimated ones
    names = svc().county_names(lang)
    scopes = [(x.get("params") or {}).get("county") or None for x in (pa, pb)]
    modes = [(x.get("params") or {}).get("mode") or "estimate" for x in (pa, pb)]
    same_scope = scopes[0] == scopes[1]
    comparable = same_scope and modes[0] == modes[1]
    why_not = t("scope_not_comparable" if not same_scope else "mode_not_comparable", lang)

    def scoped(delta: str) -> str:
        return delta if comparable or not delta else why_not

    def before_delta() -> str:
        # the same scope and mode on the same data start from the same figure: nothing to say; on
        # different data versions they may not, and the difference is the data's, shown as such
        x, y = pa["before"]["covered_share"], pb["before"]["covered_share"]
        if not comparable:
            return why_not
        return "" if x is None or y is None or shown_share(x) == shown_share(y) else delta_pt(x, y)

    qa, qb = pa["after"].get("cost_quantiles") or {}, pb["after"].get("cost_quantiles") or {}
    share = pa.get("share_label") or t("covered_share", lang)  # weighted as the type weighs (same type on both)
    rows = [
        {"label": t("facility_type", lang), "a": pa["type_name"], "b": pb["type_name"], "delta": ""},
        {"label": t("scope", lang), "a": names.get(scopes[0], scopes[0]) if scopes[0] else t("scope_city", lang),
         "b": names.get(scopes[1], scopes[1]) if scopes[1] else t("scope_city", lang), "delta": ""},
        {"label": t("travel_mode", lang), "a": t(_MODE_WORD[modes[0]], lang), "b": t(_MODE_WORD[modes[1]], lang),
         "delta": ""},
        {"label": t("model", lang), "a": t("model_" + pa["solver"]["model"], lang),
         "b": t("model_" + pb["solver"]["model"], lang), "delta": ""},
        {"label": t("n_sites", lang), "a": len(pa["sites"]), "b": len(pb["sites"]),
         # a count of sites is one across travel modes; across scopes it is of different areas
         "delta": delta_n(len(pa["sites"]), len(pb["sites"]), "sites_unit") if same_scope
         else t("scope_not_comparable", lang)},
        {"label": f"{share} · {t('before', lang)}", "a": pct(pa["before"]["covered_share"]),
         "b": pct(pb["before"]["covered_share"]), "delta": before_delta()},
        {"label": f"{share} · {t('after', lang)}", "a": pct(pa["after"]["covered_share"]),
         "b": pct(pb["after"]["covered_share"]),
         "delta": scoped(delta_pt(pa["after"]["covered_share"], pb["after"]["covered_share"]))},
        {"label": f"{t('covered_units', lang)} · {t('after', lang)}", "a": f"{pa['after']['covered_units']:,}",
         "b": f"{pb['after']['covered_units']:,}",
         "delta": scoped(delta_n(pa["after"]["covered_units"], pb["after"]["covered_units"], "units_unit"))},
        {"label": f"{t('mean_cost_reachable' if any(x['after'].get('unreachable_units') for x in (pa, pb)) else 'mean_cost', lang)}"
                  f" · {t('after', lang)}", "a": num(pa["after"]["mean_cost"]),
         "b": num(pb["after"]["mean_cost"]), "delta": scoped(delta_cost(pa["after"]["mean_cost"], pb["after"]["mean_cost"]))},
        {"label": f"{t('p90_cost', lang)} · {t('after', lang)}", "a": num(qa.get("p90")),
         "b": num(qb.get("p90")), "delta": scoped(delta_cost(qa.get("p90"), qb.get("p90")))},
    ]
    if pa.get("kind") == pb.get("kind") == "sized":
        # two sized proposals differ in what they build and serve, not only in distances (QA 17)
        za, zb = ((x.get("sized") or {}).get("summary") or {} for x in (pa, pb))
        unit_word = t("capw_unit_" + (pa.get("cap_field") or "beds"), lang)

        def whole(x):
            return "–" if x is None else f"{x:,.0f}"

        def plain_delta(x, y, word=""):
            if x is None or y is None:
                return "–"
            d = round(y) - round(x)
            return scoped(signed(d, f"{abs(d):,.0f}", "0") + (f" {word}" if word else ""))
        rows += [
            {"label": t("capw_sizes", lang), "a": sizes_text((pa.get("params") or {}).get("sizes")),
             "b": sizes_text((pb.get("params") or {}).get("sizes")), "delta": ""},
            {"label": t("capw_total_cost", lang), "a": whole(za.get("cost")), "b": whole(zb.get("cost")),
             "delta": plain_delta(za.get("cost"), zb.get("cost"))},
            {"label": t("capw_served", lang), "a": pct(za.get("served_share")), "b": pct(zb.get("served_share")),
             "delta": scoped(delta_pt(za.get("served_share"), zb.get("served_share")))},
            {"label": t("capw_remaining_shortfall", lang), "a": f"{whole(za.get('shortfall_whole'))} {unit_word}",
             "b": f"{whole(zb.get('shortfall_whole'))} {unit_word}",
             "delta": plain_delta(za.get("shortfall_whole"), zb.get("shortfall_whole"), unit_word)},
            unserved_points_row(za, zb, lang, whole, plain_delta),
        ]
    towns: dict[str, dict] = {}
    for key, p in (("a", pa), ("b", pb)):
        for s in p["sites"]:
            county = (s.get("county_name_en") or s["county_name"]) if lang == "en" else s["county_name"]
            name = f"{s['township_name']} ({county})" if lang == "en" else f"{s['township_name']}（{county}）"
            row = towns.setdefault(s["township_code"], {"name": name})
            row[key] = (row.get(key, "") + f" #{s['priority']}").strip()
    town_rows = [towns[k] for k in sorted(towns)]
    return render_template("compare.html", active="proposals", pair=[pa, pb], diff=rows, towns=town_rows)


# -- pages: print and briefing --
#: Sites listed on the one-page brief; the rest are counted ("and N more") so the page never overflows.
BRIEF_SITES = 10


@bp.get("/proposals/<pid>/brief")
def proposal_brief(pid: str):
    """One A4 page per proposal for meetings: parameters, numbers, targets, first sites, map."""
    from planner.mapexport import when
    from web.proposals import saved, sites_gdf, solved_region, view

    rec = saved(pid)
    p = view(rec, g.lang)
    targets, targets_mode = _proposal_targets(rec)
    # the planner's note (QA 34), its lines run together and cut short: brief.css shows its first two lines, so
    # a note of 2,000 characters never takes the brief to a second page (its title keeps it whole on screen)
    note = " ".join(str(p.get("planner_note") or "").split())
    return render_template(  # its parameters and numbers: web.proposals.headline, as on the proposal page
        "brief.html", active="proposals", p=p, targets=targets, targets_mode=targets_mode,
        planner_note=note if len(note) <= 300 else note[:299].rstrip() + "…",
        generated=when(), saved_at=when(rec["created"]), sites=p["sites"][:BRIEF_SITES],
        # its footer names only what is 示意 for this type, and the imported register with its file (QA 27)
        # of the data it was solved on (an import since then does not make its sample register "imported")
        brief_caveat=provenance_note(solved_region(rec, svc()), g.lang, rec["type"], svc().types(), lead="brief") or "",
        more=max(0, len(p["sites"]) - BRIEF_SITES),
        # the shading's name as the map's legend gives it (map.js): a type counted in units (cemeteries) is
        # shaded by its share of units, not "weighted" (QA 25)
        share_key=t("legend_share_units" if svc().get_type(rec["type"]).weight == "units" else "legend_share", g.lang),
        uncovered_key="uncovered_villages" if svc().get_type(rec["type"]).demand in ("villages", "rural_villages")
        else "uncovered_points")


@bp.get("/proposals/<pid>/export.html")
def proposal_map_export(pid: str):
    """A proposal's map as one self-contained HTML file (folium, Leaflet inlined) for offline bureaus."""
    from flask import Response

    from planner.mapexport import proposal_map, scope_bounds, scope_text, standalone_html
    from web.proposals import auto_notes_in, display_name, list_scope_and_version, saved, sites_gdf, solved_type

    s = svc()
    rec = saved(pid)  # a deleted proposal is a 404 before any kept file is looked at
    lang = g.lang

    def build():
        ft = solved_type(rec, s)  # the standard as solved, which the form may have overridden
        sites = sites_gdf(rec)
        mode = rec["params"].get("mode", "estimate")
        # the data the proposal was solved on, as its page's map and its CSV title say (not the current data)
        version = rec["params"].get("dataset_version") or 0
        region = s.region_at(version)
        cov = analyse_coverage(region, ft, extra_sites=sites, mode=mode, graph=s.graph(mode))
        summary = rec["summary"]
        name = display_name(rec, lang)
        m = proposal_map(region, cov, sites, name=name, before=summary.get("before") or {},
                         after=summary.get("after"), model=(summary.get("solver") or {}).get("model"),
                         saved=rec["created"], lang=lang, kind=summary.get("kind"), converted=bool(summary.get("role")),
                         data_version=version,
                         # a sized proposal's served people, remaining shortfall and cost, as its page and brief give
                         # them
                         sized=summary.get("sized") if summary.get("kind") == "sized" else None,
                         # a county's figures over the whole city's map: the scope says whose they are, as the brief
                         # (QA 29)
                         scope=scope_text(list_scope_and_version(rec, lang, s.version(), s.county_names(lang))["scope"],
                                          lang),
                         # a county's proposal opens framed on its county and sites, as its page's map (QA 33)
                         frame=scope_bounds(region, (rec.get("params") or {}).get("county"), sites),
                         notes=auto_notes_in(rec.get("params"), lang))
        return standalone_html(m, title=f"{name} · coverplan")
    # built once per proposal and language (review 36: a coverage analysis and 4 MB each click): a rename or a new
    # note changes ``updated`` and so the file; the current data version shows in its scope line, and a new one
    # starts a fresh cache
    page = s.cached(("proposal_export", pid, rec.get("created"), rec.get("updated"), lang), heavy(build),
                    kept=EXPORTS_KEPT)
    resp = Response(page, mimetype="text/html")
    resp.headers["Content-Disposition"] = f"attachment; filename=proposal-{pid}.html"
    return resp


# (pages: print and briefing) end


# -- pages: facilities and plan package --
@bp.get("/facilities")
def facilities():
    """The existing-facility register; rows come from /api/facilities with the same filters."""
    from web.facilities import county_names, type_names
    s = svc()
    r = s.region
    names = county_names(r, g.lang)
    counties = [{"code": c, "name": names[c]} for c in r.counties["code"].astype(str)]
    towns = r.townships
    townships = [{"code": str(c), "name": n, "county": str(k)}
                 for c, n, k in zip(towns["code"], towns["name"], towns["county_code"])]
    sel = {k: request.args.get(k, "") for k in ("type", "county", "township", "q")}
    if sel["county"] and sel["county"] not in names:  # a county name in a shared link
        by_name = {n: c for c, n in zip(r.counties["code"], r.counties["name"])}
        sel["county"] = by_name.get(sel["county"], "")
    reg = r.facilities
    # after a planner imports some types, only the rest is the sample: the note says how much
    n_synthetic = int(reg["synthetic"].astype(bool).sum()) if "synthetic" in reg else 0
    # which types are the planner's own, with every file and data version they came in: the overview's line
    fac_meta = r.provenance.get("layers", {}).get("facilities") or {}
    imported = any(b.get("dataset_version") and int(b.get("own", 1)) > 0
                   for b in (fac_meta.get("by_type") or {}).values())
    source = _facility_source(fac_meta, g.lang)["source"] if imported else ""
    return render_template("facilities.html", active="facilities",
                           types=[{"key": k, "name": n} for k, n in type_names(s.types(), reg, g.lang).items()],
                           counties=counties, townships=townships, sel=sel, register_total=len(reg),
                           synthetic=n_synthetic > 0, synthetic_count=n_synthetic, register_source=source)


@bp.get("/plan")
def plan():
    """Several saved proposals together: every plan target now and after the package.

    The picked ids live in the URL (``?proposals=a,b``) so a package can be shared
    and survives the language switch; the page reads them and asks /api/targets.
    """
    # which type a conversion of a type adds sites to (welfare_home -> regional_center): the page names the
    # data version of the proposals behind each target's "after", a conversion's under its role's targets
    roles = {k: ft.conversion.role for k, ft in svc().types().items() if ft.conversion and ft.conversion.role}
    return render_template("plan.html", active="plan", picked=_plan_ids(), roles=roles)


def _proposal_version(rec: dict) -> int:
    """The data version a saved proposal was solved on (0: the embedded sample, or saved before versions)."""
    try:
        return int((rec.get("params") or {}).get("dataset_version") or 0)
    except (TypeError, ValueError):
        return 0


def _moves(rec: dict, type_key: str) -> bool:
    """Whether a proposal adds to a target of ``type_key``: its own type's, or a conversion's role's."""
    return rec.get("type") == type_key or (rec.get("summary") or {}).get("role") == type_key


def _plan_ids() -> list[str]:
    """The picked proposal ids of ``?proposals=a,b``: each once, in the order given."""
    return list(dict.fromkeys(i.strip() for i in request.args.get("proposals", "").split(",") if i.strip()))


#: PLAN_COLUMNS holding a share in every row; "current", "after" and "target_value" hold one on a share target
PLAN_SHARE_KEYS = ("progress", "progress_after")


def _plan_figures(r: dict) -> dict:
    """A target row's figures as PLAN_COLUMNS keys: counts whole, shares as floats (``_plan_cells`` writes them)."""
    from planner.facility_types import COUNT_KINDS

    a = r.get("after") or r
    count = r["kind"] in COUNT_KINDS
    fig = (lambda v: int(v)) if count else float
    return {"current": fig(r["value"]), "after": fig(a["value"]), "target_value": fig(r["target"]),
            "progress": float(r["progress"]), "progress_after": float(a["progress"]), "count": count}


def _plan_cells(rows: list[dict], fmt: str) -> list[tuple[int, str, float]]:
    """Each share of ``rows`` written as the pages write it ("21.7%", planner.i18n.share_text), in place;
    returns (row, key, share) of each, for the XLSX to hold the numbers (:func:`_plan_xlsx`)."""
    from planner.i18n import share_text

    shares = []
    for i, r in enumerate(rows):
        keys = PLAN_SHARE_KEYS if r.pop("count") else ("current", "after", "target_value", *PLAN_SHARE_KEYS)
        for k in keys:
            shares.append((i, k, r[k]))
            r[k] = share_text(r[k])
    return shares


def _plan_xlsx(data: bytes, shares: list[tuple[int, str, float]], header: str) -> bytes:
    """The XLSX with its shares as numbers in a percent format showing what the text read (Excel sums and
    sorts them); a share no format can show as the pages do ("<100%") stays text."""
    import io

    from openpyxl import load_workbook

    from planner.i18n import share_number_format, share_text

    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    head = next((c.row for c in ws["A"] if c.value == header), None)
    if head is None:  # the header was written otherwise (a changed title): the text cells stay, never a 500
        return data
    col = {k: j for j, (k, _) in enumerate(PLAN_COLUMNS, start=1)}
    for i, k, v in shares:
        fmt = share_number_format(share_text(v))
        if fmt:
            cell = ws.cell(row=head + 1 + i, column=col[k])
            cell.value, cell.number_format = v, fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@bp.get("/plan/targets.<fmt>")
def plan_export(fmt: str):
    """The plan package page's targets table (now and after the picked proposals) as CSV or XLSX, in the
    page's language. The ids are those of the page's address; any unknown one is a 404 naming it."""
    from geo.errors import NotFoundError
    from web import exports
    from web.capacity_proposals import applied, overlap_notes
    from web.proposals import data_state, display_name
    from web.errors import bad_param
    from web.proposals import sites_gdf

    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    lang, s = g.lang, svc()
    ids = _plan_ids()
    store = ext()["store"]
    recs = {i: store.get(i) for i in ids}
    unknown = [i for i, rec in recs.items() if rec is None]
    if unknown:
        shown = "、".join(f"“{i[:40]}”" for i in unknown[:10]) + ("…" if len(unknown) > 10 else "")
        raise NotFoundError(t("plan_export_unknown", "en", ids=shown.replace("、", ", ")),
                            t("plan_export_unknown", "zh", ids=shown),
                            hint_en=t("plan_export_unknown_hint", "en"), hint_zh=t("plan_export_unknown_hint", "zh"),
                            details={"unknown": unknown})
    package = [{"type": rec["type"], "sites": sites_gdf(rec), **applied(rec)} for rec in recs.values()]
    overlap = overlap_notes(list(recs.values()), lang)
    rows = []
    current = s.version()
    sep = t("layer_list_sep", lang)
    # outdated as the page and the list say it: the data a proposal was solved on changed since, not any data
    # (web.proposals.data_state, QA 32: the title called a proposal stale that /plan showed on current data)
    stale_of = {}
    for i, rec in recs.items():
        try:
            stale_of[i] = bool(data_state(rec, lang, s)["outdated"])
        except Exception:  # as the proposal page: an unreadable version is compared whole, never a 500
            stale_of[i] = not s.is_current(_proposal_version(rec))
    for r in s.targets(lang, package or None):
        a = r.get("after")
        extra = [overlap[r["type"]]] if r.get("type") in overlap else []
        if a:
            extra += a["notes"]
            # the proposals behind this "after" solved on another data version than the current one: said
            # on the row, as the page says it (their sites are added to the current data's facilities); on
            # an older version whose changes since are in data they do not use, said calmly (QA 32)
            behind = [i for i, rec in recs.items() if _moves(rec, r.get("type"))]
            versions = sorted({_proposal_version(recs[i]) for i in behind})
            named_versions = sep.join(f"v{v}" for v in versions)
            if any(stale_of[i] for i in behind):
                extra.append(t("plan_after_versions", lang, versions=named_versions, cur=current))
            elif any(v != current for v in versions):
                extra.append(t("qa32fe_after_versions_unaffected", lang, versions=named_versions, cur=current))
        if not a and package:
            extra.append(t("plan_unchanged", lang))
        met_after = a["met"] if a else r["met"]
        rows.append({"type_name": r["type_name"], "text": r["text"], **_plan_figures(r),
                     "met_now": t("status_met" if r["met"] else "status_not_met", lang),
                     "met_after": t("status_met" if met_after else "status_not_met", lang),
                     "note": " · ".join(extra), "synthetic_inputs": bool(r.get("synthetic_inputs"))})
    met_now = sum(1 for r in rows if r["met_now"] == t("status_met", lang))
    met_after = sum(1 for r in rows if r["met_after"] == t("status_met", lang))
    # each proposal with the data version it was solved on; those on another version than the current said
    def named(i, rec) -> str:
        label = f"{t('data_version_label', lang)} v{_proposal_version(rec)}"
        name = str(display_name(rec, lang) or i)
        return f"{name} ({label})" if lang == "en" else f"{name}（{label}）"
    names = sep.join(named(i, rec) for i, rec in recs.items())
    stale = [named(i, rec) for i, rec in recs.items() if stale_of[i]]
    parts = [t("plan_export_proposals", lang, names=names) if recs else t("plan_export_none", lang),
             t("plan_summary", lang).replace("{n}", str(met_after)).replace("{m}", str(len(rows))).replace("{k}", str(met_now)),
             f"{t('data_version_label', lang)} v{current}"]
    if stale:
        parts.append(t("plan_export_stale", lang, list=sep.join(stale), cur=current))
    title = exports.export_title(t("plan_title", lang), parts, lang,
                                 illustrative=any(r["synthetic_inputs"] for r in rows))
    shares = _plan_cells(rows, fmt)
    data = exports.table_bytes(rows, PLAN_COLUMNS, fmt, lang, sheet="plan", title=title)
    if fmt == "xlsx":
        data = _plan_xlsx(data, shares, t("facility_type", lang))
    return exports.download(data, fmt, "plan")


# (pages: facilities and plan package) end
