"""Stand-alone coverage maps with folium: one HTML file that opens offline.

Planners attach maps to reports and send them to county bureaus on intranets
with no CDN access. folium builds the Leaflet map; its default CDN assets are
dropped and Leaflet itself (from the installed ``xstatic-leaflet`` package) is
inlined, so the file needs no server and no network. Only core Leaflet
features are used (no jQuery, Bootstrap or icon fonts). Both faces write these
files (``coverplan map`` and the web's export links), so the code lives here,
below them, with the words (planner/i18n.py), the colours (planner/palette.py)
and the light geometry (planner/maplayers.py) the web map uses too.

A map sent on its own must explain itself: every file carries a title block
(what, when, with which parameters and headline numbers), a legend entry for
every symbol drawn and a metric scale. The same words and numbers describe a
proposal on the printed brief (``/proposals/<pid>/brief``), so they are built
here once: :func:`proposal_params`, :func:`proposal_numbers`.
"""
from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from planner import palette
from planner.checklist import checklist_from_coverage
from planner.coverage import county_names_en, place_names_en
from planner.i18n import cost_text, share_text, t, with_unit
from planner.maplayers import (partly_imported, provenance_labels, sample_words, service_area_layer,
                               shown_register_label, shown_types)

DATE_FORMAT = "%Y-%m-%d %H:%M"
#: Proposed sites: black numbered discs with a gold ring, distinct from every type colour.
SITE_FILL, SITE_RING = "#000000", "#ffd700"
UNCOVERED_COLOUR = "#b2182b"
AREA_COLOUR = "#1f5fa8"


# -- words and numbers shared by the offline maps and the printed brief ----------
def when(ts: float | None = None) -> str:
    """A local date and time (``ts`` a Unix time; now when omitted)."""
    return (datetime.now() if ts is None else datetime.fromtimestamp(float(ts))).strftime(DATE_FORMAT)


def standard_text(standard: dict, lang: str) -> str:
    """"城镇 15 分钟 / 农村 30 分钟" -- always with the unit (minutes, metres or km)."""
    unit = standard.get("unit", "min")
    urban, rural = standard.get("urban"), standard.get("rural")
    if urban == rural:
        return cost_text(rural, unit, lang)
    return (f"{t('brief_urban', lang)} {cost_text(urban, unit, lang)} / "
            f"{t('brief_rural', lang)} {cost_text(rural, unit, lang)}")


def model_text(model: str | None, lang: str) -> str:
    key = f"model_{model}"
    text = t(key, lang)
    return (model or "–").upper() if text == key else text


def mode_text(mode: str | None, lang: str) -> str:
    return t("mode_network" if mode == "network" else "mode_estimate", lang)


def sites_label(kind: str | None, lang: str, *, converted: bool = False) -> str:
    """What a proposal's sites are: new sites, or existing facilities upgraded / converted."""
    if kind == "upgrade":
        return t("capw_n_converted" if converted else "capw_n_upgraded", lang)
    return t("n_sites", lang)


def reach_text(ft, lang: str, *, factor: float | None = None, converted: bool = False) -> str:
    """The reach an upgrade's (a conversion's) map draws, in words: "其余设施 城镇 1.0 公里 / 农村 3.0 公里；拟改造设施
    城镇 1.5 公里 / 农村 4.5 公里（现服务半径 ×1.5）"; a conversion's facilities at the standard of the type they become
    (``ft``). Its service areas were labelled with the type's standard alone beside an upgraded reach (QA 34)."""
    std = ft.to_dict()["standard"]
    now = standard_text(std, lang)
    if converted:
        return t("qa34f14_reach_converted", lang, role=ft.name(lang), std=now)
    if factor is None or not np.isfinite(factor) or factor <= 0:
        return now
    if abs(factor - 1) < 1e-9:
        return t("qa34f14_reach_same", lang, std=now)
    up = standard_text({**std, "urban": float(std["urban"]) * factor, "rural": float(std["rural"]) * factor}, lang)
    return (t("qa34f14_reach_others", lang, std=now) + ("; " if lang == "en" else "；") +
            t("qa34f14_reach_upgraded", lang, std=up, f=f"{factor:g}"))


def upgrade_reach_factor(facilities) -> float | None:
    """The reach factor of a coverage's upgraded facilities (planner.coverage.analyse_coverage marks them), None
    where none is upgraded."""
    if facilities is None or not len(facilities) or "upgraded" not in facilities or "reach_factor" not in facilities:
        return None
    up = facilities["upgraded"].fillna(False).astype(bool).to_numpy()
    f = pd.to_numeric(facilities["reach_factor"], errors="coerce").to_numpy(float)[up]
    f = f[np.isfinite(f)]
    return float(np.max(f)) if len(f) else None


def within_reach_note(ft, before: dict, after: dict, lang: str, *, reach: str, converted: bool = False,
                      covered: float | None = None, demand: float | None = None, short: bool = False) -> str:
    """What an upgrade's (a conversion's) map shows beside its served figures: coverage within the reach after it,
    distance only, where "served" counts the beds too. The figures are the map's (``covered`` of ``demand``; by
    default the proposal's own ``after["covered"]``, recorded at the type's coverage points, which is what the
    map counts); said without figures where none comparable is there. ``ft``: the type served (a conversion's
    role). ``short``: the brief's one line, only where the map's figure is not the served one. The page said
    19,101 → 30,298 served beside a map of 19,101 covered at the old reach, and a conversion's 66.0% served beside
    a map of 70.0% covered, without a word (QA 34)."""
    a = after or {}
    at_points = (a.get("counted_at") or (before or {}).get("counted_at")) == "coverage_points"
    if covered is None and at_points:
        covered = _num(a, "covered")
    if demand is None:
        demand = _num(a, "demand")
    what = t("qa34f14_what_convert" if converted else "qa34f14_what_upgrade", lang)
    basis = ft.capacity.basis if getattr(ft, "capacity", None) is not None else ft.weight
    who = t(f"capw_basis_{basis}", lang)
    who = "" if who == f"capw_basis_{basis}" else who
    if covered is None or not demand:
        return "" if short else t("qa34f14_note_nofigure", lang, what=what, reach=reach)
    share = share_text(covered / demand)
    served = _num(a, "served")
    same = served is not None and round(served) == round(covered)
    if short:  # the brief's room is one A4 page: said where the two figures differ
        return "" if same else t("qa34f14_brief_note", lang, covered=f"{covered:,.0f}", who=who, share=share)
    key = "qa34f14_note_same" if same else "qa34f14_note"
    return t(key, lang, what=what, reach=reach, covered=f"{covered:,.0f}", who=who, share=share,
             served=_people(served), sshare=share_text(_num(a, "served_share")))


