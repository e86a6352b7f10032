"""QA 31 (fixer F2): a refused row keeps the facility it lists; a county planner's refused file replaces nothing.

1. Confirming a register whose rows for two saved facilities were refused for a typo (乡镇代码 420325999, a
   longitude NaN) deleted those facilities: the version held 6 of 房县's 8 welfare homes, and the report said only
   that the county's facilities "not in the file" would leave. A refused row that stands for a current facility
   (its id, else the id the register would give it: same type, county and name) now keeps that facility as it is,
   with its own source and data version, in the browser's confirm and in ``coverplan data import --partial``
   alike; the report (page, API, download) names them. A refused row that stands for none is not imported.
2. A county planner's file with rows outside his county said "this file's 0 welfare homes replace the 13 now in
   房县" beside "the confirm will be refused": a file refused as a whole says only why.
"""
from __future__ import annotations

import io
import json

import pytest

from test_f9_report import xlsx_summary
from test_qa21_cli import run
from test_qa27_provenance import upload
from web.app import create_app

FANG, ZHUSHAN = "420325", "420323"


@pytest.fixture()
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path / "var"


def homes(region, county: str = FANG, n: int = 8) -> list:
    v = region.villages
    return list(v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == county)].iloc[:n].itertuples())


def register(region, bad: dict | None = None, moved: bool = False, extra: str = "", county: str = FANG) -> bytes:
    """房县's eight welfare homes (名称, 乡镇代码, 经度, 纬度). ``bad``: {row index: "code" (乡镇代码 420325999),
    "lon" (经度 NaN) or "both" (420325999 and 经度 inf)}; ``moved``: the first one 100 m east; ``extra``: a ninth
    home of that name whose 乡镇代码 is wrong too (a new facility refused)."""
    bad = bad or {}
    rows = ["名称,乡镇代码,经度,纬度"]
    pts = homes(region, county)
    for i, p in enumerate(pts):
        code = "420325999" if bad.get(i) in ("code", "both") else p.township_code
        lon = {"lon": "NaN", "both": "inf"}.get(bad.get(i), f"{p.geometry.x + (0.001 if moved and i == 0 else 0):.6f}")
        rows.append(f"房县{i}号福利院,{code},{lon},{p.geometry.y:.6f}")
    if extra:
        rows.append(f"{extra},420325999,{pts[-1].geometry.x + 0.002:.6f},{pts[-1].geometry.y:.6f}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def post(c, body: bytes, name: str, lang: str):
    r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home", "file": (io.BytesIO(body), name)})
    assert r.status_code == 200, r.data[:400]
    return r.get_json()


def fang_homes(c) -> dict:
    rows = c.get("/api/facilities?type=welfare_home&lang=en").get_json()["rows"]
    return {r["name"]: r["source"] for r in rows if r["name"].startswith("房县")}


KEPT = {"zh": "被拒绝的行所对应的 3 处现有设施将按现状保留：房县2号福利院（第 4 行）、房县5号福利院（第 7 行）、房县6号福利院（第 8 行）。",
        "en": "3 facilities whose rows were refused are kept as they are now: 房县2号福利院 (row 4), 房县5号福利院 (row 7), "
              "房县6号福利院 (row 8)."}


def test_a_confirm_keeps_the_facilities_whose_rows_were_refused(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    first = upload(c, register(region), "v1.csv", type="welfare_home").get_json()
    assert first["counts"]["accepted"] == 8
    assert c.post(f"/api/data/uploads/{first['upload_id']}/confirm").get_json()["version"] == 1
    body = register(region, {2: "code", 5: "lon", 6: "both"}, moved=True, extra="房县新建福利院")
    for lang in ("en", "zh"):  # the zh upload is the one confirmed
        rep = post(c, body, "v2.csv", lang)
        assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (5, 4), rep["counts"]
        text = rep["replaces"]["text"]
        # named, and not counted among those replaced: 5 replace the 5 others now in 房县
        assert KEPT[lang] in text, text
        assert ("以 5 处替换该县区现有的 5 处" if lang == "zh" else "replace the 5 now in that county") in text, text
        assert [k["name"] for k in rep["replaces"]["refused_kept"]] == ["房县2号福利院", "房县5号福利院", "房县6号福利院"]
        assert "房县新建福利院" not in text  # a refused row standing for no facility: not imported, as before
    for lang in ("zh", "en"):  # the report's download says it too, in the language asked
        said = dict(xlsx_summary(c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}").data,
                                 "校验报告" if lang == "zh" else "Validation report")[0])
        assert KEPT[lang] in said["确认导入将替换" if lang == "zh" else "Confirming replaces"], said
    done = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert done.status_code == 200, done.data[:400]
    assert done.get_json()["version"] == 2
    assert [k["row"] for k in done.get_json()["refused_kept"]] == [4, 7, 8]
    # said after the confirm too, in the past (the page shows it beside the new version: its report is closed)
    assert done.get_json()["refused_kept_text"].startswith(
        "3 facilities whose rows were refused were kept as they were: 房县2号福利院 (row 4)"), done.get_json()
    now = fang_homes(c)
    assert sorted(now) == [f"房县{i}号福利院" for i in range(8)], sorted(now)  # 8, not 5; the new one not imported
    for i in range(8):  # the kept ones with their own file and version, not the new file's
        want = "v1.csv, data version 1" if i in (2, 5, 6) else "v2.csv, data version 2"
        assert want in now[f"房县{i}号福利院"], (i, now[f"房县{i}号福利院"])


def test_the_command_line_partial_import_keeps_them_too(var, tmp_path, capsys, shiyan):
    from geo.datasets import default_db_path

    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_bytes(register(shiyan))
    v2.write_bytes(register(shiyan, {2: "code", 5: "lon", 6: "both"}, moved=True, extra="房县新建福利院"))
    code, _, err = run(capsys, "data", "import", "facilities", str(v1), "--type", "welfare_home")
    assert code == 0, err
    code, out, _ = run(capsys, "--lang", "en", "data", "import", "facilities", str(v2), "--type", "welfare_home",
                       "--dry-run")
    assert code == 0 and KEPT["en"] in out, out
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(v2), "--type", "welfare_home",
                         "--partial", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["version"] == 2 and KEPT["zh"] in got["scope_text"], got["scope_text"]
    assert [k["row"] for k in got["scope"][0]["refused_kept"]] == [4, 7, 8]
    app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})
    try:
        now = fang_homes(app.test_client())
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert sorted(now) == [f"房县{i}号福利院" for i in range(8)], sorted(now)
    for i in range(8):
        want = "v1.csv, data version 1" if i in (2, 5, 6) else "v2.csv, data version 2"
        assert want in now[f"房县{i}号福利院"], (i, now[f"房县{i}号福利院"])


