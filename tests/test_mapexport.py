"""Stand-alone folium maps: the layers they claim, and nothing loaded from elsewhere."""
from __future__ import annotations

import json
import re

from cli.main import main


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