def proposal_params(*, model: str | None, n_sites: int, standard: dict, mode: str | None,
                    is_estimate: bool, lang: str, kind: str | None = None, converted: bool = False,
                    extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The parameters a proposal was solved with, as (label, text) rows; ``extra`` rows
    (e.g. a sized proposal's size classes) follow the count of sites."""
    unit = standard.get("unit", "min")
    return [
        (t("model", lang), model_text(model, lang)),
        (sites_label(kind, lang, converted=converted), f"{n_sites}"),
        *extra,
        (t("brief_standard_urban", lang), cost_text(standard.get("urban"), unit, lang)),
        (t("brief_standard_rural", lang), cost_text(standard.get("rural"), unit, lang)),
        (t("travel_mode", lang), mode_text(mode, lang)),
        (t("brief_is_estimate", lang), t("yes" if is_estimate else "no", lang)),
    ]


def _num(d: dict, k: str) -> float | None:
    v = d.get(k)
    return None if v is None or not np.isfinite(float(v)) else float(v)


def _row(label: str, before: str, after: str, change: str = "", good: bool | None = None) -> dict:
    """``good``: whether the change is an improvement (the page colours it), None when neutral."""
    return {"label": label, "before": before, "after": after, "change": change, "good": good}


def proposal_numbers(before: dict, after: dict, unit: str, lang: str, *, kind: str | None = None,
                     who: str | None = None, share: str | None = None) -> list[dict]:
    """Headline numbers before and after a proposal: rows of label, before, after, change
    and whether the change is an improvement. New sites (``kind`` location or sized) are
    judged by coverage and travel cost; an upgrade by the people its capacity serves
    (it moves no facility, so coverage by distance does not change), counted in ``who``
    ("80岁以上人口", named in the row's label so the narrow figures stay numbers). ``share`` names the
    covered share by what the type weighs (``share_label``); without it the share is "weighted"."""
    b, a = before or {}, after or {}

    def delta_pt(x, y):
        if x is None or y is None:
            return "", None
        d = 100 * (y - x)
        return f"{d:+.1f} pt", (d > 0) if abs(d) >= 0.05 else None

    def cost_change(x, y):
        if x is None or y is None or x == y:
            return "", None
        d = abs(y - x)
        # beside values shown in km the change is in km too (3.1 → 2.9 公里: −0.2 公里, not −200 米);
        # one too small for a tenth of a km stays in metres
        text = (f"{d / 1000:.1f} {t('km', lang)}" if unit == "m" and max(x, y) >= 1000 and d >= 50
                else cost_text(d, unit, lang))
        return ("−" if y < x else "+") + text, y < x

    if kind == "upgrade":
        bs, as_ = _num(b, "served"), _num(a, "served")
        ch = ("" if bs is None or as_ is None else f"{as_ - bs:+,.0f}")
        return [
            _row(with_unit(t("capw_served", lang), who, lang), _people(bs), _people(as_), ch, (as_ > bs) if ch else None),
            _row(t("capw_served_share", lang), share_text(_num(b, "served_share")), share_text(_num(a, "served_share")),
                 *delta_pt(_num(b, "served_share"), _num(a, "served_share"))),
            _row(with_unit(t("capw_demand", lang), who, lang), _people(_num(b, "demand")), _people(_num(a, "demand"))),
        ]
    bq = _num(b.get("cost_quantiles") or {}, "p90")
    aq = _num(a.get("cost_quantiles") or {}, "p90")
    bu, au = b.get("covered_units", 0), a.get("covered_units", 0)
    bf, af = b.get("facilities", 0), a.get("facilities", 0)
    return [
        # a type counted in units (cemeteries) is not "weighted": its share is named as the page names it
        _row(share or t("covered_share_weighted", lang), share_text(_num(b, "covered_share")),
             share_text(_num(a, "covered_share")), *delta_pt(_num(b, "covered_share"), _num(a, "covered_share"))),
        _row(t("covered_units", lang), f"{bu:,} / {b.get('units', 0):,}", f"{au:,} / {a.get('units', 0):,}",
             f"{au - bu:+,}", (au > bu) if au != bu else None),
        # on a road network the mean is over the units it reaches (planner.coverage.summarize), while the
        # percentile counts the rest as unreachable: the label says so, or "1.1 km" reads as the city's
        _row(t("mean_cost_reachable" if (b.get("unreachable_units") or a.get("unreachable_units")) else "mean_cost",
               lang), cost_text(_num(b, "mean_cost"), unit, lang), cost_text(_num(a, "mean_cost"), unit, lang),
             *cost_change(_num(b, "mean_cost"), _num(a, "mean_cost"))),
        _row(t("p90_cost", lang), cost_text(bq, unit, lang), cost_text(aq, unit, lang), *cost_change(bq, aq)),
        _row(t("brief_facilities", lang), f"{bf:,}", f"{af:,}", f"{af - bf:+,d}"),
    ]


def _people(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


# -- the folium map ------------------------------------------------------------
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet, the layer control's button image inlined in it (a data: URL): on a narrow
    screen the control is that button (``_LayerControl``), and ``images/layers.png`` beside a file sent on its own
    is not there."""
    import base64

    import xstatic.pkg.leaflet as leaflet
    base = Path(leaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text("utf-8")
    for name in ("layers.png", "layers-2x.png"):
        data = base64.b64encode((base / "images" / name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    return (base / "leaflet.js").read_text("utf-8"), css


def _cluster_assets() -> tuple[str, str]:
    import xstatic.pkg.leaflet_markercluster as mc
    base = Path(mc.BASE_DIR)
    return ((base / "leaflet.markercluster.js").read_text("utf-8"),
            (base / "MarkerCluster.css").read_text("utf-8") + (base / "MarkerCluster.Default.css").read_text("utf-8"))


class _MapChrome(MacroElement):
    """Metric-only scale bar and an attribution without Leaflet's prefix.

    folium's ``control_scale`` adds Leaflet's default scale, which shows miles
    and feet too; Chinese planning documents use metres and kilometres only.
    Leaflet 1.9's attribution prefix carries a flag icon, which does not belong
    on a government map, so the prefix is dropped and only our own credit stays.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.credit|tojson }});
            L.control.scale({imperial: false, metric: true, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, credit: str):
        super().__init__()
        self._name = "MapChrome"
        self.credit = credit


_STYLE = """<style>
.cp-box { position: fixed; z-index: 1000; background: #fff; border: 1px solid #999; border-radius: 3px;
          font: 12px/1.45 "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif; padding: 8px 10px;
          box-shadow: 0 1px 4px rgba(0,0,0,.25); color: #1d2733; }
.cp-title { top: 10px; left: 52px; max-width: 440px; }
.cp-title h1 { font-size: 15px; margin: 0 0 2px; }
.cp-title .sub { color: #555; margin-bottom: 4px; }
.cp-title table { border-collapse: collapse; }
.cp-title th { text-align: left; font-weight: normal; color: #555; padding: 0 10px 0 0; white-space: nowrap;
               vertical-align: top; }
.cp-title td { padding: 0; }
.cp-legend { bottom: 26px; right: 12px; max-width: 280px; }
.cp-legend .hd { font-weight: bold; cursor: pointer; user-select: none; -webkit-user-select: none; padding: 2px 0; }
.cp-legend .hd::after { content: " \\25BE"; color: #555; font-weight: normal; }
.cp-legend.cp-folded .hd::after { content: " \\25B8"; }
.cp-legend.cp-folded .bd { display: none; }
.cp-legend .grp { color: #555; margin-top: 3px; }
.cp-legend .gap { height: 5px; }
.cp-legend .row { display: flex; align-items: center; gap: 6px; }
.cp-legend .sym { display: inline-block; flex: none; width: 18px; height: 12px; box-sizing: border-box; }
.cp-legend .note { margin-top: 6px; color: #8a5300; }
.cp-site { background: #000; color: #fff; border-radius: 50%; width: 22px; height: 22px; line-height: 18px;
           text-align: center; font: bold 11px sans-serif; border: 2px solid #ffd700; box-sizing: border-box; }
.leaflet-control-layers { font-size: 12px; }
.cp-pop { font: 12px/1.45 "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif; color: #1d2733; }
.cp-pop h4 { margin: 0 0 4px; font-size: 13px; }
.cp-pop h4 small { color: #555; font-weight: normal; }
.cp-pop .reason { margin: 0 0 4px; }
.cp-pop th { text-align: left; font-weight: normal; color: #555; padding: 0 8px 0 0; vertical-align: top; }
.cp-approx { background: #fff4e5; color: #a15c00; border: 1px solid #f0b860; border-radius: 3px; padding: 0 4px;
             font-weight: bold; }
/* a phone: the title leaves room on its right for the layer control's button (collapsed there: _LayerControl),
   its labels wrapping so the figures keep their room */
@media (max-width: 584px) { .cp-title { max-width: calc(100vw - 144px); } .cp-title th { white-space: normal; } }
.cp-title .ft { color: #1a5fa8; cursor: pointer; user-select: none; -webkit-user-select: none; margin-top: 3px; }
.cp-title.cp-folded tr.more { display: none; }
/* the legend folds to its heading, the title to its first figures (a tap; folded at first on a narrow screen:
   _LEGEND_FOLD); on paper whole */
@media print { .cp-legend.cp-folded .bd { display: block; } .cp-legend .hd::after { content: none; }
               .leaflet-control-zoom, .leaflet-control-layers { display: none; }  /* buttons, not the map's */
               .cp-title.cp-folded tr.more { display: table-row; } .cp-title .ft { display: none; } }
</style>"""


#: Proposals with more sites than this are clustered, as on the web map (web/static/map.js).
CLUSTER_FROM = 40


def html_text(text) -> str:
    """``text`` as an HTML fragment that stays text wherever the file carries it: HTML-escaped (Leaflet sets
    popups and tooltips as innerHTML) and with ` $ \\ written as entities too, which render as the characters.
    folium writes a Tooltip's text (and a Popup's HTML) into a JavaScript template literal (bindTooltip(`...`)),
    where html.escape leaves ``${...}`` to run as script and a backtick or a backslash to end or break the
    literal (a facility renamed "${alert(1)}" opened an alert, "a`;x;`" left the map blank: QA 31). The
    fragments here are bound through JSON strings (:class:`_Popups`), never folium's literals; the entities
    keep them safe should one reach a literal again."""
    return html.escape(str(text)).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


class _Popups(MacroElement):
    """Click popups and hover tooltips that need no jQuery and no JavaScript template literal.

    folium.Popup builds its content with ``$(...)``, and an offline file carries no jQuery (folium's
    CDN assets are dropped), so its popups never opened; folium.Tooltip puts its text in a template literal,
    where a name with ``${`` ran as script (QA 31). The HTML is built here, every outside value
    escaped (:func:`html_text`; Leaflet sets it as innerHTML), and bound with Leaflet's own ``bindPopup`` and
    ``bindTooltip`` from JSON strings: on a marker, ``html`` and ``tip``; on a GeoJson layer, each feature's
    ``popup`` and ``tip`` properties.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% if this.html is none %}
            {{ this._parent.get_name() }}.bindPopup(function (l) {
                return (l.feature && l.feature.properties.popup) || "";
            }, {maxWidth: 340});
            {{ this._parent.get_name() }}.bindTooltip(function (l) {
                return (l.feature && l.feature.properties.tip) || "";
            }, {sticky: true});
        {% else %}
            {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {maxWidth: 340});
            {% if this.tip %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.tip_js }}, {sticky: true});
            {% endif %}
        {% endif %}
        {% endmacro %}
    """)

    def __init__(self, html_fragment: str | None = None, tip: str | None = None):
        """``html_fragment`` and ``tip``: HTML built with :func:`html_text` (None: a GeoJson layer's features)."""
        super().__init__()
        self._name = "CpPopups"
        self.html = html_fragment
        self.tip = tip
        # a JSON string as tojson writes it (no < > & ' to end the script block), its words kept as written, as
        # folium's tooltips kept them: the file stays searchable for a name (tests/test_qa21.py)
        self.tip_js = (json.dumps(tip, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
                       .replace("&", "\\u0026").replace("'", "\\u0027").replace("\u2028", "\\u2028")
                       .replace("\u2029", "\\u2029")) if tip else None


class _LayerControl(folium.LayerControl):
    """The layer list, open where it leaves the title block clear and a button where it does not.

    Open (``collapsed: false``) its list sits top right, beside the title block top left; on a phone (390 px)
    the two met and the list hid the map's title. Which one fits is measured in the browser, as the fit below
    is (the boxes' sizes depend on its fonts and the map's language): the list is built open and, where it
    overlaps the title, rebuilt collapsed, a button that opens the list on a tap. Again when the window's width
    changes (a phone turned). The title leaves room for the button (``_STYLE``'s narrow-screen rule).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }}, opts = {{ this.options|tojson }};
            var layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{ val }},
                    {%- endfor %}
                },
                overlays : {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{ val }},
                    {%- endfor %}
                },
            };
            var state = {control: null, width: null};
            function make(collapsed) {
                if (state.control) state.control.remove();
                state.control = L.control.layers(layers.base_layers, layers.overlays, L.extend({}, opts, {collapsed: collapsed})).addTo(map);
            }
            function clear(a, b) {
                return a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
            }
            function place() {
                var title = document.getElementById("cp-title");
                state.width = window.innerWidth;
                make(false);
                if (title && !clear(title.getBoundingClientRect(), state.control.getContainer().getBoundingClientRect()))
                    make(true);
            }
            place();
            var timer = null;
            window.addEventListener("resize", function () {
                if (window.innerWidth === state.width) return;  // a phone's address bar, not a new width
                clearTimeout(timer);
                timer = setTimeout(place, 150);
            });
            return state;
        })();
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__(collapsed=False)


def _popup(title: str, rows: list[tuple[str, str]], *, small: str = "", reason: str = "") -> str:
    """A popup's HTML like the web map's (web/static/map.js): a heading, an optional reason, label/value
    rows. Every argument is plain text and escaped here (:func:`html_text`)."""
    e = html_text
    head = f"<h4>{e(title)}" + (f" <small>{e(small)}</small>" if small else "") + "</h4>"
    why = f'<p class="reason">{e(reason)}</p>' if reason else ""
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows if v not in (None, ""))
    return f'<div class="cp-pop">{head}{why}<table>{body}</table></div>'


def _number(x, digits: int = 0) -> str:
    """"1,234" (a count or a weight); "–" for a missing value."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if not np.isfinite(x) else f"{x:,.{digits}f}"


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _missing(x) -> bool:
    try:
        return x is None or not np.isfinite(float(x))
    except (TypeError, ValueError):
        return not x


def weight_label(ft, lang: str) -> str | None:
    """What a type's demand weight counts ("60岁以上人口"), or None for a type weighted by units, whose
    weight is the unit count (the web map's ``weightLabel``)."""
    if ft.weight == "units":
        return None
    key = f"weight_{ft.weight}"
    text = t(key, lang)
    return None if text == key else text


def share_label(ft, lang: str) -> str:
    """The covered share named by what it is weighted by: "覆盖率（按60岁以上人口）", or by units."""
    w = weight_label(ft, lang)
    return t("covered_share_units", lang) if w is None else t("covered_share_by", lang, w=w)


def _county_names(region, lang: str) -> dict[str, str]:
    """County code -> name in ``lang`` (English where the region has one, as the web map shows)."""
    c = region.counties
    codes = (c["code"] if "code" in c else c.index).astype(str)
    names = county_names_en(c) if lang == "en" else c["name"]
    return dict(zip(codes, names.astype(str)))


def _site_icon(n: int) -> folium.DivIcon:
    return folium.DivIcon(html=f'<div class="cp-site">{int(n)}</div>', icon_size=(22, 22), icon_anchor=(11, 11),
                          class_name="cp-site-icon")


def coverage_facts(cov, lang: str) -> list[tuple[str, str]]:
    """Title-block rows of a coverage map: standard, travel mode and headline numbers."""
    s = cov.summary
    return [(t("standard", lang), standard_text(cov.ftype.to_dict()["standard"], lang)),
            (t("travel_mode", lang), mode_text(cov.mode, lang)),
            (share_label(cov.ftype, lang), share_text(s.get("covered_share"))),
            (t("covered_units", lang), f"{s.get('covered_units', 0):,} / {s.get('units', 0):,}"),
            (t("existing_facilities", lang), f"{s.get('facilities', len(cov.facilities))}"),
            (t("mean_cost", lang), cost_text(s.get("mean_cost"), cov.ftype.unit, lang))]


def _auto_service_areas(region, cov) -> dict | None:
    """Service areas when they are cheap: straight-line estimates are buffers, road-network ones are not."""
    if cov.mode != "estimate":
        return None
    return service_area_layer(region, cov.ftype, cov.facilities, cov.mode)


def register_source(region, type_key: str) -> dict:
    """The region's provenance of one type's register: ``{"file", "dataset_version", "synthetic"}`` (empty
    when the region records none: the embedded sample)."""
    layers = (getattr(region, "provenance", None) or {}).get("layers") or {}
    return ((layers.get("facilities") or {}).get("by_type") or {}).get(type_key) or {}


def register_text(region, type_key: str, synthetic: bool, lang: str) -> str | None:
    """The title block's 设施名录 row for one type's register: its file and data version where imported, the
    words of a register imported for some counties only, "coverplan 合成示例（示意）" where the facilities
    drawn are the sample's (``synthetic``); None where there is nothing to say."""
    src = register_source(region, type_key)
    if src.get("dataset_version") and not src.get("synthetic"):
        return (t("prov_file_version", lang, file=src["file"], v=src["dataset_version"]) if src.get("file")
                else t("prov_version", lang, v=src["dataset_version"]))
    if partly_imported(region, type_key):  # one county's register imported, the rest the sample's: as the
        # type page says it (planner.maplayers.provenance_labels), not "the synthetic sample" (QA 29)
        return provenance_labels(region, lang, type_key)["by_layer"].get("facilities")
    return t("fac_register_sample", lang) if synthetic else None


def _any_synthetic(frame) -> bool:
    """Whether any row of ``frame`` (facilities, or an upgrade's sites) is flagged synthetic."""
    if frame is None or not len(frame) or "synthetic" not in frame:
        return False
    return bool(frame["synthetic"].fillna(False).astype(bool).any())


def converted_register(region, role_cov, sites, lang: str) -> str | None:
    """The 设施名录 row of a conversion's map: the role type's register (its existing facilities, often none)
    and the register the converted facilities come from (``sites``' ``facility_type``), each said once. The
    converted sites count as proposed in ``role_cov``, so the role's row alone said nothing of a map whose
    facilities are the sample's (the web's offline map of a conversion had no 设施名录 row)."""
    existing = role_cov.facilities[~role_cov.facilities["proposed"].astype(bool)] \
        if len(role_cov.facilities) and "proposed" in role_cov.facilities else role_cov.facilities
    texts = [register_text(region, role_cov.ftype.key, _any_synthetic(existing), lang)]
    if sites is not None and len(sites) and "facility_type" in sites:
        for key in dict.fromkeys(str(k) for k in sites["facility_type"].dropna()):
            of_type = sites[sites["facility_type"].astype(str) == key]
            texts.append(register_text(region, key, _any_synthetic(of_type), lang))
    elif _any_synthetic(sites):
        texts.append(t("fac_register_sample", lang))
    said = [x for x in dict.fromkeys(texts) if x]
    return ("；" if lang == "zh" else "; ").join(said) or None


def facility_source_text(f, src: dict, lang: str) -> str:
    """Where one facility row comes from, in words (the web map popup's 来源 line, web.service.source_text):
    the sample (示意), or the planner's file and data version."""
    if bool(f.get("synthetic")):
        return t("map_src_sample_row", lang)
    file = f.get("source_file") if isinstance(f.get("source_file"), str) and f.get("source_file") else src.get("file")
    version = src.get("dataset_version") or 0
    if file:
        return t("map_src_planner", lang, file=file, v=version)
    return t("map_src_planner_nofile", lang, v=version)


def coverage_map(region, cov, *, proposed_sites: gpd.GeoDataFrame | None = None, lang: str = "zh",
                 title: str | None = None, subtitle: str | None = None,
                 facts: list[tuple[str, str]] | None = None,
                 service_areas: dict | bool | None = True, sites_key: str = "proposed_sites",
                 gain_key: str = "added_weight", data_version: int | str | None = None,
                 register: str | None = None, facilities: gpd.GeoDataFrame | None = None,
                 frame: tuple | None = None, areas_label: str | None = None,
                 sites_synthetic: bool = False, points: str | None = None) -> folium.Map:
    """A folium map of a coverage (and optionally a proposal's numbered sites).

    Parameters
    ----------
    region : geo.regions.Region
    cov : planner.coverage.Coverage
        Coverage to draw (with the proposal's sites counted, if any).
    proposed_sites : GeoDataFrame, optional
        A proposal's sites (``priority``, ``name``, ``added_weight``), drawn numbered.
    title, subtitle, facts :
        The title block; by default the type's coverage, today's date and
        :func:`coverage_facts`.
    service_areas : dict, True or None
        A GeoJSON FeatureCollection to outline; True computes them when cheap
        (estimate mode), None draws none.
    sites_key, gain_key : str
        What the numbered sites are called and what their ``added_weight`` means (i18n keys):
        new sites and the demand they add, or facilities to upgrade and the people they add.
    data_version : int, optional
        The data version drawn, stated in the title block as the pages state it; by default the
        region's (0: the embedded data).
    register : str, optional
        Where the facilities come from, for the title block's 设施名录 row (the CLI's --facilities file);
        by default the type's register as the region's provenance records it (file and data version, or
        the sample).
    facilities : GeoDataFrame, optional
        The register ``cov`` was computed from when it is not the region's (the CLI's --facilities): the
        facility popups take their capacity from it.
    frame : (west, south, east, north), optional
        What the map opens framed on (:func:`scope_bounds`: a county and its sites); by default the region.
    areas_label : str, optional
        The service areas' name in the layer list and the legend; by default with the type's standard (an
        upgrade's says the upgraded reach, :func:`reach_text`).
    sites_synthetic : bool
        The numbered sites are register rows of the sample (an upgrade's or a conversion's facilities): the
        legend's 示意 line names the register, as for the facilities drawn.
    points : str, optional
        A sized proposal's demand points (its summary's ``points``): "townships" where it counts towns and
        townships at their seats, its site popups say so (planner.sizing.points_label); else villages.
    """
    lang = "en" if lang == "en" else "zh"

    def tx(key: str, **kw) -> str:
        return t(key, lang, **kw)
    ft = cov.ftype
    if title is None:
        title = f"{ft.name(lang)} · {tx('map_title')}"
    if subtitle is None:
        subtitle = f"{tx('brief_generated')} {when()}"
    if facts is None:
        facts = coverage_facts(cov, lang)
        if frame is not None:  # framed on a county: the figures are still the city's, said (QA 33 round 3)
            facts.insert(0, (t("scope", lang), t("qa33_map_scope_framed", lang)))
    if data_version is None:
        data_version = getattr(region, "dataset_version", None) or 0
    if register is None:
        register = register_text(region, ft.key, _any_synthetic(cov.facilities), lang)
    # (a text where the version needs words: the CLI's map of a proposal solved on another version)
    facts = [*facts, (tx("data_version_row"), data_version if isinstance(data_version, str)
                      else f"v{int(data_version)}")] + \
        ([(tx("fac_register_row"), register)] if register else [])
    wlabel = weight_label(ft, lang)
    counties = _county_names(region, lang)
    names_en = place_names_en(region) if lang == "en" else {}
    if service_areas is True:
        service_areas = _auto_service_areas(region, cov)

    bounds = region.counties.total_bounds if frame is None else frame
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=8,
                   tiles=None, control_scale=False, prefer_canvas=True,
                   maxZoom=18,  # a map option (folium gives max_zoom to tiles only); clustering needs it
                   zoomSnap=0.25)  # quarter steps: the fit clear of the title box loses a quarter step, not half the map
    # no CDN: drop folium's default assets, Leaflet is inlined by standalone_html()
    m.default_js, m.default_css = [], []
    m.add_child(_MapChrome(f"coverplan · {tx('illustrative')}"))
    m.get_root().header.add_child(folium.Element(_STYLE), name="coverplan_style")

    # (symbol html, label) of every layer drawn besides the townships, in drawing order
    legend: list[tuple[str, str]] = []

    towns = region.townships[["code", "name", "county_code", "geometry"]].copy()
    agg = cov.by_township
    towns["share"] = agg["covered_share"].reindex(towns.index).astype(float).round(3)
    towns["geometry"] = towns.geometry.simplify(0.002, preserve_topology=True)
    # the web map's township popup (web/static/map.js): its figures with their units, status and reason
    cl = checklist_from_coverage(region, cov).set_index("township_code")
    tips, pops = [], []
    for code, r in region.townships.iterrows():
        a = agg.loc[code] if code in agg.index else None
        units = int(a["units"]) if a is not None else 0
        share = towns.at[code, "share"]
        share_txt = "—" if not np.isfinite(share) or not units else share_text(share)
        tips.append(html_text(f"{r['name']} · {share_txt}"))
        rows = [(tx("code"), str(code))]
        rows += [(share_label(ft, lang), share_txt),
                 (tx("covered_units"), f"{int(a['covered_units']) if a is not None else 0:,} / {units:,}")]
        if wlabel is not None and a is not None:
            rows.append((f"{tx('covered_label')} · {wlabel}",
                         f"{_number(a['covered_weight'])} / {_number(a['weight'])}"))
        if code in cl.index:
            st = cl.at[code, "status"]
            rows.append((tx("status"), tx(f"status_{st}") if st else ""))
            rows.append((tx("reason"), cl.at[code, f"reason_{lang}"] or ""))
        if any(str(r.get(q) or "") not in ("official", "") for q in ("geometry_quality", "population_quality")):
            rows.append((tx("quality"), tx("illustrative")))  # approximate boundary or derived population
        pops.append(_popup(str(r["name"]), rows, small=counties.get(str(r["county_code"]), "")))
    towns["tip"] = pd.Series(tips, index=region.townships.index).reindex(towns.index).values
    towns["popup"] = pd.Series(pops, index=region.townships.index).reindex(towns.index).values
    share_name = (tx("legend_share_units") if wlabel is None else tx("legend_share_by", w=wlabel))
    gj = folium.GeoJson(
        json.loads(towns.drop(columns=["share", "county_code"]).to_json()),
        name=html.escape(share_name),  # Leaflet's layer control writes a layer's name as HTML
        style_function=lambda f, shares=dict(zip(towns["code"], towns["share"])): {
            "fillColor": palette.share_colour(shares.get(f["properties"]["code"])), "color": "#555", "weight": 0.6,
            "fillOpacity": 0.7},
    )
    gj.add_child(_Popups())
    gj.add_to(m)
    # Boundaries and service areas are outlines over the townships; not interactive, or
    # (on a canvas, which hit-tests a polygon's inside) they would swallow the township tooltips.
    folium.GeoJson(json.loads(region.counties[["name", "geometry"]].to_json()), name=tx("county_boundaries"),
                   style_function=lambda f: {"fill": False, "color": "#111", "weight": 2},
                   interactive=False).add_to(m)
    legend.append(('<span class="sym" style="height:0;border-top:2px solid #111"></span>',
                   tx("county_boundaries")))

    if service_areas and service_areas.get("features"):
        std = standard_text(ft.to_dict()["standard"], lang)
        label = areas_label or (f"{tx('service_areas')}（{std}）" if lang == "zh" else f"{tx('service_areas')} ({std})")
        folium.GeoJson(service_areas, name=html.escape(label), interactive=False,
                       style_function=lambda f: {"fill": False, "color": AREA_COLOUR, "weight": 1.4,
                                                 "dashArray": "5 4"}).add_to(m)
        legend.append((f'<span class="sym" style="height:0;border-top:2px dashed {AREA_COLOUR}"></span>', label))

    colour = palette.type_colour(ft)
    fac_label = f"{tx('existing_facilities')} · {ft.name(lang)}"
    fac = folium.FeatureGroup(name=html.escape(fac_label))  # the type's name is data (facility_types.toml)
    towns_by_code = region.townships["name"].astype(str).to_dict()
    # the attributes a planner edits on the web map, where the register has them
    reg = region.facilities[~region.facilities.index.duplicated()] if len(region.facilities) else None
    extra = [c for c in ("address", "operator", "phone", "remark") if reg is not None and c in reg]
    src = register_source(region, ft.key)
    # the rows' capacities and sources: the coverage keeps only ids and points (the CLI's --facilities register,
    # or the region's, holds the rest)
    own_reg = facilities is not None
    rows_src = facilities if own_reg else region.facilities
    if rows_src is not None and len(rows_src) and "id" in rows_src:
        ids = rows_src["id"].astype(str)
        rows_src = rows_src[~ids.duplicated()].set_axis(ids[~ids.duplicated()].to_numpy(), axis=0)
    else:
        rows_src = None
    existing = cov.facilities[~cov.facilities["proposed"].astype(bool)] if len(cov.facilities) else cov.facilities
    for _, f in existing.iterrows():
        rows = [(tx("code"), str(f["id"])), (tx("township"), towns_by_code.get(f.get("township_code"), "")),
                (tx("county"), counties.get(str(f.get("county_code")), ""))]
        for c in extra:
            v = reg[c].get(str(f["id"])) if str(f["id"]) in reg.index else None
            rows.append((tx(f"field_{c}"), "" if _missing(v) and not isinstance(v, str) else str(v)))
        # its capacity and where the row comes from, as the web map's popup gives them (QA 27)
        full = rows_src.loc[str(f["id"])] if rows_src is not None and str(f["id"]) in rows_src.index else f
        if ft.capacity:
            v = pd.to_numeric(pd.Series([full.get(ft.capacity.field)]), errors="coerce").iloc[0]
            rows.append((tx("fac_capacity"), tx("capacity_unknown_short") if not np.isfinite(v) else
                         f"{_number(v)}{' ' if lang == 'en' else ''}{tx('capw_unit_' + ft.capacity.field)}"))
        rows.append((tx("map_source"), register if own_reg and register and not bool(f.get("synthetic"))
                     else facility_source_text(full, src, lang)))
        if bool(f.get("synthetic")):
            rows.append((tx("quality"), tx("illustrative")))
        mk = folium.CircleMarker([f.geometry.y, f.geometry.x], radius=5, color="#fff", weight=1.5, fill=True,
                                 fill_color=colour, fill_opacity=1)
        # the name as text: not folium's tooltip=, which writes it into a template literal (QA 31)
        mk.add_child(_Popups(_popup(str(f["name"]), rows), tip=html_text(f["name"])))
        mk.add_to(fac)
    if len(existing):  # no layer or key entry for facilities the map does not draw (a conversion into a type that
        # has none yet: "现有设施 · 区域性特困供养服务中心" with nothing on the map, QA 35), as the page map and the brief
        fac.add_to(m)
        legend.append((f'<span class="sym" style="width:12px;height:12px;border-radius:50%;background:{colour};'
                       f'border:1.5px solid #fff;box-shadow:0 0 0 1px #999;margin:0 3px"></span>', fac_label))

    unc_label = tx("uncovered_villages" if ft.demand in ("villages", "rural_villages") else "uncovered_points")
    unc = folium.FeatureGroup(name=unc_label)
    u = cov.units[~cov.units["covered"]]
    for _, r in u.iterrows():
        name = names_en.get(str(r["name"])) or str(r["name"])
        beyond = (not _missing(r.get("cost")) and not _missing(r.get("standard")) and r["cost"] > r["standard"])
        rows = [(tx("township"), str(r["township_name"])), (tx("code"), str(r["id"])),
                (wlabel[:1].upper() + wlabel[1:], _number(r["weight"])) if wlabel else ("", ""),
                (tx("nearest_facility"), str(r.get("nearest_name") or tx("none"))),
                (tx("cost"), cost_text(r.get("cost"), ft.unit, lang)),
                (tx("standard"), cost_text(r.get("standard"), ft.unit, lang)),
                (tx("status"), tx("uncovered") + (_paren(f"{tx('beyond_by')} {cost_text(r['cost'] - r['standard'], ft.unit, lang)}", lang)
                                                   if beyond else "")),
                # a synthetic village point and its split population
                (tx("quality"), tx("illustrative") if bool(r.get("synthetic")) else "")]
        mk = folium.CircleMarker([r.geometry.y, r.geometry.x], radius=2.5, color=UNCOVERED_COLOUR, weight=0, fill=True,
                                 fill_opacity=0.9)
        mk.add_child(_Popups(_popup(name, rows), tip=html_text(f"{name} · {tx('uncovered')}")))
        mk.add_to(unc)
    unc.add_to(m)
    legend.append((f'<span class="sym" style="width:6px;height:6px;border-radius:50%;background:{UNCOVERED_COLOUR};'
                   f'margin:0 6px"></span>', unc_label))

    if proposed_sites is not None and len(proposed_sites):
        # an upgrade's or a conversion's facilities are register rows: 示意 when all are the sample's, 部分示意
        # when only some are, in the layer list and the key, as the page's and the brief's keys say it (QA 35: this
        # map said neither)
        sample = sample_words(proposed_sites, lang) if sites_synthetic else None
        sites_name = tx(sites_key) + (_paren(sample, lang) if sample else "")
        if len(proposed_sites) > CLUSTER_FROM:  # hundreds of numbered discs hide the map: cluster them
            from folium.plugins import MarkerCluster
            prop = MarkerCluster(name=sites_name, options={"maxClusterRadius": 45})
            prop.default_js, prop.default_css = [], []  # no CDN: standalone_html() inlines the plugin
        else:
            prop = folium.FeatureGroup(name=sites_name)
        for _, s in proposed_sites.sort_values("priority").iterrows():
            mk = folium.Marker([s.geometry.y, s.geometry.x], icon=_site_icon(s["priority"]))
            mk.add_child(_Popups(_site_popup(s, ft, lang, counties, gain_key, points),
                                 tip=html_text(f"#{s['priority']} {_site_name(s, lang)}")))
            mk.add_to(prop)
        prop.add_to(m)
        legend.append(('<span class="cp-site" style="display:inline-block;flex:none">1</span>',
                       (f"{tx(sites_key)}（{tx('priority')}）" if lang == "zh"
                        else f"{tx(sites_key)} ({tx('priority')})") + (_paren(sample, lang) if sample else "")))
        if len(proposed_sites) > CLUSTER_FROM:  # the bubbles said, as the live map and the brief say them (QA 31)
            what = {"capw_upgraded_sites": "_upgraded", "capw_converted_sites": "_converted"}.get(sites_key, "")
            legend.append(('<span class="sym" style="width:16px;height:16px;border-radius:50%;'
                           'background:rgba(110,204,57,.6);border:3px solid rgba(181,226,140,.6);'
                           'font:bold 9px/10px sans-serif;text-align:center">9</span>', tx("cluster_legend" + what)))

    shares = "".join(f'<div class="row"><span class="sym" style="background:{c}"></span>{lab}</div>'
                     for _, c, lab in palette.SHARE_CLASSES)
    shares += (f'<div class="row"><span class="sym" style="background:{palette.NO_DEMAND_COLOUR}"></span>'
               f'{tx("no_demand")}</div>')
    others = "".join(f'<div class="row">{sym}{html.escape(lab)}</div>' for sym, lab in legend)
    # what is illustrative, as the data say it now (an imported register or boundary file is not); an upgrade's or a
    # conversion's numbered facilities are register rows too (``sites_synthetic``)
    fac_sample = sites_synthetic or (bool(cov.facilities["synthetic"].astype(bool).any())
                                     if len(cov.facilities) and "synthetic" in cov.facilities else False)
    approx = [tx(k) for k, on in (
        ("approx_towns", (region.townships.get("geometry_quality", pd.Series(["approximate"])).astype(str)
                          != "official").any()),
        ("approx_villages", bool(cov.units["synthetic"].astype(bool).any()) if "synthetic" in cov.units else True),
        ("approx_facilities", fac_sample)) if on]
    # the villages as imported: how many are still synthetic (planner.maplayers.provenance_labels)
    said = provenance_labels(region, lang, ft.key)["by_layer"]
    approx = [said.get("villages") if x == tx("approx_villages") and said.get("villages") else x for x in approx]
    # the boundaries as imported: how many are still approximate, and the file the others came in (F5)
    approx = [said.get("townships") if x == tx("approx_towns") and said.get("townships") else x for x in approx]
    # the registers of the facilities drawn: a register imported for some counties is "partly the sample (the rest
    # imported: file, version)", as the type page says it (QA 29), unless the map's facilities are a file of the
    # planner's own (--facilities); a conversion's facilities are rows of the register of the type they convert,
    # not of the one they become, whose provenance its key gave (QA 35: "synthetic" of a register partly imported)
    if facilities is None and fac_sample:
        shown = shown_types(existing, ft.key)
        if sites_synthetic:
            for key, synthetic in shown_types(proposed_sites, ft.key).items():
                shown[key] = shown.get(key, False) or synthetic
        fac_text = shown_register_label(region, lang, shown)
        if fac_text:
            approx = [fac_text if x == tx("approx_facilities") else x for x in approx]
    parts = [tx("approx_lead") + ("，" if lang == "zh" else ", ").join(approx)] if approx else []
    if cov.is_estimate:
        parts.append(tx("estimate_note_m" if ft.unit == "m" else "estimate_note"))
    else:  # units the roads do not reach count as uncovered: said as the live map says it, or 0 % reads as fact
        far = int((cov.summary or {}).get("unreachable_units") or 0)
        if far:
            parts.append(t("network_unreachable", lang, n=f"{far:,}"))
    parts.append(tx("site_popup_hint"))  # the figures are in click popups; the hover tooltips stay short
    end = "。" if lang == "zh" else "."
    notes = ("。" if lang == "zh" else ". ").join(x.rstrip("。. ") for x in parts) + end
    # its heading folds and unfolds the rest (_LEGEND_FOLD): on a phone the open legend hid the sites
    box = (f'<div class="cp-box cp-legend" id="cp-legend">'
           f'<div class="hd" id="cp-legend-hd" role="button" tabindex="0" aria-expanded="true" '
           f'aria-controls="cp-legend-body" title="{html.escape(tx("f12_legend_fold"))}">'
           f'{tx("legend")} · {html.escape(ft.name(lang))}</div><div class="bd" id="cp-legend-body">'
           f'<div class="grp">{html.escape(share_name)}</div>{shares}<div class="gap"></div>{others}'
           f'<div class="note">{html.escape(notes)}</div></div></div>')
    # past its first TITLE_KEEP figures the title box folds (_LEGEND_FOLD), a button under them: on a phone the
    # open box took half the screen
    rows = "".join(('<tr class="more">' if i >= TITLE_KEEP else "<tr>") + f"<th>{html.escape(k)}</th>"
                   f"<td>{html.escape(v)}</td></tr>" for i, (k, v) in enumerate(facts))
    more = (f'<div class="ft" id="cp-title-more" role="button" tabindex="0" aria-expanded="true" '
            f'aria-controls="cp-title-body" data-more="{html.escape(tx("qa31_title_more"))}" '
            f'data-less="{html.escape(tx("qa31_title_less"))}">{html.escape(tx("qa31_title_less"))}</div>'
            if len(facts) > TITLE_KEEP else "")
    head = (f'<div class="cp-box cp-title" id="cp-title"><h1>{html.escape(title)} '
            f'<span class="cp-approx">{tx("illustrative")}</span></h1>'
            f'<div class="sub">{html.escape(subtitle)}</div><table id="cp-title-body">{rows}</table>{more}</div>')
    m.get_root().html.add_child(folium.Element(head + box + f"<script>{_LEGEND_FOLD}</script>"))
    _LayerControl().add_to(m)
    # (no folium fit_bounds: its animated zoom, ending after the fit below, undid it)
    # the title box (top left) and the legend (bottom right) sit over the map: fit the region into the
    # space they leave, or a site in the north-west hides under the summary (measured in the browser,
    # as the boxes' sizes depend on its fonts): _FIT
    m.get_root().script.add_child(folium.Element(_FIT % {"map": m.get_name(), "s": bounds[1], "w": bounds[0],
                                                         "n": bounds[3], "e": bounds[2]}))
    m.get_root().script.add_child(folium.Element(_POPUP_PAD % {"map": m.get_name()}))
    return m


