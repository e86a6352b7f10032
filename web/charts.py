"""Server-side charts (matplotlib, object API: pyplot is not thread-safe under waitress).

Chinese labels need a CJK font; Debian's fonts-noto-cjk (installed by .ci/run)
or Windows' Microsoft YaHei / SimHei are used when present. Without one, the
charts are labelled in English so they never show empty boxes.
"""
from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from flask import Blueprint, Response, g

from web import layers
from web.app import ext
from web.errors import bad_param
from web.i18n import t

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
    # depends only on the cached coverage: render once per (type, language, format)
    body = s._cached(("chart_county", type_key, g.lang, fmt), lambda: _county_chart(s, type_key, fmt).get_data())
    return Response(body, mimetype=FORMATS[fmt], headers={"Cache-Control": "max-age=300"})


def _county_chart(s, type_key: str, fmt: str) -> Response:
    cov = s.coverage(type_key)
    lang = chart_lang(g.lang)
    by = cov.by_county.copy()
    by["share"] = (by["covered_units"] / by["units"]).where(by["units"] > 0, 0.0)
    by = by.sort_values("share")
    labels = by["name"].tolist() if lang == "zh" else list(by.index)
    fig = _figure(6.0, 0.42 * len(by) + 1.0)
    ax = fig.add_subplot(111)
    colors = [layers.SHARE_CLASSES[0][1] if v >= layers.FULL_SHARE else layers.SHARE_CLASSES[-1][1]
              if v < 0.5 else "#2f6ea5" for v in by["share"]]
    ax.barh(labels, 100 * by["share"], color=colors, height=0.62)
    for y, (v, n, m) in enumerate(zip(by["share"], by["covered_units"], by["units"])):
        ax.text(min(100 * v + 1, 88), y, f"{100 * v:.0f}%  ({n}/{m})", va="center", fontsize=8.5, color="#333")
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("covered_share", lang) + " (%)")
    ax.set_title(f"{cov.ftype.name(lang)} · {t('coverage_by_county', lang)}", fontsize=10, loc="left")
    _style(ax)
    return _render(fig, fmt)


def cost_histogram(before: np.ndarray, after: np.ndarray, weights: np.ndarray, standard: float | None,
                   unit: str, lang: str, title: str):
    """Weighted distribution of travel cost, before vs after a proposal."""
    lang = chart_lang(lang)
    fig = _figure(6.4, 3.4)
    ax = fig.add_subplot(111)
    finite = np.concatenate([before[np.isfinite(before)], after[np.isfinite(after)]])
    top = float(np.percentile(finite, 99)) if len(finite) else 1.0
    bins = np.linspace(0, max(top, standard or 0) * 1.05 or 1.0, 31)
    scale = 1000.0 if unit == "m" else 1.0
    u = ("km" if unit == "m" else t("minutes", lang))
    for data, label, color in ((before, t("before", lang), "#d73027"), (after, t("after", lang), "#2f6ea5")):
        ok = np.isfinite(data)
        ax.hist(np.clip(data[ok], 0, bins[-1]) / scale, bins=bins / scale, weights=weights[ok], histtype="step",
                linewidth=1.8, color=color, label=label)
    if standard:
        ax.axvline(standard / scale, color="#333", linestyle="--", linewidth=1)
        ax.text(standard / scale, ax.get_ylim()[1] * 0.95, " " + t("standard", lang), fontsize=8.5, va="top")
    ax.set_xlabel(f"{t('cost', lang)} ({u})")
    ax.set_ylabel(t("weight", lang))
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=9)
    _style(ax, "y")
    return fig


def register_proposal_chart(bp_=bp):
    @bp_.get("/proposals/<pid>/costs.<fmt>")
    def proposal_costs(pid: str, fmt: str):
        from web.proposals import cost_arrays, saved
        rec = saved(pid)
        before, after, weights, standard, unit, name = cost_arrays(rec, g.lang)
        fig = cost_histogram(before, after, weights, standard, unit, g.lang,
                             t("cost_distribution", chart_lang(g.lang)))
        return _render(fig, fmt)


register_proposal_chart()
