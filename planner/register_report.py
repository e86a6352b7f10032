"""What checking a register found: :class:`RowIssue` per problem, :class:`RegisterReport` per file.

The report is what the web page and `coverplan data import` show before a
planner confirms an import: accepted rows, every problem in Chinese and
English with the fix, and how the file was read (columns, encoding, CRS, datum).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import geopandas as gpd
import pandas as pd

from geo.errors import InputDataError


def sentences(parts, lang: str = "zh") -> str:
    """Messages and fixes (written without a full stop) as one paragraph, each a sentence: "…约 544 米。如确认，…"
    / "… about 544 m. If so, …" (QA 23: joined by a space they ran into one, "…about 0 m If so, check again…").
    Empty parts are left out."""
    out = []
    for part in (str(p).strip() for p in parts if p and str(p).strip()):
        if lang == "en":
            part = part[:1].upper() + part[1:]
            out.append(part if part.endswith((".", "!", "?")) else part + ".")
        else:
            out.append(part if part.endswith(("。", "！", "？")) else part + "。")
    return (" " if lang == "en" else "").join(out)


@dataclass
class RowIssue:
    """One problem of one row (``row`` None: of the whole file). Reads like a dict (``dict(issue)``)."""

    row: int | None          # row number as in the file: spreadsheet row / CSV line (header = its own
    #                          row number), or feature number from 1 in a GIS layer
    column: str | None       # the file's column concerned, as headed in the file
    severity: str            # "error": the row is refused; "warning": accepted, worth a look
    code: str                # kind: non_numeric, swapped, outside_region, unknown_type, ambiguous, ...
    message_zh: str
    message_en: str
    fix_zh: str = ""
    fix_en: str = ""
    value: str = ""          # the offending cell as written
    candidates: list = field(default_factory=list)  # [{"code", "path"}] to pick from (unmatched/ambiguous names)
    fixed: bool = False      # the row was corrected automatically (swapped lon/lat): confirm before use
    unfixed_zh: str = ""     # the message where that correction is not made (``text(strict=True)``)
    unfixed_en: str = ""

    def keys(self):
        return [f.name for f in fields(self)]

    def __getitem__(self, key):
        return getattr(self, key)

    def to_dict(self) -> dict:
        return {k: self[k] for k in self.keys()}

    def text(self, lang: str = "zh", *, strict: bool = False) -> str:
        """"row 5: ..." in ``lang``; ``strict``: said where an automatic fix is not applied."""
        where = (f"第 {self.row} 行" if lang == "zh" else f"row {self.row}") if self.row is not None else ""
        msg = self.message_en if lang == "en" else self.message_zh
        if strict and self.fixed:  # the automatic correction is not made here: say so, not "read swapped"
            msg = (self.unfixed_en if lang == "en" else self.unfixed_zh) or msg
        return f"{where}{'：' if lang == 'zh' else ': '}{msg}" if where else msg


@dataclass
class RegisterReport:
    """What :func:`validate_register` found.

    ``accepted`` is the register as the rest of the app uses it (index = ``id``):
    ``id, facility_type, name, township_code, county_code, synthetic`` (False),
    ``source`` (file name), ``location_method`` ("coordinates" or
    "located_by_name"), ``match`` (the place matched by name, e.g.
    "丹江口市·武当山特区·八仙观村委会"; "" for coordinates), ``source_row`` (row
    number in the file), ``built_year`` when given, the file's other columns as
    they were, and ``geometry`` (WGS84 points). ``issues`` lists every problem
    (:class:`RowIssue`); rows with an error are in ``refused_rows`` and not in
    ``accepted``. ``column_map`` is {field: file column} as used; ``datum`` the
    datum applied ("wgs84", "gcj02", "bd09"; a per-row ``coords`` column may
    differ); ``datum_suggestion`` ({"datum", "against", "before", "after"}) when
    the points fit another datum clearly better (``datum_evidence`` has the
    numbers for every datum); ``encoding`` and ``crs`` as detected in the file.
    ``skipped_rows`` are the totals and footer rows (合计, 填报单位：…) left out, each with a warning in
    ``issues``; ``rows`` counts them too: rows = accepted + refused + skipped. ``closed_rows``: those of the
    skipped rows that are closed facilities (状态 已关闭, 停用, 撤并 ...: not imported, on purpose; QA 32).
    ``kept``: what the rows standing for current facilities keep of them where the file has no column (their beds,
    address ...), each said in ``notes``.
    """

    source: str
    accepted: gpd.GeoDataFrame
    issues: list[RowIssue]
    rows: int
    refused_rows: list[int]
    column_map: dict[str, str]
    columns: list[str]
    file_kind: str
    encoding: str | None
    crs: str | None
    datum: str
    datum_suggestion: dict | None = None
    datum_evidence: dict = field(default_factory=dict)
    layer: str | None = None
    header_row: int | None = None
    notes: list = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)
    #: what the rows standing for current facilities keep of them for want of a column (planner.register
    #: ``_Rows.keep_current``, QA 32): {"capacity": {unit: {"kept", "known", "total", "new"}}, "details":
    #: {"fields", "kept", "new"}, "synthetic": rows labelled sample data for a value kept of a sample facility}
    kept: dict = field(default_factory=dict)
    #: the skipped rows of closed facilities (planner.register ``_closed_rows``): a face says them apart from totals
    closed_rows: list[int] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        """Rows read, accepted, refused, warnings and rows placed by name; ``skipped`` too when totals or footer
        rows were skipped (QA 27): rows = accepted + refused + skipped; ``closed`` too when some of those are
        closed facilities' rows (QA 32), counted among ``skipped``."""
        out = {"rows": self.rows, "accepted": int(len(self.accepted)), "refused": len(self.refused_rows),
               "warnings": sum(i.severity == "warning" for i in self.issues),
               "located_by_name": int((self.accepted["location_method"] == "located_by_name").sum())}
        if self.skipped_rows:
            out["skipped"] = len(self.skipped_rows)
        if self.closed_rows:
            out["closed"] = len(self.closed_rows)
        return out

    def suggestion_text(self, lang: str = "zh") -> str | None:
        """The datum suggestion (``datum_suggestion``) as the page shows it above the report: its message and
        its fix, each a sentence (:func:`sentences`); None when there is none."""
        issue = next((i for i in self.issues if i.code == "datum_suggestion"), None)
        if issue is None:
            return None
        return sentences((issue.message_en, issue.fix_en) if lang == "en" else (issue.message_zh, issue.fix_zh),
                         lang)

    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    def to_dict(self) -> dict:
        """Everything but the accepted rows, as standard JSON."""
        return {"source": self.source, "counts": self.counts, "refused_rows": self.refused_rows,
                "issues": [i.to_dict() for i in self.issues], "column_map": self.column_map,
                "columns": self.columns, "file_kind": self.file_kind, "encoding": self.encoding, "crs": self.crs,
                "datum": self.datum, "datum_suggestion": self.datum_suggestion,
                "datum_evidence": self.datum_evidence, "layer": self.layer, "header_row": self.header_row,
                "skipped_rows": self.skipped_rows, "closed_rows": self.closed_rows, "kept": self.kept,
                "notes": [{"zh": zh, "en": en} for zh, en in self.notes]}

    def issues_frame(self, lang: str = "zh") -> pd.DataFrame:
        """The issues as a table (for the downloadable report), headed in ``lang``."""
        en = lang == "en"
        head = ("row", "column", "severity", "problem", "fix", "value", "candidates") if en else \
            ("行号", "列", "级别", "问题", "修改建议", "原值", "候选")
        sev = {"error": "error (refused)" if en else "错误（拒绝）", "warning": "warning" if en else "警告"}
        rows = [(i.row, i.column, sev[i.severity], i.message_en if en else i.message_zh, i.fix_en if en else i.fix_zh,
                 i.value, "; ".join(f"{c['code']} {c.get('path_en', c['path']) if en else c['path']}"
                                    for c in i.candidates)) for i in self.issues]
        from planner.cells import safe_frame
        return safe_frame(pd.DataFrame(rows, columns=head))  # the values are the planner's file's own

    def raise_if_refused(self) -> None:
        """InputDataError naming the refused rows, and the automatic fixes no one has confirmed."""
        blocking = [i for i in self.issues if i.severity == "error" or i.fixed]
        if not blocking:
            return
        rows = sorted({i.row for i in blocking if i.row is not None})
        shown = blocking[:10]
        more = {"en": f"; … {len(blocking) - 10} more" if len(blocking) > 10 else "",
                "zh": f"；……另有 {len(blocking) - 10} 条" if len(blocking) > 10 else ""}
        fixes = list(dict.fromkeys((i.fix_en, i.fix_zh) for i in shown if i.fix_en))[:3]
        # a whole-file problem (no name column) names no row: "0 rows not loaded" read as nothing wrong (QA 31)
        lead_en = f"{len(rows)} {'row' if len(rows) == 1 else 'rows'} not loaded" if rows else "the file cannot be loaded"
        lead_zh = f"有 {len(rows)} 行未能导入" if rows else "无法读取该文件"
        raise InputDataError(
            f"{self.source}: {lead_en}: " + "; ".join(i.text("en", strict=True) for i in shown) + more["en"] + ".",
            f"{self.source}：{lead_zh}：" + "；".join(i.text("zh", strict=True) for i in shown) + more["zh"] + "。",
            hint_en=" ".join(f"{en}." for en, _ in fixes), hint_zh="".join(f"{zh}。" for _, zh in fixes),
            details={"refused_rows": rows, "issues": [i.to_dict() for i in blocking]})


