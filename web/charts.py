"""Chart data for the browser, and server-side charts (matplotlib) for downloads.

Pages draw their charts in the browser (web/static/charts.js) from the JSON
built here, so Chinese always renders with the browser's own fonts. The
matplotlib charts (object API: pyplot is not thread-safe under waitress) are
kept for downloads and reports; both are made from the same numbers.

Chinese labels in the matplotlib charts need a CJK font; Debian's
fonts-noto-cjk (installed by .ci/run) or Windows' Microsoft YaHei / SimHei are
used when present. Without one, the charts are labelled in English (county
names from ``name_en``) so they never show empty boxes or bare codes.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache

import numpy as np
from flask import Blueprint, Response, g, request

from planner import palette
from planner.i18n import share_text, t, with_unit
from web.errors import bad_param
from web.extensions import ext

bp = Blueprint("charts", __name__, url_prefix="/charts")

_CJK_CANDIDATES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Microsoft YaHei", "SimHei",
                   "WenQuanYi Micro Hei", "PingFang SC")
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


#: Font files to register when matplotlib's cached font list predates their install.
_CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
              "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    import os

    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((n for n in _CJK_CANDIDATES if n in names), None)
    if found:
        return found
    for path in _CJK_FILES:
        if os.path.exists(path):
            try:
                font_manager.fontManager.addfont(path)
                return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def chart_lang(lang: str) -> str:
    return lang if (lang == "en" or cjk_font()) else "en"


def _figure(width=6.4, height=3.6):
    from matplotlib.figure import Figure
    import matplotlib
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: small files, crisp CJK in the browser
    fig = Figure(figsize=(width, height), dpi=100)
    font = cjk_font()
    if font:
        matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
        matplotlib.rcParams["axes.unicode_minus"] = False
    return fig


def _render(fig, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise bad_param("format", fmt, "svg or png", "svg 或 png")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    return Response(buf.getvalue(), mimetype=FORMATS[fmt], headers={"Cache-Control": "max-age=300"})


def _style(ax, axis: str = "x"):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=axis, color="#e5e8ec", linewidth=0.8)
    ax.set_axisbelow(True)


@bp.get("/coverage_by_county/<type_key>.<fmt>")
def coverage_by_county(type_key: str, fmt: str):
    s = ext()["service"]
    s.get_type(type_key)
    if fmt not in FORMATS:
        raise bad_param("format", fmt, "svg or png", "svg 或 png")
    mode = chart_mode()
    # depends only on the cached coverage: render once per (type, mode, language, format)
    body = s.cached(("chart_county", type_key, mode, g.lang, fmt),
                    lambda: _county_chart(s, type_key, fmt, mode).get_data())
    # the saved file says its travel mode too (the page's links download it: without a name the
    # estimate and road-network charts both arrive as <type>.svg); type keys are checked above
    name = "coverage_by_county_" + re.sub(r"[^A-Za-z0-9_-]", "_", type_key) + ("_network" if mode == "network" else "")
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Cache-Control": "max-age=300", "Content-Disposition": f'inline; filename="{name}.{fmt}"'})


# -- chart data (shared by the browser charts and the matplotlib ones) ------
BEFORE_COLOUR, AFTER_COLOUR = "#d73027", "#2f6ea5"


def _finite(v):
    """A JSON-safe number: NaN and ±inf become None (standard JSON has neither)."""
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def bar_colour(share: float) -> str:
    """A county bar in the map legend's class of its share (one scale on the page: a 48% county is
    orange in the chart as on the map, not a colour of the chart's own that no key explains)."""
    return palette.share_colour(share)


def _is_dark(colour: str) -> bool:
    """Whether white text reads on ``colour`` ("#rrggbb"); the light classes take dark text (charts.js isDark)."""
    r, g_, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g_ + 0.114 * b < 150


def share_key() -> list[dict]:
    """The chart's key: the map legend's classes, best first."""
    return [{"color": c, "label": lab} for _, c, lab in palette.SHARE_CLASSES]