@pytest.mark.parametrize("mixed", [False, True], ids=["all-outside", "one-row-in-his-county"])
def test_a_county_planners_file_refused_as_a_whole_says_no_replace(tmp_path, shiyan, mixed):
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, (("fang", "planner", FANG),))
    try:
        c = signed_in(app, "fang")
        pts = homes(shiyan, ZHUSHAN, 3)
        body = "名称,经度,纬度\n" + "".join(f"竹山{i}号福利院,{p.geometry.x:.6f},{p.geometry.y:.6f}\n"
                                         for i, p in enumerate(pts))
        if mixed:
            p = homes(shiyan, FANG, 1)[0]
            body += f"房县一号福利院,{p.geometry.x:.6f},{p.geometry.y:.6f}\n"
        for lang in ("zh", "en"):
            rep = post(c, body.encode("utf-8"), "竹山.csv", lang)
            assert rep["blocked"] and rep["counts"]["outside_county"] == 3
            text = rep["replaces"]["text"]
            if lang == "zh":
                assert "替换" not in text and "确认后" not in text and "有 3 行不在您可修改的 房县" in text, text
            else:
                assert "replace" not in text and "On confirm" not in text and "3 rows lie outside" in text, text
            said = dict(xlsx_summary(c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}").data,
                                     "校验报告" if lang == "zh" else "Validation report")[0])
            shown = " ".join(str(v) for v in said.values())
            assert ("现有的" not in shown and "回退" not in shown) if lang == "zh" else \
                ("now in the register" not in shown and "rollback" not in shown.lower()), said
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- fixer QA31-FB: which facility a refused row stands for -------------------------------------------------------
# 1. a row whose type cell is mistyped (unknown_type) was skipped, and a row whose own id is unknown (a first import
#    with 统一社会信用代码 over made ids) matched no facility: both facilities were removed on confirm;
# 2. a row of no known county kept the region's only namesake in any county (replace=city kept another county's);
#    a refused row 40 km away kept the namesake the file meant to drop; a row refused for a NaN point kept a second
#    copy of a facility the file lists under a new id;
# 3. the confirm's refused_kept named facilities of other counties, carried over anyway, that the report never named.

