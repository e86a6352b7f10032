"""QA 26 (proposal downloads in the request's language, and units on the sized tables):

1. ``/api/proposals/<id>.geojson?lang=en`` of a location or sized proposal kept the Chinese site and county
   names (拟建五堰街道养老服务综合体, 茅箭区) where the same proposal's CSV/Excel said "五堰街道 – proposed
   township elderly-service complex" and "Maojian District"; every kind's GeoJSON now names them as that
   language's CSV does, keeps both languages' fields, and leaves the saved record as it was solved.
2. The sized proposal's English notes said "(万元, 示意)" where everything else says "10,000 yuan".
3. The sized proposal's "Served" / "服务人数" and "Supply" / "现有容量" headers (CSV, Excel, the page's tables)
   named no unit.
"""
from __future__ import annotations

import copy
import html
import csv
import io
import json
import re

import pytest

from conftest import SameOriginClient
from planner.i18n import t

CJK = re.compile(r"[\u4e00-\u9fff]")
#: the English county names of the region (planner.coverage.county_names_en), as the CSV gives them
EN_COUNTY = re.compile(r"^[A-Z][a-z]+ (County|District|City)$")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa26g") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def client(app):
    return SameOriginClient(app)


def _solve(client, body) -> str:
    r = client.post("/api/proposals?lang=zh&wait=60", json=body)
    assert r.status_code == 201, r.get_data(as_text=True)[:400]
    return r.get_json()["proposal"]["id"]


@pytest.fixture(scope="module")
def saved(client):
    return {"location": _solve(client, {"type": "elderly_complex", "model": "mclp", "p": 2}),
            "location_fang": _solve(client, {"type": "elderly_complex", "model": "mclp", "p": 2, "county": "420325"}),
            "sized": _solve(client, {"type": "welfare_home", "kind": "sized", "sizes": "30,60", "budget_sites": 2,
                                     "county": "420325"}),
            "upgrade": _solve(client, {"type": "welfare_home", "kind": "upgrade", "k": 2, "county": "420325"})}


def _store(app):
    return app.extensions["coverplan"]["store"]


def _csv(client, pid: str, lang: str) -> tuple[list[str], list[dict]]:
    rows = list(csv.reader(io.StringIO(client.get(f"/api/proposals/{pid}.csv?lang={lang}").data.decode("utf-8-sig"))))
    head = rows[1]  # under the title line
    return head, [dict(zip(head, r)) for r in rows[2:]]


def _geojson(client, pid: str, lang: str) -> dict:
    r = client.get(f"/api/proposals/{pid}.geojson?lang={lang}")
    assert r.status_code == 200
    return json.loads(r.data)


KINDS = ["location", "location_fang", "sized", "upgrade"]


# -- 1: the GeoJSON names its sites and counties as the CSV of its language -----------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_english_geojson_names_sites_and_counties_as_the_english_csv(client, saved, kind):
    pid = saved[kind]
    head, rows = _csv(client, pid, "en")
    fc = _geojson(client, pid, "en")
    feats = sorted((f["properties"] for f in fc["features"]), key=lambda p: p["priority"])
    assert feats and len(feats) == len(rows)
    for p, row in zip(feats, rows):
        assert p["name"] == row["Name"], (p["name"], row["Name"])
        assert p["county_name"] == row["County"] == p["county_name_en"], p
        assert EN_COUNTY.match(p["county_name"]), p["county_name"]
        if kind != "upgrade":  # a new site: the generated words in English, the place's own name kept
            assert not p["name"].startswith("拟建") and " – proposed " in p["name"], p["name"]
            assert p["name"] == p["name_en"] and p["name_zh"].startswith("拟建"), p
        assert CJK.search(p["county_name_zh"]), p  # both languages kept
        # the reason in the request's language beside both languages' fields
        assert p["reason"] == p["reason_en"] and not CJK.search(p["reason"].replace("示意", "")), p["reason"]
        assert CJK.search(p["reason_zh"])
    if kind.endswith("fang") or kind in ("sized", "upgrade"):
        assert {p["county_name"] for p in feats} == {"Fang County"}