def replaced_lines(items: list[dict], region, lang: str, mode: str, rollback: str) -> list[str]:
    """What a facility register's import replaced and kept, type by type, said after it in the past (QA 31: a
    real import still said "on confirm, this file's ... replace"): the counties and facilities replaced (how many
    were sample data, in planner.register_scope's words), those kept, and how a rollback brings them back
    (``rollback``: the face's words for it, "coverplan data rollback 3"). ``items``: planner.register_scope.plan's;
    ``mode``: the replace mode. The sentences of every face that says it after the import (QA 34: the CLI worded
    them itself)."""
    from planner.facility_types import get_type
    from planner.i18n import t
    from planner.register_scope import county_names, refused_text, synthetic_words

    def type_name(key: str) -> str:
        try:
            return get_type(key).name(lang)
        except Exception:  # a type the types file does not know: its key names it
            return key

    def en(n: int, one: str, many: str) -> str:
        return one if n == 1 else many

    names = county_names(region, lang)
    lines = []
    for it in items:
        n, now = int(it["incoming"]), int(it["current"])
        where = [names.get(c, c) for c in it["counties"]]
        shown = (", ".join(where[:8]) + (", ..." if len(where) > 8 else "")) if lang == "en" else \
            ("、".join(where[:8]) + ("等" if len(where) > 8 else ""))
        words = {"type": type_name(it["type"]), "n": f"{n:,}", "now": f"{now:,}", "where": shown, "back": rollback,
                 "fac": f"{n:,} {en(n, 'facility', 'facilities')}", "were": en(n, "was", "were"),
                 "syn": synthetic_words(now, it.get("current_synthetic", 0), it.get("current_synthetic_edited", 0),
                                        lang),
                 "area": t("qa34f4_area_one" if len(where) == 1 else "qa34f4_area_many", lang, k=f"{len(where):,}")}
        key = "qa34f4_replaced_city" if mode == "city" else "qa34f4_replaced" if now else "qa34f4_added"
        text = t(key, lang, **words)
        if mode != "city" and it["kept"]:
            others = int(it["kept_counties"])
            text += t("qa34f4_kept_counties", lang, kept=f"{int(it['kept']):,}", k=f"{others:,}",
                      counties=en(others, "county", "counties"))
        lines.append(text)
        kept = it.get("refused_kept") or []
        if kept:  # the facilities the refused rows stand for, kept as they were: the web's words (QA 31)
            lines.append(refused_text(kept, lang, done=True))
    return lines


