"""Stand-alone coverage maps with folium: one HTML file that opens offline.

Planners attach maps to reports and send them to county bureaus on intranets
with no CDN access. folium builds the Leaflet map; its default CDN assets are
dropped and Leaflet itself (from the installed ``xstatic-leaflet`` package) is
inlined, so the file needs no server and no network. Only core Leaflet
features are used (no jQuery, Bootstrap or icon fonts).
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

from web import layers
from web.i18n import cost_text, t


def _leaflet_assets() -> tuple[str, str]:
    import xstatic.pkg.leaflet as leaflet
    base = Path(leaflet.BASE_DIR)
    return (base / "leaflet.js").read_text("utf-8"), (base / "leaflet.css").read_text("utf-8")


def coverage_map(region, cov, *, proposed_sites: gpd.GeoDataFrame | None = None,
                 lang: str = "zh") -> folium.Map:
    """A folium map of a coverage (and optionally a proposal's numbered sites).

    Parameters
    ----------
    region : geo.regions.Region
    cov : planner.coverage.Coverage
        Coverage to draw (with the proposal's sites counted, if any).
    proposed_sites : GeoDataFrame, optional
        A proposal's sites (``priority``, ``name``, ``added_weight``), drawn numbered.
    """
    lang = "en" if lang == "en" else "zh"

    def tx(key: str) -> str:
        return t(key, lang)
    bounds = region.counties.total_bounds
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=8,
                   tiles=None, control_scale=True, prefer_canvas=True)
    # no CDN: drop folium's default assets, Leaflet is inlined by standalone_html()
    m.default_js, m.default_css = [], []

    towns = region.townships[["code", "name", "county_name", "aged_60", "geometry"]].copy()
    agg = cov.by_township
    towns["share"] = agg["covered_share"].reindex(towns.index).astype(float).round(3)
    towns["units"] = agg["units"].reindex(towns.index).fillna(0).astype(int)
    towns["covered"] = agg["covered_units"].reindex(towns.index).fillna(0).astype(int)
    towns["share_text"] = [("—" if not np.isfinite(s) else f"{s:.0%}") for s in towns["share"]]
    towns["geometry"] = towns.geometry.simplify(0.002, preserve_topology=True)
    folium.GeoJson(
        json.loads(towns.drop(columns="share").to_json()),
        name=tx("legend_share"),
        style_function=lambda f, shares=dict(zip(towns["code"], towns["share"])): {
            "fillColor": layers.share_colour(shares.get(f["properties"]["code"])), "color": "#555", "weight": 0.6,
            "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(["name", "county_name", "share_text", "covered", "units", "aged_60"],
                                      aliases=[tx("name"), tx("county"), tx("covered_share_weighted"),
                                               tx("covered_units"), tx("units"), tx("aged_60")]),
    ).add_to(m)
    folium.GeoJson(json.loads(region.counties[["name", "geometry"]].to_json()), name=tx("county_boundaries"),
                   style_function=lambda f: {"fill": False, "color": "#111", "weight": 2}).add_to(m)

    colour = layers.TYPE_COLOURS.get(cov.ftype.key, layers.OTHER_TYPE_COLOUR)
    fac = folium.FeatureGroup(name=f"{tx('existing_facilities')} · {cov.ftype.name(lang)}")
    for _, f in cov.facilities[~cov.facilities["proposed"]].iterrows():
        folium.CircleMarker([f.geometry.y, f.geometry.x], radius=5, color="#fff", weight=1.5, fill=True,
                            fill_color=colour, fill_opacity=1,
                            tooltip=html.escape(f"{f['name']} ({f['id']})")).add_to(fac)
    fac.add_to(m)

    unc = folium.FeatureGroup(
        name=tx("uncovered_villages" if cov.ftype.demand == "villages" else "uncovered_points"))
    u = cov.units[~cov.units["covered"]]
    for _, r in u.iterrows():
        label = (f"{r['name']} · {r['township_name']} · {tx('nearest_facility')} "
                 f"{cost_text(r['cost'], cov.ftype.unit, lang)}")
        folium.CircleMarker([r.geometry.y, r.geometry.x], radius=2.5, color="#b2182b", weight=0, fill=True,
                            fill_opacity=0.9, tooltip=html.escape(label)).add_to(unc)
    unc.add_to(m)

    if proposed_sites is not None and len(proposed_sites):
        prop = folium.FeatureGroup(name=tx("proposed_sites"))
        for _, s in proposed_sites.sort_values("priority").iterrows():
            icon = folium.DivIcon(html=f'<div style="background:#000;color:#fff;border-radius:50%;width:22px;'
                                       f'height:22px;line-height:22px;text-align:center;font:bold 12px sans-serif;'
                                       f'border:2px solid #ffd700">{int(s["priority"])}</div>',
                                  icon_size=(22, 22), icon_anchor=(11, 11))
            folium.Marker([s.geometry.y, s.geometry.x], icon=icon,
                          tooltip=html.escape(f"#{s['priority']} {s['name']} · {tx('added_weight')} "
                                              f"{s['added_weight']:,.0f}")).add_to(prop)
        prop.add_to(m)

    legend = "".join(f'<div><span style="display:inline-block;width:14px;height:10px;background:{c};'
                     f'margin-right:6px"></span>{lab}</div>' for _, c, lab in layers.SHARE_CLASSES)
    notes = tx("approx_layers") + ("。" if lang == "zh" else ". ") + \
        (tx("estimate_note") if cov.is_estimate else "")
    box = (f'<div style="position:fixed;bottom:18px;right:12px;z-index:1000;background:#fff;padding:8px 10px;'
           f'border:1px solid #999;font:12px sans-serif;max-width:260px">'
           f'<b>{tx("legend")} · {html.escape(cov.ftype.name(lang))}</b><div>{tx("legend_share")}</div>{legend}'
           f'<div><span style="display:inline-block;width:14px;height:10px;background:#cccccc;margin-right:6px">'
           f'</span>{tx("no_demand")}</div>'
           f'<div style="margin-top:6px;color:#8a5300">{html.escape(notes)}</div></div>')
    m.get_root().html.add_child(folium.Element(box))
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def standalone_html(m: folium.Map, *, title: str = "coverplan") -> str:
    """Render ``m`` as one self-contained HTML document (Leaflet inlined, no external URL)."""
    js, css = _leaflet_assets()
    root = m.get_root()
    root.header.add_child(folium.Element(f"<title>{html.escape(title)}</title>"), name="title", index=0)
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css", index=1)
    # </script> never appears in leaflet.js; guard anyway so the inline block cannot end early
    safe_js = js.replace("</script", "<\\/script")
    root.header.add_child(folium.Element(f"<script>{safe_js}</script>"), name="leaflet_js", index=2)
    return root.render()
