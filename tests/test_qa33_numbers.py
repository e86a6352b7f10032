"""QA 33 (fixer F6): version numbers, a facilities offset and an OSM file's refusal, said as they should be.

1. ``GET /api/data/diff?a=<5,000 ones>`` and ``POST /api/data/rollback {"version": "<5,000 nines>"}`` were a 500:
   int() refuses more than 4,300 digits. They are a 400 quoting the value cut short, as the JSON number was.
2. A version number that cannot be one was said three ways: 1e308 (a JSON number) a 404 naming "1e+308" with a
   309-digit ``details.id``, "1e300" a 404, "1e4000" a 400. Now anything not whole or beyond any version there could
   be (past 2**63) is a 400 quoting it as typed (cut), saying why and listing the versions; a plausible whole number
   that names no version stays a 404. No answer's details carry a huge integer.
3. ``/api/facilities?offset=10^23`` was an empty page: an offset past 100,000,000 is the 400 /api/admin/audit gives.
4. A .osm file osmium cannot read was refused in Chinese with osmium's English sentence inside the message: the
   Chinese says what is wrong and how to get a readable file, osmium's words only after it, marked 技术细节（英文）.
"""
from __future__ import annotations

import io
import re

import pytest

from accounts import accounts_app, signed_in
from web.app import create_app

LONG_ONES, LONG_NINES = "1" * 5000, "9" * 5000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa33f6") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def c(app):
    return app.test_client()


def refusal(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.data[:300])
    body = r.get_json()
    assert body["message_en"] and body["message_zh"], body
    return body


def no_huge_integer(value) -> None:
    """Nothing in ``value`` (an answer's details) is an integer past SQLite's, nor text of hundreds of digits."""
    if isinstance(value, dict):
        for v in value.values():
            no_huge_integer(v)
    elif isinstance(value, list):
        for v in value:
            no_huge_integer(v)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert -2**63 <= value < 2**63, value
    elif isinstance(value, str):
        assert len(value) <= 60, value[:80]


# -- 1. thousands of digits: a 400, not a 500 -------------------------------------------------------------------------
@pytest.mark.parametrize("query", [f"a={LONG_ONES}&b=0", f"a=0&b={LONG_ONES}", f"a=-{LONG_ONES}&b=0"])
def test_a_diff_version_of_5000_digits_is_a_400_quoting_it_cut(c, query):
    name = "b" if query.startswith("a=0&") else "a"
    for lang in ("en", "zh"):
        body = refusal(c.get(f"/api/data/diff?{query}&lang={lang}"), 400)
        en, zh = body["message_en"], body["message_zh"]
        assert en.startswith(f'Bad parameter {name}="{"-" if "-1" in query else ""}1111111111'), en[:120]
        assert "…" in en and len(en) < 400 and len(zh) < 400, (len(en), len(zh))
        assert "far beyond any data version number" in en and "远超任何数据版本号" in zh, (en, zh)
        assert "Exceeds the limit" not in en + zh
        assert body["details"]["parameter"] == name
        no_huge_integer(body["details"])


def test_a_rollback_to_a_version_of_5000_digits_is_a_400_for_an_admin(tmp_path):
    app = accounts_app(tmp_path, (("boss", "admin", None),))
    try:
        boss = signed_in(app, "boss")
        for sent in (LONG_NINES, int("9" * 300)):  # as text, and a JSON integer of 300 digits
            body = refusal(boss.post("/api/data/rollback?lang=en", json={"version": sent}), 400)
            assert body["message_en"].startswith("Bad parameter version=") and "9999999999…" in body["message_en"]
            assert "far beyond any data version number" in body["message_en"]
            assert "nothing to roll back to" in body["message_en"]  # the versions there are: v0 only
            assert "9" * 60 not in body["message_en"] + body["message_zh"]
            no_huge_integer(body["details"])
        assert app.extensions["coverplan"]["datasets"].current().version == 0  # nothing rolled back
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 2. one rule: not a version number is a 400 as typed, a number that names none a 404 -------------------------------
#: (a rollback's version as sent, what its message quotes, why)
NOT_VERSIONS = [(1e308, "version=1e308", "far"), ("1e308", 'version="1e308"', "far"),
                ("1e300", 'version="1e300"', "far"), ("1e4000", 'version="1e4000"', "far"),
                (10**30, "version=1000000000000000000000000000000", "far"),
                (2**63, f"version={2**63}", "far"), (-1e300, "version=-1e300", "far"), ("inf", 'version="inf"', "far"),
                (2.5, "version=2.5", "whole"), ("2.5", 'version="2.5"', "whole"), ("1e-3", 'version="1e-3"', "whole")]


