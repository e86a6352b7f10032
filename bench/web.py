"""Web page weight and time-to-data, with compression on, for every page of the app.

Runs the app on waitress on a free local port and, for every page:

* fetches it the way a browser would (the HTML, then its scripts, styles, JSON
  layers and chart data) with ``Accept-Encoding: gzip, br``, reporting the bytes
  on the wire (compressed) and unpacked, and the server time cold (first request
  after start) and warm (median of repeats);
* when Debian's chromium is installed, opens it in headless Chromium and
  reports the time to data: from navigation start until the last response the
  page needed (maps, tables and charts all fill from JSON).

Coverage maps and proposal pages must stay under 3 MB on the wire and under
1 s of server time once warm. Nothing leaves 127.0.0.1.

    .venv/bin/python bench/web.py [--repeat 5] [--no-browser]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT_BYTES = 3_000_000
LIMIT_WARM_S = 1.0
CHROMIUM = "/usr/bin/chromium"


def fetch(url: str) -> tuple[int, int, float]:
    """(bytes on the wire, bytes unpacked, seconds) of one compressed GET."""
    import gzip

    import brotli

    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, br"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as resp:
        body = resp.read()
        enc = resp.headers.get("Content-Encoding")
    dt = time.perf_counter() - t0
    raw = gzip.decompress(body) if enc == "gzip" else brotli.decompress(body) if enc == "br" else body
    return len(body), len(raw), dt


def page_assets(base: str, path: str) -> list[str]:
    """The page plus what its HTML asks for (scripts, styles, data-layers and data-chart JSON)."""
    with urllib.request.urlopen(base + path, timeout=120) as resp:
        html = resp.read().decode("utf-8")
    refs = re.findall(r'(?:src|href|data-layers|data-chart)="(/[^"]+)"', html)
    downloads = (".csv", ".xlsx", ".geojson", ".html", ".svg", ".png")  # links a person may click, not page weight
    keep = [r for r in refs if (r.startswith(("/static/", "/api/")) or r.endswith(".css"))
            and not r.split("?")[0].endswith(downloads)]
    return [path] + sorted(set(r.replace("&amp;", "&") for r in keep))


def save_proposal(base: str, body: dict) -> str:
    """Solve and save one proposal through the API, return its id."""
    req = urllib.request.Request(base + "/api/proposals?wait=120", method="POST", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=320) as resp:
        return json.loads(resp.read())["proposal"]["id"]


def time_to_data(browser, url: str) -> float:
    """Seconds from navigation start until the last response the page used (JSON, scripts...)."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        page.goto(url, wait_until="networkidle", timeout=120_000)
        last = page.evaluate("Math.max(performance.getEntriesByType('navigation')[0].responseEnd,"
                             " ...performance.getEntriesByType('resource').map(e => e.responseEnd))")
        return last / 1000.0
    finally:
        page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium time-to-data column")
    args = ap.parse_args()

    from waitress.server import create_server

    from web.app import create_app

    app = create_app({"DB_PATH": str(Path(tempfile.mkdtemp()) / "bench.sqlite")})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    types = list(app.extensions["coverplan"]["service"].types())
    p8 = save_proposal(base, {"type": "elderly_complex", "model": "mclp", "p": 8})
    p4 = save_proposal(base, {"type": "elderly_complex", "model": "mclp", "p": 4})
    big = save_proposal(base, {"type": "day_care", "model": "mclp", "p": 1000})
    cem = save_proposal(base, {"type": "cemetery", "model": "mclp", "p": 3})
    pages = (["/", "/townships", "/facilities", "/proposals", f"/plan?proposals={p8},{cem}", "/api-doc"]
             + [f"/map/{k}" for k in types]
             + [f"/proposals/{p8}", f"/proposals/{big}", f"/proposals/{p8}/brief",
                f"/proposals/compare?a={p8}&b={p4}"])

    browser = pw = None
    if not args.no_browser and Path(CHROMIUM).exists():
        from playwright.sync_api import sync_playwright
        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

    print(f"{'page':<42}{'wire B':>11}{'unpacked B':>12}{'cold s':>8}{'warm s':>8}{'to data s':>10}"
          "  slowest request (warm)")
    failures = 0
    for path in pages:
        urls = page_assets(base, path)
        cold = sum(fetch(base + u)[2] for u in urls)
        wire, raw, warm_totals, per_url = {}, {}, [], {u: [] for u in urls}
        for _ in range(args.repeat):
            total = 0.0
            for u in urls:
                w, r, dt = fetch(base + u)
                wire[u], raw[u] = w, r
                per_url[u].append(dt)
                total += dt
            warm_totals.append(total)
        size, unpacked = sum(wire.values()), sum(raw.values())
        warm = statistics.median(warm_totals)
        to_data = statistics.median(time_to_data(browser, base + path) for _ in range(3)) if browser else float("nan")
        slow_u = max(per_url, key=lambda u: statistics.median(per_url[u]))
        flag = ""
        if path.startswith(("/map/", "/proposals/")) and (size >= LIMIT_BYTES or warm >= LIMIT_WARM_S):
            flag, failures = "  OVER LIMIT", failures + 1
        label = path.replace(p8, "<p8>").replace(p4, "<p4>").replace(big, "<1000>").replace(cem, "<cem>")
        print(f"{label:<42}{size:>11,}{unpacked:>12,}{cold:>8.3f}{warm:>8.3f}{to_data:>10.3f}  "
              f"{slow_u.replace(p8, '<p8>').replace(big, '<1000>')[:48]} {statistics.median(per_url[slow_u]):.3f}s{flag}")
    print(f"\nlimits for maps and proposals: < {LIMIT_BYTES:,} bytes on the wire, < {LIMIT_WARM_S} s server time "
          "when warm (sum of sequential requests; a browser fetches several in parallel)")
    if browser:
        browser.close()
        pw.stop()
    srv.close()
    app.extensions["coverplan"]["jobs"].shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