@pytest.mark.parametrize("kind", KINDS)
def test_chinese_geojson_names_sites_and_counties_as_the_chinese_csv(client, saved, kind):
    pid = saved[kind]
    head, rows = _csv(client, pid, "zh")
    fc = _geojson(client, pid, "zh")
    feats = sorted((f["properties"] for f in fc["features"]), key=lambda p: p["priority"])
    assert feats and len(feats) == len(rows)
    for p, row in zip(feats, rows):
        assert p["name"] == row["名称"] and CJK.search(p["name"]), (p["name"], row)
        assert p["county_name"] == row["县区"] and CJK.search(p["county_name"]), p
        assert EN_COUNTY.match(p["county_name_en"]), p
        if kind != "upgrade":
            assert p["name"].startswith("拟建"), p["name"]
        assert p["reason"] == p["reason_zh"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_geojson_block_is_in_the_request_language(client, saved, kind):
    pid = saved[kind]
    en, zh = _geojson(client, pid, "en")["coverplan"], _geojson(client, pid, "zh")["coverplan"]
    assert en["notes"] and zh["notes"]
    for n in en["notes"]:
        assert not CJK.search(n.replace("示意", "")), n
        assert "万元" not in n
    assert all(CJK.search(n) for n in zh["notes"])
    assert not CJK.search(en["name"]) and CJK.search(zh["name"])
    assert not CJK.search(en["scope"]["name"]) and CJK.search(zh["scope"]["name"])
    if "explanation_en" in en:  # a location proposal's: both kept, the request's one as "explanation"
        assert en["explanation"] == en["explanation_en"] and zh["explanation"] == zh["explanation_zh"]
    if kind == "sized":
        cu_en, cu_zh = en["params"]["cost_unit"], zh["params"]["cost_unit"]
        assert "万元" not in cu_en and "10,000 yuan" in cu_en and "万元" in cu_zh
    for r in en.get("by_county") or []:  # an upgrade's county rows
        assert r["name"] == r["name_en"] and EN_COUNTY.match(r["name"]) and CJK.search(r["name_zh"]), r


def test_the_saved_record_stays_as_it_was_solved(app, client, saved):
    before = {k: copy.deepcopy(_store(app).get(pid)) for k, pid in saved.items()}
    for pid in saved.values():
        for lang in ("en", "zh"):
            _geojson(client, pid, lang)
    for k, pid in saved.items():
        rec = _store(app).get(pid)
        assert rec["geojson"] == before[k]["geojson"] and rec["summary"] == before[k]["summary"], k
        for f in rec["geojson"]["features"]:
            p = f["properties"]
            assert CJK.search(p["county_name"]) and "reason" not in p and "name_zh" not in p, p


def test_an_english_geojson_still_reads_as_a_proposal_file(app, client, saved, tmp_path):
    """``coverplan targets --proposal`` and ``coverplan map --proposal`` read the download (cli.output)."""
    from cli.output import load_proposal_file

    for kind, pid in saved.items():
        got = {}
        for lang in ("en", "zh"):
            path = tmp_path / f"{kind}-{lang}.geojson"
            path.write_bytes(client.get(f"/api/proposals/{pid}.geojson?lang={lang}").data)
            got[lang] = load_proposal_file(str(path))
        en, zh = got["en"], got["zh"]
        assert en["type"] == zh["type"] and en["kind"] == zh["kind"] and en["role"] == zh["role"]
        for col in ("id", "township_code", "county_code"):
            assert en["sites"][col].tolist() == zh["sites"][col].tolist(), col
        assert (en["kind"] == "upgrade") == (kind == "upgrade")


def test_targets_reads_an_english_download(client, saved, tmp_path, capsys, monkeypatch):
    from geo import settings
    from test_qa21_cli import run

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    files = []
    for kind in ("location", "upgrade"):
        path = tmp_path / f"{kind}.geojson"
        path.write_bytes(client.get(f"/api/proposals/{saved[kind]}.geojson?lang=en").data)
        files += ["--proposal", str(path)]
    code, out, err = run(capsys, "targets", "--lang", "en", "--json", *files)
    assert code == 0, err
    assert json.loads(out)


# -- 2: the sized notes in English say 10,000 yuan -----------------------------------------------------------------
def test_sized_notes_in_english_say_ten_thousand_yuan(app, client, saved):
    from web.capacity_proposals import view_extra

    rec = _store(app).get(saved["sized"])
    fresh = rec["summary"]["notes_en"][0]
    assert "万元" not in fresh and "10,000 yuan" in fresh and "示意" in fresh, fresh
    # a proposal saved with the old wording reads the new one
    old = copy.deepcopy(rec["summary"])
    old["notes_en"][0] = ("Costs are coverplan's illustrative assumptions (万元, 示意): replace with local estimates; "
                          "existing capacities are sample data (示意).")
    notes = view_extra(old, "en")["notes"]
    assert "万元" not in notes[0] and "10,000 yuan" in notes[0] and notes[0].endswith("sample data (示意).")
    assert view_extra(old, "zh")["notes"][0].startswith("造价为 coverplan 示意假设（万元）")
    page = client.get(f"/proposals/{saved['sized']}?lang=en").get_data(as_text=True)
    assert "万元" not in page.split('id="sized-summary"')[1].split("</section>")[0]


# -- 3: the sized headers name their units ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang, served, size", [("en", "Served (people aged 80+)", "Size (beds)"),
                                                ("zh", "服务人数（80岁以上老人）", "规模（张床位）")])