def csv_of(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def line(name: str, p, code=None, lon=None, dx: float = 0.0, **cells) -> str:
    """A row 名称,乡镇代码,经度,纬度 at village ``p`` (``dx`` degrees east); ``code``/``lon`` replace those cells."""
    head = [cells[k] for k in ("id", "type") if k in cells]
    return ",".join([*head, name, p.township_code if code is None else code,
                     f"{p.geometry.x + dx:.6f}" if lon is None else lon, f"{p.geometry.y:.6f}"])


def check(c, body: bytes, name: str, lang: str = "zh", **form) -> dict:
    r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(body), name)})
    assert r.status_code == 200, r.data[:400]
    return r.get_json()


def confirmed(c, rep: dict) -> dict:
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:600]
    return r.get_json()


def planner_rows(c, kind: str = "welfare_home") -> list[dict]:
    """The planner-supplied facilities of ``kind`` now in the register (the sample ones left out)."""
    rows = c.get(f"/api/facilities?type={kind}&lang=en").get_json()["rows"]
    return [r for r in rows if not r["synthetic"]]


def assert_register(c, want: dict, kind: str = "welfare_home", ids: dict | None = None) -> None:
    """The register's planner rows of ``kind`` are exactly ``want`` (name -> the file and version it came in), each
    once: nothing a refused row names lost, nothing twice, nothing of another county kept; ``ids``: name -> id."""
    rows = planner_rows(c, kind)
    assert sorted(r["name"] for r in rows) == sorted(want), sorted(r["name"] for r in rows)
    for r in rows:
        assert want[r["name"]] in r["source"], (r["name"], r["source"])
        if ids and r["name"] in ids:
            assert r["id"] == ids[r["name"]], (r["name"], r["id"])


V1, V2 = "v1.csv, data version 1", "v2.csv, data version 2"
CODE_HEAD = "名称,乡镇代码,经度,纬度"


def kept_text(items: list[tuple[str, int]], lang: str) -> str:
    n = len(items)
    if lang == "zh":
        return f"被拒绝的行所对应的 {n} 处现有设施将按现状保留：" + "、".join(f"{a}（第 {r} 行）" for a, r in items) + "。"
    return (f"{n} {'facility' if n == 1 else 'facilities'} whose {'row was' if n == 1 else 'rows were'} refused "
            f"{'is' if n == 1 else 'are'} kept as {'it is' if n == 1 else 'they are'} now: "
            + ", ".join(f"{a} (row {r})" for a, r in items) + ".")