#: The title box's figures shown while it is folded (scope, coverage, units covered).
TITLE_KEEP = 3

#: Folds the legend to its heading and the title box to its first figures, and back, a tap (or Enter) on the
#: legend's heading or the title's button; both folded at first on a narrow screen (a phone: the open legend
#: covered a third of the map and the sites under it, the open title half the screen). Runs where the boxes are,
#: before the map's scripts, so the fit (_FIT) and the popups (_POPUP_PAD) measure them as shown.
_LEGEND_FOLD = """(function () {
    function folding(box, hd, said) {
        if (!box || !hd) return;
        function fold(on) {
            box.classList.toggle('cp-folded', on);
            hd.setAttribute('aria-expanded', on ? 'false' : 'true');
            if (said) hd.textContent = hd.getAttribute(on ? 'data-more' : 'data-less');
        }
        fold(window.innerWidth < 600);
        hd.addEventListener('click', function () { fold(!box.classList.contains('cp-folded')); });
        hd.addEventListener('keydown', function (e) {
            if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fold(!box.classList.contains('cp-folded')); }
        });
    }
    folding(document.getElementById('cp-legend'), document.getElementById('cp-legend-hd'), false);
    folding(document.getElementById('cp-title'), document.getElementById('cp-title-more'), true);
})();"""