@pytest.mark.parametrize("sent,quoted,why", NOT_VERSIONS)
def test_a_version_that_cannot_be_one_is_a_400_quoting_it_as_typed(c, sent, quoted, why):
    body = refusal(c.post("/api/data/rollback?lang=en", json={"version": sent}), 400)
    en, zh = body["message_en"], body["message_zh"]
    assert en.startswith(f"Bad parameter {quoted}: expected a data version number. "), en
    assert zh.startswith(f"参数 {quoted} 无效：应为数据版本号。"), zh
    assert "e+" not in en and "0" * 40 not in en, en  # 1e308 as typed, not 1e+308 nor 309 digits
    if why == "far":
        assert "That is far beyond any data version number." in en and "该数值远超任何数据版本号。" in zh
    else:
        assert "That is not a whole number." in en and "该数值不是整数。" in zh
    no_huge_integer(body["details"])
    # the diff reads a typed number by the same rule
    if isinstance(sent, str):
        from urllib.parse import quote

        d = refusal(c.get(f"/api/data/diff?a={quote(sent)}&b=0&lang=en"), 400)
        assert d["message_en"].startswith(f'Bad parameter a="{sent}": expected a data version number.'), d
        no_huge_integer(d["details"])


@pytest.mark.parametrize("sent,said", [(1e3, "1000"), ("1e3", "1000"), (7, "7"), ("7", "7"), (-1, "-1"),
                                       (1e18, "1000000000000000000"), (2**63 - 1, str(2**63 - 1))])
def test_a_whole_number_that_names_no_version_is_a_404(c, sent, said):
    body = refusal(c.post("/api/data/rollback?lang=en", json={"version": sent}), 404)
    assert body["message_en"] == f"Data version “{said}” not found.", body
    assert body["details"]["id"] == int(said)
    r = c.get("/api/data/diff", query_string={"a": 0, "b": str(sent), "lang": "en"})  # 1e+18: "+" quoted
    assert r.status_code == 404 and r.get_json()["details"]["id"] == int(said), r.get_json()


def test_a_versions_that_exist_are_still_read_however_written(c):
    for q in ("a=0&b=0", "a=0e3&b=0.", "a=0000000000000000000000000&b=+0", "a=０&b=0"):
        assert c.get(f"/api/data/diff?{q}").status_code == 200, q


def test_an_edits_base_beyond_any_version_is_said_as_typed(c):
    for base, quoted in ((1e308, "base=1e308"), (10**40, "base=" + "1" + "0" * 39 + "…")):
        body = refusal(c.post("/api/data/edits?lang=en", json={"action": "remove", "type": "cemetery", "id": "x",
                                                               "base": base}), 400)
        assert body["message_en"].startswith(f"Bad parameter {quoted}: expected the data version the page showed"), \
            body["message_en"]
        no_huge_integer(body["details"])


# -- 3. a facilities offset past 100,000,000 is the audit's 400 -------------------------------------------------------
@pytest.mark.parametrize("offset", ["100000000000000000000000", "100000001", "1e30"])
def test_a_facilities_offset_out_of_range_is_the_400_the_audit_gives(c, offset):
    for lang in ("en", "zh"):
        fac = refusal(c.get(f"/api/facilities?offset={offset}&limit=1&lang={lang}"), 400)
        audit = refusal(c.get(f"/api/admin/audit?offset={offset}&limit=1&lang={lang}"), 400)
        assert fac["message"] == audit["message"], (fac["message"], audit["message"])
        assert fac["details"]["parameter"] == "offset"
        assert ("at most 100,000,000" if lang == "en" else "不超过 100,000,000") in fac["message"], fac["message"]


def test_a_facilities_offset_up_to_the_cap_is_a_page(c):
    body = c.get("/api/facilities?offset=100000000&limit=1").get_json()
    assert body["rows"] == [] and body["offset"] == 100_000_000 and body["next_offset"] is None
    assert c.get("/api/facilities?offset=3&limit=2").get_json()["offset"] == 3


