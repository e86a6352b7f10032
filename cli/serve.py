"""`coverplan serve`: the web app on waitress (never Flask's debug server).

The one place a face uses the other: the command starts the web face, so it
imports web.app (and only it; tests/test_layers.py allows exactly this).
"""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="网页版 / run the web app (waitress)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 to serve the intranet)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--threads", type=int, default=6, help="waitress worker threads")
    p.add_argument("--db", default=None, help="SQLite file of saved proposals (default var/proposals.sqlite)")
    p.add_argument("--basemap", choices=["none", "osm", "tianditu"], default=None,
                   help="background tiles (default none: works offline)")
    p.add_argument("--tianditu-key", default=None)
    p.add_argument("--network", default=None,
                   help="road graph (GraphML, .osm or .osm.pbf) enabling the road-network travel mode")
    p.add_argument("--no-warm", action="store_true", help="do not precompute the region layers at start-up")
    p.set_defaults(func=_serve)


def _serve(args) -> int:
    from waitress import serve

    from web.app import create_app

    # Building the region (first run) and its light GeoJSON takes a few seconds;
    # WARM does it before the URL is announced, so the first page is fast.
    config = {"LANG": args.lang, "WARM": not args.no_warm}
    if args.db:
        config["DB_PATH"] = args.db
    if args.basemap:
        config["BASEMAP"] = args.basemap
    if args.network:
        config["GRAPH"] = args.network
    if args.tianditu_key:
        config["TIANDITU_KEY"] = args.tianditu_key
    app = create_app(config)
    url_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"coverplan: http://{url_host}:{args.port}/  (Ctrl+C 停止 / to stop)", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="coverplan")
    return 0