#: The first view: the region fitted into the map less the title block (a strip across the top down to its
#: bottom) and less the legend, either the strip on its left (beside it, down to the scale bar) or the strip
#: above it, whichever shows the region larger (a phone: above the folded legend). Everything in the region,
#: every proposed site, is then clear of both boxes.
_FIT = """window.addEventListener('load', function () {
    var m = %(map)s, box = m.getContainer().getBoundingClientRect(), size = m.getSize();
    var t = document.getElementById('cp-title'), l = document.getElementById('cp-legend');
    var b = L.latLngBounds([[%(s)f, %(w)f], [%(n)f, %(e)f]]);
    var top = t ? Math.max(10, Math.ceil(t.getBoundingClientRect().bottom - box.top) + 8) : 10;
    var ways = [[[10, top], [10, 34]]];
    if (l && l.offsetWidth) {
        var r = l.getBoundingClientRect();
        ways = [[[10, top], [Math.ceil(box.right - r.left) + 12, 34]],
                [[10, top], [10, Math.max(34, Math.ceil(box.bottom - r.top) + 8)]]];
    }
    var best = null;
    ways.forEach(function (w) {
        if (size.x - w[0][0] - w[1][0] < 80 || size.y - w[0][1] - w[1][1] < 80) return;
        var z = m.getBoundsZoom(b, false, L.point(w[0]).add(w[1]));
        if (!best || z > best.z) best = {z: z, w: w};
    });
    var w = best ? best.w : [[10, 10], [10, 10]];
    m.fitBounds(b, {paddingTopLeft: w[0], paddingBottomRight: w[1], animate: false});
});"""

