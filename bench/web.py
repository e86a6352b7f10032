"""Web page weight and server time: coverage maps must stay < 3 MB and < 1 s once warm.

Runs the app on waitress on a free local port and fetches every page the way a
browser would (the HTML, then its scripts, styles and JSON layers), reporting
bytes and server time cold (first request after start) and warm (median of
repeats). Nothing leaves 127.0.0.1.

    .venv/bin/python bench/web.py [--repeat 5]
"""
from __future__ import annotations

import argparse
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


def fetch(url: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as resp:
        body = resp.read()
    return len(body), time.perf_counter() - t0


def page_assets(base: str, path: str) -> list[str]:
    """The page plus what its HTML asks for (scripts, styles, data-layers JSON, chart images)."""
    with urllib.request.urlopen(base + path, timeout=120) as resp:
        html = resp.read().decode("utf-8")
    refs = re.findall(r'(?:src|href|data-layers)="(/[^"]+)"', html)
    keep = [r for r in refs if r.startswith(("/static/", "/api/", "/charts/")) or r.endswith(".css")]
    return [path] + sorted(set(r.replace("&amp;", "&") for r in keep))


def save_proposal(base: str) -> str:
    """Solve and save one proposal through the API (8 township complexes), return its page."""
    import json

    req = urllib.request.Request(base + "/api/proposals?wait=300", method="POST",
                                 data=json.dumps({"type": "elderly_complex", "model": "mclp",
                                                  "p": 8}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=320) as resp:
        return f"/proposals/{json.loads(resp.read())['proposal']['id']}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from waitress.server import create_server

    from web.app import create_app

    app = create_app({"DB_PATH": str(Path(tempfile.mkdtemp()) / "bench.sqlite")})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    types = list(app.extensions["coverplan"]["service"].types())
    pages = ["/", "/townships"] + [f"/map/{k}" for k in types] + [save_proposal(base)]

    print(f"{'page':<28}{'bytes':>11}{'cold s':>9}{'warm s':>9}  slowest request (warm)")
    failures = 0
    for path in pages:
        urls = page_assets(base, path)
        cold = sum(fetch(base + u)[1] for u in urls)
        sizes, warm_totals, per_url = {}, [], {u: [] for u in urls}
        for _ in range(args.repeat):
            total = 0.0
            for u in urls:
                n, dt = fetch(base + u)
                sizes[u] = n
                per_url[u].append(dt)
                total += dt
            warm_totals.append(total)
        size = sum(sizes.values())
        warm = statistics.median(warm_totals)
        slow_u = max(per_url, key=lambda u: statistics.median(per_url[u]))
        flag = ""
        if path.startswith(("/map/", "/proposals/")) and (size >= LIMIT_BYTES or warm >= LIMIT_WARM_S):
            flag, failures = "  OVER LIMIT", failures + 1
        print(f"{path:<28}{size:>11,}{cold:>9.3f}{warm:>9.3f}  {slow_u} "
              f"{statistics.median(per_url[slow_u]):.3f}s {sizes[slow_u]:,} B{flag}")
    print(f"\nlimits for coverage maps: < {LIMIT_BYTES:,} bytes, < {LIMIT_WARM_S} s server time when warm "
          f"(sum of sequential requests; a browser fetches several in parallel)")
    srv.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
