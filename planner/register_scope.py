"""What a facility register's import replaces: the type in the counties its rows lie in, or the whole city.

The data store replaces a facility type's layer as a whole (geo.datasets). A county's register
(郧西县养老服务设施名录.xlsx) imported as is would so remove every other county's facilities of
the type (QA 27: the city's 68 welfare homes became Yunxi's 17, city beds 9,360 -> 3,010). By
default an import replaces the type only in the counties the file's accepted rows lie in: the
other counties' facilities of the type are carried over unchanged (:func:`keep_other_counties`),
as a county planner's import always did (web.auth.scope_import). Replacing the whole city's layer
of the type is the planner's explicit choice (``replace="city"``).

Either way, a facility whose row the check refused (a typo in its code, a longitude NaN) stays as it is now
(:func:`keep_refused`): a refused row is no wish to remove the facility it lists (QA 31: the confirm deleted it).
And a file without a column for an attribute (床位, 地址 ...) is no wish to blank it: the rows standing for current
facilities keep those values in the checked register itself (planner.register, ``_Rows.keep_current``, QA 32), so
what is committed here is what the report said.

Shared by the web upload (web.data) and ``coverplan data import`` (cli.data); no web or CLI import.
"""
from __future__ import annotations

from geo.errors import InputDataError

#: How an import replaces a facility type: in the counties of the file's rows (default), or in the whole city.
REPLACE_MODES = ("counties", "city")
DEFAULT_REPLACE = "counties"


def check_mode(value, parameter: str = "replace") -> str:
    """``value`` as a replace mode ("counties" when not given), or a 400 naming the two choices."""
    if value is None or value == "":
        return DEFAULT_REPLACE
    if value not in REPLACE_MODES:
        from planner.textrules import escaped  # hidden and reversing characters shown, a long value cut

        shown = escaped(value[:40]) + ("…" if len(value) > 40 else "") if isinstance(value, str) else repr(value)
        raise InputDataError(
            f"{parameter}: \"{shown}\" is not a way to replace; give counties (the facility type only in the "
            "counties the file's rows lie in; the default) or city (the whole city's facilities of the type).",
            f"{parameter} 的值“{shown}”无效：请填 counties（只替换文件各行所在县区的该类设施，默认）"
            "或 city（替换全市的该类设施）。",
            details={"parameter": parameter, "value": shown, "expected": list(REPLACE_MODES)})
    return value


def row_counties(gdf):
    """The county code (6 digits) of each row of a checked register."""
    if "county_code" in gdf:
        return gdf["county_code"].astype(str).str[:6]
    return gdf["township_code"].astype(str).str[:6]


def row_types(gdf, layer: str):
    """The facility type of each row (the file's type column, or the layer's type)."""
    import pandas as pd

    if "facility_type" in gdf:
        return gdf["facility_type"].astype(str)
    return pd.Series([layer.split(":", 1)[1]] * len(gdf), index=gdf.index, dtype=object)


def plan(layer: str, accepted, facilities, mode: str = DEFAULT_REPLACE) -> list[dict]:
    """Per facility type of the file: what confirming would replace and keep.

    Each item: ``type``, ``counties`` (the codes the file's rows of the type lie in, sorted),
    ``incoming`` (the file's rows), ``current`` (the facilities now replaced: in those counties, or
    in the city), ``kept`` (the facilities of the type in the other counties, unchanged; 0 for
    ``city``), ``kept_counties`` (how many other counties hold them), ``city_now`` (the type's
    facilities in the whole city now), ``clash`` (ids of kept facilities the file uses too),
    ``refused_kept`` (the facilities the file's refused rows stand for, kept as they are and not counted in
    ``current``: :func:`refused_kept`), ``current_synthetic`` (those of ``current`` that are sample data, 示意) and
    ``current_synthetic_edited`` (those of them a planner edited on the map: still sample data, counted once there:
    :func:`sample_counts`).
    """
    types = row_types(accepted, layer)
    counties = row_counties(accepted)
    out = []
    for k in dict.fromkeys(types):
        mine = (types == k).to_numpy()
        codes = sorted(set(counties[mine]))
        now = facilities[facilities["facility_type"].astype(str) == k]
        in_file = now["county_code"].astype(str).isin(codes).to_numpy()
        if mode == "city":
            replaced, kept = now, now.iloc[0:0]
        else:
            replaced, kept = now[in_file], now[~in_file]
        # the facilities the refused rows stand for stay as they are (:func:`keep_refused`): not replaced
        refused = refused_kept(layer, accepted, facilities, counties=None if mode == "city" else codes, types=[k])
        if refused:
            replaced = replaced[~replaced["id"].astype(str).isin({r["id"] for r in refused})]
        ids = set(accepted.loc[mine, "id"].astype(str)) if "id" in accepted else set()
        samples = sample_counts(replaced)
        out.append({"type": k, "counties": codes, "incoming": int(mine.sum()), "current": int(len(replaced)),
                    "refused_kept": refused, "current_synthetic": samples["synthetic"],
                    "current_synthetic_edited": samples["edited"],
                    "kept": int(len(kept)), "kept_counties": int(kept["county_code"].astype(str).nunique()),
                    "city_now": int(len(now)),
                    "clash": sorted(set(kept["id"].astype(str)) & ids)})
    return out