#: The popups' auto-pan padding, measured in the browser as the fit is, when a popup opens: the title block (top
#: left) and the legend (bottom right) are fixed over the map, above its popups, and a popup opened near the top
#: (a site just below the title) opened behind the title. Leaflet pans an opening popup into the padded
#: rectangle (its options autoPanPaddingTopLeft / BottomRight): its top below the title's bottom; its right side
#: left of the legend where the map is wide enough beside it for a popup (340 px), else above the legend where it
#: is tall enough, else the map's edge; no wider than the map (a phone). Set on the popup that opens, then laid
#: out and panned again (``update``): the prototype's options (L.Popup.mergeOptions) did nothing for the sites,
#: whose popups copy every option as their own when the marker's icon is set (Leaflet's Marker.setIcon re-binds
#: its popup), before any measuring.
_POPUP_PAD = """(function () {
    function pads(map) {
        var box = map.getContainer().getBoundingClientRect(), size = map.getSize();
        var t = document.getElementById('cp-title'), l = document.getElementById('cp-legend');
        var top = t ? Math.max(10, Math.ceil(t.getBoundingClientRect().bottom - box.top) + 8) : 10;
        var br = [10, 10];
        if (l && l.offsetWidth) {
            var r = l.getBoundingClientRect();
            var w = Math.ceil(box.right - r.left) + 8, h = Math.ceil(box.bottom - r.top) + 8;
            if (size.x - w - 10 >= 360) br = [w, 10];
            else if (size.y - top - h >= 220) br = [10, h];
        }
        return [[10, top], br];
    }
    function hook() {
        var map = %(map)s;
        map.on('popupopen', function (e) {
            var p = pads(map), frame = 47;  // the popup's frame around its content (Leaflet's margins)
            L.setOptions(e.popup, {autoPanPaddingTopLeft: p[0], autoPanPaddingBottomRight: p[1],
                                   // on a phone no wider than the map less the padding (it ran off the screen)
                                   maxWidth: Math.max(160, Math.min(340, map.getSize().x - 20 - frame))});
            e.popup.update();  // lays it out again and pans it into the padded rectangle
        });
    }
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', hook);
    else hook();
})();"""