def county_rows(cov) -> list[dict]:
    """One row per county, best covered first: names in both languages, never a bare code.

    ``share`` is the share of demand units covered (what the bars show).
    """
    by = cov.by_county
    names_en = by["name_en"] if "name_en" in by else by["name"]
    rows = []
    for code, r in by.iterrows():
        units, covered = int(r["units"]), int(r["covered_units"])
        zh = r["name"] or str(code)
        en = names_en.get(code)
        en = en if isinstance(en, str) and en.strip() else zh  # a region without English names
        rows.append({"code": str(code), "name_zh": zh, "name_en": en,
                     "share": covered / units if units > 0 else 0.0,
                     "covered_units": covered, "units": units,
                     "covered_share_weighted": _finite(r.get("covered_share"))})
    rows.sort(key=lambda x: (-x["share"], x["code"]))
    return rows


def county_label(row: dict, gap: str = " ") -> str:
    """A county bar's figure, "0.3% (1/340)": the share as every page and the CLI write it (planner.i18n.share_text:
    never "0%" when a unit is covered nor "100%" when one is left; QA 29 read "0% (1/340)")."""
    return f"{share_text(row['share'])}{gap}({row['covered_units']}/{row['units']})"


def county_chart_data(cov, lang: str) -> dict:
    """JSON for the browser's "coverage by county" bar chart, labelled in ``lang``."""
    rows = county_rows(cov)
    for r in rows:
        r["name"] = r["name_en"] if lang == "en" else r["name_zh"]
        r["label"] = county_label(r)
        r["color"] = bar_colour(r["share"])
    return {"type": cov.ftype.key, "lang": lang,
            "title": county_chart_title(cov, lang),
            "x_label": t("units_covered_pct", lang), "key": share_key(),
            "rows": rows, "synthetic_inputs": _synthetic(cov)}


def county_chart_title(cov, lang: str) -> str:
    """The county chart's title; on the road network it says so (the same chart in estimate
    mode has other figures, and a downloaded file no longer sits beside the map's mode menu)."""
    title = f"{cov.ftype.name(lang)} · {t('coverage_by_county', lang)}"
    if getattr(cov, "mode", "estimate") == "network":
        title += f"（{t('mode_network', lang)}）" if lang == "zh" else f" ({t('mode_network', lang)})"
    return title


def _synthetic(cov) -> bool:
    """Whether the coverage rests on synthetic (示意) villages or facilities."""
    fac = cov.facilities.get("synthetic")
    return bool(cov.units["synthetic"].any() or (fac is not None and fac.astype(bool).any()))


def _nice_step(raw: float) -> float:
    """The 1, 2, 2.5 or 5 x 10^k at or above ``raw``: bin edges people can read."""
    if not raw > 0:
        return 1.0
    exp = np.floor(np.log10(raw))
    return float(next(m for m in (1, 2, 2.5, 5, 10) if m * 10 ** exp >= raw * (1 - 1e-9)) * 10 ** exp)


def cost_bins(before: np.ndarray, after: np.ndarray, weights: np.ndarray, standard: float | None,
              scale: float = 1.0, n_bins: int = 30) -> dict:
    """Weighted histogram of travel cost before and after, on shared bins (numpy).

    The range ends just past the 99th percentile (or the standard, if larger);
    costs beyond it count in the last bin so no weight goes missing: that bin is
    then open-ended (``open_end``; ``max`` the farthest finite cost), and the
    charts label it "≥ its lower edge" (QA 24: a 90-95 min bar held people up to
    153 min away, and nothing said so). About ``n_bins`` bins of a round width
    in the charted unit (raw / ``scale``). Unreachable units (infinite cost) are
    counted apart.
    """
    weights = np.asarray(weights, dtype=float)
    if len(weights) != len(before) or len(weights) != len(after):
        weights = np.ones(len(before), dtype=float)  # an old record without weights: count units
    finite = np.concatenate([before[np.isfinite(before)], after[np.isfinite(after)]])
    top = float(np.percentile(finite, 99)) if len(finite) else 1.0
    end = max(top, standard or 0) * 1.05 or 1.0
    step = _nice_step(end / scale / n_bins) * scale
    edges = np.arange(0, int(np.ceil(end / step - 1e-9)) + 1) * step
    top_cost = float(finite.max()) if len(finite) else 0.0
    out = {"edges": edges, "max": top_cost, "open_end": bool(len(finite) and top_cost > edges[-1] * (1 + 1e-9))}
    for key, data in (("before", before), ("after", after)):
        ok = np.isfinite(data)
        counts, _ = np.histogram(np.clip(data[ok], 0, edges[-1]), bins=edges, weights=weights[ok])
        out[key] = counts
        out[f"unreachable_{key}"] = float(weights[~ok].sum())
    return out


