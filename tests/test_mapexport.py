"""Stand-alone folium maps: the layers they claim, and nothing loaded from elsewhere."""
from __future__ import annotations

import html
import json
import re

import pytest

from cli.main import main
from planner import palette as layers
from planner.i18n import t

from browser import browser  # noqa: F401 (the fixture)


def _external(page: str) -> set[str]:
    """URLs the page would load (src/href/url()), ignoring plain links in text."""
    loads = re.findall(r"""(?:src|href)\s*=\s*["']?(https?://[^"' >]+)""", page)
    loads += re.findall(r"""url\(\s*["']?(https?://[^"')]+)""", page)
    return {u for u in loads if "leafletjs.com" not in u}  # Leaflet's attribution link is not loaded


def test_cli_map_with_proposal_is_self_contained(tmp_path, capsys):
    prop = tmp_path / "p.geojson"
    assert main(["propose", "--type", "elderly_complex", "--p", "8", "--json", "--out", str(prop)]) == 0
    capsys.readouterr()
    out = tmp_path / "map.html"
    assert main(["map", "--type", "elderly_complex", "--proposal", str(prop), "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    assert not _external(page)
    assert "L.map(" in page and "var L" in page or "window.L" in page  # Leaflet inlined
    # the layers it claims: 129 township polygons, 8 counties, numbered proposed sites
    geojsons = [json.loads(m) for m in re.findall(r"geo_json_\w+_add\((\{.*?\})\);", page, flags=re.S)]
    kinds = sorted(len(g["features"]) for g in geojsons)
    assert 129 in kinds and 8 in kinds
    for k in range(1, 9):
        assert f"\\u003e{k}\\u003c/div\\u003e" in page  # numbered DivIcon, JSON-escaped by folium
    assert "示意" in page and "图例" in page


def test_web_export_route(tmp_path):
    from web.app import create_app

    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "t.db"), "WARM": False})
    resp = app.test_client().get("/map/day_care/export.html?lang=en")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    page = resp.get_data(as_text=True)
    assert not _external(page) and "Legend" in page
    assert app.test_client().get("/map/sauna/export.html").status_code == 404


# -- what every offline map must carry (title, date, full legend, metric scale, no flag) -------------
DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


