"""QA 33 (fixer F15): a day-care register whose only capacity column is 床位数.

1. The mapping card showed 容量（床位等）= 床位数 and its recheck sent nothing for it (only a change was sent): every
   centre came in with its capacity unknown. The card now offers the column as read (床位数 as beds) apart from the
   column as the capacity, shows the latter once a type counted in another unit is chosen, and sends what it shows;
   the warning's fix names the column mapping too.
2. The changes counted a day-care centre's beds as a capacity change ("容量变化的设施 37 处：未知 → 25张床位") beside
   the note that their day places were kept: only the type's own capacity is a capacity change, another capacity
   column a detail, in the upload's preview, GET /api/data/diff and the report's Changes sheet.
3. A card asking only for the type said "未能识别表头" in red: it says the type is missing.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; poll_js)
from geo.datasets import own_capacity_only
from planner.i18n import t

COUNTY = "420322"  # 郧西县


def centres(region, n: int = 4, tag: str = ""):
    v = region.villages[(region.villages["kind"] == "village")
                        & (region.villages["township_code"].astype(str).str[:6] == COUNTY)].iloc[:n]
    return [(f"QA33F15-{tag}{i:03d}", f"容量测试{tag}{i}号日间照料中心", round(p.x, 6), round(p.y, 6)) for i, p in enumerate(v.geometry)]


def beds_xlsx(region, path=None, extra: str = "负责人", tag: str = "") -> bytes:
    """Day-care centres with 床位数 and no type column; ``extra`` is read as nothing, so the card opens (another
    ``extra``: another shape of file, whose mapping the server has not remembered)."""
    rows = [{"编号": fid, "名称": name, "经度": x, "纬度": y, "床位数": 20 + i, extra: "张三"}
            for i, (fid, name, x, y) in enumerate(centres(region, tag=tag))]
    buf = io.BytesIO()
    pd.DataFrame(rows).to_excel(buf, index=False)
    if path is not None:
        path.write_bytes(buf.getvalue())
    return buf.getvalue()


def post(client, body: bytes, name: str, lang: str = "zh", **form):
    data = {"kind": "facilities", "coords": "wgs84", "type": "", **form, "file": (io.BytesIO(body), name)}
    return client.post(f"/api/data/uploads?lang={lang}", data=data, content_type="multipart/form-data")


def layer(app, version: int):
    fac = app.extensions["coverplan"]["datasets"].layers(version)["facilities"]
    return fac[fac["id"].astype(str).str.startswith("QA33F15-")].set_index("id")


# -- 1. the capacity mapped in the recheck -----------------------------------------------------------------------------
def test_a_recheck_with_the_capacity_mapped_reads_the_beds_as_day_places(app, client):
    region = app.extensions["coverplan"]["service"].region
    r = post(client, beds_xlsx(region), "日照.xlsx")
    assert r.status_code == 422 and r.get_json()["missing"] == ["type"], r.data[:300]
    first = r.get_json()
    assert first["column_map"].get("beds") == "床位数"
    assert first["type_capacity"]["day_care"] == "day_places" and first["type_capacity"]["charity_station"] is None
    url = f"/api/data/uploads/{first['upload_id']}/recheck"
    # as the card sent it before: nothing for the capacity, the beds not counted, each said with both fixes
    rep = client.post(url + "?lang=zh", json={"column_map": {}, "type": "day_care"}).get_json()
    other = [i for i in rep["issues"] if i["code"] == "capacity_other_unit"]
    assert len(other) == 4 and rep["type_capacity"]["day_care"] == "day_places"
    assert "请填在“日托位”列" in other[0]["fix"] and "在列对应中把“容量”指定为“床位数”列" in other[0]["fix"]
    assert "--column capacity=床位数" in other[0]["fix"]
    en = client.post(url + "?lang=en", json={"type": "day_care"}).get_json()
    fix = next(i["fix"] for i in en["issues"] if i["code"] == "capacity_other_unit")
    assert "map the capacity to column '床位数' in the column mapping" in fix and "“" not in fix
    # as the card sends it now: the capacity mapped (the column as read dropped): day places, no warning
    rep = client.post(url, json={"column_map": {"beds": "", "capacity": "床位数"}, "type": "day_care"}).get_json()
    assert rep["counts"]["warnings"] == 0 and not [i for i in rep["issues"] if i["code"].startswith("capacity")]
    assert rep["columns"].get("capacity") == "床位数" and "beds" not in rep["columns"]
    done = client.post(f"/api/data/uploads/{first['upload_id']}/confirm")
    assert done.status_code == 200, done.data[:300]
    fac = layer(app, done.get_json()["version"])
    assert sorted(float(x) for x in fac["day_places"]) == [20, 21, 22, 23]


# -- 2. another capacity column is a detail, not a capacity change ---------------------------------------------------
def test_own_capacity_only_moves_another_column_to_the_details():
    diff = {"facilities": {"attributes": [{"id": "b", "facility_type": "day_care", "attributes": ["phone"]}],
                           "capacity": [{"id": "a", "facility_type": "day_care", "field": "beds", "before": None, "after": 25},
                                        {"id": "b", "facility_type": "day_care", "field": "beds", "before": 3, "after": 4},
                                        {"id": "c", "facility_type": "day_care", "field": "day_places", "before": 1, "after": 2},
                                        {"id": "d", "facility_type": "welfare_home", "field": "beds", "before": 1, "after": 2},
                                        {"id": "e", "facility_type": "cemetery", "field": "niches", "before": 1, "after": 2},
                                        {"id": "f", "facility_type": "unknown", "field": "beds", "before": 1, "after": 2}]},
            "counts": {"facilities_capacity": 6, "facilities_attributes": 1}}
    own = {"day_care": ("day_places",), "welfare_home": ("beds",), "cemetery": ("plots", "niches")}
    out = own_capacity_only(diff, own)
    assert [r["id"] for r in out["facilities"]["capacity"]] == ["c", "d", "e", "f"]
    attrs = {r["id"]: r for r in out["facilities"]["attributes"]}
    assert list(attrs) == ["a", "b"]
    assert attrs["a"]["attributes"] == ["beds"] and attrs["a"]["other_capacity"] == [
        {"field": "beds", "before": None, "after": 25}]
    assert attrs["b"]["attributes"] == ["phone", "beds"]
    assert out["counts"] == {"facilities_capacity": 4, "facilities_attributes": 2}
    assert own_capacity_only(None, own) is None


def test_a_day_care_centres_beds_are_listed_as_a_detail_everywhere(app, client, capsys):
    region = app.extensions["coverplan"]["service"].region
    # the centres with their day places first
    lines = ["编号,名称,类型,经度,纬度,日托位"] + [f"{fid},{name},日间照料中心,{x},{y},30" for fid, name, x, y in centres(region)]
    r = post(client, ("\n".join(lines) + "\n").encode("utf-8"), "first.csv", type="day_care")
    assert r.status_code == 200, r.data[:300]
    v1 = client.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm").get_json()["version"]
    # the same centres again, a GBK file with 床位数 only: day places kept, beds stored beside them
    lines = ["编号,名称,类型,经度,纬度,床位数"] + [f"{fid},{name},日间照料中心,{x},{y},25" for fid, name, x, y in centres(region)]
    body = ("\n".join(lines) + "\n").encode("gbk")
    reps = {lang: post(client, body, "second.csv", lang=lang, type="day_care").get_json() for lang in ("zh", "en")}
    ch = reps["zh"]["changes"]
    assert ch["facilities"]["capacity"] == [] and ch["counts"]["facilities_capacity"] == 0
    assert len(ch["facilities"]["attributes"]) == 4 and ch["counts"]["facilities_attributes"] == 4
    lists = {x["kind"]: x for x in ch["lists"]}
    assert "capacity" not in lists
    name = centres(region)[0][1]
    assert lists["attributes"]["items"][0] == \
        f"{name}（QA33F15-000）：床位数（不计入社区(村)日间照料中心的容量） 未知 → 25张床位"
    en = {x["kind"]: x for x in reps["en"]["changes"]["lists"]}
    assert en["attributes"]["items"][0] == \
        f"{name} (QA33F15-000): beds (not a community/village day-care centre's capacity) unknown → 25 beds"
    # the upload's report: the Changes sheet says the same
    xlsx = client.get(f"/api/data/uploads/{reps['zh']['upload_id']}/report.xlsx?lang=zh").data
    wb = load_workbook(io.BytesIO(xlsx))
    rows = [r for r in wb[wb.sheetnames[-1]].iter_rows(values_only=True) if r and r[2] == "QA33F15-000"]
    assert len(rows) == 1 and rows[0][0] != t("qa33f2_kind_capacity", "zh"), rows
    assert rows[0][4] == "床位数（不计入社区(村)日间照料中心的容量）" and rows[0][5].endswith("未知") and rows[0][6].endswith("25张床位")
    done = client.post(f"/api/data/uploads/{reps['en']['upload_id']}/confirm")
    assert done.status_code == 200, done.data[:300]
    v2 = done.get_json()["version"]
    fac = layer(app, v2)
    assert {float(x) for x in fac["day_places"]} == {30} and {float(x) for x in fac["beds"]} == {25}
    # the version comparison: no capacity change; the beds a detail, in its lines too
    d = client.get(f"/api/data/diff?a={v1}&b={v2}&lang=zh").get_json()
    assert d["facilities"]["capacity"] == [] and d["counts"]["facilities_capacity"] == 0
    assert {r["id"] for r in d["facilities"]["attributes"]} == {c[0] for c in centres(region)}
    assert not any(line.startswith("容量变化") for line in d["lines"])
    assert any("属性变化的设施 4 处（床位数（不计入社区(村)日间照料中心的容量））" in line for line in d["lines"]), d["lines"]
    # the re-solve card's counts (web.service.layer_counts) and `coverplan data diff` count it so too (the lead's)
    counts = app.extensions["coverplan"]["service"].layer_counts(v1, v2, ["facilities:day_care"])
    assert counts["facilities:day_care"]["capacity"] == 0 and counts["facilities:day_care"]["details"] == 4, counts
    import json

    from cli.main import main
    assert main(["data", "diff", str(v1), str(v2), "--db", app.config["DB_PATH"], "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["counts"]["facilities_capacity"] == 0 and cli["counts"]["facilities_attributes"] == 4
    for lang, said in (("zh", "（床位数（不计入社区(村)日间照料中心的容量））"),
                       ("en", "(beds (not a community/village day-care centre's capacity))")):
        assert main(["--lang", lang, "data", "diff", str(v1), str(v2), "--db", app.config["DB_PATH"]]) == 0
        text = capsys.readouterr().out
        assert said in text and "（beds）" not in text and "(beds)" not in text, text
    # and the version's report
    xlsx = client.get(f"/api/data/versions/{v2}/report.xlsx?lang=en").data
    wb = load_workbook(io.BytesIO(xlsx))
    rows = [r for r in wb[wb.sheetnames[-1]].iter_rows(values_only=True) if r and str(r[2] or "").startswith("QA33F15-")]
    assert len(rows) == 4 and {r[0] for r in rows} == {t("qa33f2_kind_attributes", "en")}, rows
    assert rows[0][4] == "beds (not a community/village day-care centre's capacity)" and rows[0][6] == "beds (not a " \
        "community/village day-care centre's capacity): 25 beds"


# -- 1 and 3 in the browser ------------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_card_sends_the_capacity_it_shows(page, server, tmp_path, lang):
    region = server.app.extensions["coverplan"]["service"].region
    path = tmp_path / f"日照_{lang}.xlsx"
    beds_xlsx(region, path, extra="负责人" + lang, tag=lang)
    page.goto(page.base + f"/data?lang={lang}")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "!document.getElementById('mapping').hidden", timeout=60)
    # 3. the status says the type is missing, not that the headers were not recognised
    assert page.inner_text("#u-status") == t("qa33f15_type_missing", lang)
    # the capacity field: the column as read (beds), until a type counted in day places is chosen
    shown = "document.querySelector('#m-capacity').selectedOptions[0]"
    assert page.evaluate(f"{shown}.textContent") == t("qa33f15_as_read", lang, column="床位数",
                                                       unit=t("data_field_beds", lang))
    page.select_option("#m-type-all", "welfare_home")  # counted in beds: as read
    assert page.evaluate(f"{shown}.dataset.asRead") == "1"
    page.select_option("#m-type-all", "day_care")
    assert page.evaluate(f"[{shown}.textContent, {shown}.dataset.asRead || '']") == ["床位数", ""]
    page.click("#m-apply")
    poll_js(page, "document.getElementById('report').dataset.ready === '1' && !document.getElementById('m-apply').disabled",
            timeout=60)
    counts = page.inner_text("#r-counts")
    assert f"{t('data_warnings', lang)} 0 ·" in counts, counts  # it was 4: 床位数 not counted as day places
    page.once("dialog", lambda d: d.accept())
    page.click("#r-confirm")
    page.wait_for_function("document.getElementById('u-status').className.includes('good')", timeout=60_000)
    v = server.app.extensions["coverplan"]["datasets"].current()
    fac = layer(server.app, v.version)
    assert sorted(float(x) for x in fac[fac.index.str.startswith(f"QA33F15-{lang}")]["day_places"]) == [20, 21, 22, 23]


def test_a_file_of_known_columns_and_a_capacity_opens_the_card_to_ask_the_type(app, client):
    """Every header understood and no type column: the page's type field was the fix (a 400), but a 床位数 column's
    meaning hangs on the type (a day-care centre's capacity only when mapped so), so the card opens (round 3)."""
    region = app.extensions["coverplan"]["service"].region
    rows = [{"编号": fid, "名称": name, "经度": x, "纬度": y, "床位数": 30} for fid, name, x, y in centres(region, tag="K")]
    buf = io.BytesIO()
    pd.DataFrame(rows).to_excel(buf, index=False)
    r = post(client, buf.getvalue(), "known.xlsx")
    assert r.status_code == 422 and r.get_json()["needs_mapping"] and r.get_json()["missing"] == ["type"], r.get_json()
    assert r.get_json()["column_map"].get("beds") == "床位数"
    # without a capacity column the page's type field is still the fix, as before
    buf = io.BytesIO()
    pd.DataFrame([{k: v for k, v in row.items() if k != "床位数"} for row in rows]).to_excel(buf, index=False)
    r = post(client, buf.getvalue(), "plain.xlsx")
    assert r.status_code == 400 and "needs_mapping" not in r.get_json(), r.get_json()
