"""The plan's targets (from facility_types.toml) with their status now and after proposals."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.regions import Region
from planner.coverage import analyse_coverage, existing_facilities, sample_register
from planner.facility_types import load_facility_types, plan_year, village_targets
from planner.i18n import t
from planner.proposals import place_proposal_sites


#: The plan targets table as a file, web /plan/targets.<fmt> and `coverplan targets --out` alike: (row key,
#: i18n key of its header). Current, after and target are figures of their own (a count, or a share: a number
#: with a percent format in the XLSX, "21.7%" in the CSV), and the progress is the overview's (QA 29: "0 / 8"
#: and "21.7% / 100%" were text, and the CLI had no --out).
PLAN_COLUMNS = [("type_name", "facility_type"), ("text", "target"), ("current", "current"),
                ("met_now", "plan_col_met_now"), ("after", "plan_after"), ("met_after", "plan_col_met_after"),
                ("note", "plan_col_note"), ("synthetic_inputs", "plan_col_illustrative"),
                ("target_value", "plan_col_target_value"), ("progress", "plan_col_progress_now"),
                ("progress_after", "plan_col_progress_after")]


def progress(value: float, target: float) -> float:
    """How far ``value`` has come toward ``target``, 0..1, as the overview, the plan page and both targets
    exports show it (a target of 0 is met)."""
    return min(1.0, value / target) if target else 1.0


def combine_sites(site_sets: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The proposed sites of several proposals of one type, as one set of places to build.

    Two proposals of the same type often pick the same candidate (the county
    seat is in most answers); building the package builds that place once, so
    it is counted once. A site is the same place as an earlier one when it has
    the same coordinates (to about 10 cm) or comes from the same candidate
    (``candidate_id``). Proposals number their sites from 1, so ids are made unique
    (``<id>~2``) where two proposals reused one, keeping each site addressable.
    """
    frames = [s for s in site_sets if s is not None and len(s)]
    if not frames:
        return gpd.GeoDataFrame({"id": []}, geometry=[], crs=settings.STORAGE_CRS)
    sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    place = sites.geometry.x.round(6).astype(str) + "," + sites.geometry.y.round(6).astype(str)
    same = place.duplicated()
    if "candidate_id" in sites:
        cand = sites["candidate_id"].astype("string").fillna("").str.strip()
        same |= (cand != "") & cand.duplicated()
    sites = sites[~same].reset_index(drop=True)
    ids = sites["id"].astype(str) if "id" in sites else pd.Series(
        [f"site-{i}" for i in range(1, len(sites) + 1)], index=sites.index)
    seen = ids.groupby(ids).cumcount()
    sites["id"] = ids.where(seen == 0, ids + "~" + (seen + 1).astype(str))
    return sites


def _value(kind: str, cov, region: Region, new_now: int, new_added: int) -> tuple[float, dict]:
    if kind == "upgraded":  # new_now/new_added: upgrades in the register / in upgrade proposals
        n = new_now + new_added
        return n, {"upgraded": n, "from_register": new_now, "from_proposals": new_added}
    if kind == "converted":  # new_now: the register's centres of this year (built or converted)
        n = new_now + new_added
        return n, {"converted": n, "from_register": new_now, "from_proposals": new_added}
    if kind == "new_sites":
        n = new_now + new_added
        return n, {"new_sites": n, "from_register": new_now, "from_proposals": new_added}
    if kind == "covered_share":
        s = cov.summary
        return s["unit_share"] or 0.0, {"units": s["units"], "covered_units": s["covered_units"],
                                        "weight": s["weight"], "covered_weight": s["covered_weight"]}
    # township_share: townships with at least one facility of the type
    with_fac = cov.facilities["township_code"].dropna().nunique()
    n = len(region.townships)
    return with_fac / n, {"townships": n, "townships_with_facility": int(with_fac)}


