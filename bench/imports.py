"""Seconds to check a large village file as the data page does (QA 28: 20,000 rows took 46-96 s and
200,000 rows 10 minutes, in pandas deep-copying per-row lists kept in DataFrame.attrs).

    .venv/bin/python bench/imports.py                 # generated files of 20,000 and 200,000 rows
    .venv/bin/python bench/imports.py FILE.csv ...    # given files

Each file is posted to ``POST /api/data/uploads`` (kind=villages, coords=gcj02) of an in-process app
with its own temporary data store, as the data page's check; ``geo.imports.check_villages`` alone is
timed too. A file of more rows than ``geo.imports.village_row_limit`` allows (20,000 for Shiyan's 1,979
villages) is refused (400) after it is read, before any row is checked.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def village_file(path: Path, rows: int, region) -> Path:
    """``rows`` lines of the region's villages (real codes and seats, repeated: the repeats are refused)."""
    v = region.villages
    codes, lon, lat = v.index.astype(str), v.geometry.x.to_numpy(), v.geometry.y.to_numpy()
    with open(path, "w", encoding="utf-8") as f:
        f.write("村代码,经度,纬度\n")
        for i in range(rows):
            j = i % len(codes)
            f.write(f"{codes[j]},{lon[j]:.6f},{lat[j]:.6f}\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--rows", type=int, nargs="*", default=[20_000, 200_000])
    args = ap.parse_args()
    from geo.errors import InputDataError
    from geo.imports import check_villages
    from web.app import create_app
    tmp = Path(tempfile.mkdtemp(prefix="bench_imports_"))
    app = create_app({"DB_PATH": str(tmp / "db.sqlite"), "TESTING": True, "CSRF_ENABLED": False,
                      "VAR_DIR": str(tmp / "var")})
    region = app.extensions["coverplan"]["service"].region
    files = list(args.files) or [village_file(tmp / f"v_{n}.csv", n, region) for n in args.rows]
    client = app.test_client()
    print(f"{'file':<28} {'MB':>6} {'check_villages s':>17} {'upload check s':>15}  status, rows, refused")
    try:
        for f in files:
            t0 = time.perf_counter()
            try:
                check_villages(region, f, coords="gcj02")
            except InputDataError:  # more rows than a village file may have (geo.imports.village_row_limit)
                pass
            t1 = time.perf_counter()
            with open(f, "rb") as fh:
                r = client.post("/api/data/uploads", data={"file": (fh, f.name), "kind": "villages", "coords": "gcj02"},
                                content_type="multipart/form-data")
            t2 = time.perf_counter()
            body = r.get_json() or {}
            c = body.get("counts") or {}
            said = f"{c.get('rows')}, {c.get('refused')}" if r.status_code == 200 else \
                (body.get("message") or body.get("error") or "")[:90]
            print(f"{f.name:<28} {f.stat().st_size / 1e6:>6.1f} {t1 - t0:>17.2f} {t2 - t1:>15.2f}  "
                  f"{r.status_code}, {said}", flush=True)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


if __name__ == "__main__":
    main()