def _cost_scale(unit: str, lang: str) -> tuple[float, str]:
    """Distances are charted in km, times in minutes."""
    return (1000.0, t("km", lang)) if unit == "m" else (1.0, t("minutes", lang))


def _edge_text(value: float, lang: str) -> str:
    """A bin edge as the axis writes it: 90, 2.5, 1,000."""
    v = round(float(value), 4)
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}"


def open_end_labels(h: dict, scale: float, u: str, lang: str) -> dict:
    """The last bar's label when costs beyond the range count in it: "≥ 90" under the axis, and the
    note saying what it holds ("≥ 90 min ... the farthest 153 min"); {} for a closed last bar."""
    if not h.get("open_end"):
        return {}
    lo = _edge_text(h["edges"][-2] / scale, lang)
    farthest = h["max"] / scale
    far = f"{farthest:,.0f}" if farthest >= 10 else f"{farthest:.1f}"
    nb = "\u00a0"  # "153 min" on one line
    return {"open_label": f"≥ {lo}",
            "open_note": t("chart_open_end_note", lang, lo=f"{lo}{nb}{u}", max=f"{far}{nb}{u}")}


def _standards(std: dict | None) -> list[tuple[str, float]]:
    """The service standards to mark: one line, or urban and rural when they differ."""
    std = std or {}
    urban, rural = _finite(std.get("urban")), _finite(std.get("rural"))
    if urban and rural and abs(urban - rural) > 1e-9:
        return [("chart_standard_urban", urban), ("chart_standard_rural", rural)]
    return [("standard", v) for v in (rural or urban,) if v]


def costs_chart_data(rec: dict, lang: str) -> dict:
    """JSON for the browser's before/after travel-cost histogram of a saved proposal."""
    from web.proposals import cost_arrays
    before, after, weights, _, unit, _name = cost_arrays(rec, lang)
    standards = _standards(rec["summary"].get("standard"))
    scale, u = _cost_scale(unit, lang)
    h = cost_bins(before, after, weights, max((v for _, v in standards), default=None), scale)
    from web.exports import type_units
    who = type_units(rec.get("type"), lang)["weight_unit"]  # what the weight counts: 60岁以上人口, or units
    return {
        "proposal": rec["id"], "lang": lang, "unit": "km" if unit == "m" else "min", "unit_label": u,
        "title": t("cost_distribution", lang),
        # the y axis counts what the weight counts (60岁以上人口, or units): it said "Demand weight" alone
        "x_label": with_unit(t("cost", lang), u, lang), "y_label": with_unit(t("weight", lang), who, lang),
        "edges": [_finite(round(e / scale, 4)) for e in h["edges"]],
        "before": [_finite(round(c, 3)) for c in h["before"]],
        "after": [_finite(round(c, 3)) for c in h["after"]],
        "series": [{"key": "before", "label": t("before", lang), "color": BEFORE_COLOUR},
                   {"key": "after", "label": t("after", lang), "color": AFTER_COLOUR}],
        "standards": [{"value": _finite(v / scale), "label": t(k, lang)} for k, v in standards],
        "unreachable_before": _finite(h["unreachable_before"]),
        "unreachable_after": _finite(h["unreachable_after"]),
        "unreachable_label": with_unit(t("unreachable_weight", lang), who, lang),
        "is_estimate": bool(rec["summary"].get("is_estimate")),
        # costs beyond the charted range count in the last bar: it is labelled "≥ 90" and a note says so
        "open_end": bool(h["open_end"]), "open_label": None, "open_note": None,
        **open_end_labels(h, scale, u, lang),
    }


# -- server-side charts (downloads, reports) -------------------------------
def chart_mode() -> str:
    """The ``mode`` argument of a coverage chart (the map's travel mode; 400 when unknown), read as
    the API reads it (web.api is imported here: it loads this module's functions lazily too)."""
    from web.api import arg_mode

    return arg_mode()


