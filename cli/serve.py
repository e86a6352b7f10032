"""`coverplan serve`: the web app on waitress (never Flask's debug server).

The one place a face uses the other: the command starts the web face, so it
imports web.app (and only it; tests/test_layers.py allows exactly this).
"""
from __future__ import annotations

import argparse
import os
import re

from cli.lang import h
from cli.options import add_json, given_float


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help=h("网页版：启动网页服务（waitress）", "run the web app (waitress)"))
    p.add_argument("--host", default="127.0.0.1",
                   help=h("监听地址（默认 127.0.0.1；0.0.0.0 为向内网提供服务）",
                          "address to listen on (default 127.0.0.1; 0.0.0.0 to serve the intranet)"))
    p.add_argument("--port", type=int, default=5000, help=h("监听端口（默认 5000）", "port to listen on (default 5000)"))
    p.add_argument("--threads", type=int, default=6, help=h("waitress 工作线程数", "waitress worker threads"))
    p.add_argument("--db", default=None, help=h("保存方案和数据版本的 SQLite 数据库文件（默认 $COVERPLAN_VAR/proposals.sqlite，"
                                                       "未设置 COVERPLAN_VAR 时为项目下的 var/proposals.sqlite；不存在则新建）",
                                                "SQLite file of saved proposals and data versions (default "
                                                "$COVERPLAN_VAR/proposals.sqlite, var/proposals.sqlite in the project "
                                                "when COVERPLAN_VAR is unset; made when missing)"))
    p.add_argument("--basemap", choices=["none", "osm", "tianditu"], default=None,
                   help=h("底图瓦片（默认 none：无底图，可离线使用）", "background tiles (default none: works offline)"))
    p.add_argument("--tianditu-key", default=None,
                   help=h("天地图瓦片的密钥，用于 --basemap tianditu（默认取 COVERPLAN_TIANDITU_KEY）",
                          "Tianditu tile key for --basemap tianditu (default from COVERPLAN_TIANDITU_KEY)"))
    p.add_argument("--network", default=None,
                   help=h("路网图（GraphML、.osm 或 .osm.pbf），提供后可选择路网出行方式",
                          "road graph (GraphML, .osm or .osm.pbf) enabling the road-network travel mode"))
    p.add_argument("--no-warm", action="store_true",
                   help=h("启动时不预先计算区域图层", "do not precompute the region layers at start-up"))
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help=h("浏览器访问本服务器所用的主机名（可重复给出；本机回环名称和 --host 地址总是允许；"
                          "其他 Host 请求头返回 400）",
                          "a name browsers use for this server (repeatable; loopback names and the --host "
                          "address are always allowed; other Host headers get 400)"))
    p.add_argument("--max-upload-mb", type=given_float, default=None,
                   help=h("请求体/上传文件的最大大小，MB（默认 20）",
                          "largest request body / uploaded file in MB (default 20)"))
    p.add_argument("--max-network-upload-mb", type=given_float, default=None,
                   help=h("在“数据”页上传路网数据的最大大小，MB（默认 200）",
                          "largest road-network extract uploaded on the Data page in MB (default 200)"))
    p.add_argument("--max-jobs-per-user", type=int, default=None,
                   help=h("每个用户同时排队或运行的计算任务数上限（默认 2）",
                          "calculations one user may have queued or running at once (default 2)"))
    p.add_argument("--solve-time-limit", type=given_float, default=None,
                   help=h("每次求解的时限，秒（默认 300）", "seconds any solve may take (default 300)"))
    p.add_argument("--auth", choices=["auto", "required", "open"], default="auto",
                   help=h("登录：auto（默认）= --host 不是 127.0.0.1 时须登录，仅本机访问时无须登录",
                          "login: auto (default) = required when --host is beyond 127.0.0.1, open on localhost"))
    add_json(p)
    p.set_defaults(func=_serve)


#: What --network (and COVERPLAN_GRAPH) is, for the sentence saying it was not given one (cli.options.check_input_file).
NETWORK_FILE = ("a road network file: a .graphml graph (what `coverplan network build --out` writes) or an "
                "OpenStreetMap extract (.osm or .osm.pbf)",
                "路网文件：.graphml 路网图（即 `coverplan network build --out` 写出的文件）或 OpenStreetMap 数据（.osm 或 .osm.pbf）")

#: The largest --max-upload-mb / --max-network-upload-mb the server takes, in MB (about 100 GB).
MAX_UPLOAD_MB = 100_000