def clash_error(clash: list[str], lang_hint_cli: bool = False) -> InputDataError:
    """The refusal of a file using the id of a facility kept in another county (it would be there twice)."""
    more_en, more_zh = (" …", " 等") if len(clash) > 10 else ("", "")
    how_en = "add --replace city" if lang_hint_cli else "tick \"Replace the whole city's facilities of the type\""
    how_zh = "加 --replace city" if lang_hint_cli else "勾选“替换全市该类设施”"
    return InputDataError(
        f"Facility id(s) {', '.join(clash[:10])}{more_en} of this file belong to facilities of another county, "
        "which this import keeps unchanged: the register would hold them twice.",
        f"本文件的设施编号 {'、'.join(clash[:10])}{more_zh} 属于其他县区的设施，而本次导入保持其他县区的设施不变，"
        "导入后同一编号将出现两次。",
        hint_en=f"Give these rows other ids and import the file again, or {how_en}.",
        hint_zh=f"请为这些行改用其他编号后重新导入，或{how_zh}。",
        details={"ids": clash, "code": "id_in_other_county"})


def refusal(items: list[dict] | None, mode: str = DEFAULT_REPLACE, cli: bool = False) -> InputDataError | None:
    """What :func:`keep_other_counties` would raise for the file planned as ``items`` (:func:`plan`): the ids
    of facilities kept in another county, which the file uses too; None when nothing refuses it. A dry run
    and the page's check ask before the confirm does (:func:`blocked`)."""
    if not items or mode == "city":
        return None
    clash = sorted({i for it in items for i in it["clash"]})
    return clash_error(clash, cli) if clash else None


def blocked(error, accepted, lang: str) -> dict:
    """What a check says of a file its confirm refuses as a whole (``error``: the refusal the confirm would
    raise, :func:`refusal` or a county planner's, web.auth.scope_import): nothing would be imported and
    nothing would change, and why. ``rows``: the lines of the file the refusal names (by their ids)."""
    import pandas as pd

    details = getattr(error, "details", None) or {}
    ids = [str(i) for i in details.get("ids") or []]
    rows: list[int] = []
    if ids and accepted is not None and "id" in accepted and "source_row" in accepted:
        lines = pd.to_numeric(accepted.loc[accepted["id"].astype(str).isin(ids), "source_row"], errors="coerce")
        rows = sorted({int(r) for r in lines.dropna()})
    if lang == "en":
        text = f"Nothing will be imported and nothing will change: the import would be refused. {error.message('en')}"
    else:
        text = f"不会导入任何行，数据不会有任何变化：导入将被拒绝。{error.message('zh')}"
    return {"rows": rows, "ids": ids, "code": details.get("code") or "refused", "text": text}


def flags(column):
    """A stored yes/no column (``synthetic``, ``edited_on_map``) as booleans: True, 1, "true", "1" are yes; False,
    empty, NaN and anything else no (``astype(bool)`` read the text "False" and NaN as yes)."""
    return column.astype(object).map(lambda v: str(v).strip().lower() in ("true", "1", "1.0")).astype(bool)


def sample_counts(rows) -> dict:
    """Of facility rows (those an import replaces): ``synthetic``, how many are sample data (示意), and ``edited``,
    how many of those a planner edited on the map (``edited_on_map``). A sample facility edited on the map is still
    sample data (its ``synthetic`` flag stays): it is one of ``synthetic``, said as edited, never counted again
    among the planners' own (QA 32: "62 now in the register (55 of them synthetic)" and "planners' own facilities,
    not sample data: 1 edited on the map", the one being among the 55: 55 + 2 + 5 + 1 = 63). The planners' own
    rows are the others: ``len(rows) - synthetic``."""
    if rows is None or not len(rows) or "synthetic" not in rows:
        return {"synthetic": 0, "edited": 0}
    syn = flags(rows["synthetic"]).to_numpy()
    edited = flags(rows["edited_on_map"]).to_numpy() if "edited_on_map" in rows else syn & False
    return {"synthetic": int(syn.sum()), "edited": int((syn & edited).sum())}


