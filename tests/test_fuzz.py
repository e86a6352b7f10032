"""Property-based tests (hypothesis): no input makes an importer crash or the API answer 500.

Importers (geo.tables, geo.gisfiles, geo.archives, planner.register) get arbitrary bytes and
arbitrary tables: they either read them or raise the project's own error (CoverplanError, with
a message in both languages). Every API route gets arbitrary query strings and JSON bodies:
the answer is 2xx/3xx/4xx, JSON with a message for errors, never a 500 or a traceback.
Example counts are kept modest (the machine is shared); deadlines are off (first calls build
caches).
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import CoverplanError

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
SUFFIXES = [".csv", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".zip", ".gpkg", ".kml", ".kmz"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
cells = st.one_of(text, st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(str),
                  st.sampled_from(["名称", "经度", "纬度", "类型", "lon", "lat", "name", "日间照料中心", "110.8", "32.6",
                                   "=1+1", "", "NaN", "inf", "1e999", "420302001"]))


def _expect_own_error(fn):
    try:
        fn()
    except CoverplanError as exc:
        assert exc.message("zh") and exc.message("en")


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# -- importers ----------------------------------------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_read_table_on_arbitrary_bytes(work, data, suffix):
    from geo.tables import read_table
    path = work / f"f{suffix}"
    path.write_bytes(data)
    _expect_own_error(lambda: read_table(path))


@FUZZ
@given(data=st.binary(max_size=2000), kind=st.sampled_from(["geojson", "shapefile", "gpkg", "kml", "kmz"]))
def test_read_layer_on_arbitrary_bytes(work, data, kind):
    from geo.gisfiles import read_layer
    suffix = {"shapefile": ".zip"}.get(kind, "." + kind)
    path = work / f"layer{suffix}"
    path.write_bytes(data)
    _expect_own_error(lambda: read_layer(path, kind))


@FUZZ
@given(names=st.lists(st.one_of(text, st.sampled_from(["../x.shp", "/abs.shp", "a/../../b.dbf", "C:\\x.shp",
                                                         "x.shp", "x.dbf", "x.shx", "in.zip", "doc.kml"])),
                      min_size=1, max_size=8, unique=True),
       payload=st.binary(max_size=300))
def test_open_checked_on_arbitrary_members(work, names, payload):
    from geo.archives import open_checked
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            try:
                zf.writestr(n or "_", payload)
            except (ValueError, UnicodeEncodeError, IndexError):  # names zipfile itself cannot write ("\0")
                pass
    path = work / "a.zip"
    path.write_bytes(buf.getvalue())

    def check():
        with open_checked(path) as zf:
            for n in zf.namelist():  # whatever passed is inside the folder
                assert not n.startswith("/") and ".." not in Path(n.replace("\\", "/")).parts
    _expect_own_error(check)


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=8),
       header=st.lists(cells, min_size=1, max_size=6), encoding=st.sampled_from(["utf-8", "gbk", "utf-8-sig"]))
def test_validate_register_on_arbitrary_tables(work, shiyan, rows, header, encoding):
    import csv
    from planner.register import validate_register
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path = work / "register.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))

    def check():
        rep = validate_register(path, region=shiyan)
        json.dumps(rep.to_dict(), allow_nan=False, default=str)  # the report is standard JSON
    _expect_own_error(check)


# -- the API ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("fuzzweb") / "p.sqlite"), "TESTING": True,
                      "MAX_JOBS_PER_USER": 1000, "MAX_QUEUED_JOBS": 1000})
    yield app
    jobs = app.extensions["coverplan"]["jobs"]
    for j in jobs.list():
        jobs.cancel(j.id)
    jobs.shutdown()


GET_ROUTES = ["/api/search", "/api/coverage", "/api/coverage/day_care", "/api/coverage/day_care/layers",
              "/api/townships", "/api/townships.csv", "/api/targets", "/api/proposals", "/api/jobs",
              "/api/facilities", "/api/facilities.xlsx", "/api/data/versions", "/api/data/diff", "/api/types",
              "/api/region", "/", "/townships", "/facilities", "/plan", "/proposals", "/proposals/compare",
              "/map/day_care", "/data"]
PARAMS = ["q", "limit", "mode", "units", "type", "county", "status", "township", "proposals", "a", "b", "lang",
          "wait", "format"]
values = st.one_of(text, st.sampled_from(["", "0", "-1", "1e999", "nan", "inf", "420302", "420302001", "day_care",
                                          "network", "en", "zh", "met", "房县", "%00", "../x", "a" * 300]))


def _no_crash(resp):
    assert resp.status_code < 500, (resp.status_code, resp.data[:300])
    if resp.status_code >= 400 and resp.is_json:
        body = resp.get_json()
        assert body.get("message_zh") and body.get("message_en"), body
    assert b"Traceback" not in resp.data


@FUZZ
@given(route=st.sampled_from(GET_ROUTES), query=st.dictionaries(st.sampled_from(PARAMS), values, max_size=4))
def test_get_routes_never_500(app, route, query):
    _no_crash(app.test_client().get(route, query_string=query))


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                                     st.floats(allow_nan=False, allow_infinity=False), values),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(text, inner, max_size=3)), max_leaves=8)
BODY_KEYS = ["type", "model", "mode", "p", "standard", "standard_urban", "standard_rural", "time_limit", "name",
             "note", "action", "id", "lon", "lat", "version", "column_map"]


@FUZZ
@given(route=st.sampled_from([("post", "/api/proposals"), ("patch", "/api/proposals/nosuch"),
                              ("post", "/api/data/edits"), ("post", "/api/data/rollback"),
                              ("post", "/api/data/uploads/" + "0" * 32 + "/recheck"),
                              ("post", "/api/jobs/nosuch/cancel")]),
       body=st.one_of(st.dictionaries(st.sampled_from(BODY_KEYS), json_values, max_size=6), json_values))
def test_json_bodies_never_500(app, route, body):
    method, url = route
    if url == "/api/proposals" and isinstance(body, dict):
        body = {**body, "time_limit": 1}  # a body that does start a solve keeps it short
    _no_crash(getattr(app.test_client(), method)(url, json=body))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_raw_bodies_never_500(app, raw):
    c = app.test_client()
    for url in ("/api/proposals", "/api/data/edits", "/api/data/rollback"):
        _no_crash(c.post(url, data=raw, content_type="application/json"))
    _no_crash(c.post("/api/data/uploads", data=raw, content_type="multipart/form-data; boundary=x"))