def _check_options(args) -> None:
    """Refuse a number no server can use before anything starts: a port of -1 was a traceback, 99999
    was announced but another port listened, NaN MB a traceback, 0 threads or 0 jobs a server that
    never answers (QA 17)."""
    import math

    from cli.options import check_time_limit
    from geo.errors import InputDataError

    def bad(flag: str, value, en: str, zh: str) -> InputDataError:
        return InputDataError(f"{flag} {value} cannot be used: {en}.", f"{flag} {value} 无法使用：{zh}。",
                              details={"parameter": flag, "value": str(value)})

    if not 1 <= args.port <= 65535:
        raise bad("--port", args.port, "give a port from 1 to 65535", "端口须在 1 至 65535 之间")
    if not 1 <= args.threads <= 256:
        raise bad("--threads", args.threads, "give 1 to 256 threads", "线程数须在 1 至 256 之间")
    for flag, mb, eg in (("--max-upload-mb", args.max_upload_mb, 20),
                         ("--max-network-upload-mb", args.max_network_upload_mb, 200)):
        # the range said whole: 1e9 was told "give a size in MB above 0", though it was above 0 (QA 23)
        if mb is not None and not (math.isfinite(mb) and 0 < mb <= MAX_UPLOAD_MB):
            too_big = math.isfinite(mb) and mb > MAX_UPLOAD_MB
            raise bad(flag, mb, ("the size can be at most " if too_big else "the size must be above 0 and at most ")
                      + f"{MAX_UPLOAD_MB:,} MB (about 100 GB); give a size in MB from above 0 to {MAX_UPLOAD_MB:,} "
                      f"(e.g. {flag} {eg})",
                      ("大小最多为 " if too_big else "大小须大于 0 且不超过 ") + f"{MAX_UPLOAD_MB:,} MB（约 100 GB）；"
                      f"请给出大于 0、不超过 {MAX_UPLOAD_MB:,} 的大小（MB，如 {flag} {eg}）")
    if args.max_jobs_per_user is not None and not 1 <= args.max_jobs_per_user <= 1000:
        raise bad("--max-jobs-per-user", args.max_jobs_per_user, "give 1 to 1000", "须在 1 至 1000 之间")
    if args.solve_time_limit is not None:  # named as typed (the planner's check named its field, time_limit)
        check_time_limit(args.solve_time_limit, "--solve-time-limit")
    if args.network:
        from cli.options import check_input_file
        from geo.archives import check_file

        # a folder (a link to nothing, a device) said by the option, as a road network: check_file's hint for a
        # folder, "(e.g. its .csv or .zip)", is for tables (QA 23); a path not there is check_file's "File not found"
        if os.path.lexists(args.network):
            check_input_file("--network", args.network, what_en=NETWORK_FILE[0], what_zh=NETWORK_FILE[1])
        check_file(args.network)  # a missing graph said now, not on every road-network request later
        check_network_file(args.network)  # and a CSV given as one (QA 21)
    elif os.environ.get("COVERPLAN_GRAPH"):  # the same graph given by the environment (web.app reads it)
        _check_env_graph(os.environ["COVERPLAN_GRAPH"])
    check_allowed_hosts(args.allowed_host)
    if any(h.strip() == "*" for h in args.allowed_host):  # taken (web.security reads it), but never silently
        import sys

        print("coverplan: " + ("--allowed-host * answers a request by any host name: the host-name check that "
                               "keeps other web sites from reaching this server through a browser (DNS rebinding) "
                               "is off. Name the hosts instead, e.g. --allowed-host gis.shiyan.local."
                               if args.lang == "en" else
                               "--allowed-host * 使任何主机名的请求都被响应：防止其他网站借浏览器访问本服务器"
                               "（DNS 重绑定）的主机名检查已关闭。请改为列出主机名，如 --allowed-host gis.shiyan.local。"),
              file=sys.stderr, flush=True)
    check_basemap(args)


#: What a file given as --network was found to be (:func:`_network_kind`), said when it is not what its name says.
_NETWORK_LOOKS = {"pbf": ("an OpenStreetMap PBF extract", "OpenStreetMap PBF 数据"),
                  "osm": ("an OpenStreetMap XML extract", "OpenStreetMap XML 数据"),
                  "graphml": ("a GraphML graph", "GraphML 路网图"),
                  "compressed": ("a compressed file", "压缩文件"),
                  "empty": ("empty", "空文件"),
                  "other": ("neither GraphML nor OpenStreetMap data", "既不是 GraphML 也不是 OpenStreetMap 数据")}