def synthetic_words(now: int, synthetic: int, edited: int, lang: str) -> str:
    """The parenthesis saying how many of the ``now`` facilities replaced are sample data, and how many of those
    were edited on the map (:func:`sample_counts`): "（其中 55 处为示意数据，含 1 处在地图上编辑过的示意设施）" /
    " (55 of them synthetic, 示意, 1 of those edited on the map)"; "" when none is."""
    if not synthetic:
        return ""
    if lang == "en":
        head = f" ({synthetic:,} of them synthetic, 示意" if synthetic > 1 or now > 1 else " (synthetic, 示意"
        if edited:
            head += (", edited on the map" if synthetic == 1 else
                     f", {edited:,} of those edited on the map" if edited < synthetic else ", all edited on the map")
        return head + ")"
    text = f"（其中 {synthetic:,} 处为示意数据"
    if edited:
        text += (f"，含 {edited:,} 处在地图上编辑过的示意设施" if edited < synthetic else
                 "，已在地图上编辑过" if synthetic == 1 else "，均在地图上编辑过")
    return text + "）"


def edited_flags(column):
    """The ``edited_on_map`` column as booleans, whatever the stored file made of it (bool, text, empty)."""
    return column.astype(object).map(lambda v: str(v).strip().lower() in ("true", "1", "1.0")).astype(bool)


def stamp_own_rows(layer, provenance: dict, type_key: str):
    """The planner's own rows of ``type_key`` in a facility layer with the data version (and file) each came in.

    A row's ``source_version`` is empty while it is as written in the version that stored its type's layer
    (``provenance``: the region's); before a new version stores the rows again (an edit of the type, or an
    import for other counties that carries them over), those rows get that version written down, and the file
    it came from, so that they keep their own version and file rather than the new one's.
    """
    import pandas as pd

    src = ((provenance.get("layers", {}).get("facilities") or {}).get("by_type") or {}).get(type_key) or {}
    for col in ("source_version", "source_file"):
        if col not in layer:
            layer[col] = None
    layer["source_version"] = pd.to_numeric(layer["source_version"], errors="coerce")
    layer["source_file"] = layer["source_file"].astype(object)
    stored = src.get("dataset_version")
    if stored:
        own = ~layer["synthetic"].fillna(False).astype(bool) if "synthetic" in layer else pd.Series(True, layer.index)
        if "edited_on_map" in layer:  # a sample row the planner changed keeps that edit's version too
            own |= edited_flags(layer["edited_on_map"])
        blank = own & layer["source_version"].isna()
        layer.loc[blank & layer["source_file"].isna(), "source_file"] = src.get("file") or ""
        layer.loc[blank, "source_version"] = float(stored)
    return layer


def keep_other_counties(layer: str, accepted, facilities, *, cli: bool = False, provenance: dict | None = None):
    """``accepted`` with the facilities of its types in the other counties carried over unchanged: what
    the store commits so that only the counties of the file's rows change. A 400 when the file uses the
    id of a facility kept in another county. With the region's ``provenance``, the carried rows keep the
    data version and file they came in (:func:`stamp_own_rows`): the carrying import credited them to itself."""
    import geopandas as gpd
    import pandas as pd

    if accepted is None or not len(accepted) or not layer.startswith("facilities"):
        return accepted
    items = plan(layer, accepted, facilities)
    clash = sorted({i for it in items for i in it["clash"]})
    if clash:
        raise clash_error(clash, cli)
    kept = []
    for it in items:
        now = facilities[facilities["facility_type"].astype(str) == it["type"]]
        rows = now[~now["county_code"].astype(str).isin(it["counties"])]
        if provenance is not None and len(rows):
            rows = stamp_own_rows(rows.copy(), provenance, it["type"])
        kept.append(rows)
    kept = pd.concat(kept) if kept else facilities.iloc[0:0]
    if not len(kept):
        return accepted
    # the kept facilities with all their columns (a file without a beds column must not blank the
    # other counties' beds); the file's columns the kept facilities lack are blank for them
    kept = kept.to_crs(accepted.crs) if kept.crs != accepted.crs else kept
    merged = pd.concat([accepted, kept], ignore_index=True)
    out = gpd.GeoDataFrame(merged, geometry="geometry", crs=accepted.crs)
    out.attrs.update(accepted.attrs)
    return out.set_index(out["id"].astype(str), drop=False).rename_axis(None)