def _overlay_names(page: str) -> list[str]:
    """The names of the overlays in the map's layer control (folium writes them as JSON strings)."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", page, flags=re.S).group(1)
    return [json.loads(s) for s in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block)]


def _box(page: str, box_id: str, body: str) -> str:
    m = re.search(rf'<div class="cp-box [^"]*" id="{box_id}">({body})</div>', page, flags=re.S)
    assert m, f"no #{box_id} block"
    return m.group(1)


def _check_offline_map(page: str, *, title: str, lang: str) -> tuple[str, str]:
    """Assertions shared by the coverage export, the proposal export and the CLI; returns (title, legend)."""
    # nothing fetched from elsewhere: no external script or stylesheet, Leaflet inlined
    assert not _external(page)
    assert not re.search(r"<script[^>]*\ssrc\s*=", page), "a script is loaded instead of inlined"
    assert not re.search(r"<link[^>]*stylesheet", page), "a stylesheet is linked instead of inlined"
    head = _box(page, "cp-title", r'.*?</table>(?:<div class="ft"[^>]*>[^<]*</div>)?')  # then its fold button
    legend = _box(page, "cp-legend", r'.*?<div class="note">[^<]*</div>')
    assert html.escape(title) in head
    assert DATE.search(head), "the title block has no date"
    assert t("illustrative", lang) in head and "示意" in legend
    # every layer drawn has its legend entry, and so has every covered-share class
    names = _overlay_names(page)
    assert len(names) >= 4
    for name in names:
        assert html.escape(name) in legend, f"layer {name!r} has no legend entry"
    for _, _, label in layers.SHARE_CLASSES:
        assert label in legend
    assert t("no_demand", lang) in legend
    # a metric-only scale (folium's own scale would add miles and feet) and no Leaflet prefix (its flag)
    assert "L.control.scale({imperial: false" in page
    assert "L.control.scale()" not in page
    assert re.search(r"map_\w+\.attributionControl\.setPrefix\(false\)", page)
    return head, legend


def _site_numbers(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'cp-site\\"\\u003e(\d+)\\u003c/div', page)}


@pytest.fixture(scope="module")
def app_with_proposal(tmp_path_factory):
    from web.app import create_app

    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path_factory.mktemp("export") / "t.db")})
    resp = app.test_client().post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 8})
    assert resp.status_code == 201, resp.get_json()
    yield app, resp.get_json()["result"]["proposal_id"]
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_web_proposal_export_is_complete_and_offline(app_with_proposal, lang):
    from planner.mapexport import when

    app, pid = app_with_proposal
    rec = app.extensions["coverplan"]["store"].get(pid)
    resp = app.test_client().get(f"/proposals/{pid}/export.html?lang={lang}")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == f"attachment; filename=proposal-{pid}.html"
    page = resp.get_data(as_text=True)
    from web.proposals import display_name  # a name the app made, in the page's language

    head, legend = _check_offline_map(page, title=display_name(rec, lang), lang=lang)
    assert f"{t('brief_saved', lang)} {when(rec['created'])}" in head
    assert f"{t('brief_generated', lang)} " in head
    # summary numbers and parameters, with units
    b, a = rec["summary"]["before"], rec["summary"]["after"]
    assert f"{100 * b['covered_share']:.1f}% → {100 * a['covered_share']:.1f}%" in head
    assert f"<th>{t('brief_new_sites', lang)}</th><td>8</td>" in head
    assert t("model_mclp", lang) in head
    assert f"15 {t('minutes', lang)}" in head and f"30 {t('minutes', lang)}" in head
    assert t("mode_estimate", lang) in head
    # the proposal's layers: numbered sites 1..8, existing facilities, service areas
    assert _site_numbers(page) == set(range(1, 9))
    names = _overlay_names(page)
    assert t("proposed_sites", lang) in names
    assert any(n.startswith(t("service_areas", lang)) for n in names)
    assert any(n.startswith(t("existing_facilities", lang)) for n in names)
    assert app.test_client().get("/proposals/nosuch/export.html").status_code == 404


def test_web_coverage_export_has_title_date_legend_scale(tmp_path):
    from web.app import create_app

    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "t.db")})
    page = app.test_client().get("/map/day_care/export.html?lang=zh").get_data(as_text=True)
    head, legend = _check_offline_map(page, title="社区(村)日间照料中心 · 覆盖地图", lang="zh")
    assert "城镇 1.0 公里 / 农村 3.0 公里" in head  # metres shown as km, with units
    assert not _site_numbers(page)
    assert t("proposed_sites", "zh") not in legend  # nothing in the legend that is not drawn


def test_cli_proposal_map_matches_web(tmp_path, capsys):
    prop = tmp_path / "plan8.geojson"
    assert main(["propose", "--type", "elderly_complex", "--model", "mclp", "--p", "8", "--json",
                 "--out", str(prop)]) == 0
    capsys.readouterr()
    out = tmp_path / "map.html"
    assert main(["--lang", "en", "map", "--type", "elderly_complex", "--proposal", str(prop), "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    head, legend = _check_offline_map(page, title="plan8", lang="en")
    assert "Saved " in head and "Generated " in head
    meta = json.loads(prop.read_text("utf-8"))["coverplan"]
    assert f"{100 * meta['after']['covered_share']:.1f}%" in head  # same numbers as the proposal solved
    assert _site_numbers(page) == set(range(1, 9))


def test_many_proposed_sites_are_clustered_offline(tmp_path, capsys):
    """A day-care proposal of hundreds of sites: clustered (plugin inlined), not hundreds of discs."""
    prop = tmp_path / "p.geojson"
    assert main(["propose", "--type", "day_care", "--model", "mclp", "--p", "60", "--json", "--out", str(prop)]) == 0
    capsys.readouterr()
    out = tmp_path / "map.html"
    assert main(["map", "--type", "day_care", "--proposal", str(prop), "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    assert not _external(page)
    assert "L.markerClusterGroup(" in page and "MarkerClusterGroup=" in page.replace(" ", "")  # used and inlined
    assert ".marker-cluster-small" in page  # its style too
    assert re.search(r'"maxZoom":\s*18', page)  # Leaflet.markercluster refuses a map without one
    # the bubbles have their legend entry (QA 31: the live map and the brief said them, the file did not)
    legend = _box(page, "cp-legend", r'.*?<div class="note">[^<]*</div>')
    assert html.escape(t("cluster_legend", "zh")) in legend


@pytest.mark.parametrize("lang, km, m", [("zh", "公里", "米"), ("en", "km", "m")])
def test_a_cost_change_beside_km_values_is_in_km(lang, km, m):
    """3.1 → 2.9 km was shown with a change of "−200 米"; a change too small for 0.1 km stays in metres."""
    from planner.mapexport import proposal_numbers

    def change(before, after, unit="m"):
        rows = proposal_numbers({"mean_cost": before, "p90_cost": before}, {"mean_cost": after, "p90_cost": after},
                                unit, lang)
        return next(r for r in rows if r["label"] == t("mean_cost", lang))

    row = change(3100.0, 2900.0)
    assert (row["before"], row["after"], row["change"], row["good"]) == (f"3.1 {km}", f"2.9 {km}", f"−0.2 {km}", True)
    assert change(3140.0, 3100.0)["change"] == f"−40 {m}"
    assert change(900.0, 700.0)["change"] == f"−200 {m}"              # both in metres: metres
    assert change(700.0, 1300.0)["change"] == f"+0.6 {km}" and change(700.0, 1300.0)["good"] is False
    assert change(30.0, 24.0, unit="min")["change"].startswith("−6")  # minutes untouched


def test_offline_map_sites_are_clear_of_its_title_box(tmp_path, capsys, browser):
    """The summary box at the top left hid a proposed site in the north-west of the region (#8 at
    店子镇, QA 15): the map fits the region into the space the title box and the legend leave."""
    prop = tmp_path / "p.geojson"
    assert main(["propose", "--type", "elderly_complex", "--p", "8", "--json", "--out", str(prop)]) == 0
    capsys.readouterr()
    out = tmp_path / "map.html"
    assert main(["map", "--type", "elderly_complex", "--proposal", str(prop), "--out", str(out)]) == 0
    for width in (1280, 1024):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(out.as_uri())
        page.wait_for_timeout(1500)
        under = page.evaluate("""() => { var t = document.getElementById('cp-title').getBoundingClientRect();
            var sites = Array.from(document.querySelectorAll('.cp-site')).map(function (e) { return e.getBoundingClientRect(); });
            return [sites.length, sites.filter(function (r) { return r.left < t.right && r.right > t.left &&
                                                                      r.top < t.bottom && r.bottom > t.top; }).length]; }""")
        page.close()
        assert under[0] >= 8 and under[1] == 0, (width, under)