def plan_targets(region: Region, *, proposals: list[dict] | None = None, facilities=None,
                 mode: str = "estimate", graph=None, coverage_now=None,
                 types: set[str] | None = None) -> list[dict]:
    """Every target with status now, and after the given proposals when any.

    Parameters
    ----------
    proposals : list of dict, optional
        Each ``{"type": key, "sites": GeoDataFrame}`` (as :func:`load_proposal_sites`
        or :meth:`planner.proposals.Proposal.applied` return). Several
        proposals of one type are applied together: their sites are combined
        (:func:`combine_sites`, a place two proposals share counts once).
    coverage_now : callable, optional
        ``coverage_now(ftype)`` returns the current coverage of a type computed
        with the same facilities, mode and graph; a caller that keeps coverage
        (the web service) passes its cache so nothing is computed twice.
        Default: :func:`analyse_coverage`.
    types : set of str, optional
        Only the targets of these facility types (and the per-village ones). On
        a road network each type's coverage costs seconds, so a page about one
        proposal asks only for the types it moves.
    """
    year = plan_year()
    by_type: dict[str, list[gpd.GeoDataFrame]] = {}
    built: dict[str, list[gpd.GeoDataFrame]] = {}  # new sites of location proposals, per type
    upgrades: dict[str, set[str]] = {}
    # conversions: per role type, the (type, id) of the facilities converted into it; and per
    # source type the ids converted out of it (a home converted is not also counted as upgraded)
    converted: dict[str, set[tuple[str, str]]] = {}
    converted_out: dict[str, set[str]] = {}
    # upgrades and conversions name facilities of the data they were solved on: one that is not in the
    # current data (a register imported since) is not upgraded by building the package (QA 21: 5 of 5
    # "met" on a register of 3 homes), and is counted per type in ``gone``
    gone_ids: dict[str, set[str]] = {}  # a facility two proposals share is one facility gone
    types_all = load_facility_types()
    existing_of: dict[str, gpd.GeoDataFrame] = {}  # each type's register, read once for both uses below

    def existing_for(key: str) -> gpd.GeoDataFrame:
        if key not in existing_of:
            existing_of[key] = existing_facilities(region, types_all[key], facilities)
        return existing_of[key]

    for p in proposals or []:
        if p.get("file") is not None:  # read from a file (planner.proposals.load_proposal_sites): a site outside
            # the region refused, each new site counted in the township its point lies in, not the one the file
            # names (QA 33: a site moved to Beijing still counted, "新增 3 处")
            p = {**p, "sites": place_proposal_sites(p, region)[0]}
        if p.get("kind") == "upgrade":
            if p["type"] not in types_all:  # a type since removed from the types file: nothing of it counts
                continue
            keep = p["sites"]["id"].astype(str).isin(existing_for(p["type"])["id"].astype(str)).to_numpy()
            gone_ids.setdefault(p.get("role") or p["type"], set()).update(p["sites"]["id"].astype(str)[~keep])
            sites = p["sites"][keep]
            ids = set(sites["id"].astype(str))
            if p.get("role"):  # a conversion: the facilities become new sites of the role's type
                by_type.setdefault(p["role"], []).append(sites)
                converted.setdefault(p["role"], set()).update((p["type"], i) for i in ids)
                converted_out.setdefault(p["type"], set()).update(ids)
            else:
                upgrades.setdefault(p["type"], set()).update(ids)
            continue
        by_type.setdefault(p["type"], []).append(p["sites"])
        built.setdefault(p["type"], []).append(p["sites"])
    gone = {k: len(v) for k, v in gone_ids.items()}
    out = []
    for key, ft in types_all.items():
        if not ft.targets or (types is not None and key not in types):
            continue
        existing = existing_for(key)
        new_now = int((pd.to_numeric(existing.get("built_year"), errors="coerce") == year).sum()) \
            if "built_year" in existing else 0
        up_now = int((pd.to_numeric(existing.get("upgraded_year"), errors="coerce") == year).sum()) \
            if "upgraded_year" in existing else 0
        cov_now = coverage_now(ft) if coverage_now is not None else analyse_coverage(
            region, ft, facilities=facilities, mode=mode, graph=graph)
        extra = combine_sites(by_type[key]) if key in by_type else None
        cov_after = analyse_coverage(region, ft, facilities=facilities, extra_sites=extra, mode=mode,
                                     graph=graph) if extra is not None else None  # empty extra: as now
        # 示意 when anything the target is measured on is: the register, or the demand units the coverage
        # counts (approximate townships, synthetic villages) -- a type with no facility yet is not exempt
        units = getattr(cov_now, "units", None)
        # (derived populations too: the coverage's units carry population_derived, QA 36)
        approx = (facilities is None and sample_register(region, key)) or bool(existing["synthetic"].astype(bool).any()) or any(
            units is not None and col in units and bool(units[col].fillna(False).astype(bool).any())
            for col in ("synthetic", "population_derived"))
        for t in ft.targets:
            if t["kind"] == "upgraded":
                # a proposal of this type that upgrades nothing still has an "after" (as now)
                out.append(_upgraded_row(t, ft, key, existing, up_now,
                                         upgrades.get(key, set() if key in by_type or gone.get(key) else None),
                                         chosen=key in upgrades or bool(gone.get(key)),
                                         converted=converted_out.get(key, set()), gone=gone.get(key, 0)))
                continue
            if t["kind"] == "converted":
                out.append(_converted_row(t, ft, key, new_now, approx, mode, converted.get(key, set()),
                                          len(combine_sites(built[key])) if key in built else 0,
                                          proposals=len(by_type.get(key, ())) if key in by_type or gone.get(key)
                                          else None, gone=gone.get(key, 0)))
                continue
            row = _target_row(t, ft, key, *_value(t["kind"], cov_now, region, new_now, 0), approx, mode=mode)
            if cov_after is not None:
                row["after"] = _after(t, *_value(t["kind"], cov_after, region, new_now, len(extra)),
                                      proposals=len(by_type[key]), sites_added=int(len(extra)))
            out.append(row)
    out.extend(village_target_rows(region))
    return out