def test_sized_export_headers_name_their_units(client, saved, lang, served, size):
    from openpyxl import load_workbook

    head, rows = _csv(client, saved["sized"], lang)
    assert served in head and size in head, head
    assert t("capw_load", lang) not in head  # no bare "Served" / "服务人数"
    ws = load_workbook(io.BytesIO(client.get(f"/api/proposals/{saved['sized']}.xlsx?lang={lang}").data)).active
    assert [c.value for c in ws[2]] == head


def _headers(html: str, table_id: str) -> list[str]:
    part = html.split(f'id="{table_id}"')[1].split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", part, re.S)]


@pytest.mark.parametrize("lang, supply, served", [("en", "Supply (beds)", "Served (people aged 80+)"),
                                                  ("zh", "现有容量（张床位）", "服务人数（80岁以上老人）")])
def test_sized_page_tables_name_their_units(client, saved, lang, supply, served):
    html = client.get(f"/proposals/{saved['sized']}?lang={lang}").get_data(as_text=True)
    existing = _headers(html, "sized-existing")
    assert supply in existing and served in existing, existing
    assert served in _headers(html, "rationale"), _headers(html, "rationale")


def test_a_chinese_map_of_an_english_download_names_its_sites_in_chinese(client, saved, tmp_path, capsys,
                                                                         monkeypatch):
    """An English download's ``name`` is English: a Chinese offline map made from it takes ``name_zh``."""
    from geo import settings
    from test_qa21_cli import run

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    path = tmp_path / "en.geojson"
    path.write_bytes(client.get(f"/api/proposals/{saved['location']}.geojson?lang=en").data)
    props = [f["properties"] for f in json.loads(path.read_text("utf-8"))["features"]]
    assert all(not CJK.search(p["name"].split(" – ")[-1]) and CJK.search(p["name_zh"]) for p in props)
    out = tmp_path / "map.html"
    code, _, err = run(capsys, "--lang", "zh", "map", "--type", "elderly_complex", "--proposal", str(path),
                       "--out", str(out))
    assert code == 0, err
    page = out.read_text("utf-8")
    for p in props:
        assert html.escape(p["name_zh"]) in page and html.escape(p["name"]) not in page, p["name"]