def _site_popup(s, ft, lang: str, counties: dict, gain_key: str, points: str | None = None) -> str:
    """A proposed site's popup, as on the web map: why here, and its figures with their units (a sized proposal's
    in the words of its demand points, ``points``: :func:`sized_site_rows`)."""
    def tx(key: str, **kw) -> str:
        return t(key, lang, **kw)
    reason = s.get("reason_en" if lang == "en" else "reason_zh")
    rows = [(tx("township"), str(s.get("township_name") or "")),
            (tx("county"), counties.get(str(s.get("county_code")), "") or str(s.get("county_name") or ""))]
    wlabel = weight_label(ft, lang)
    if not _missing(s.get("size")):  # a sized proposal's site: its size and use, not coverage gains
        rows += sized_site_rows(s, ft, lang, points)
    elif not _missing(s.get("capacity_before")):  # an upgraded or converted facility
        rows += [(f"{tx('capw_capacity_before')} → {tx('capw_capacity_after')}",
                  f"{_number(s['capacity_before'])} → {_number(s.get('capacity_after'))}"),
                 (tx(gain_key), _number(s.get("added_served")))]
    else:
        if wlabel is not None and not _missing(s.get("added_weight")):
            key = f"added_weight_{ft.weight}"
            rows.append((tx(key) if tx(key) != key else f"{tx('added_weight')} · {wlabel}", _number(s["added_weight"])))
        rows.append((tx("added_units"), _number(s.get("added_units"))))
        if not _missing(s.get("served_units")):
            served = _number(s["served_units"])
            beyond = s.get("beyond_standard_units")
            if not _missing(beyond) and int(beyond):
                served += _paren(tx("site_served_of_beyond", n=int(beyond)), lang)
            rows.append((tx("site_served_units"), served))
        rows.append((tx("farthest_cost"), cost_text(s.get("farthest_cost"), ft.unit, lang)))
        near = s.get("nearest_existing_name") or s.get("nearest_existing_id")
        near = near if isinstance(near, str) and near else tx("none")
        if not _missing(s.get("nearest_existing_cost")):
            near += _paren(cost_text(s["nearest_existing_cost"], ft.unit, lang), lang)
        rows.append((tx("nearest_existing"), near))
    return _popup(f"#{s['priority']} {_site_name(s, lang)}", rows, reason=reason if isinstance(reason, str) else "")


