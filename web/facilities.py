"""The existing-facility register (the region's ``facilities`` layer) as rows for the
facilities page, its JSON API and its CSV/XLSX exports.

The register is whatever the region carries: the embedded synthetic sample (示意)
or, later, the planner's own. Nothing here is computed, only filtered and named,
so the page, the API and the downloads always show the same rows.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from web import layers
from planner.i18n import t

#: Source texts the region build writes into every row, shown in the page's language.
#: A register the planner imports brings its own source text, shown as it is.
KNOWN_SOURCES = {"coverplan sample register (示意)": "fac_source_sample",
                 # what a map edit writes (web/data.py); worded by _source_texts once the type has a version
                 "planner edit (web)": "fac_source_map"}
#: The attributes a planner edits in a facility's popup (geo.datasets.EDIT_FIELDS): rows and exports carry them.
ATTRIBUTES = ("address", "operator", "phone", "remark")


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
    sources = _source_texts(region, rows_df, lang)
    attrs = [[layers.clean(v) or None for v in rows_df[c]] if c in rows_df else [None] * len(rows_df)
             for c in ATTRIBUTES]
    capacity = _capacities(rows_df, types, lang)
    rows = []
    for (fid, name, ftype, tcode, ccode, geom), syn, src, cap, *attr in zip(
            rows_df[["id", "name", "facility_type", "township_code", "county_code", "geometry"]].itertuples(
                index=False, name=None), synthetic, sources, capacity, *attrs):
        ftype, tcode, ccode = str(ftype), layers.clean(tcode), layers.clean(ccode)
        rows.append({
            "id": str(fid), "name": layers.clean(name), "facility_type": ftype, "type_name": names[ftype],
            "township_code": tcode, "township_name": layers.clean(towns.get(tcode)) if tcode else None,
            "county_code": ccode, "county_name": counties.get(ccode) if ccode else None,
            "synthetic": bool(syn),
            "source": src,
            # the type's capacity as the register holds it (beds, day places ...; None: unknown or no such
            # capacity), so an imported 床位数 column can be checked row by row
            **cap,
            # what the planner typed in the popup (text as stored; the exports make formula-like cells safe)
            **{c: (str(v) if v is not None else None) for c, v in zip(ATTRIBUTES, attr)},
            "lon": None if geom is None or geom.is_empty else round(float(geom.x), 6),
            "lat": None if geom is None or geom.is_empty else round(float(geom.y), 6),
            # the coverage map of the type, zoomed to the township (only types the planner knows)
            "map_url": f"/map/{ftype}?township={tcode}" if ftype in types and tcode else None,
        })
    per_type = area["facility_type"].astype(str).value_counts()
    return {
        "rows": rows, "count": len(rows), "register_total": int(len(reg)),
        "synthetic": bool(synthetic.any()), "synthetic_rows": int(synthetic.sum()),
        "register_synthetic": bool(reg["synthetic"].astype(bool).any()) if "synthetic" in reg else False,
        "by_type": [{"type": k, "name": n, "count": int(per_type.get(k, 0))} for k, n in names.items()],
        "filters": {"type": type_key, "county": county, "township": township, "q": q or None},
    }


def _capacities(rows_df: pd.DataFrame, types: dict, lang: str) -> list[dict]:
    """Each row's ``capacity`` (a number, None when unknown) and ``capacity_unit`` (张床位 / beds;
    None for a type without a capacity). Column-wise: a register of many thousand rows stays quick."""
    ftypes = rows_df["facility_type"].astype(str).to_numpy()
    values = np.full(len(rows_df), np.nan)
    units = np.full(len(rows_df), None, dtype=object)
    for key in set(ftypes):
        ft = types.get(key)
        if ft is None or not ft.capacity:
            continue
        mask = ftypes == key
        field = ft.capacity.field
        if field in rows_df:
            values[mask] = pd.to_numeric(rows_df[field], errors="coerce").to_numpy(float)[mask]
        units[mask] = t("capw_unit_" + field, lang)
    return [{"capacity": None if u is None or not np.isfinite(v) else (int(v) if float(v).is_integer() else round(float(v), 1)),
             "capacity_unit": u} for v, u in zip(values, units)]


def _authors() -> dict[int, str]:
    """Data version -> who made it, as the versions list names him (empty outside a request, on a server
    without versions, or where no account was signed in: the open server's placeholder names nobody)."""
    try:
        from web.extensions import ext
        service = ext()["service"]
    except (RuntimeError, KeyError):  # outside a request
        return {}
    return service.version_authors()


def _source_texts(region, rows_df: pd.DataFrame, lang: str) -> list:
    """Each row's 来源, in ``lang``: where its current content comes from in the map popup's words
    (web/service.py source_text: imported from a file, added or changed on the map, in which data
    version), with who made that version; the sample's rows and types without a version of the
    planner's keep the stored source text (the sample's in ``lang``)."""
    from web.service import source_text

    by_type = (region.provenance.get("layers", {}).get("facilities") or {}).get("by_type") or {}
    authors = None
    col = lambda c: rows_df[c] if c in rows_df else pd.Series(None, index=rows_df.index, dtype=object)  # noqa: E731
    edited = layers.edited_flags(col("edited_on_map")) if "edited_on_map" in rows_df else pd.Series(
        False, index=rows_df.index)
    out = []
    for ftype, syn, stored, row_v, row_f, ed in zip(
            rows_df["facility_type"].astype(str), col("synthetic").fillna(False).astype(bool), col("source"),
            pd.to_numeric(col("source_version"), errors="coerce"), col("source_file"), edited):
        stored = layers.clean(stored)
        plain = t(KNOWN_SOURCES[stored], lang) if stored in KNOWN_SOURCES else stored
        src = by_type.get(ftype) or {}
        if not src.get("dataset_version") or (syn and not ed):
            out.append(plain)
            continue
        # the same choices as the popup (web/service.py coverage layers): the row's own version and
        # file where an edit wrote them down, else the layer's
        version = int(row_v) if row_v == row_v else int(src["dataset_version"])
        file = row_f if isinstance(row_f, str) else (src.get("file") or "")
        text = source_text(lang, file, version, bool(ed), bool(syn))
        if authors is None:
            authors = _authors()
        if authors.get(version):
            text = t("fac_src_author", lang, text=text, author=authors[version])
        # an imported file's own source column (not just its name) says more than the file: kept after it
        if plain and not ed and plain not in (file, t("fac_source_map", lang)):
            text = f"{text}{'；' if lang == 'zh' else '; '}{plain}"
        out.append(text)
    return out


def export_title(region, types: dict, lang: str, view: dict) -> str:
    """One line above an export's header: what, 示意 when synthetic, the filters, the count, the date."""
    f = view["filters"]
    parts = [t("fac_title", lang)]
    if view["synthetic"]:  # the rows exported: a filter to the planner's own rows is not 示意
        some = view.get("synthetic_rows", view["count"])
        # only some of them (an import of a county's or a type's register): say how many, not "all 示意"
        parts.append(t("fac_export_synthetic", lang) if some >= view["count"] else
                     t("fac_export_synthetic_some", lang, k=f"{some:,}", n=f"{view['count']:,}"))
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
