"""Attacks on the web app, each refused (issue 15, "Hardening"): CSRF, foreign Host names,
oversized bodies, hostile zip files, formula injection, path traversal, job floods.

Every state-changing attack also checks that nothing changed. Posts "from another site" use
``plain_client`` (no token of its own, like a foreign page); the rest of the suite posts with
the same-origin client of tests/conftest.py.
"""
from __future__ import annotations

import io
import stat
import time
import zipfile

import pytest
from conftest import plain_client
from flask import g, request
from openpyxl import load_workbook

from web.app import create_app

ERROR_KEYS = {"error", "message", "message_en", "message_zh", "details"}
REGISTER = "名称,类型,经度,纬度\n{name},日间照料中心,110.79,32.65\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("sec") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def pid(app):
    """One solved, saved proposal (a real solve, once for the module)."""
    r = app.test_client().post("/api/proposals?wait=90", json={"type": "elderly_complex", "model": "mclp", "p": 3})
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


@pytest.fixture(scope="module")
def pid2(app):
    """A second proposal of the same type: the compare page of two (one compared with itself is a message)."""
    r = app.test_client().post("/api/proposals?wait=90", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


def error_body(resp, status: int) -> dict:
    assert resp.status_code == status, resp.data[:300]
    body = resp.get_json()
    assert ERROR_KEYS <= set(body) and body["message_zh"] != body["message_en"]
    return body


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


# -- CSRF -----------------------------------------------------------------------------------------
def test_page_gives_a_token_in_a_strict_httponly_cookie(app):
    c = plain_client(app)
    resp = c.get("/")
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("cp_csrf="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 32 and f'"csrf": "{token}"' in resp.get_data(as_text=True)
    # the page's own script would now post with it: accepted
    r = c.post("/api/proposals", json={"type": "nosuch"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 404  # past the CSRF check, refused for the unknown type


def test_cross_origin_form_post_creates_no_proposal(app):
    """A page on another site posts a plain HTML form: refused, no job, no proposal."""
    c = plain_client(app)
    c.get("/")  # the victim's browser has the cookie
    jobs_before = len(app.extensions["coverplan"]["jobs"].list())
    r = c.post("/api/proposals", data={"type": "day_care", "model": "lscp"},
               headers={"Origin": "http://evil.example"})
    body = error_body(r, 403)
    assert "其他网站" in body["message_zh"]
    # the same without an Origin header (an old browser sends the Referer instead)
    r = c.post("/api/proposals", data={"type": "day_care"}, headers={"Referer": "http://127.0.0.1:9999/x.html"})
    error_body(r, 403)
    assert len(app.extensions["coverplan"]["jobs"].list()) == jobs_before


@pytest.mark.parametrize("headers", [{}, {"X-CSRF-Token": "wrong-token-wrong-token-wrong-token"},
                                     {"X-CSRF-Token": ""}])
def test_post_without_or_with_a_wrong_token_is_refused(app, pid, headers):
    c = plain_client(app)
    c.get("/")
    store = app.extensions["coverplan"]["store"]
    name = store.get(pid)["name"]
    for method, url, kw in (("post", "/api/proposals", {"json": {"type": "day_care"}}),
                            ("patch", f"/api/proposals/{pid}", {"json": {"name": "pwned"}}),
                            ("delete", f"/api/proposals/{pid}", {}),
                            ("post", f"/api/proposals/{pid}/rerun", {}),
                            ("post", "/api/data/rollback", {"json": {"version": 0}}),
                            ("post", "/api/data/edits", {"json": {"action": "add", "type": "day_care",
                                                                  "name": "x", "lon": 110.79, "lat": 32.65}})):
        body = error_body(getattr(c, method)(url, headers=headers, **kw), 403)
        assert "CSRF" in body["message_zh"]
    assert store.get(pid)["name"] == name
    assert app.extensions["coverplan"]["datasets"].current().version == 0


def test_a_valid_token_from_a_foreign_origin_is_still_refused(app):
    c = app.test_client()  # sends the right token...
    r = c.post("/api/proposals", json={"type": "nosuch"}, headers={"Origin": "http://127.0.0.1:8081"})
    error_body(r, 403)  # ...but from another origin (another port of the same machine)
    r = c.post("/api/proposals", json={"type": "nosuch"}, headers={"Origin": "null"})
    error_body(r, 403)  # a sandboxed frame or a file:// page


def test_form_field_token_is_accepted(app):
    c = plain_client(app)
    token = c.get("/api/csrf").get_json()["token"]
    r = c.post("/api/proposals", data={"type": "nosuch", "csrf_token": token},
               headers={"Origin": "http://localhost"})
    assert r.status_code == 404


def test_get_and_head_never_change_state(app):
    """No route that changes data answers GET or HEAD (so links and images cannot change anything)."""
    changing = {"POST", "PATCH", "DELETE", "PUT"}
    forms = set()  # a form page: GET shows the form, POST (CSRF-checked) submits it
    for rule in app.url_map.iter_rules():
        if rule.methods & changing and rule.methods & {"GET", "HEAD"}:
            forms.add(rule.rule)
    assert forms <= {"/login", "/setup", "/account", "/account/password"}, forms
    for url in forms:  # their POST is behind the check like every other
        c = plain_client(app)
        c.get(url)
        assert c.post(url, data={"username": "x", "password": "y"}).status_code == 403, url
    # and the known state-changing endpoints are all behind the check (none slipped in as GET)
    posts = {r.rule for r in app.url_map.iter_rules() if r.methods & changing}
    assert {"/api/proposals", "/api/jobs/<job_id>/cancel", "/api/data/uploads", "/api/data/edits"} <= posts


# -- Host allow-list -------------------------------------------------------------------------------
def test_foreign_host_is_400_before_any_route(app):
    c = app.test_client()
    for url in ("/api/region", "/", "/api/nosuch"):
        r = c.get(url, headers={"Host": "evil.example"})
        assert r.status_code == 400 and "evil.example" in r.get_data(as_text=True)
    body = c.get("/api/region", headers={"Host": "evil.example:5000"}).get_json()
    assert body["error"] == "HostNotAllowed" and "主机名" in body["message_zh"]
    for ok in ("127.0.0.1:5000", "localhost", "[::1]:5000"):
        assert c.get("/healthz", headers={"Host": ok}).status_code == 200, ok


def test_serve_flags_set_hosts_and_limits(tmp_path):
    from cli.main import build_parser
    from cli.serve import _hardening_config

    args = build_parser().parse_args(["serve", "--host", "10.1.2.3", "--allowed-host", "gis.shiyan.local",
                                      "--allowed-host", "MZJ-SERVER", "--max-upload-mb", "5",
                                      "--max-network-upload-mb", "50", "--max-jobs-per-user", "3",
                                      "--solve-time-limit", "120"])
    cfg = _hardening_config(args)
    assert cfg["MAX_CONTENT_LENGTH"] == 5 * 2**20 and cfg["MAX_NETWORK_UPLOAD"] == 50 * 2**20
    assert cfg["MAX_JOBS_PER_USER"] == 3 and cfg["SOLVE_TIME_LIMIT"] == 120
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), **cfg})
    try:
        c = app.test_client()
        for host in ("10.1.2.3:5000", "gis.shiyan.local", "mzj-server:5000", "127.0.0.1"):
            assert c.get("/healthz", headers={"Host": host}).status_code == 200, host
        assert c.get("/healthz", headers={"Host": "rebind.attacker.example"}).status_code == 400
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- security headers ------------------------------------------------------------------------------
def test_security_headers_on_every_answer(app):
    c = app.test_client()
    for url in ("/", "/api/region", "/static/app.css", "/static/vendor/leaflet/leaflet.js", "/nosuch",
                "/api/nosuch"):
        h = c.get(url).headers
        csp = h["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
    # no basemap: no tile host may be contacted
    assert "openstreetmap" not in c.get("/").headers["Content-Security-Policy"]


def test_no_inline_script_in_any_page(app, pid, pid2):
    import re
    c = app.test_client()
    for url in ("/", "/map/day_care", "/townships", "/proposals", f"/proposals/{pid}", f"/proposals/{pid}/brief",
                f"/proposals/compare?a={pid}&b={pid2}", f"/proposals/compare?a={pid}&b={pid}", "/data", "/facilities",
                "/plan", "/api-doc", "/nosuch"):
        html = c.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert "javascript:" not in html, url


@pytest.mark.parametrize("basemap,host", [("osm", "https://tile.openstreetmap.org"),
                                          ("tianditu", "https://*.tianditu.gov.cn")])
def test_basemap_tiles_allowed_only_when_configured(tmp_path, basemap, host):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "BASEMAP": basemap})
    try:
        csp = app.test_client().get("/").headers["Content-Security-Policy"]
        img = csp.split("img-src")[1].split(";")[0]
        assert host in img and "connect-src 'self'" in csp
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_offline_map_is_an_attachment_with_its_own_policy(app, pid):
    for url in ("/map/day_care/export.html", f"/proposals/{pid}/export.html"):
        r = app.test_client().get(url)
        assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
        csp = r.headers["Content-Security-Policy"]
        # its inline scripts (folium) may run, but sandboxed: no cookies, no access to the app
        assert csp.startswith("sandbox allow-scripts") and "script-src 'unsafe-inline'" in csp
        assert "allow-same-origin" not in csp and "default-src 'none'" in csp