def test_a_row_with_a_mistyped_type_keeps_its_facility(app):
    """A two-type register (类型 column): the welfare home whose 类型 cell is mistyped (unknown_type) was removed."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    pts = homes(region)
    kinds = ["welfare_home"] * 4 + ["day_care"] * 2
    names = [f"房县{i}号福利院" if k == "welfare_home" else f"房县{i}号日照中心" for i, k in enumerate(kinds)]
    head = "类型," + CODE_HEAD
    assert confirmed(c, check(c, csv_of(head, [line(n, pts[i], type=k) for i, (n, k) in enumerate(zip(names, kinds))]),
                              "v1.csv"))["version"] == 1
    before = {r["name"]: r["id"] for r in planner_rows(c)}
    rows = [line(n, pts[i], type="福利阮" if i == 2 else k, dx=0.001 if i == 0 else 0.0)
            for i, (n, k) in enumerate(zip(names, kinds))]
    for lang in ("en", "zh"):  # the zh check is the one confirmed
        rep = check(c, csv_of(head, rows), "v2.csv", lang)
        assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (5, 1), rep["counts"]
        assert kept_text([("房县2号福利院", 4)], lang) in rep["replaces"]["text"], rep["replaces"]["text"]
        assert [k["id"] for k in rep["replaces"]["refused_kept"]] == [before["房县2号福利院"]]
    done = confirmed(c, rep)
    assert [(k["name"], k["row"]) for k in done["refused_kept"]] == [("房县2号福利院", 4)]
    assert_register(c, {n: V1 if i == 2 else V2 for i, n in enumerate(names[:4])},
                    ids={"房县2号福利院": before["房县2号福利院"]})
    assert_register(c, {n: V2 for n in names[4:]}, kind="day_care")


def uscc(i: int) -> str:
    return f"1242032500000000{i:02d}"


def test_a_row_whose_own_id_is_new_keeps_its_facility_by_name(app):
    """A first import with 统一社会信用代码 over the made ids: the row refused for its 乡镇代码 matched "that id, or
    none", and its facility was removed."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    pts = homes(region)
    assert confirmed(c, check(c, register(region), "v1.csv", type="welfare_home"))["version"] == 1
    before = {r["name"]: r["id"] for r in planner_rows(c)}
    rows = [line(f"房县{i}号福利院", p, id=uscc(i), code="420325999" if i == 3 else None) for i, p in enumerate(pts)]
    for lang in ("en", "zh"):
        rep = check(c, csv_of("统一社会信用代码," + CODE_HEAD, rows), "v2.csv", lang, type="welfare_home")
        assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (7, 1), rep["counts"]
        assert kept_text([("房县3号福利院", 5)], lang) in rep["replaces"]["text"], rep["replaces"]["text"]
    done = confirmed(c, rep)
    assert [k["id"] for k in done["refused_kept"]] == [before["房县3号福利院"]]
    assert_register(c, {f"房县{i}号福利院": V1 if i == 3 else V2 for i in range(8)},
                    ids={f"房县{i}号福利院": before[f"房县{i}号福利院"] if i == 3 else uscc(i) for i in range(8)})


