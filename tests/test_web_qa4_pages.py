"""QA round 4, pages: the header's 示意 after an import, the register's source in plain words and in the
map popup, the checklist export's search, capacity "n/a" per township, the facilities export's data
version, /proposals/compare without parameters, and the plan's 示意 badges."""
from __future__ import annotations

import csv
import io
import re

import pytest


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


def import_day_care(client, shiyan, n=4) -> int:
    """A small day-care register (one type only) confirmed as a new data version, replacing the whole city's."""
    v = shiyan.villages.iloc[:n]
    lines = ["机构名称,类型,经度,纬度"] + [f"{row['name']}日间照料中心,日间照料中心,{row.geometry.x:.6f},{row.geometry.y:.6f}"
                                       for _, row in v.iterrows()]
    rep = upload(client, ("\n".join(lines) + "\n").encode("utf-8"), "日照名录.csv", replace="city").get_json()
    return client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]


def header(html: str) -> str:
    return re.search(r'<a class="data-version"[^>]*>([^<]*)</a>', html).group(1)


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_header_and_overview_source_after_importing_one_type(client, shiyan):
    assert "示意" in header(client.get("/?lang=zh").get_data(as_text=True))
    v = import_day_care(client, shiyan)
    assert v == 1
    zh = client.get("/?lang=zh").get_data(as_text=True)
    # one type imported: the boundaries, villages and the other types are still synthetic
    assert header(zh) == "数据版本 v1 · 示意"
    assert "illustrative" in header(client.get("/?lang=en").get_data(as_text=True))
    assert "by_type 中" not in zh and "版本号大于0" not in zh
    assert "规划人员提供的名录：社区(村)日间照料中心（日照名录.csv，数据版本 1）" in zh
    assert "其余类型仍为 coverplan 合成示例（示意）" in zh and "养老服务综合体" in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "where by_type names" not in en and "The planner&#39;s own register: " in en
    # a rollback to v0: the embedded data again, still 示意
    client.post("/api/data/rollback", json={"version": 0})
    assert "示意" in header(client.get("/?lang=zh").get_data(as_text=True))


def test_imported_facility_popup_carries_its_source(client, shiyan):
    import_day_care(client, shiyan)
    feats = client.get("/api/coverage/day_care/layers").get_json()["facilities"]["features"]
    assert feats and all(f["properties"]["source_file"] == "日照名录.csv" and f["properties"]["source_version"] == 1
                         for f in feats)
    sample = client.get("/api/coverage/elderly_complex/layers").get_json()["facilities"]["features"]
    assert sample and all("source_version" not in f["properties"] for f in sample)


def test_township_export_applies_the_search_text(client):
    full = rows_of(client.get("/api/townships.csv?type=&county=420325&lang=zh").data)
    got = client.get("/api/townships.csv", query_string={"type": "", "county": "420325", "q": "镇", "lang": "zh"})
    rows = rows_of(got.data)
    assert "乡镇、代码或县区含“镇”" in rows[0][0] and "行数: " + str(len(rows) - 2) in rows[0][0]
    assert 2 < len(rows) < len(full)
    # the page's rule: name, code or county contains the text
    assert all("镇" in " ".join(r[:3]) for r in rows[2:])
    en = rows_of(client.get("/api/townships.csv", query_string={"county": "420325", "q": "420325101",
                                                                "lang": "en"}).data)
    assert 'contains "420325101"' in en[0][0] and all(r[0] == "420325101" for r in en[2:])


def test_county_level_type_has_no_township_shortfall(client):
    caps = client.get("/api/capacity/townships").get_json()["types"]["disabled_care"]
    assert caps and all(c["status"] == "na" and c["shortfall"] == 0 for c in caps.values())
    county = client.get("/api/capacity/disabled_care").get_json()
    assert any(r["shortfall"] > 0 for r in county["by_county"])  # still compared per county
    rows = rows_of(client.get("/api/townships.csv?type=disabled_care&county=420325&lang=zh").data)
    head = rows[1]
    jun = next(r for r in rows[2:] if r[1] == "军店镇")
    gap = next(i for i, h in enumerate(head) if h.startswith("容量缺口"))  # its unit named (QA 34): 容量缺口（张床位）
    assert jun[head.index("状态")] == "不适用" and jun[gap] == "" and head[gap] != "容量缺口", head


@pytest.mark.parametrize("lang,label", [("zh", "数据版本 v0"), ("en", "data version v0")])
def test_facilities_export_names_the_data_version(client, lang, label):
    title = rows_of(client.get(f"/api/facilities.csv?lang={lang}").data)[0][0]
    assert label in title


@pytest.mark.parametrize("lang,text", [("zh", "请先在“选址方案”列表中勾选"), ("en", "Tick two proposals")])
def test_compare_without_parameters_explains(client, lang, text):
    r = client.get(f"/proposals/compare?lang={lang}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and text in html and 'href="/proposals"' in html
    assert "400" not in re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S).split("<main")[-1]
    one = client.get(f"/proposals/compare?a=x&lang={lang}")
    assert one.status_code == 400 and text in one.get_data(as_text=True)


def test_plan_rows_all_marked_illustrative_on_the_sample(client):
    rows = client.get("/api/targets").get_json()
    rows = rows["targets"] if isinstance(rows, dict) else rows
    no_badge = [r["key"] for r in rows if not r["synthetic_inputs"]]
    assert not no_badge