# -- request size -------------------------------------------------------------------------------
def test_oversized_bodies_are_413_with_the_right_limit(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "MAX_CONTENT_LENGTH": 1 * 2**20,
                      "MAX_NETWORK_UPLOAD": 3 * 2**20})
    try:
        c = app.test_client()
        body = error_body(upload(c, b"x" * (2 * 2**20), "big.csv"), 413)
        assert "过大" in body["message_zh"] and "1 MB" in body["message_zh"]
        r = c.post("/api/data/uploads?kind=network", content_type="multipart/form-data",
                   data={"kind": "network", "file": (io.BytesIO(b"x" * (4 * 2**20)), "roads.osm")})
        body = error_body(r, 413)
        assert "3 MB" in body["message_zh"]  # the network upload's own limit, named right
        # a JSON body too
        r = c.post("/api/proposals", data=b"{" + b" " * (2 * 2**20) + b"}", content_type="application/json")
        error_body(r, 413)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_uploads_are_streamed_to_disk(tmp_path):
    """werkzeug parks any file part over 500 KB in a temporary file, not in memory."""
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite")})
    seen = {}

    @app.post("/_probe")
    def probe():
        seen["stream"] = request.files["file"].stream
        return "ok"

    try:
        assert upload(app.test_client(), b"x" * (2 * 2**20), "a.csv").status_code in (200, 400)
        app.test_client().post("/_probe", data={"file": (io.BytesIO(b"x" * (2 * 2**20)), "a.csv")},
                               content_type="multipart/form-data")
        assert not isinstance(seen["stream"], io.BytesIO)  # a SpooledTemporaryFile / TemporaryFile on disk
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- zip files, through the web upload -----------------------------------------------------------
def _zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _layer(stem: str = "layer") -> dict[str, bytes]:
    return {f"{stem}.shp": b"\0" * 100, f"{stem}.shx": b"\0" * 100, f"{stem}.dbf": b"\0" * 100}


