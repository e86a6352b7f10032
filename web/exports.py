"""Downloads: CSV (UTF-8 with BOM, so Excel on Windows reads the Chinese) and XLSX (openpyxl).

Every text cell of every table export is guarded: names in a register or a proposal
come from outside, and a spreadsheet would run one that starts like a formula
(``=HYPERLINK(...)``, ``+cmd``, ``@SUM``). CSV cells get an apostrophe in front
(:func:`safe_text`); XLSX cells are stored as text with the quote prefix (planner.cells).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from flask import Response

# the one rule for every exported cell lives in the planner (the CLI's tables use it too)
from planner.cells import FORMULA_START, protect_cells, safe_text, title_line, xlsx_text  # noqa: F401  (FORMULA_START: re-exported)
from planner.i18n import share_text, t, with_unit
from planner.numbers import number_cell
from planner.sites import site_code

#: (row key, i18n key of the header)
TOWNSHIP_COLUMNS = [
    ("township_code", "code"), ("township_name", "township"), ("county_name", "county"),
    ("type_name", "facility_type"), ("status", "status"), ("reason", "reason"),
    ("facilities", "existing_facilities"), ("units", "units"), ("covered_units", "covered_units"),
    ("uncovered_units", "uncovered_units"),  # as the CLI's checklist has it (the web's lacked it)
    ("weight", "weight"), ("covered_weight", "covered_weight"),
    ("covered_share", "covered_share_units"),  # the rows' covered_share is covered units / units
    # capacity (types with a capacity, and "beds"): empty for the others
    ("cap_ratio", "cap_ratio_export"), ("cap_standard", "cap_standard_export"),
    ("cap_shortfall", "cap_shortfall_col"),
]
SITE_COLUMNS = [
    # the site's own code (its village's, or a township seat's township code: site_code), then the township's
    # (QA 24: "代码" held the township's code, the township column's again, and the site's was in the GeoJSON only)
    ("priority", "priority"), ("name", "name"), ("site_code", "code"), ("township_code", "fac_township_code"),
    ("township_name", "township"),
    ("county_name", "county"), ("lon", "lon"), ("lat", "lat"), ("added_weight", "added_weight"),
    ("added_units", "added_units"),
    # "of which beyond the standard" is a part of the units the site serves (which include units it took
    # over from an existing facility), not of the units it newly covers: its whole comes right before it
    ("served_units", "site_served_units"), ("beyond_standard_units", "beyond_standard_units"),
    ("farthest_cost", "farthest_cost"),
    ("nearest_existing_name", "nearest_existing"), ("nearest_existing_cost", "cost"),
    ("reason", "why_here"),  # the sentence the page gives each site: what a planner reads out at the meeting
]


def with_site_codes(rows: list[dict], columns: list[tuple[str, str]]):
    """(rows, columns) with each proposed site's own code (:func:`site_code`) under "代码/Code".

    A table whose "code" column is the township's (a sized proposal's, web.capacity_proposals) gets the
    site's code there and the township's in a column of its own after it."""
    if not any(r.get("candidate_id") for r in rows):
        return rows, columns
    if ("township_code", "code") in columns:
        i = columns.index(("township_code", "code"))
        columns = columns[:i] + [("site_code", "code"), ("township_code", "fac_township_code")] + columns[i + 1:]
    if any(k == "site_code" for k, _ in columns):
        rows = [r if r.get("site_code") else {**r, "site_code": site_code(r.get("candidate_id"))} for r in rows]
    return rows, columns


def site_columns(weight_field: str | None) -> list[tuple[str, str]]:
    """A proposal's site columns for a type weighted by ``weight_field``: the added weight named by what
    it counts (新增覆盖60岁以上人口); left out for a type weighted by units, where it is the unit count
    that "added_units" already gives (two columns, one number, near-identical names)."""
    if weight_field == "units":
        return [c for c in SITE_COLUMNS if c[0] != "added_weight"]
    key = f"added_weight_{weight_field}"
    if t(key, "zh") == key:  # a weight without its own label (an old record): the generic one
        return list(SITE_COLUMNS)
    return [(k, key if k == "added_weight" else label) for k, label in SITE_COLUMNS]

FACILITY_COLUMNS = [
    ("id", "fac_id"), ("name", "name"), ("type_name", "facility_type"), ("township_code", "fac_township_code"),
    ("township_name", "township"), ("county_name", "county"), ("lon", "lon"), ("lat", "lat"),
    # what a planner edits on the map goes out with the register (formula-like text neutralised by _cell)
    ("address", "field_address"), ("operator", "field_operator"), ("phone", "field_phone"), ("remark", "field_remark"),
    ("capacity", "fac_capacity"), ("capacity_unit", "fac_capacity_unit"),
    ("synthetic", "fac_flag"), ("source", "source"),
]


#: Columns holding a 0..1 share: written as a percentage (CSV text "58.8%", XLSX a number shown as %).
PERCENT_KEYS = {"covered_share", "utilisation"}  # utilisation: a sized proposal's sites (issue 16)
#: Columns counting people served (a capacity converted by the standard, so fractional): whole people, as
#: the pages show them (a planner compares the file with the page).
PEOPLE_KEYS = {"load", "added_served", "added_alone", "served_before", "served_after"}
#: Columns holding a travel cost: their header names the unit.
COST_KEYS = {"farthest_cost", "nearest_existing_cost"}


#: Columns whose unit depends on the row's facility type ("type"): -> the unit kind. The header names
#: the unit when the rows share one (a one-type checklist); rows of several units (all types) get a
#: unit column after the last such column instead, so no figure is left without its unit.
TYPE_UNIT_KEYS = {"weight": "weight_unit", "covered_weight": "weight_unit", "cap_ratio": "ratio_unit",
                  "cap_standard": "ratio_unit", "cap_shortfall": "cap_unit"}
UNIT_COLUMNS = {"weight_unit": "weight_unit_col", "ratio_unit": "ratio_unit_col", "cap_unit": "cap_unit_col"}
#: Columns whose header is their unit itself ("每千名60岁以上老人日托位（示意）"), when the rows share one:
#: the generic label ("容量/千人") with the unit after it would say "per 1,000" twice.
UNIT_NAMED = {"cap_ratio": "cap_ratio_export_of", "cap_standard": "cap_standard_export_of"}


def _types() -> dict:
    """The facility types in use (the service's, in a request; else the types file)."""
    try:
        from web.extensions import ext
        return ext()["service"].types()
    except RuntimeError:  # outside a request
        from planner.facility_types import load_facility_types
        return load_facility_types()


def type_units(type_key, lang: str) -> dict:
    """``{"weight_unit": …, "ratio_unit": …, "cap_unit": …}`` of a facility type: what its demand
    weight counts (60岁以上人口, or demand units for a type weighted by units), what its per-1,000
    capacity counts (每千名60岁以上老人日托位, as the checklist page says) and what its capacity counts
    (个日托位, 张床位…; "" for a type without a capacity)."""
    ft = _types().get(type_key)
    if ft is None:
        return {"weight_unit": "", "ratio_unit": "", "cap_unit": ""}
    weight = t("weight_units_count", lang) if ft.weight == "units" else t(f"weight_{ft.weight}", lang)
    cap = t(f"capw_unit_{ft.capacity.field}", lang) if ft.capacity else ""
    ratio = t("capw_per_1000_of", lang, basis=t(f"capw_basis_{ft.capacity.basis}", lang),
              unit=t(f"capw_noun_{ft.capacity.field}", lang)) if ft.capacity else ""
    return {"weight_unit": weight, "ratio_unit": ratio, "cap_unit": cap}


def _with_type_units(rows: list[dict], columns: list[tuple[str, str]], lang: str):
    """(rows, columns, header units by key) with the type-dependent units added (TYPE_UNIT_KEYS)."""
    if not rows or not any(k in TYPE_UNIT_KEYS for k, _ in columns) or not any("type" in r for r in rows):
        return rows, columns, {}
    cache: dict = {}
    units = [cache.setdefault(r.get("type"), type_units(r.get("type"), lang)) for r in rows]
    header_units, extra = {}, []
    for kind, col_label in UNIT_COLUMNS.items():
        keys = [k for k, _ in columns if TYPE_UNIT_KEYS.get(k) == kind]
        if not keys:
            continue
        # a row whose cells are empty (no capacity) has no unit to name
        found = {u[kind] for u, r in zip(units, rows) if u[kind] and any(r.get(k) not in (None, "") for k in keys)}
        if not found and len(cache) == 1:  # every cell empty (a type compared per county: no township figure), one
            found = {u[kind] for u in cache.values() if u[kind]}  # type: its headers still name its unit (QA 34)
        if len(found) == 1:
            header_units.update({k: next(iter(found)) for k in keys})
        elif len(found) > 1:
            extra.append((keys[-1], kind, col_label))
    if extra:
        rows = [{**r, **{kind: u[kind] for _, kind, _ in extra}} for r, u in zip(rows, units)]
        columns = list(columns)
        for after, kind, label in extra:
            columns.insert(next(i for i, (k, _) in enumerate(columns) if k == after) + 1, (kind, label))
    return rows, columns, header_units


def _cell(key: str, value, lang: str, fmt: str = "xlsx"):
    if key == "status" and value in ("met", "not_met", "na"):
        return t(f"status_{value}", lang)
    if key in PERCENT_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        # a share short of full never reads "100.0%" (the pages' rule, planner.mapexport.share_text;
        # imported here: the module loads folium, 0.6 s, which only the map exports need up front)
        return round(float(value), 4) if fmt == "xlsx" else share_text(value)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if key in PEOPLE_KEYS and isinstance(value, float):
        return int(round(value))
    if isinstance(value, float):  # a count kept as a float (9999.0) whole, else 4 decimals; a coordinate 6
        return number_cell(value, key)  # (the CLI's --out tables write theirs by the same rule: planner.numbers)
    return safe_text(value) if fmt == "csv" else xlsx_text(value)


def _filename(base: str, ext: str) -> str:
    return f"coverplan-{base}-{datetime.now():%Y%m%d-%H%M}.{ext}"


def table_bytes(rows: list[dict], columns: list[tuple[str, str]], fmt: str, lang: str,
                sheet: str = "coverplan", title: str | None = None, cost_unit: str | None = None,
                summary: list[tuple[str, object]] | None = None, summary_head: str | None = None) -> bytes:
    """The table as CSV or XLSX bytes.

    ``title``: one line written above the header (what the data are, whether they
    are illustrative, the filters, the date), so a printed or forwarded file
    still says so. Without it the header is the first row.

    ``summary`` (XLSX only; a CSV's caller writes it as rows of its own columns): label/value rows between
    the title and the table, under ``summary_head``, e.g. what a validation report's check used (encoding,
    column mapping ...); a label "" continues the row above. The header is frozen only when few rows are above it.
    """
    unit = {"m": t("metres", lang), "min": t("minutes", lang)}.get(cost_unit or "")
    if any(k == "cap_ratio" for k, _ in columns) and any(r.get("cap_standard") is not None for r in rows):
        # the checklist's capacity cells where capacities are unknown, as the page shows them
        try:
            from web.extensions import ext
            rows = mark_unknown_capacity([dict(r) for r in rows], capacity_unknown_by_township(ext()["service"]), lang)
        except RuntimeError:  # outside a request: the rows as given
            pass
    rows, columns = with_site_codes(rows, list(columns))
    rows, columns, type_unit = _with_type_units(rows, columns, lang)

    def head(key: str, label: str) -> str:
        if unit and key in COST_KEYS:
            return with_unit(t(label, lang), unit, lang)
        u = type_unit.get(key)
        if u and key in UNIT_NAMED:
            return t(UNIT_NAMED[key], lang, unit=u)
        return with_unit(t(label, lang), u, lang)
    text = safe_text if fmt == "csv" else xlsx_text
    header = [text(head(key, label)) for key, label in columns]
    body = [[_cell(k, r.get(k), lang, fmt) for k, _ in columns] for r in rows]
    title = text(title) if title else None
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        if title:
            w.writerow([title])
        w.writerow(header)
        w.writerows(body)
        return buf.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    if title:
        ws.append([title])
        ws.cell(row=1, column=1).font = Font(bold=True, color="A15C00")
    if summary and fmt != "csv":
        _write_summary(ws, summary, summary_head)
    head_row = ws.max_row + 1 if title or summary else 1
    ws.append(header)
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for row in body:
        ws.append(row)
    for row in ws.iter_rows():
        protect_cells(row)  # text, not formulas, whatever it starts with
    for i, (key, _) in enumerate(columns, start=1):
        if key in PERCENT_KEYS:
            for (cell,) in ws.iter_rows(min_row=head_row + 1, min_col=i, max_col=i):
                cell.number_format = "0.0%"
    if head_row <= SUMMARY_FROZEN_MAX:  # a long summary above would freeze most of the window
        ws.freeze_panes = f"A{head_row + 1}"
    ws.auto_filter.ref = f"A{head_row}:{ws.cell(row=ws.max_row, column=len(columns)).coordinate}"
    for i in range(1, len(columns) + 1):
        width = max([len(str(header[i - 1])) * 2] + [len(str(r[i - 1] or "")) * (2 if not str(r[i - 1] or "").isascii() else 1)
                                                     for r in body[:300]])
        if i == 1 and summary and fmt != "csv":  # the summary's labels are read in full
            width = max([width] + [_text_width(label) for label, _ in summary])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, max(8, width + 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


#: The most rows above an XLSX table's header (title and summary) for the header to be frozen.
SUMMARY_FROZEN_MAX = 12


def _text_width(text) -> int:
    """A cell's text width in Excel's character units: a Chinese character takes two."""
    return sum(1 if ch.isascii() else 2 for ch in str(text or ""))


def _write_summary(ws, summary: list[tuple[str, object]], head: str | None) -> None:
    """``summary``'s label/value rows appended to ``ws`` (labels bold in column A, values in B, a long value
    reading on across the empty cells to its right), under ``head``, then an empty row before the table."""
    from openpyxl.styles import Font

    if head:
        ws.append([xlsx_text(head)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    for label, value in summary:
        ws.append([xlsx_text(label), value if isinstance(value, (int, float)) else xlsx_text(str(value))])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([None])  # the empty row: a cell, or openpyxl would not count the row


MIMES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "geojson": "application/geo+json"}


def download(data: bytes, fmt: str, base: str) -> Response:
    resp = Response(data, mimetype=MIMES[fmt].split(";")[0])
    if fmt == "csv":
        resp.headers["Content-Type"] = MIMES["csv"]
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(base, fmt)}"'
    return resp


def table_response(rows, columns, fmt: str, base: str, lang: str, title: str | None = None,
                   cost_unit: str | None = None) -> Response:
    return download(table_bytes(rows, columns, fmt, lang, sheet=base, title=title, cost_unit=cost_unit), fmt, base)


def export_title(what: str, parts: list[str], lang: str, illustrative: bool = True,
                 type_key: str | None = None) -> str:
    """The line above an exported table: what it is, its filters or parameters, the date, and what in its data
    is 示意 (and what was imported, from which file and version: :func:`provenance_text`)."""
    return title_line(what, parts, lang, provenance_text(lang, type_key) if illustrative else None)


def _request_proposal() -> dict | None:
    """The saved proposal a table export is of (``/api/proposals/<pid>.csv``), or None."""
    from flask import has_request_context, request

    if not has_request_context() or not (request.view_args or {}).get("pid"):
        return None
    try:
        from web.proposals import saved
        return saved(request.view_args["pid"])
    except Exception:  # the title must never take the download down
        return None


def _request_type() -> str | None:
    """The facility type a table export is of: the saved proposal's (``/api/proposals/<pid>.csv``), else as the
    request says it, ``?type=`` (the checklist); None for all types or outside a request.

    A proposal's table never reads ``?type=``: its type is the proposal's, and reading the parameter counted it as
    read (web.params), so ``.csv?type=cemetery`` answered 200 with the cemetery register's 示意 label instead of the
    proposal's own (QA 35). Unread, it is refused as the ``.geojson`` refuses it."""
    from flask import has_request_context, request

    if not has_request_context():
        return None
    if (request.view_args or {}).get("pid"):
        rec = _request_proposal()
        return rec.get("type") if rec else None
    return request.args.get("type") or None


def provenance_text(lang: str, type_key: str | None = None) -> str | None:
    """What in the data in use is 示意 (only what is: the sample register of a type not imported, the
    approximate boundaries, the synthetic village points, the derived population split) and which registers
    were imported (file, data version), from the region's provenance (planner.maplayers.provenance_note).
    ``type_key`` (default: the request's) narrows the register part to one type. Outside a request: the
    generic sentence."""
    try:
        from web.extensions import ext
        svc = ext()["service"]
        region, types = svc.region, svc.types()
    except RuntimeError:  # outside a request
        return t("export_illustrative", lang)
    from planner.maplayers import provenance_note
    rec = _request_proposal()
    if rec is not None:  # a proposal's table: the data it was solved on, not the current data
        from web.proposals import solved_region
        region = solved_region(rec, svc)

    key = type_key or _request_type()
    return provenance_note(region, lang, key if key in types else None, types, lead="export")


def geojson_response(fc: dict, base: str) -> Response:
    return download(json.dumps(fc, ensure_ascii=False).encode("utf-8"), "geojson", base)


def capacity_unknown_by_township(service) -> dict:
    """``{type: {township_code: [unknown, facilities]}}`` for every type with a capacity, the townships only
    where some facility states no capacity (counted as 0 in the ratio and shortfall): the checklist page and its
    exports say "capacity unknown (n)" or mark the figures as bounds there (QA 27: 马鞍镇's welfare home without
    a bed count read "0.0 / 30, short 6"). From the capacity reports the API caches (web.api)."""
    from planner.capacity import analyse_capacity

    out: dict = {}
    for key, ft in service.types().items():
        if not ft.capacity:
            continue
        rep = service.cached(("capacity", ft.key), lambda ft=ft: analyse_capacity(service.region, ft))
        bt = rep.by_township
        if not len(bt) or "capacity_known" not in bt:
            continue
        n = bt["facilities"].astype(int).to_numpy()
        k = bt["capacity_known"].astype(int).to_numpy()
        hit = {str(c): [int(a - b), int(a)] for c, a, b in zip(bt["township_code"], n, k) if a > b}
        if hit:
            out[key] = hit
    return out


def mark_unknown_capacity(rows: list[dict], unknown: dict, lang: str) -> list[dict]:
    """The checklist rows' capacity cells (``cap_ratio``, ``cap_shortfall``) where some facilities state no
    capacity: "容量未知（n 处）" when none does (a ratio and shortfall computed from 0 are not figures), the
    ratio as a lower bound ("≥ 5.3") and the shortfall as an upper bound ("≤ 4") when some do. In place."""
    for r in rows:
        u = (unknown.get(r.get("type")) or {}).get(str(r.get("township_code")))
        if not u or r.get("cap_standard") is None:
            continue
        n, total = u
        mark = t("cap_lower_bound_mark", lang, n=n)
        if n >= total:
            r["cap_ratio"] = r["cap_shortfall"] = t("cap_unknown_cell", lang, n=n)
            continue
        if isinstance(r.get("cap_ratio"), (int, float)):
            r["cap_ratio"] = f"≥ {r['cap_ratio']:.1f}{mark}"
        if isinstance(r.get("cap_shortfall"), (int, float)) and r["cap_shortfall"] > 0:
            r["cap_shortfall"] = f"≤ {int(r['cap_shortfall']):,}{mark}"
    return rows