def _target_row(t: dict, ft, key: str, value: float, numbers: dict, synthetic: bool, **more) -> dict:
    """One target's row now (its ``after`` is added by the caller, :func:`_after`)."""
    return {"key": t["key"], "type": key, "type_name_zh": ft.name_zh, "type_name_en": ft.name_en,
            "section": ft.section, "kind": t["kind"], "text_zh": t["text_zh"], "text_en": t["text_en"],
            "target": t["min"], "value": value, "status": "met" if value >= t["min"] else "not_met",
            "numbers": numbers, "synthetic_inputs": synthetic, **more}


def _after(t: dict, value: float, numbers: dict, **more) -> dict:
    """A target's value and status after a package, with what it is made of (``more``)."""
    return {"value": value, "status": "met" if value >= t["min"] else "not_met", "numbers": numbers, **more}


def _converted_row(t: dict, ft, key: str, new_now: int, approx: bool, mode: str,
                   converted: set[tuple[str, str]], new_built: int, *, proposals: int | None, gone: int = 0) -> dict:
    """A target on converting facilities of another type into this one (rural welfare homes into
    regional centres, §十): only conversions count; new builds of the type in the package are said
    beside it (``sites_built_not_counted``), as they move its coverage but not this target."""
    row = _target_row(t, ft, key, *_value("converted", None, None, new_now, 0), approx, mode=mode)
    if proposals is not None:
        row["after"] = _after(t, *_value("converted", None, None, new_now, len(converted)), proposals=proposals,
                              sites_converted=len(converted), sites_built_not_counted=int(new_built),
                              sites_not_in_data=int(gone))
    return row