@pytest.mark.parametrize("kind", ["facilities", "townships"])
@pytest.mark.parametrize("case,archive,words", [
    ("zip-slip", lambda: _zip({**_layer(), "../../evil.shp": b"x"}), "目录之外"),
    ("absolute", lambda: _zip({**_layer(), "/tmp/evil.shp": b"x"}), "目录之外"),
    ("windows-absolute", lambda: _zip({**_layer(), "C:\\evil.shp": b"x"}), "目录之外"),
    ("symlink", lambda: _zip(_layer(), links=("layer.prj",)), "符号链接"),
    ("bomb", lambda: _zip({**_layer(), "layer.dbf": b"\0" * (12 * 2**20)}), "压缩比"),
    ("too-many", lambda: _zip({f"f{i}.txt": b"" for i in range(250)}), "最多接受"),
    ("nested", lambda: _zip({"inner.zip": _zip(_layer())}), "多层压缩"),
])
def test_hostile_zip_is_refused(app, tmp_path, kind, case, archive, words):
    outside = tmp_path.parent / "evil.shp"
    r = upload(app.test_client(), archive(), f"{case}.zip", kind=kind)
    body = error_body(r, 400)
    assert words in body["message_zh"], body["message_zh"]
    assert not outside.exists() and not (tmp_path / "evil.shp").exists()
    assert "/" not in body["message_zh"].split("：")[0]  # the planner's file name, never a server path