def test_a_nan_row_repeating_a_row_listed_under_a_new_id_keeps_no_second_copy(app):
    """The file lists 房县3号福利院 under its 统一社会信用代码, and again (no id) with a NaN longitude: the refused
    copy kept the old facility beside the new row, twice in the register."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    pts = homes(region)
    assert confirmed(c, check(c, register(region), "v1.csv", type="welfare_home"))["version"] == 1
    rows = [line(f"房县{i}号福利院", p, id=uscc(i)) for i, p in enumerate(pts)]
    rows.append(line("房县3号福利院", pts[3], id="", lon="NaN"))
    rep = check(c, csv_of("统一社会信用代码," + CODE_HEAD, rows), "v2.csv", type="welfare_home")
    assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (8, 1), rep["counts"]
    assert not rep["replaces"]["refused_kept"] and "按现状保留" not in rep["replaces"]["text"], rep["replaces"]["text"]
    done = confirmed(c, rep)
    assert "refused_kept" not in done, done["refused_kept"]
    assert_register(c, {f"房县{i}号福利院": V2 for i in range(8)}, ids={f"房县{i}号福利院": uscc(i) for i in range(8)})


def test_a_row_of_no_known_county_keeps_no_other_countys_namesake(app):
    """replace=city: a refused row with neither code nor point kept the region's only namesake wherever it lay
    (竹山县's, which the file replacing the whole city drops); one of the file's county is still kept."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    fang, zhu = homes(region, FANG, 3), homes(region, ZHUSHAN, 2)
    v1 = [line(f"房县{i}号福利院", p) for i, p in enumerate(fang)] + [line(f"竹山{i}号福利院", p) for i, p in enumerate(zhu)]
    assert confirmed(c, check(c, csv_of(CODE_HEAD, v1), "v1.csv", type="welfare_home"))["version"] == 1
    rows = [line("房县0号福利院", fang[0], dx=0.001), line("房县1号福利院", fang[1]),
            line("房县2号福利院", fang[2], code="", lon="NaN"), line("竹山1号福利院", zhu[1], code="", lon="NaN")]
    for lang in ("en", "zh"):
        rep = check(c, csv_of(CODE_HEAD, rows), "v2.csv", lang, type="welfare_home", replace="city")
        assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (2, 2), rep["counts"]
        assert kept_text([("房县2号福利院", 4)], lang) in rep["replaces"]["text"], rep["replaces"]["text"]
        assert [k["name"] for k in rep["replaces"]["refused_kept"]] == ["房县2号福利院"]
    done = confirmed(c, rep)
    assert [k["name"] for k in done["refused_kept"]] == ["房县2号福利院"]
    assert_register(c, {"房县0号福利院": V2, "房县1号福利院": V2, "房县2号福利院": V1})


def far_village(region, p, county: str = FANG, km=(20, 60)):
    """A village of ``county`` between ``km`` from village ``p``."""
    from geo.crs import lonlat_to_metric

    v = region.villages
    v = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == county)]
    x, y = lonlat_to_metric(v.geometry.x.to_numpy(), v.geometry.y.to_numpy())
    px, py = lonlat_to_metric([p.geometry.x], [p.geometry.y])
    d = ((x - px[0]) ** 2 + (y - py[0]) ** 2) ** 0.5 / 1000
    return next(r for r, km_ in zip(v.itertuples(), d) if km[0] < km_ < km[1])