def _upgraded_row(t: dict, ft, key: str, existing, up_now: int, proposed: set[str] | None, *,
                  chosen: bool = False, converted: set[str] = frozenset(), gone: int = 0) -> dict:
    """A target on upgrading existing facilities: the register's upgrades this year, plus a proposal's."""
    value, numbers = _value("upgraded", None, None, up_now, 0)
    numbers["existing_facilities"] = int(len(existing))
    row = _target_row(t, ft, key, value, numbers, bool(existing["synthetic"].astype(bool).any()))
    if proposed is not None:
        # a facility already upgraded this year counts once
        done = set(existing.loc[pd.to_numeric(existing.get("upgraded_year"), errors="coerce") == plan_year(), "id"]
                   .astype(str)) if "upgraded_year" in existing else set()
        # a facility the package also converts into another type is counted there, not here: the plan's
        # upgrades and conversions are different homes (QA 19: 2 of 15 were counted in both)
        also = (proposed - done) & set(converted)
        # the facilities of this type the package converts into another type and does not also choose to
        # upgrade: they count toward that type's conversion target, not this one, and the note says so (a
        # sized proposal with a conversion of 8 homes was said to "only build new sites")
        converted_out = set(converted) - proposed
        proposed = proposed - set(converted)
        v2, n2 = _value("upgraded", None, None, up_now, len(proposed - done))
        if also:
            n2["converted_instead"] = len(also)
        # upgraded, not added (QA 18: "新增 50 处" for an upgrade); a package whose proposals of the type
        # only build new sites upgrades none, and says so rather than "0 added"
        # ``upgrade_proposals``: whether an upgrade of the type was chosen (0 upgraded then means its sites
        # were upgraded this year already, not that the package only builds new sites)
        row["after"] = _after(t, v2, n2, sites_upgraded=len(proposed - done), upgrade_proposals=bool(chosen),
                              also_converted=len(also), converted_out=len(converted_out), sites_not_in_data=int(gone))
    return row


def after_notes(a: dict, lang: str) -> list[str]:
    """What a target's value after a package is made of, in words: sites added, upgraded or
    converted, and what the package has that does not count (the plan page, its export, a
    proposal's page and the brief say the same)."""
    out = []

    def says(key: str, n) -> str:
        # the count as the pages write it: "1,337" (QA 24: "新增 1337 处"), and "1 site added" in English
        n = int(n)
        one = f"{key}_one"
        return t(one if n == 1 and t(one, lang) != one else key, lang).replace("{n}", f"{n:,}")

    if a.get("sites_added") is not None:
        out.append(says("plan_export_sites_added", a["sites_added"]))
    converted_out = int(a.get("converted_out") or 0)  # homes the package converts (counted as conversions)
    if a.get("sites_upgraded"):
        out.append(says("plan_sites_upgraded_after", a["sites_upgraded"]))
    elif a.get("sites_upgraded") == 0 and not a.get("also_converted") and not a.get("sites_not_in_data"):
        if a.get("upgrade_proposals"):
            out.append(t("plan_upgrades_done", lang))
        elif converted_out:  # new sites and conversions: neither is an upgrade, and the note says both
            out.append(says("f6_plan_new_and_converted_not_upgrades", converted_out))
            converted_out = 0
        else:
            out.append(t("plan_new_not_upgrades", lang))
    if a.get("also_converted"):
        out.append(says("plan_upgraded_also_converted", a["also_converted"]))
    if converted_out:
        out.append(says("f6_plan_converted_not_upgrades", converted_out))
    if a.get("sites_converted") is not None:
        out.append(says("plan_sites_converted", a["sites_converted"]))
    if a.get("sites_not_in_data"):
        out.append(says("plan_sites_not_in_data", a["sites_not_in_data"]))
    if a.get("sites_built_not_counted"):
        out.append(says("plan_built_not_converted", a["sites_built_not_counted"]))
    if (a.get("proposals") or 0) > 1:
        out.append(says("plan_combined", a["proposals"]))
    return out


