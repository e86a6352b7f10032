"""The existing-facility register (the region's ``facilities`` layer) as rows for the
facilities page, its JSON API and its CSV/XLSX exports.

The register is whatever the region carries: the embedded synthetic sample (示意)
or, later, the planner's own. Nothing here is computed, only filtered and named,
so the page, the API and the downloads always show the same rows.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from web import layers
from planner.i18n import t

#: Source texts the region build writes into every row, shown in the page's language.
#: A register the planner imports brings its own source text, shown as it is.
KNOWN_SOURCES = {"coverplan sample register (示意)": "fac_source_sample"}


def county_names(region, lang: str) -> dict[str, str]:
    """County code -> name in ``lang`` (English names when the region has them)."""
    c = region.counties
    names = c["name"]
    if lang == "en" and "name_en" in c:
        names = c["name_en"].where(c["name_en"].notna() & (c["name_en"].astype(str) != ""), c["name"])
    return dict(zip(c["code"].astype(str), names.astype(str)))


def type_names(types: dict, register: pd.DataFrame, lang: str) -> dict[str, str]:
    """Every type key in the facility types and the register -> its name (the key when unknown)."""
    names = {k: ft.name(lang) for k, ft in types.items()}
    for k in register["facility_type"].dropna().astype(str).unique():
        names.setdefault(k, k)
    return names


def _filtered(register: pd.DataFrame, *, county: str | None, township: str | None,
              q: str | None) -> pd.DataFrame:
    f = register
    if county:
        f = f[f["county_code"].astype(str) == county]
    if township:
        f = f[f["township_code"].astype(str) == township]
    if q:
        needle = q.strip().lower()
        text = f["name"].astype(str).str.lower() + " " + f["id"].astype(str).str.lower()
        f = f[text.str.contains(needle, regex=False)]
    return f


def register_view(region, types: dict, lang: str, *, type_key: str | None = None, county: str | None = None,
                  township: str | None = None, q: str | None = None) -> dict:
    """Rows of the register matching the filters, with counts.

    ``county`` and ``township`` are codes (already checked by the caller).
    ``by_type`` counts the rows of each type under every filter but the type,
    so it shows what the type filter would pick; with no filters it is the
    register's own count per type.
    """
    reg = region.facilities
    names = type_names(types, reg, lang)
    counties = county_names(region, lang)
    towns = region.townships["name"]
    area = _filtered(reg, county=county, township=township, q=q)
    rows_df = area[area["facility_type"].astype(str) == type_key] if type_key else area
    order = {k: i for i, k in enumerate(names)}
    rows_df = rows_df.assign(_o=rows_df["facility_type"].map(order)).sort_values(
        ["_o", "county_code", "township_code", "id"], kind="stable")
    synthetic = rows_df["synthetic"].astype(bool) if "synthetic" in rows_df else pd.Series(False, index=rows_df.index)
    sources = rows_df["source"] if "source" in rows_df else pd.Series(None, index=rows_df.index)
    rows = []
    for (fid, name, ftype, tcode, ccode, geom), syn, src in zip(
            rows_df[["id", "name", "facility_type", "township_code", "county_code", "geometry"]].itertuples(
                index=False, name=None), synthetic, sources):
        ftype, tcode, ccode = str(ftype), layers.clean(tcode), layers.clean(ccode)
        src = layers.clean(src)
        rows.append({
            "id": str(fid), "name": layers.clean(name), "facility_type": ftype, "type_name": names[ftype],
            "township_code": tcode, "township_name": layers.clean(towns.get(tcode)) if tcode else None,
            "county_code": ccode, "county_name": counties.get(ccode) if ccode else None,
            "synthetic": bool(syn),
            "source": t(KNOWN_SOURCES[src], lang) if src in KNOWN_SOURCES else src,
            "lon": None if geom is None or geom.is_empty else round(float(geom.x), 6),
            "lat": None if geom is None or geom.is_empty else round(float(geom.y), 6),
            # the coverage map of the type, zoomed to the township (only types the planner knows)
            "map_url": f"/map/{ftype}?township={tcode}" if ftype in types and tcode else None,
        })
    per_type = area["facility_type"].astype(str).value_counts()
    return {
        "rows": rows, "count": len(rows), "register_total": int(len(reg)),
        "synthetic": bool(synthetic.any()),
        "register_synthetic": bool(reg["synthetic"].astype(bool).any()) if "synthetic" in reg else False,
        "by_type": [{"type": k, "name": n, "count": int(per_type.get(k, 0))} for k, n in names.items()],
        "filters": {"type": type_key, "county": county, "township": township, "q": q or None},
    }


def export_title(region, types: dict, lang: str, view: dict) -> str:
    """One line above an export's header: what, 示意 when synthetic, the filters, the count, the date."""
    f = view["filters"]
    parts = [t("fac_title", lang)]
    if view["synthetic"]:  # the rows exported: a filter to the planner's own rows is not 示意
        parts.append(t("fac_export_synthetic", lang))
    chosen = []
    if f["type"]:
        chosen.append(f"{t('facility_type', lang)}={type_names(types, region.facilities, lang)[f['type']]}")
    if f["county"]:
        chosen.append(f"{t('county', lang)}={county_names(region, lang)[f['county']]}")
    if f["township"]:
        chosen.append(f"{t('township', lang)}={region.townships.at[f['township'], 'name']}（{f['township']}）")
    if f["q"]:
        chosen.append(t("fac_name_contains", lang, q=f["q"]))
    sep = "; " if lang == "en" else "；"
    parts.append(f"{t('fac_export_filters', lang)}: " + (sep.join(chosen) if chosen else t("all", lang)))
    parts.append(t("fac_export_rows", lang, n=view["count"]))
    # which data the rows come from, as the checklist export says it
    parts.append(f"{t('data_version_label', lang)} v{getattr(region, 'dataset_version', None) or 0}")
    parts.append(f"{t('fac_export_date', lang)}: {date.today():%Y-%m-%d}")
    return " · ".join(parts)