def _network_kind(path) -> str:
    """What the first bytes of ``path`` say it is: pbf, osm, graphml, compressed (bz2, gzip), empty or other."""
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        return "empty"
    if b"OSMHeader" in head[:64]:  # a PBF file's first blob header names its type
        return "pbf"
    if head.startswith((b"BZh", b"\x1f\x8b")):
        return "compressed"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<graphml" in text:
            return "graphml"
        if b"<osm" in text:
            return "osm"
    return "other"


def _check_env_graph(path: str) -> None:
    """COVERPLAN_GRAPH checked as --network is, its errors naming the variable: a missing or wrong file there
    started a server whose every road-network request then failed."""
    from geo.archives import check_file
    from geo.errors import InputDataError

    if os.path.isdir(path):  # check_file's hint for a folder, "(e.g. its .csv or .zip)", is for tables
        raise InputDataError(f"COVERPLAN_GRAPH={path} (the road network, from the environment) is a folder, not a "
                             f"file: give {NETWORK_FILE[0]}, or unset COVERPLAN_GRAPH to serve without a road network.",
                             f"环境变量 COVERPLAN_GRAPH={path}（路网）是文件夹而不是文件：请给出{NETWORK_FILE[1]}，"
                             "或取消该环境变量，不带路网启动。",
                             details={"parameter": "COVERPLAN_GRAPH", "value": path})
    try:
        check_file(path)
        check_network_file(path, flag="COVERPLAN_GRAPH")
    except InputDataError as exc:
        if exc.details.get("parameter") == "COVERPLAN_GRAPH":
            raise
        raise InputDataError(f"COVERPLAN_GRAPH (the road network, from the environment): {exc.en} {exc.hint_en} "
                             "Or unset COVERPLAN_GRAPH to serve without a road network.",
                             f"COVERPLAN_GRAPH（环境变量给出的路网）：{exc.zh}{exc.hint_zh}"
                             "或取消该环境变量，不带路网启动。",
                             details={"parameter": "COVERPLAN_GRAPH", "value": path}) from None


def check_network_file(path, *, flag: str = "--network") -> None:
    """--network read as the server will read it (geo.network.load_graph: an OpenStreetMap name is built into a
    graph, any other is read as GraphML), judged by its first bytes: a CSV or a page given as the road network
    started a server whose every road-network request then failed (QA 21). Reading the whole graph here would
    take as long as the first request does; the first bytes say whether it can be one."""
    from geo.errors import InputDataError
    from geo.osmfile import is_osm_file

    name = str(path)
    osm_name = is_osm_file(name) and not name.lower().endswith(".graphml")
    kind = _network_kind(path)
    if (osm_name and kind in ("pbf", "osm", "compressed")) or (not osm_name and kind == "graphml"):
        return
    en, zh = _NETWORK_LOOKS[kind]
    # "内容是既不是 GraphML…" said 是 twice: "neither … nor" is said without it (QA 33)
    content_zh = f"内容{zh}" if kind == "other" else f"内容是{zh}"
    if osm_name:
        why_en, why_zh = f"the name says OpenStreetMap but the content is {en}", f"文件名为 OpenStreetMap 数据，但{content_zh}"
    elif kind in ("pbf", "osm"):
        why_en = f"the content is {en}, but the name does not end in .osm or .osm.pbf, so it would be read as GraphML"
        why_zh = f"内容是{zh}，但文件名不以 .osm 或 .osm.pbf 结尾，将被当作 GraphML 读取"
    elif kind == "empty":
        why_en, why_zh = "the file is empty", "文件是空的"
    else:
        why_en, why_zh = f"the content is {en}", content_zh
    shown = f"--network {name}" if flag == "--network" else f"{flag}={name}"
    raise InputDataError(f"{shown} is not a road network: {why_en}. Give a GraphML file (.graphml, as "
                         "`coverplan network build --out` writes it) or an OpenStreetMap extract (.osm or .osm.pbf).",
                         f"{shown} 不是路网文件：{why_zh}。请给出 GraphML 文件（.graphml，即 "
                         "`coverplan network build --out` 写出的文件）或 OpenStreetMap 数据（.osm 或 .osm.pbf）。",
                         details={"parameter": flag, "value": name, "looks": kind})


#: A host name as browsers send it in the Host header: labels of letters, digits, hyphens (and underscores, which
#: some intranet names have) separated by dots.
_HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?")