# -- formula injection ---------------------------------------------------------------------------
FORMULAS = ["=HYPERLINK(\"http://x\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1"]


def test_exported_cells_never_run_as_formulas(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite")})
    try:
        c = app.test_client()
        csv_text = "名称,类型,经度,纬度\n" + "".join(
            f"\"{n.replace(chr(34), chr(34) * 2)}\",日间照料中心,{110.79 + i / 100:.4f},32.65\n"
            for i, n in enumerate(FORMULAS))
        rep = upload(c, csv_text.encode("utf-8"), "register.csv", type="day_care", replace="city").get_json()
        assert rep["counts"]["accepted"] == len(FORMULAS), rep
        assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
        wb = load_workbook(io.BytesIO(c.get("/api/facilities.xlsx?type=day_care").data))
        ws = wb.active
        cells = [cell for row in ws.iter_rows() for cell in row]
        names = [cl.value for cl in cells if isinstance(cl.value, str) and cl.value.lstrip("'").strip() in
                 {f.strip() for f in FORMULAS}]
        assert len(names) == len(FORMULAS)
        # stored as text marked with the quote prefix (an apostrophe in the cell showed in real values: QA 19)
        guarded = [cl for cl in cells if isinstance(cl.value, str) and cl.value.strip() in {f.strip() for f in FORMULAS}
                   and cl.value.startswith(("=", "+", "-", "@"))]
        assert guarded and all(cl.data_type == "s" and cl.quotePrefix for cl in guarded)
        assert not any(cl.data_type == "f" for cl in cells)  # openpyxl's mark of a formula cell
        lons = [cl.value for cl in cells if isinstance(cl.value, float) and 110 < cl.value < 111]
        assert len(lons) == len(FORMULAS)  # numbers stay numbers
        csv_out = c.get("/api/facilities.csv?type=day_care").data.decode("utf-8-sig")
        assert "'=HYPERLINK" in csv_out and "\n=" not in csv_out and ",=" not in csv_out
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_proposal_and_report_exports_neutralise_names(app, pid):
    c = app.test_client()
    store = app.extensions["coverplan"]["store"]
    old = store.get(pid)["name"]
    try:
        assert c.patch(f"/api/proposals/{pid}", json={"name": "=1+1 方案"}).status_code == 200
        ws = load_workbook(io.BytesIO(c.get(f"/api/proposals/{pid}.xlsx").data)).active
        title = ws.cell(row=1, column=1).value
        assert "=1+1 方案" in title and not title.startswith("=")
        negative = [cl.value for row in ws.iter_rows() for cl in row if isinstance(cl.value, (int, float))]
        assert negative  # numeric columns kept as numbers
    finally:
        c.patch(f"/api/proposals/{pid}", json={"name": old})
    rep = upload(c, "名称,类型,经度,纬度\n=cmd()|x,日间照料中心,abc,32.6\n".encode(), "bad.csv").get_json()
    ws = load_workbook(io.BytesIO(c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx").data)).active
    assert not any(isinstance(cl.value, str) and cl.value.startswith("=") for row in ws.iter_rows() for cl in row)


def test_cli_out_tables_neutralise_cells(tmp_path):
    import pandas as pd

    from cli.analysis import _write_table
    df = pd.DataFrame({"name": ["=HYPERLINK(1)", "城关", "-3+cmd"], "cost": [-1.5, 2.0, 3.0]})
    _write_table(df, str(tmp_path / "t.csv"))
    text = (tmp_path / "t.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'-3+cmd" in text and "-1.5" in text and "'-1.5" not in text
    _write_table(df, str(tmp_path / "t.xlsx"))
    ws = load_workbook(tmp_path / "t.xlsx").active
    # XLSX: the text as typed, in a text cell with the quote prefix (QA 19), never a formula
    assert ws["A2"].value == "=HYPERLINK(1)" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B2"].value == -1.5


# -- path traversal --------------------------------------------------------------------------------
TRAVERSALS = ["../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "%2e%2e/%2e%2e/pyproject.toml", "/etc/passwd", "%2Fetc%2Fpasswd", "app.css%00.png",
              "..\\..\\pyproject.toml", "%00", "....//....//etc/passwd"]
ROUTES = ["/static/vendor/leaflet/{x}", "/static/vendor/markercluster/{x}", "/static/{x}",
          "/api/data/uploads/{x}/report.csv", "/api/data/uploads/{x}/confirm", "/api/proposals/{x}",
          "/api/proposals/{x}.csv", "/api/proposals/{x}/layers", "/proposals/{x}", "/proposals/{x}/brief",
          "/proposals/{x}/export.html", "/map/{x}", "/map/{x}/export.html", "/api/coverage/{x}/layers",
          "/api/types/{x}", "/charts/coverage_by_county/{x}.svg", "/charts/proposals/{x}/costs.png",
          "/api/charts/proposals/{x}/costs", "/api/jobs/{x}", "/api/townships.{x}", "/api/facilities.{x}"]


def test_no_route_serves_a_file_outside_by_a_crafted_name(app):
    c = app.test_client()
    secret = open("/etc/passwd").read()[:30]
    project = open("pyproject.toml").read()[:40]
    for route in ROUTES:
        for x in TRAVERSALS:
            url = route.format(x=x)
            method = c.post if url.endswith("/confirm") else c.get
            r = method(url, follow_redirects=True)  # "//" is merged by a redirect: follow it to the end
            assert r.status_code in (400, 404, 405), (url, r.status_code)
            text = r.get_data(as_text=True)
            assert secret not in text and project not in text, url


# -- job limits ----------------------------------------------------------------------------------
def test_jobs_per_user_are_limited_429(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "MAX_JOBS_PER_USER": 1, "SOLVE_TIME_LIMIT": 5})

    @app.before_request
    def signed_in():  # what the accounts hook does: g.user with an id
        name = request.headers.get("X-Test-User")
        if name:
            import dataclasses

            from web.users import LOCAL
            g.user = dataclasses.replace(LOCAL, id=name, name=name)

    jobs = app.extensions["coverplan"]["jobs"]
    try:
        c = app.test_client()
        form = {"type": "day_care", "model": "lscp", "time_limit": 200}
        first = c.post("/api/proposals", json=form)
        assert first.status_code == 202
        assert first.get_json()["params"]["time_limit"] == 5  # the server's bound wins over the form's
        # (another proposal: the same one again while the first is queued is answered with its job, QA 35)
        body = error_body(c.post("/api/proposals", json={**form, "name": "another"}), 429)
        assert "每位用户最多 1 个" in body["message_zh"]
        # another address, and a signed-in user, each have their own share
        other = c.post("/api/proposals", json=form, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 202
        assert c.post("/api/proposals", json=form, headers={"X-Test-User": "7"}).status_code == 202
        assert c.post("/api/proposals", json={**form, "name": "another"}, headers={"X-Test-User": "7"}).status_code == 429
        queued = [j for j in c.get("/api/jobs").get_json() if j["state"] == "queued"]
        assert queued and max(j["ahead"] for j in queued) >= 1  # the UI's "queued, N ahead"
        assert "owner" not in c.get("/api/jobs").get_json()[0]  # who posted is not shown to others
    finally:
        for j in jobs.list():
            jobs.cancel(j.id)
        jobs.shutdown()


def test_a_job_past_the_wall_clock_limit_is_stopped():
    from web.jobs import JobRunner

    runner = JobRunner(workers=1)
    runner.wall_limit = 0.3

    def endless(progress, should_stop):
        while not should_stop():
            time.sleep(0.02)

    try:
        job = runner.wait(runner.submit("proposal", endless).id, timeout=10)
        assert job.state == "failed" and job.error["error"] == "TimeLimit"
        assert "时间上限" in job.error["message_zh"]
    finally:
        runner.shutdown()