# -- 4. an OSM file osmium cannot read: Chinese says what is wrong in Chinese ---------------------------------------
#: (file name, content, what the Chinese says is wrong)
BAD_OSM = [("r.osm", b'<?xml version="1.0"?>\n<osm generator="x"><node id="1" lat="32.6" lon="110.8"/></osm>',
            "缺少 version 属性"),
           ("r.osm", b'<?xml version="1.0"?>\n<osm version="0.6"><node id="1" lat="32.6" lon="110.8"/><way id="2">',
            "第 2 行提前结束"),
           ("r.osm", b"\n", "文件是空的"),
           ("r.osm", b"name,lon,lat\nA,110.8,32.6\n", "文件开头就不是 XML"),
           ("r.osm", b'<?xml version="1.0"?>\n<gpx version="1.1"></gpx>', "根元素是 <gpx>"),
           ("r.osm", b'<?xml version="1.0"?>\n<osm version="0.5"></osm>', "版本为 0.5"),
           ("r.osm.pbf", b"\x00\x01\x02 not a pbf", "不是有效的 .osm.pbf 数据")]
#: Latin words the Chinese may use before its technical detail: the file, the format, the programs to export with.
ALLOWED = {"r", "osm", "pbf", "OSM", "XML", "xml", "version", "openstreetmap", "org", "JOSM", "Geofabrik", "gpx", "PBF"}


@pytest.mark.parametrize("name,content,said", BAD_OSM)
def test_an_unreadable_osm_file_is_refused_in_chinese_with_the_readers_words_marked(tmp_path, name, content, said):
    from geo.errors import InputDataError
    from geo.osmfile import extract_roads

    src = tmp_path / name
    src.write_bytes(content)
    with pytest.raises(InputDataError) as exc:
        extract_roads(src, tmp_path / "out.osm")
    zh, en, why = exc.value.message("zh"), exc.value.message("en"), exc.value.details["reader"]
    assert zh.startswith(f"无法读取OSM文件 {name}："), zh
    assert said in zh, zh
    main, _, detail = zh.partition("技术细节（英文）：")
    assert detail == f"{why}。" and why, zh  # the reader's words, only at the end, marked as such
    assert set(re.findall(r"[A-Za-z]+", main)) <= ALLOWED, set(re.findall(r"[A-Za-z]+", main)) - ALLOWED
    assert "JOSM" in main and "导出" in main  # how to get a readable file
    assert en.startswith(f"Cannot read {name} as OpenStreetMap data: {why}."), en  # English keeps the reader's words
    assert "JOSM" in en and "技术" not in en


def test_a_network_upload_without_a_version_attribute_fails_in_chinese(app, c):
    content = b'<?xml version="1.0"?>\n<osm generator="x"><node id="1" lat="32.6" lon="110.8"/></osm>'
    r = c.post("/api/data/uploads?lang=zh", data={"kind": "network", "file": (io.BytesIO(content), "r.osm")},
               content_type="multipart/form-data")
    assert r.status_code == 202, r.get_json()
    job = app.extensions["coverplan"]["jobs"].wait(r.get_json()["id"], 60)
    assert job.state == "failed"
    zh, en = job.error["message_zh"], job.error["message_en"]
    assert zh.startswith("无法读取OSM文件 r.osm：文件的根元素 <osm> 缺少 version 属性"), zh
    assert "（读取程序报告：" not in zh and zh.index("Can not read") > zh.index("技术细节（英文）："), zh
    assert "Can not read file without version" in en, en
    assert app.extensions["coverplan"]["datasets"].current().version == 0


def test_an_unreadable_road_graph_is_refused_in_chinese(tmp_path):
    from geo.errors import NetworkError
    from geo.network import load_graphml

    (tmp_path / "g.graphml").write_text("not a graph", "utf-8")
    with pytest.raises(NetworkError) as exc:
        load_graphml(tmp_path / "g.graphml")
    zh = exc.value.message("zh")
    main, _, detail = zh.partition("技术细节（英文）：")
    assert "不是 coverplan（osmnx）保存的 GraphML 路网文件" in main and detail, zh
    assert exc.value.details["reader"] in exc.value.message("en")