def test_a_refused_row_far_from_its_namesake_keeps_it_not(app):
    """A refused row 20-60 km from the current namesake stands for no facility (the file drops the old one); one
    about 1 km from its facility still keeps it."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    pts = homes(region)
    assert confirmed(c, check(c, register(region), "v1.csv", type="welfare_home"))["version"] == 1
    far = far_village(region, pts[7])
    rows = [line(f"房县{i}号福利院", p, dx=0.001 if i == 0 else 0.0) for i, p in enumerate(pts[:6])]
    rows += [line("房县6号福利院", pts[6], code="420325999", dx=0.01), line("房县7号福利院", far, code="420325999")]
    for lang in ("en", "zh"):
        rep = check(c, csv_of(CODE_HEAD, rows), "v2.csv", lang, type="welfare_home")
        assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (6, 2), rep["counts"]
        assert kept_text([("房县6号福利院", 8)], lang) in rep["replaces"]["text"], rep["replaces"]["text"]
    assert [k["name"] for k in confirmed(c, rep)["refused_kept"]] == ["房县6号福利院"]
    assert_register(c, {f"房县{i}号福利院": V1 if i == 6 else V2 for i in range(7)})


@pytest.mark.parametrize("who", ["citywide", "county-planner"])
def test_the_confirm_names_the_refused_rows_facilities_the_report_named(tmp_path, who):
    """A refused row in 竹山县 of a 房县 file: its facility is carried over anyway (not replaced), so the report names
    it not; the confirm listed it (it filtered on every committed id)."""
    from accounts import accounts_app, signed_in

    if who == "citywide":
        app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
        city = planner = app.test_client()
    else:
        app = accounts_app(tmp_path, (("city", "planner", None), ("fang", "planner", FANG)))
        city, planner = signed_in(app, "city"), signed_in(app, "fang")
    try:
        region = app.extensions["coverplan"]["service"].region
        fang, zhu = homes(region, FANG, 3), homes(region, ZHUSHAN, 2)
        v1 = [line(f"房县{i}号福利院", p) for i, p in enumerate(fang)] + [line(f"竹山{i}号福利院", p)
                                                                    for i, p in enumerate(zhu)]
        assert confirmed(city, check(city, csv_of(CODE_HEAD, v1), "v1.csv", type="welfare_home"))["version"] == 1
        rows = [line("房县0号福利院", fang[0], dx=0.001), line("房县1号福利院", fang[1]),
                line("房县2号福利院", fang[2], code="420325999"), line("竹山0号福利院", zhu[0], code="420323999")]
        for lang in ("en", "zh"):
            rep = check(planner, csv_of(CODE_HEAD, rows), "v2.csv", lang, type="welfare_home")
            assert not rep["blocked"] and rep["counts"]["refused"] == 2, rep["counts"]
            assert kept_text([("房县2号福利院", 4)], lang) in rep["replaces"]["text"], rep["replaces"]["text"]
            assert [k["name"] for k in rep["replaces"]["refused_kept"]] == ["房县2号福利院"]
        done = confirmed(planner, rep)
        assert done["refused_kept"] == rep["replaces"]["refused_kept"], done["refused_kept"]
        assert_register(planner, {"房县0号福利院": V2, "房县1号福利院": V2, "房县2号福利院": V1,
                                  "竹山0号福利院": V1, "竹山1号福利院": V1})
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_refused_namesake_beside_an_accepted_one_of_its_county_keeps_its_own(app):
    """Two 幸福院 of 房县: the accepted one takes its facility, the one refused for its code keeps the other (an
    accepted row of the same county and name skips a refused row only where it lists a facility under a new id)."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    pts = homes(region)
    v1 = [line("幸福院", pts[0]), line("幸福院", pts[5]), line("房县1号福利院", pts[1])]
    assert confirmed(c, check(c, csv_of(CODE_HEAD, v1), "v1.csv", type="welfare_home"))["version"] == 1
    before = {(r["lon"], r["lat"]): r["id"] for r in planner_rows(c) if r["name"] == "幸福院"}
    assert len(before) == 2
    rows = [line("幸福院", pts[0]), line("幸福院", pts[5], code="420325999"), line("房县1号福利院", pts[1], dx=0.001)]
    rep = check(c, csv_of(CODE_HEAD, rows), "v2.csv", type="welfare_home")
    assert kept_text([("幸福院", 3)], "zh") in rep["replaces"]["text"], rep["replaces"]["text"]
    confirmed(c, rep)
    rows = planner_rows(c)
    assert sorted(r["name"] for r in rows) == ["幸福院", "幸福院", "房县1号福利院"]
    assert sorted(r["id"] for r in rows if r["name"] == "幸福院") == sorted(before.values())
    kept = min((r for r in rows if r["name"] == "幸福院"),
               key=lambda r: abs(r["lon"] - pts[5].geometry.x) + abs(r["lat"] - pts[5].geometry.y))
    assert V1 in kept["source"], kept  # the refused row's: as it was, with its own file and version
    assert all(V2 in r["source"] for r in rows if r is not kept), rows


def test_a_refused_row_without_a_point_keeps_no_namesake_of_several(app):
    """Review 2: three 幸福院 of 房县; v2 lists the first, the second with longitude NaN, and drops the third. With no
    point every namesake was as near as the next, so id order chose, and the third (dropped) was kept while the
    second (listed) went: with several namesakes and no point, none is kept."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    pts = homes(region)
    v1 = [line("幸福院", pts[0]), line("幸福院", pts[3]), line("幸福院", pts[5])]
    assert confirmed(c, check(c, csv_of(CODE_HEAD, v1), "v1.csv", type="welfare_home"))["version"] == 1
    rows = [line("幸福院", pts[0]), line("幸福院", pts[3], lon="NaN")]
    rep = check(c, csv_of(CODE_HEAD, rows), "v2.csv", type="welfare_home")
    assert not rep["replaces"]["types"][0].get("refused_kept"), rep["replaces"]
    confirmed(c, rep)
    now = [r for r in planner_rows(c) if r["name"] == "幸福院"]
    assert len(now) == 1 and abs(now[0]["lon"] - pts[0].geometry.x) < 1e-5, now  # not pts[5]'s, kept by id order