def refused_kept(layer: str, accepted, facilities, counties=None, types=None) -> list[dict]:
    """The current facilities that rows of the file refused stand for, which confirming keeps as they are.

    A refused row stands for the facility of its own id, else the one whose id it would take were it accepted
    (same type, county and folded name; across the file's types where its type cell was refused; within
    planner.register.REFUSED_MATCH_M of its point; ``accepted.attrs["refused_current"]``). Only those of
    a type the import replaces (a type among ``accepted``'s rows, and in ``types`` when given) and not in the
    accepted rows; in ``counties`` (county codes) when given: the other counties' are kept anyway
    (:func:`keep_other_counties`). Each: ``id``, ``name``, ``type``, ``county_code``, ``row`` (the refused
    row's line). QA 31: a row refused for a typo in its code took the facility it lists off the register.
    """
    if accepted is None or not len(accepted) or not layer.startswith("facilities") or facilities is None:
        return []
    matches = accepted.attrs.get("refused_current") or []
    if not matches or not len(facilities) or "id" not in facilities:
        return []
    replaced = set(row_types(accepted, layer))
    if types is not None:
        replaced &= {str(k) for k in types}
    in_file = set(accepted["id"].astype(str)) if "id" in accepted else set()
    where = None if counties is None else {str(c) for c in counties}
    now = facilities.drop_duplicates("id")
    now = now.set_index(now["id"].astype(str), drop=False)
    out, seen = [], set()
    for m in matches:
        fid = str(m.get("id"))
        if fid in in_file or fid in seen or fid not in now.index:
            continue
        f = now.loc[fid]
        county = str(f.get("county_code") or str(f.get("township_code") or "")[:6])
        if str(f.get("facility_type")) not in replaced or (where is not None and county not in where):
            continue
        seen.add(fid)
        out.append({"id": fid, "name": str(f.get("name") or fid), "type": str(f.get("facility_type")),
                    "county_code": county, "row": m.get("row")})
    return out


def refused_named(layer: str, accepted, facilities, mode: str = DEFAULT_REPLACE, county: str | None = None) -> list[dict]:
    """The facilities the file's refused rows stand for that the report names, type by type (:func:`refused_kept`):
    those in the counties the import replaces, ``county`` (a county planner's) or else the counties of the type's
    accepted rows (the whole city's with ``mode`` "city"); the other counties' are carried over anyway. The
    report and the confirm's answer both list these, so that the confirm names no facility the report did not."""
    if accepted is None or not len(accepted) or not layer.startswith("facilities"):
        return []
    types, counties = row_types(accepted, layer), row_counties(accepted)
    out = []
    for k in dict.fromkeys(types):
        where = [county] if county else None if mode == "city" else sorted(set(counties[(types == k).to_numpy()]))
        out += refused_kept(layer, accepted, facilities, counties=where, types=[k])
    return out


def keep_refused(layer: str, committed, accepted, facilities, *, provenance: dict | None = None):
    """``committed`` (what an import commits: ``accepted``, with what :func:`keep_other_counties` or a county
    planner's scope carried over) with the current facilities its refused rows stand for (:func:`refused_kept`)
    carried over unchanged, and the list of those. The web's confirm and ``coverplan data import --partial``
    both commit this: a row refused for a typo keeps its facility as it is now, with its columns and, given the
    region's ``provenance``, the data version and file it came in (:func:`stamp_own_rows`), never the new
    file's."""
    import geopandas as gpd
    import pandas as pd

    if committed is None or not len(committed):
        return committed, []
    have = set(committed["id"].astype(str)) if "id" in committed else set()
    kept = [k for k in refused_kept(layer, accepted, facilities) if k["id"] not in have]
    if not kept:
        return committed, []
    ids = [k["id"] for k in kept]
    rows = facilities[facilities["id"].astype(str).isin(ids)].drop_duplicates("id")
    if provenance is not None:
        rows = pd.concat([stamp_own_rows(part.copy(), provenance, str(k))
                          for k, part in rows.groupby(rows["facility_type"].astype(str), sort=False)])
    rows = rows.to_crs(committed.crs) if rows.crs != committed.crs else rows
    merged = pd.concat([committed, rows], ignore_index=True)
    out = gpd.GeoDataFrame(merged, geometry="geometry", crs=committed.crs)
    out.attrs.update(committed.attrs)
    return out.set_index(out["id"].astype(str), drop=False).rename_axis(None), kept