def sized_site_rows(s, ft, lang: str, points: str | None = None) -> list[tuple[str, str]]:
    """A sized proposal's site's figures as the proposal page's table gives them (web/templates/
    _sized_proposal.html): its size in the type's capacity unit, its cost (万元, illustrative), the people that
    size can serve and the people it serves, both of the type's basis, its utilisation and villages. Each label
    carries its unit (planner.i18n.with_unit), as the page's headers do; a figure the file lacks is left out.
    ``points``: what the proposal's demand points are (its summary's ``points``): the places it serves are towns
    and townships where it counts them at their seats (planner.sizing.points_label), else villages (QA 35)."""
    def tx(key: str) -> str:
        return t(key, lang)
    from planner.sizing import points_label, wan_text

    cap = getattr(ft, "capacity", None)
    unit = tx(f"capw_unit_{cap.field}") if cap else None
    who = tx(f"capw_basis_{cap.basis}").removeprefix("名") if cap else None  # 80岁以上老人 / people aged 80+

    def figure(key: str, text) -> str:  # "" (the row left out) where the file has none, "–" where not a number
        x = s.get(key)
        if x is None or (isinstance(x, float) and not np.isfinite(x)):
            return ""
        try:
            x = float(x)
        except (TypeError, ValueError):  # a hand-edited file: "30 beds"
            return "–"
        return text(x) if np.isfinite(x) else "–"

    def amount(x: float) -> str:  # whole as whole (30 beds, 1,000 people), else to a tenth (33.3 people)
        return f"{x:,.0f}" if x == round(x) else f"{x:,.1f}"
    return [(with_unit(tx("capw_size"), unit, lang), figure("size", amount)),
            (tx("capw_cost"), figure("cost", wan_text)),
            (with_unit(tx("map_site_capacity_people"), who, lang), figure("capacity_people", amount)),
            # the people served whole, as the page's table gives them
            (with_unit(tx("capw_load"), who, lang), figure("load", lambda x: f"{x:,.0f}")),
            (tx("capw_utilisation"), figure("utilisation", share_text)),
            (tx(points_label("capw_n_villages", points)), _number(s.get("assigned_villages")))]


def _site_name(s, lang: str) -> str:
    """A proposed site's name in ``lang``: ``name_en`` on English maps (the generated words translated, the
    place kept), where the proposal has it (QA 21), and ``name_zh`` on Chinese ones where an English download
    put the English name in ``name``."""
    own = s.get("name_en" if lang == "en" else "name_zh")  # a download in the other language has both (QA 26)
    return str(own if isinstance(own, str) and own else s["name"])


def scope_bounds(region, county: str | None, sites=None) -> tuple | None:
    """(west, south, east, north) of ``county`` and ``sites`` (a GeoDataFrame, or None), what a county's offline map
    opens framed on, as its page's map opens (QA 33: it opened on the whole city); None for no county or an unknown
    one (the whole region)."""
    counties = region.counties
    if not county or "code" not in counties:
        return None
    here = counties[counties["code"].astype(str) == str(county)]
    if not len(here):
        return None
    w, s, e, n = here.total_bounds
    if sites is not None and len(sites):
        sw, ss, se, sn = sites.total_bounds
        w, s, e, n = min(w, sw), min(s, ss), max(e, se), max(n, sn)
    return float(w), float(s), float(e), float(n)


def proposal_map(region, cov, sites: gpd.GeoDataFrame, *, name: str, before: dict, after: dict | None = None,
                 model: str | None = None, saved: float | None = None, lang: str = "zh",
                 service_areas: dict | bool | None = True, kind: str | None = None,
                 converted: bool = False, data_version: int | str | None = None,
                 register: str | None = None, facilities: gpd.GeoDataFrame | None = None,
                 scope: str | None = None, saved_label: str = "brief_saved",
                 sized: dict | None = None, frame: tuple | None = None,
                 notes: list[str] | None = None) -> folium.Map:
    """The map of a proposal: coverage after it, its numbered sites, and a title block
    with its name, type, dates, before/after numbers and parameters.

    ``cov`` is the coverage with the sites counted; ``before``/``after`` are summary
    dicts (``covered_share``...), ``after`` defaulting to ``cov.summary``. ``scope``: the
    范围 row's text (:func:`scope_text`): a county proposal's figures are the county's, and
    without it they read as the city's over the whole city's map (QA 29). ``saved_label``: what
    ``saved`` is (the i18n key; a file's date is not the date it was saved). ``sized``: a sized proposal's
    capacity figures (``{"summary", "field", "basis"}``, as saved): the people served, the remaining shortfall
    and the cost follow its distance coverage, as the brief gives them (:func:`sized_facts`). A conversion
    (``converted``) is drawn as ``cov``'s type, the one it converts into; its 设施名录 row names the register
    its facilities come from too (:func:`converted_register`). ``notes``: the app's notes on the proposal, in
    ``lang``, a row of the title block. An upgrade's (a conversion's) map is the coverage within the reach after it
    (``cov`` with its facilities upgraded, planner.coverage.analyse_coverage): its title block gives that figure
    beside the served ones and says why they differ (:func:`within_reach_note`), its service areas are named with
    the reach drawn (:func:`reach_text`).
    """
    lang = "en" if lang == "en" else "zh"
    ft = cov.ftype
    after = after or cov.summary
    standard = ft.to_dict()["standard"]
    # a conversion named as its list, page and brief name it: "农村福利院 → 区域性特困供养服务中心（转型）" (QA 34:
    # titled with the type it becomes alone, while its page said 农村福利院)
    dates = [converted_label(sites, ft, lang) if kind == "upgrade" and converted else ft.name(lang)]
    if saved is not None:
        dates.append(f"{t(saved_label, lang)} {when(saved)}")
    dates.append(f"{t('brief_generated', lang)} {when()}")
    if kind == "upgrade":  # capacity serves people; the facilities stay where they are
        facts = [(t("capw_served_share", lang),
                  f"{share_text(before.get('served_share'))} → {share_text(after.get('served_share'))}"),
                 (t("capw_served", lang), f"{_people(_num(before, 'served'))} → {_people(_num(after, 'served'))}"
                                          f" / {_people(_num(after, 'demand'))}" + served_whom(ft, lang)),
                 (sites_label(kind, lang, converted=converted), f"{len(sites)}")]
        # what the map shows: coverage within the reach after it, distance only (QA 34: the "after" map drew the
        # upgraded facilities at the old reach, a conversion's 70.0% covered beside 66.0% served, unexplained)
        reach = reach_text(ft, lang, factor=upgrade_reach_factor(cov.facilities), converted=converted)
        facts.append((t("qa34f14_fact_covered", lang), _within_reach_figures(before, after, cov, lang)))
        notes = [within_reach_note(ft, before, after, lang, reach=reach, converted=converted,
                                   **_map_figures(after, before, cov)), *(notes or [])]
    else:
        facts = [(share_label(ft, lang),
                  f"{share_text(before.get('covered_share'))} → {share_text(after.get('covered_share'))}"),
                 (t("covered_units", lang), f"{before.get('covered_units', 0):,} → {after.get('covered_units', 0):,}"
                                            f" / {after.get('units', 0):,}"),
                 (t("brief_new_sites", lang), f"{len(sites)}")]
        if sized:  # what the sizes serve and cost: a sized proposal is made for capacity, not for distance alone
            facts += sized_facts(sized, lang)
    if scope:  # before the figures' parameters: whose figures they are
        facts.insert(0, (t("scope", lang), scope))
    facts += [
              (t("model", lang), model_text(model, lang)),
              (t("standard", lang), standard_text(standard, lang)),
              (t("travel_mode", lang), mode_text(cov.mode, lang))]
    if notes:  # how its numbers were set (a default p or K lowered, a re-solve's), as its brief says (QA 33)
        facts.append((t("brief_notes", lang), (" " if lang == "en" else "").join(notes)))
    upgrade = kind == "upgrade"
    if register is None and upgrade and converted:
        register = converted_register(region, cov, sites, lang)
    return coverage_map(region, cov, proposed_sites=sites, lang=lang, title=name, subtitle=" · ".join(dates),
                        sites_key=("capw_converted_sites" if converted else "capw_upgraded_sites") if upgrade
                        else "proposed_sites",
                        # a conversion's popups say "converted", as its sentence does (they said "upgraded", QA 30)
                        gain_key=("capw_added_served_converted" if converted else "capw_added_served") if upgrade
                        else "added_weight",
                        facts=facts, service_areas=service_areas, data_version=data_version, register=register,
                        facilities=facilities, frame=frame,
                        areas_label=f"{t('service_areas', lang)}{_paren(reach, lang)}" if upgrade else None,
                        # an upgrade's or conversion's facilities are the register's: sample ones are 示意 (QA 34)
                        sites_synthetic=upgrade and _any_synthetic(sites),
                        # a sized proposal's popups count what it counts: towns and townships at their seats (QA 35)
                        points=sized_points(sized))