def check_allowed_hosts(values) -> None:
    """Each --allowed-host a name or address a browser can send in its Host header: "" and "evil.com/x" were
    taken, and every request by any name then answered 400 or matched nothing (QA 21). A name with a leading dot
    (.shiyan.local: it and its subdomains), an IPv4 or IPv6 address, and * (any name) are taken, as the web's
    check (web.security) reads them; a scheme, a path or a port is not part of a host name."""
    import ipaddress

    from geo.errors import InputDataError

    for raw in values:
        value = raw.strip()
        shown = raw if raw.strip() else '""'

        def bad(en: str, zh: str) -> InputDataError:
            return InputDataError(f"--allowed-host {shown} cannot be used: {en}; give the name or address browsers "
                                  "use for this server, e.g. --allowed-host gis.shiyan.local or 192.168.1.20.",
                                  f"--allowed-host {shown} 无法使用：{zh}；请给出浏览器访问本服务器所用的主机名或地址，"
                                  "如 --allowed-host gis.shiyan.local 或 192.168.1.20。",
                                  details={"parameter": "--allowed-host", "value": raw})

        if not value:
            raise bad("the name is empty", "主机名为空")
        if value == "*":
            continue
        if "://" in value or "/" in value:
            raise bad("a host name has no scheme (http://) and no path (/...)", "主机名中不含协议（http://）和路径（/…）")
        host = value[1:-1] if value.startswith("[") and value.endswith("]") else value
        try:
            ipaddress.ip_address(host)
            continue
        except ValueError:
            pass
        if ":" in value:
            raise bad("a host name has no port (the server's --port applies to every name)",
                      "主机名中不含端口（所有主机名都使用 --port 指定的端口）")
        name = value[1:] if value.startswith(".") else value
        try:
            name = name.encode("idna").decode("ascii")  # 民政.中国 as browsers send it (xn--...)
        except UnicodeError:
            raise bad("it is not a host name (letters, digits, hyphens and dots)",
                      "不是有效的主机名（由字母、数字、连字符和点组成）") from None
        if not _HOST_NAME.fullmatch(name.lower()):
            raise bad("it is not a host name (letters, digits, hyphens and dots)",
                      "不是有效的主机名（由字母、数字、连字符和点组成）")


def _host_name(value: str) -> str:
    """An --allowed-host as a browser's Host header has it: lower case, a name in Chinese in its IDNA form
    (民政.中国 -> xn--...), a leading dot kept."""
    v = value.strip().lower()
    if v.isascii():
        return v
    dot = "." if v.startswith(".") else ""
    try:
        return dot + v[len(dot):].encode("idna").decode("ascii")
    except UnicodeError:  # refused by check_allowed_hosts before this is asked
        return v


def check_basemap(args) -> None:
    """--basemap tianditu (or COVERPLAN_BASEMAP=tianditu) needs a Tianditu key (--tianditu-key or
    COVERPLAN_TIANDITU_KEY, as web.app reads them): without one the server started and every map page asked
    Tianditu for tiles it refuses (QA 21). COVERPLAN_BASEMAP is read as web.app reads it (OSM is osm), junk
    refused: COVERPLAN_BASEMAP=OSM started a server whose maps had no background (QA 22)."""
    import os

    from geo import settings
    from geo.errors import InputDataError

    basemap = args.basemap or settings.basemap_env()
    key = args.tianditu_key if args.tianditu_key is not None else os.environ.get("COVERPLAN_TIANDITU_KEY", "")
    if basemap == "tianditu" and not key.strip():
        given = "--basemap tianditu" if args.basemap else "COVERPLAN_BASEMAP=tianditu"
        raise InputDataError(f"{given} needs a Tianditu key: give it with --tianditu-key KEY (or set "
                             "COVERPLAN_TIANDITU_KEY), or use --basemap none (offline) or osm.",
                             f"{given} 需要天地图密钥：请用 --tianditu-key 密钥 给出（或设置环境变量 "
                             "COVERPLAN_TIANDITU_KEY），或改用 --basemap none（离线）或 osm。",
                             hint_en="A key is issued free of charge at console.tianditu.gov.cn.",
                             hint_zh="密钥可在 console.tianditu.gov.cn 免费申请。",
                             details={"parameter": "--basemap", "value": "tianditu"})


