"""QA 27 (fixer F4): provenance labels and unknown capacities.

- A township whose facilities state no capacity read "0.0 / 30, short 6" on the checklist and in its exports:
  it now reads "容量未知（n 处）" / "capacity unknown (n)", and a partly known one is marked as a bound.
- Every export's title line, the brief's footer and the maps' notes said the facility register was synthetic
  after the type's register had been imported: they now name only what is 示意, and the imported register
  with its file and data version.
- The offline map's facility popups carry 容量 and 来源 as the web map's do; `coverplan map` names its
  --facilities file and accepts --coords auto / cgcs2000 as coverage and propose do.
- The capacity popup of the web map rounds a need or shortfall up, as the checklist does.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from test_qa21_cli import run

ROOT = Path(__file__).resolve().parents[1]
OLD_EXPORT_NOTE = "示意：内置数据（乡镇边界、村庄位置、设施名录）为近似或合成"


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


def day_care_register(shiyan) -> tuple[bytes, str, str]:
    """A day-care register (WGS84) with 日托位: township A has one centre without a figure, township B two
    centres, one without; the other rows state theirs. Returns (CSV bytes, code A, code B)."""
    v = shiyan.villages[shiyan.villages["kind"] == "village"]
    towns = [c for c in dict.fromkeys(v["township_code"]) if (v["township_code"] == c).sum() >= 2][:4]
    plan = {towns[0]: [""], towns[1]: ["20", ""], towns[2]: ["20"], towns[3]: ["20"]}  # 日托位 per centre
    rows = ["名称,类型,经度,纬度,日托位"]
    for i, (code, places) in enumerate(plan.items()):
        pts = v[v["township_code"] == code]
        for j, cap in enumerate(places):
            r = pts.iloc[j]
            rows.append(f"{r['name']}日间照料中心{i}{j},日间照料中心,{r.geometry.x:.6f},{r.geometry.y:.6f},{cap}")
    return ("\n".join(rows) + "\n").encode("utf-8"), towns[0], towns[1]


@pytest.fixture()
def imported(client, app, shiyan):
    body, a, b = day_care_register(shiyan)
    rep = upload(client, body, "日照名录.csv", type="day_care", replace="city").get_json()
    assert rep["counts"]["accepted"] == 5, json.dumps({k: v for k, v in rep.items() if k != "preview"}, ensure_ascii=False)[:3000]
    done = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()
    return {"version": done["version"], "a": a, "b": b}


def title_of(client, url: str) -> str:
    text = client.get(url).get_data().decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))[0]


def test_the_checklist_export_names_the_imported_register_not_the_sample(client, imported):
    v = imported["version"]
    zh = title_of(client, "/api/townships.csv?type=day_care&lang=zh")
    assert OLD_EXPORT_NOTE not in zh
    assert f"设施名录取自已导入的名录（日照名录.csv，数据版本 {v}）" in zh
    assert "设施名录为合成" not in zh and "乡镇边界为近似" in zh  # the sample's boundaries still said
    en = title_of(client, "/api/townships.csv?type=day_care&lang=en")
    assert f"Facility register imported (日照名录.csv, data version {v})" in en
    assert "register synthetic" not in en and "township boundaries approximated" in en
    # a type still the sample's says so
    assert "设施名录为合成数据" in title_of(client, "/api/townships.csv?type=meal_service&lang=zh")
    assert "facility register synthetic" in title_of(client, "/api/townships.csv?type=meal_service&lang=en")
    # all types: the sample's counted, the imported one named
    every = title_of(client, "/api/townships.csv?type=&lang=zh")
    assert "日间照料中心" in every and "日照名录.csv" in every and "为合成示例" in every


def test_unknown_capacity_is_not_shown_as_zero(client, imported):
    a, b = imported["a"], imported["b"]
    rows = list(csv.reader(io.StringIO(client.get("/api/townships.csv?type=day_care&lang=zh")
                                       .get_data().decode("utf-8-sig"))))
    head, body = rows[1], {r[0]: r for r in rows[2:]}
    ratio, short = head.index(next(h for h in head if h.startswith("每千名"))), head.index(
        next(h for h in head if h.startswith("容量缺口")))
    assert body[a][ratio] == body[a][short] == "容量未知（1 处）"
    assert body[b][ratio].startswith("≥ ") and "1 处容量未知" in body[b][ratio]
    en = list(csv.reader(io.StringIO(client.get("/api/townships.csv?type=day_care&lang=en")
                                     .get_data().decode("utf-8-sig"))))
    assert {r[0]: r for r in en[2:]}[a][ratio] == "capacity unknown (1)"
    # the page gets the same counts for its cells
    html = client.get("/townships?type=day_care").get_data(as_text=True)
    blob = json.loads(re.search(r'id="cap-unknown">(.*?)</script>', html, re.S).group(1))
    assert blob["day_care"][a] == [1, 1] and blob["day_care"][b] == [1, 2]
    # the overview's table gets the note of the report
    for lang, words in (("zh", "处未填写容量"), ("en", "state no capacity")):
        note = client.get(f"/api/capacity/day_care?lang={lang}").get_json()["unknown_note"]
        assert note and words in note


def test_the_brief_footer_and_map_notes_name_only_what_is_the_sample(client, app, imported):
    from planner.maplayers import provenance_labels, provenance_note

    s = app.extensions["coverplan"]["service"]
    v = imported["version"]
    zh = provenance_note(s.region, "zh", "day_care", s.types(), lead="brief")
    assert "设施名录为合成" not in zh and f"日照名录.csv，数据版本 {v}" in zh and zh.startswith("示意：")
    en = provenance_note(s.region, "en", "day_care", s.types(), lead="brief")
    assert "register synthetic" not in en and f"日照名录.csv, data version {v}" in en
    assert "设施名录为合成数据" in provenance_note(s.region, "zh", "meal_service", s.types(), lead="brief")
    by = provenance_labels(s.region, "zh", None, s.types())["by_layer"]
    assert by["facilities"] != "设施名录为合成数据"  # the overview's region map: not the whole register
    page = client.get("/?lang=zh").get_data(as_text=True)
    assert f'data-approx-facilities="{by["facilities"]}"' in page


def test_a_register_imported_for_part_of_the_city_is_named_as_part(client, app, shiyan):
    body, _, _ = day_care_register(shiyan)
    rep = upload(client, body, "日照名录.csv", type="day_care").get_json()  # its counties only
    v = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    zh = title_of(client, "/api/townships.csv?type=day_care&lang=zh")
    assert f"设施名录部分为合成示例（其余取自已导入的名录：日照名录.csv，数据版本 {v}）" in zh
    en = title_of(client, "/api/townships.csv?type=day_care&lang=en")
    assert f"facility register partly synthetic (the sample; the rest imported: 日照名录.csv, data version {v})" in en


def test_the_offline_map_popups_carry_capacity_and_source(client, imported):
    page = client.get("/map/day_care/export.html?lang=zh").get_data(as_text=True)
    esc = lambda s: json.dumps(s)[1:-1]  # noqa: E731  (inside the map's script the text may be escaped)
    for words in ("容量", "来源", "日照名录.csv", "未知"):
        assert words in page or esc(words) in page, words


def test_cli_map_accepts_auto_and_names_its_register(tmp_path, capsys, monkeypatch, shiyan):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    body, _, _ = day_care_register(shiyan)
    reg = tmp_path / "日间照料中心名录.csv"
    reg.write_bytes(body)
    for coords in ("auto", "cgcs2000"):
        out = tmp_path / f"m_{coords}.html"
        code, _, err = run(capsys, "--lang", "en", "map", "--type", "day_care", "--facilities", str(reg),
                           "--coords", coords, "--out", str(out))
        assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Facility register</th><td>日间照料中心名录.csv (the --facilities file)" in html
    assert "day places" in html  # the popups' capacities, from the register


def test_the_capacity_popup_rounds_need_and_shortfall_up():
    js = (ROOT / "web/static/map.js").read_text(encoding="utf-8")
    pop = js[js.index("function capacityPopup"):js.index("function addCapacityLayers")]
    assert "fmt(up(p.shortfall))" in pop and "fmt(up(p.required))" in pop
    assert "fmt(p.shortfall)" not in pop and "fmt(p.required)" not in pop
    up = re.search(r"function up\(v\) \{(.*?)\n", js).group(1)
    assert "Math.ceil" in up


def test_the_brief_shows_why_a_proposal_adds_no_site():
    tpl = (ROOT / "web/templates/brief.html").read_text(encoding="utf-8")
    block = tpl[tpl.index("brief_no_sites"):tpl.index("{% if p.kind == 'upgrade' %}{#- the notes")]
    assert "p.explanation" in block and "brief-explanation" in block