def converted_label(sites, role_ft, lang: str) -> str:
    """A conversion's type in words, "农村福利院 → 区域性特困供养服务中心（转型）": the type of its facilities (``sites``'
    ``facility_type``) and the one they become (``role_ft``); the latter alone where the sites do not say."""
    from planner.facility_types import get_type

    keys = ([str(k) for k in sites["facility_type"].dropna().unique()]
            if sites is not None and "facility_type" in sites else [])
    try:
        src = get_type(keys[0]).name(lang) if len(keys) == 1 and keys[0] != role_ft.key else None
    except Exception:  # a type since removed from the types file
        src = None
    return t("qa34f14_type_converted", lang, src=src, dst=role_ft.name(lang)) if src else role_ft.name(lang)


def _map_figures(after: dict, before: dict, cov) -> dict:
    """The covered figures an upgrade's map note gives: the proposal's own (at the type's coverage points, what the
    map counts, and for a county's proposal the county's as its other figures), else the map's whole."""
    a = after or {}
    at_points = (a.get("counted_at") or (before or {}).get("counted_at")) == "coverage_points"
    if at_points and _num(a, "covered") is not None:
        return {}
    s = cov.summary or {}
    return {"covered": _num(s, "covered_weight"), "demand": _num(s, "weight")}


def _within_reach_figures(before: dict, after: dict, cov, lang: str) -> str:
    """The title block's 服务半径内（地图） row: before → after of the people within reach, and their shares."""
    fig = _map_figures(after, before, cov)
    if fig:  # the map's own: its before is not recorded
        cov_a, dem = fig["covered"], fig["demand"]
        cov_b = None
    else:
        cov_a, dem, cov_b = _num(after, "covered"), _num(after, "demand"), _num(before or {}, "covered")
    share = (lambda x: share_text(x / dem) if x is not None and dem else "–")  # noqa: E731
    if cov_b is None:  # (whom it counts: the 已服务 row above says it, of the same people)
        return f"{_people(cov_a)}{_paren(share(cov_a), lang)}"
    return f"{_people(cov_b)} → {_people(cov_a)}{_paren(f'{share(cov_b)} → {share(cov_a)}', lang)}"


def served_whom(ft, lang: str) -> str:
    """Whom an upgrade's served figures count, as its page and brief name them: "（60岁以上人口，行政村）",
    " (people aged 60+ in villages)"; "" for a type without a capacity. ``ft`` is the type served (a
    conversion's role). The offline map said "已服务 19,101 → 30,298 / 260,231" without who (QA 34)."""
    if ft is None or getattr(ft, "capacity", None) is None:
        return ""
    from planner.upgrades import DEMAND_BASE

    who = t(f"weight_{ft.capacity.basis}", lang)
    base = DEMAND_BASE.get(ft.demand)
    if base:
        who = f"{who} in {base[1]}" if lang == "en" else f"{who}，{base[0]}"
    return f" ({who})" if lang == "en" else f"（{who}）"


def sized_points(sized: dict | None) -> str | None:
    """A sized proposal's demand points as recorded (``{"summary": {"points": ...}}``, as :func:`proposal_map` takes
    it): "townships" or "villages", None where not recorded (saved before QA 35: villages)."""
    z = sized.get("summary") if isinstance(sized, dict) else None
    x = z.get("points") if isinstance(z, dict) else None
    return x if isinstance(x, str) else None


def sized_facts(sized: dict, lang: str) -> list[tuple[str, str]]:
    """A sized proposal's capacity rows for a title block, as the brief (web/templates/brief.html) words them:
    the people served of the demand ("45,173 / 45,197 名80岁以上老人 (99.9%)"), the remaining shortfall in
    whole places ("4 张床位") and the new sites' cost (万元, 示意). ``sized``: ``{"summary", "field",
    "basis"}`` as saved with the proposal; a row whose figures the record lacks is left out."""
    from planner.capacity import whole_split
    from planner.sizing import wan_text

    z = sized.get("summary") if isinstance(sized.get("summary"), dict) else {}
    field, basis = sized.get("field"), sized.get("basis") or "population"

    def num(key: str) -> float | None:  # None where missing or not a number (a hand-edited file)
        v = z.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            return None
        return float(v)
    rows = []
    served, demand = num("served"), num("demand")
    if served is not None and demand is not None:
        who = t(f"capw_basis_{basis}", lang)
        who = "" if who == f"capw_basis_{basis}" else f" {who}"
        share = num("served_share")
        share = share if share is not None else (served / demand if demand else None)
        rows.append((t("capw_served", lang), f"{served:,.0f} / {demand:,.0f}{who} ({share_text(share)})"))
    n = num("shortfall_whole")
    if n is None and num("shortfall_capacity") is not None:  # saved before whole places were recorded
        n = whole_split(z["shortfall_capacity"], [])[0]
    if field and n is not None:
        n = int(n)
        key = ("capw_unit1_" if n == 1 else "capw_unit_") + str(field)
        unit = "" if t(key, lang) == key else f" {t(key, lang)}"  # a field this installation does not know
        rows.append((t("capw_remaining_shortfall", lang), f"{n:,}{unit}"))
    if "cost" in z:  # null: saved before costs had a limit, its total overflowed: "–", never 0 (QA 28)
        rows.append((t("capw_total_cost", lang), wan_text(num("cost"))))
    return rows


def scope_text(scope: dict | None, lang: str) -> str:
    """A proposal's 范围 row as the brief words it: "房县（本县区的需求、设施与候选点）", or "全市" (``scope``
    ``{"county", "name"}`` as the API and the GeoJSON give it; None or no county: the whole city)."""
    scope = scope or {}
    if not scope.get("county"):
        return t("scope_city", lang)
    return t("map_scope_county", lang, name=scope.get("name") or scope["county"])


def standalone_html(m: folium.Map, *, title: str = "coverplan") -> str:
    """Render ``m`` as one self-contained HTML document (Leaflet inlined, no external URL)."""
    js, css = _leaflet_assets()
    root = m.get_root()
    root.header.add_child(folium.Element(f"<title>{html.escape(title)}</title>"), name="title", index=0)
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css", index=1)
    # </script> never appears in leaflet.js; guard anyway so the inline block cannot end early
    safe_js = js.replace("</script", "<\\/script")
    root.header.add_child(folium.Element(f"<script>{safe_js}</script>"), name="leaflet_js", index=2)
    from folium.plugins import MarkerCluster
    if any(isinstance(c, MarkerCluster) for c in m._children.values()):
        cjs, ccss = _cluster_assets()
        root.header.add_child(folium.Element(f"<style>{ccss}</style>"), name="cluster_css", index=3)
        cjs = cjs.replace("</script", "<\\/script")
        root.header.add_child(folium.Element(f"<script>{cjs}</script>"), name="cluster_js", index=4)
    return root.render()