def _serve(args) -> int:
    from web.app import create_app

    _check_options(args)

    # Building the region (first run) and its light GeoJSON takes a few seconds;
    # WARM does it before the URL is announced, so the first page is fast.
    # the host decides whether a login is needed (web/auth.py: AUTH "auto")
    # bound before anything is built or written (the first start's admin account): a busy port or a bad
    # host is said at once, not a traceback after the "serving" line; the app is handed over below
    server, handover = _listen(args)
    config = {"LANG": args.lang, "WARM": not args.no_warm, "LISTEN_HOST": args.host, "AUTH": args.auth}
    if args.db:
        config["DB_PATH"] = args.db
    if args.basemap:
        config["BASEMAP"] = args.basemap
    if args.network:
        config["GRAPH"] = args.network
    if args.tianditu_key:
        config["TIANDITU_KEY"] = args.tianditu_key.strip()  # a pasted key's newline: no tiles
    config.update(_hardening_config(args))
    try:
        app = create_app(config)
    except BaseException:  # (a --db that cannot be written): the port is let go with the error
        server.close()
        raise
    handover.app = app
    # held while serving: `coverplan restore` refuses to swap the database under a running server
    from filelock import Timeout

    from geo.backup import serving_lock
    lock = serving_lock(app.config["DB_PATH"])
    shared = False
    try:
        lock.acquire(timeout=0)
    except Timeout:
        shared = True
        if not args.json:
            print("coverplan: 另一个服务已在使用该数据库 / another server already uses this database: "
                  + str(app.config["DB_PATH"]), flush=True)
    url_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{url_host}:{args.port}/"
    if args.json:  # one JSON object before serving (errors before it are JSON too, cli.main)
        import sys

        from cli.output import print_json

        print_json({"url": url, "host": args.host, "port": args.port, "db": str(app.config["DB_PATH"]),
                    "allowed_hosts": list(app.config["ALLOWED_HOSTS"]), "database_in_use": shared})
        sys.stdout.flush()
    else:
        print(f"coverplan: {url}  (Ctrl+C 停止 / to stop)", flush=True)
        print("允许的主机名 / allowed host names: " + ", ".join(app.config["ALLOWED_HOSTS"]), flush=True)
    server.run()
    return 0


class _Handover:
    """The WSGI application the server is bound with before the app exists: it hands every request to
    ``app`` (set once the app is built; nothing is served before ``run``)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def _listen(args):
    """Waitress's server bound to ``--host``/``--port``, and its :class:`_Handover`; an address that
    cannot be used is an InputDataError naming it (it was a traceback after the "serving" line: QA 19)."""
    import errno
    import logging

    from waitress import create_server

    from geo.errors import InputDataError

    logging.basicConfig()  # waitress logs through it, as waitress.serve() sets up
    try:
        handover = _Handover()
        return create_server(handover, host=args.host, port=args.port, threads=args.threads,
                             ident="coverplan"), handover
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputDataError(f"Port {args.port} is in use (another coverplan or program listens there).",
                                 f"端口 {args.port} 已被占用（另一个 coverplan 服务或其他程序正在使用）。",
                                 hint_en="Choose another --port, or stop the program using it.",
                                 hint_zh="请用 --port 换一个端口，或先停止占用它的程序。",
                                 details={"parameter": "--port", "value": args.port}) from None
        raise InputDataError(f"--host {args.host} cannot be listened on: {exc.strerror or exc}.",
                             f"无法在 --host {args.host} 上监听：{exc.strerror or exc}。",
                             hint_en="Give an address of this machine (127.0.0.1, or 0.0.0.0 for every address).",
                             hint_zh="请给出本机的地址（127.0.0.1；0.0.0.0 表示本机所有地址）。",
                             details={"parameter": "--host", "value": args.host}) from None
    except ValueError:  # waitress: "Invalid host/port specified." (a name that does not resolve, 999.1.1.1)
        raise InputDataError(f"--host {args.host} is not an address or name of this machine.",
                             f"--host {args.host} 不是本机的地址或主机名。",
                             hint_en="Give an address of this machine (127.0.0.1, or 0.0.0.0 for every address).",
                             hint_zh="请给出本机的地址（127.0.0.1；0.0.0.0 表示本机所有地址）。",
                             details={"parameter": "--host", "value": args.host}) from None


def _hardening_config(args) -> dict:
    """Limits from the command line (web/app.py documents the keys); absent flags keep the defaults."""
    # the app adds the loopback names and the names of the listening address itself
    cfg = {"LISTEN_HOST": args.host, "EXTRA_ALLOWED_HOSTS": [_host_name(h) for h in args.allowed_host if h.strip()]}
    mb = 1024 * 1024
    if args.max_upload_mb is not None:
        cfg["MAX_CONTENT_LENGTH"] = int(args.max_upload_mb * mb)
    if args.max_network_upload_mb is not None:
        cfg["MAX_NETWORK_UPLOAD"] = int(args.max_network_upload_mb * mb)
    if args.max_jobs_per_user is not None:
        cfg["MAX_JOBS_PER_USER"] = args.max_jobs_per_user
    if args.solve_time_limit is not None:
        cfg["SOLVE_TIME_LIMIT"] = float(args.solve_time_limit)
    return cfg