def overlap_notes(proposals: list[dict], names: list[str], lang: str) -> dict[str, str]:
    """{type key: note} when an upgrade and a conversion of the same type in a package choose the same facilities.

    A rural welfare home upgraded in one proposal and converted into a regional centre in another counted for both
    targets ("5/5 met", "8/8 met") without a word (QA 17): one facility cannot be both, and :func:`plan_targets`
    counts it as converted only. The note goes on the targets of the types concerned (the proposals' type and
    roles). ``proposals``: as :func:`plan_targets` takes them (``kind`` "upgrade", ``role`` for a conversion);
    ``names``: each proposal's name as the caller shows it (the web's proposal name, the CLI's file name), in the
    order of ``proposals``. The web's /api/targets, its plan package export and `coverplan targets` (its text,
    --json and --out) all say it so."""
    ups = [(p, n) for p, n in zip(proposals, names) if p.get("kind") == "upgrade" and p.get("sites") is not None]
    sep = t("layer_list_sep", lang)
    out: dict[str, list[str]] = {}
    for i, (a, na) in enumerate(ups):
        for b, nb in ups[i + 1:]:
            if a["type"] != b["type"] or bool(a.get("role")) == bool(b.get("role")):  # an upgrade and a conversion
                continue
            ga, gb = a["sites"], b["sites"]
            both = sorted(set(ga["id"].astype(str)) & set(gb["id"].astype(str)))
            if not both:
                continue
            named = dict(zip(ga["id"].astype(str), ga["name"].astype(str))) if "name" in ga else {}
            shown = [named.get(i) or i for i in both]
            listed = sep.join(shown[:5]) + ("…" if len(shown) > 5 else "")
            text = t("f11_overlap_one" if len(both) == 1 else "f11_overlap", lang, a=na, b=nb, n=len(both),
                     names=listed)
            for p in (a, b):
                for key in {p["type"], p.get("role") or p["type"]}:
                    out.setdefault(key, []).append(text)
    return {k: " ".join(dict.fromkeys(v)) for k, v in out.items()}


def village_target_rows(region: Region) -> list[dict]:
    """Targets on a per-village attribute ([[village_targets]], e.g. community charity funds, §二十四):
    the share of villages and communities with it, by county and township, and which lack it."""
    v = region.villages
    out = []
    for vt in village_targets():
        attr = vt["attribute"]
        known = attr in v
        has = v[attr].fillna(False).astype(bool) if known else pd.Series(False, index=v.index)
        share = float(has.mean()) if len(v) else 0.0

        def share_by(col: str) -> list[dict]:
            g = has.groupby(v[col])
            return [{"code": str(code), "villages": int(n), "with": int(k), "share": float(k / n) if n else None}
                    for code, n, k in zip(g.size().index, g.size().to_numpy(), g.sum().to_numpy())]

        by_c = share_by("county_code")
        for r in by_c:
            r["name"] = region.counties["name"].get(r["code"], "")
        by_t = share_by("township_code")
        for r in by_t:
            r["name"] = region.townships["name"].get(r["code"], "")
        lacking = v[~has]
        quality = "missing" if not known else str(v.get("attribute_quality", pd.Series(["official"])).iloc[0])
        out.append({"key": vt["key"], "type": None, "type_name_zh": "村（社区）项目", "type_name_en": "village/community programme",
                    "section": vt.get("section", ""), "kind": "attribute_share", "attribute": attr,
                    "text_zh": vt["text_zh"], "text_en": vt["text_en"], "target": vt["min"], "value": share,
                    "status": "met" if share >= vt["min"] - 1e-12 else "not_met",
                    "numbers": {"villages": int(len(v)), "with_attribute": int(has.sum()),
                                "lacking": int(len(lacking)), "by_county": by_c, "by_township": by_t,
                                "lacking_villages": [
                                    {"code": str(c), "name": n, "township_code": str(tc), "county_code": str(cc)}
                                    for c, n, tc, cc in zip(lacking.index, lacking["name"],
                                                            lacking["township_code"], lacking["county_code"])]},
                    "attribute_quality": quality,
                    "synthetic_inputs": quality != "official"})
    return out