def written_over_limit(type_key: str, names: dict | str | None, written: int, in_file: int, carried: int, kept: int,
                       limit: int, advice: str) -> InputDataError:
    """The refusal of a register under the type's limit (geo.datasets.facility_row_limit) whose written layer is over it:
    the layer a confirm commits holds the file's ``in_file`` rows, the ``carried`` facilities of the type in the other
    counties (kept unchanged: planner.register_scope.keep_other_counties, a county planner's scope) and the ``kept``
    ones the file's refused rows stand for (register_scope.keep_refused), ``written`` in all. It says what, how many
    over and what to do, by ``advice``: "counties" (a city-wide planner replacing the counties of the file's rows, who
    may choose the whole city's layer), "county" (a county planner) or "city" (the whole city's layer chosen). The
    data store refuses such a layer at confirm whatever the file (QA 35: the check left Confirm on, and the confirm
    refused it)."""
    from planner.i18n import t

    if isinstance(names, dict):
        zh, en = str(names.get("zh") or type_key), str(names.get("en") or names.get("zh") or type_key)
    else:
        zh = en = str(names or type_key)
    over = int(written) - int(limit)
    parts = {lang: [t("qa35f2_part_file", lang, n=f"{int(in_file):,}")]
             + ([t("qa35f2_part_carried", lang, n=f"{int(carried):,}")] if carried else [])
             + ([t("qa35f2_part_kept", lang, n=f"{int(kept):,}")] if kept else []) for lang in ("zh", "en")}
    said = {lang: t("qa35f2_written_over", lang, type=zh if lang == "zh" else en, written=f"{int(written):,}",
                    parts=parts[lang][0] + ((("，加上" if lang == "zh" else " plus ")
                                                    + ("和" if lang == "zh" else ", and ").join(parts[lang][1:]))
                                                   if parts[lang][1:] else ""), limit=f"{int(limit):,}",
                    over=f"{over:,}", rows=t("qa35f2_row" if over == 1 else "qa35f2_rows", lang))
            for lang in ("zh", "en")}
    key = {"county": "qa35f2_fix_county", "city": "qa35f2_fix_city"}.get(advice, "qa35f2_fix_counties")
    key = key if carried or advice == "city" else "qa35f2_fix_city"  # nothing carried: the file's rows are the fix
    fix = {lang: t(key, lang, over=f"{over:,}", rows=t("qa35f2_row" if over == 1 else "qa35f2_rows", lang))
           for lang in ("zh", "en")}
    return InputDataError(said["en"] + ".", said["zh"] + "。", hint_en=fix["en"] + ".", hint_zh=fix["zh"] + "。",
                          details={"type": type_key, "rows": int(written), "limit": int(limit), "over": over,
                                   "in_file": int(in_file), "carried": int(carried), "kept": int(kept),
                                   "code": "written_over_limit"})