def _county_chart(s, type_key: str, fmt: str, mode: str = "estimate") -> Response:
    cov = s.coverage(type_key, mode)
    lang = chart_lang(g.lang)
    rows = county_rows(cov)[::-1]  # barh draws bottom-up: best covered on top
    # Chinese names only where a CJK font can draw them; English text always renders
    labels = [r["name_zh"] if lang == "zh" else r["name_en"] for r in rows]
    height = 0.42 * len(rows) + 1.0
    fig = _figure(6.0, height)
    ax = fig.add_subplot(111)
    shares = np.array([r["share"] for r in rows])
    ax.barh(range(len(rows)), 100 * shares, color=[bar_colour(v) for v in shares], height=0.62)
    ax.set_yticks(range(len(rows)), labels)
    for y, r in enumerate(rows):
        inside = 100 * r["share"] > 70  # a long bar carries its figure inside its end, as in charts.js
        ink = "#fff" if inside and _is_dark(bar_colour(r["share"])) else "#222"
        ax.text(100 * r["share"] + (-1 if inside else 1), y, county_label(r, gap="  "),
                va="center", ha="right" if inside else "left", fontsize=8.5, color=ink)
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("units_covered_pct", lang))
    ax.set_title(county_chart_title(cov, lang), fontsize=10, loc="left")
    # the key of the page's chart, below the axis: a download is read without the map's legend
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(facecolor=k["color"], edgecolor="#777", label=k["label"]) for k in share_key()],
              loc="upper center", bbox_to_anchor=(0.5, -0.48 / (0.77 * height)), ncol=5,  # 0.48 in under the axes
              frameon=False, fontsize=8.5, handlelength=1.4, columnspacing=1.2)
    _style(ax)
    return _render(fig, fmt)


def cost_histogram(before: np.ndarray, after: np.ndarray, weights: np.ndarray, standard,
                   unit: str, lang: str, title: str, who: str | None = None):
    """Weighted distribution of travel cost, before vs after a proposal.

    ``standard``: a number, or the proposal's ``{"urban", "rural"}`` standards.
    """
    lang = chart_lang(lang)
    standards = _standards(standard if isinstance(standard, dict) else {"rural": standard})
    fig = _figure(6.4, 3.4)
    ax = fig.add_subplot(111)
    scale, u = _cost_scale(unit, lang)
    h = cost_bins(before, after, weights, max((v for _, v in standards), default=None), scale)
    for key, color in (("before", BEFORE_COLOUR), ("after", AFTER_COLOUR)):
        ax.stairs(h[key], h["edges"] / scale, linewidth=1.8, color=color, label=t(key, lang))
    ax.set_xlim(0, h["edges"][-1] / scale)
    top = ax.get_ylim()[1]
    opened = open_end_labels(h, scale, u, lang)
    if opened:  # the last bar holds every cost beyond the range: shaded, labelled "≥ 90", and said under the axis
        lo, hi = h["edges"][-2] / scale, h["edges"][-1] / scale
        ax.axvspan(lo, hi, color="#eceff3", zorder=0, linewidth=0)
        mid, span = (lo + hi) / 2, hi
        ticks = [v for v in ax.get_xticks() if 0 <= v <= hi and abs(v - mid) > 0.09 * span]
        ax.set_xticks(ticks + [mid], [_edge_text(v, lang) for v in ticks] + [opened["open_label"]])
        import textwrap
        note = opened["open_note"]  # Chinese has no spaces to wrap at: cut every 48 characters
        note = "\n".join(note[i:i + 48] for i in range(0, len(note), 48)) if lang == "zh" else textwrap.fill(note, 92)
        ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -42), textcoords="offset points",
                    va="top", ha="left", fontsize=8, color="#555")
    for k, (key, value) in enumerate(standards):
        ax.axvline(value / scale, color="#333", linestyle="--", linewidth=1)
        ax.text(value / scale, top * (0.95 - 0.08 * k), " " + t(key, lang), fontsize=8.5, va="top")
    ax.set_xlabel(with_unit(t("cost", lang), u, lang))
    ax.set_ylabel(with_unit(t("weight", lang), who, lang))
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=9)
    _style(ax, "y")
    return fig


def register_proposal_chart(bp_=bp):
    @bp_.get("/proposals/<pid>/costs.<fmt>")
    def proposal_costs(pid: str, fmt: str):
        from web.proposals import cost_arrays, saved
        rec = saved(pid)
        before, after, weights, _, unit, name = cost_arrays(rec, g.lang)
        from web.exports import type_units
        fig = cost_histogram(before, after, weights, rec["summary"].get("standard"), unit, g.lang,
                             t("cost_distribution", chart_lang(g.lang)),
                             who=type_units(rec.get("type"), chart_lang(g.lang))["weight_unit"])
        return _render(fig, fmt)


register_proposal_chart()