def refused_text(kept: list[dict], lang: str, *, done: bool = False) -> str:
    """The sentence naming the facilities kept as they are because their rows were refused (:func:`refused_kept`),
    each with its row; "" when none. ``done``: said after the confirm ("were kept", 已按现状保留)."""
    if not kept:
        return ""
    n = len(kept)
    shown = kept[:10]
    if lang == "en":
        names = ", ".join(f"{k['name']} (row {k['row']})" if k.get("row") is not None else k["name"] for k in shown)
        more = f" and {n - len(shown):,} more" if n > len(shown) else ""
        if done:
            return (f"{n:,} {'facility' if n == 1 else 'facilities'} whose {'row was' if n == 1 else 'rows were'} "
                    f"refused {'was' if n == 1 else 'were'} kept as {'it was' if n == 1 else 'they were'}: {names}{more}.")
        return (f"{n:,} {'facility' if n == 1 else 'facilities'} whose {'row was' if n == 1 else 'rows were'} "
                f"refused {'is' if n == 1 else 'are'} kept as {'it is' if n == 1 else 'they are'} now: {names}{more}.")
    names = "、".join(f"{k['name']}（第 {k['row']} 行）" if k.get("row") is not None else k["name"] for k in shown)
    more = f"等 {n:,} 处" if n > len(shown) else ""
    return f"被拒绝的行所对应的 {n:,} 处现有设施{'已' if done else '将'}按现状保留：{names}{more}。"


def county_names(region, lang: str) -> dict[str, str]:
    """County code -> name in ``lang`` (the region's English names where it has them)."""
    from planner.coverage import county_names_en

    c = region.counties
    codes = (c["code"] if "code" in c else c.index).astype(str)
    names = county_names_en(c) if lang == "en" else c["name"]
    return dict(zip(codes, names.astype(str)))


def _en_count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def choice_text(items: list[dict], lang: str, mode: str, choice_zh: str, choice_en: str) -> str:
    """Once after the types' sentences: how to replace the whole city's instead (``choice_*``: the page's
    box, the CLI's option), when other counties hold facilities of a type the file replaces."""
    if mode == "city" or not any(it["kept"] for it in items):
        return ""
    if lang == "en":
        return f"To replace the whole city's facilities of the type with this file instead, {choice_en}."
    return f"如需以本文件替换全市的该类设施，请{choice_zh}。"


def plan_text(item: dict, type_name: str, counties: dict[str, str], lang: str, mode: str) -> str:
    """The sentences saying what confirming does to one facility type (``item`` from :func:`plan`), in
    ``lang``; ``counties``: code -> name in ``lang``."""
    n, now, kept, others = item["incoming"], item["current"], item["kept"], item["kept_counties"]
    syn, edited = item.get("current_synthetic", 0), item.get("current_synthetic_edited", 0)
    names = [counties.get(c, c) for c in item["counties"]]
    if lang == "en":
        where = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        syn_en = synthetic_words(now, syn, edited, "en")
        fac = _en_count(n, "facility", "facilities")
        verb = "replaces" if n == 1 else "replace"
        if mode == "city":
            text = (f"On confirm, this file's {fac} of type \"{type_name}\" {verb} all {now:,} now in the register, "
                    f"in the whole city{syn_en}: the other counties' ones not in the file are removed too. Those "
                    "not in the file leave the current version (a rollback brings them back).")
            return text
        area = "that county" if len(names) == 1 else f"these {len(names)} counties"
        if now:
            text = (f"This file covers {where}: on confirm, this file's {fac} of type \"{type_name}\" {verb} the {now:,} now "
                    f"in {area}{syn_en}; those there but not in the file leave the current version (a rollback "
                    "brings them back).")
        else:
            text = (f"This file covers {where}: on confirm, this file's {fac} of type \"{type_name}\" "
                    f"{'is' if n == 1 else 'are'} added to {area} (none there yet).")
        if kept:
            text += f" The {kept:,} in the other {_en_count(others, 'county', 'counties')} stay unchanged."
        return text
    where = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
    syn_zh = synthetic_words(now, syn, edited, "zh")
    if mode == "city":
        return (f"确认后，本文件的 {n:,} 处{type_name}将替换全市现有的全部 {now:,} 处{syn_zh}：不在文件中的其他县区的"
                "该类设施也将删除；现有但不在文件中的将不再出现在当前版本（可回滚恢复）。")
    area = "该县区" if len(names) == 1 else f"这 {len(names)} 个县区"
    if now:
        text = (f"本文件涉及 {where}：确认后将以 {n:,} 处替换{area}现有的 {now:,} 处{type_name}{syn_zh}；"
                f"{area}现有但不在文件中的将不再出现在当前版本（可回滚恢复）。")
    else:
        text = f"本文件涉及 {where}：确认后本文件的 {n:,} 处{type_name}将导入{area}（目前没有此类设施）。"
    if kept:
        text += f"其他 {others} 个县区的 {kept:,} 处保持不变。"
    return text