def proposal_notes(region: Region, proposals: list[dict], names: list[str], current: int, lang: str) -> list[str]:
    """What to say of proposals read from files before counting them on the current data (``current``, the data
    version): those solved on another data version, or not saying theirs, named as the web's targets export
    names them (web.pages: plan_export_stale), and the sites that stand on a candidate the planner has forbidden
    since (`coverplan targets --proposal` counted them without a word: QA 27). ``names``: each proposal's name
    (the file's), in the order of ``proposals``."""
    from planner.sites import forbidden_ids

    sep = t("layer_list_sep", lang)
    label = t("data_version_label", lang)
    out = []
    stale = [f"{n} ({label} v{p['dataset_version']})" if lang == "en" else f"{n}（{label} v{p['dataset_version']}）"
             for p, n in zip(proposals, names)
             if p.get("dataset_version") is not None and int(p["dataset_version"]) != int(current)]
    if stale:
        out.append(t("plan_export_stale", lang, list=sep.join(stale), cur=current))
    out += [t("targets_version_unknown", lang, name=n, cur=current)
            for p, n in zip(proposals, names) if p.get("dataset_version") is None]
    for p, n in zip(proposals, names):  # what a file edited by hand was read as (QA 33)
        out += file_site_notes(region, p, n, lang)
    for p, n in zip(proposals, names):
        sites = p.get("sites")
        if p.get("kind", "new_sites") not in ("new_sites", "location") or sites is None or not len(sites) \
                or "candidate_id" not in sites:
            continue
        banned = forbidden_ids(region, str(p.get("type")))
        if not banned:
            continue
        hit = sites[sites["candidate_id"].astype(str).isin(banned)]
        if not len(hit):
            continue
        col = "name_en" if lang == "en" and "name_en" in hit else "name"
        listed = sep.join(f"{nm} ({cid})" if lang == "en" else f"{nm}（{cid}）"
                          for nm, cid in zip(hit[col].fillna(hit["name"]).astype(str), hit["candidate_id"].astype(str)))
        out.append(t("targets_sites_forbidden_one" if len(hit) == 1 else "targets_sites_forbidden",
                     lang, name=n, n=f"{len(hit):,}", sites=listed))
    return out


def file_site_notes(region: Region, prop: dict, name: str, lang: str) -> list[str]:
    """What :func:`plan_targets` made of a proposal read from a file (``prop["file"]``) that its file does not say:
    sites without a priority numbered after the others (planner.proposals.load_proposal_sites), and sites counted
    in the township their point lies in rather than the one the file records
    (planner.proposals.place_proposal_sites). ``name``: the proposal's name as the caller shows it (the file's)."""
    if prop.get("file") is None or prop.get("sites") is None:
        return []
    sep = t("layer_list_sep", lang)
    en = lang == "en"

    def site(s: dict) -> str:
        label = (s.get("name_en") or s.get("name")) if en else s.get("name")
        return t("qa33f8_feature_named" if label else "qa33f8_feature", lang, n=s["feature"], name=label)

    out = []
    unnumbered = prop.get("unnumbered") or []
    if unnumbered:
        listed = sep.join(t("qa33f8_numbered_as", lang, site=site(s), priority=s["priority"]) for s in unnumbered)
        out.append(t("qa33f8_unnumbered_one" if len(unnumbered) == 1 else "qa33f8_unnumbered", lang, file=name,
                     sites=listed))
    towns = region.townships["name"] if "name" in region.townships else None

    def town(code: str) -> str:
        known = towns is not None and code in towns.index
        return t("qa33f8_township", lang, name=towns[code], code=code) if known else code

    for s in place_proposal_sites(prop, region)[1]:
        out.append(t("qa33f8_township_moved", lang, file=name, site=site(s), recorded=town(s["recorded"]),
                     township=town(s["township"])))
    return out
