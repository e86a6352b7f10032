"""QA 27 (data import): a county's register replaced the whole city's layer of its type (郧西县's 17 welfare
homes left the other seven counties with none); the column-mapping card lost the recognised capacity
column; a capacity edit "80张" was refused in API words and dropped the other answers; the version report
left out the file's notes; the CLI's swapped-coordinates lines said "error" for a warning."""
from __future__ import annotations

import io

import pytest

from test_qa21_cli import run

YUNXI = "420322"


def _welfare_csv(shiyan, n=3, county=YUNXI, prefix="郧西测试福利院") -> bytes:
    v = shiyan.villages
    pts = v[v["county_code"] == county].geometry.iloc[:n]
    lines = ["名称,类型,经度,纬度,床位数"] + [f"{prefix}{i},农村福利院,{p.x:.6f},{p.y:.6f},{50 + i}"
                                            for i, p in enumerate(pts)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(client, body: bytes, lang="zh", **form):
    r = client.post(f"/api/data/uploads?lang={lang}",
                    data={"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(body), "郧西福利院.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:600]
    return r.get_json()


def _welfare(client):
    facs = client.get("/api/facilities?type=welfare_home").get_json()
    feats = facs.get("features") or facs.get("facilities") or []
    return [f.get("properties", f) for f in feats]


def test_a_county_register_keeps_the_other_counties(client, shiyan):
    fac = shiyan.facilities
    wh = fac[fac["facility_type"] == "welfare_home"]
    here, others = int((wh["county_code"] == YUNXI).sum()), int((wh["county_code"] != YUNXI).sum())
    n_other_counties = wh.loc[wh["county_code"] != YUNXI, "county_code"].nunique()
    body = _welfare_csv(shiyan)
    rep = _upload(client, body)
    assert rep["replace"] == "counties"
    text = rep["replaces"]["text"]
    assert f"本文件涉及 郧西县：确认后将以 3 处替换该县区现有的 {here} 处农村福利院" in text, text
    assert f"其他 {n_other_counties} 个县区的 {others} 处保持不变" in text and "替换全市该类设施" in text, text
    row = rep["replaces"]["types"][0]
    assert (row["current"], row["incoming"], row["kept"], row["counties"]) == (here, 3, others, [YUNXI])
    en = _upload(client, body, "en")["replaces"]["text"]
    assert "This file covers Yunxi County" in en and f"replace the {here} now in that county" in en, en
    assert f"The {others} in the other {n_other_counties} counties stay unchanged" in en, en
    assert "“" not in en
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:500]
    v = r.get_json()["version"]
    region = client.application.extensions["coverplan"]["datasets"].region()
    w = region.facilities[region.facilities["facility_type"] == "welfare_home"]
    assert int((w["county_code"] == YUNXI).sum()) == 3
    assert int((w["county_code"] != YUNXI).sum()) == others  # the other counties' welfare homes stay
    # the diff of that version removes only Yunxi's
    d = client.get(f"/api/data/diff?a={v - 1}&b={v}").get_json()
    removed = d["facilities"]["removed"]
    assert len(removed) == here, removed


def test_the_whole_city_is_an_explicit_choice(client, shiyan):
    fac = shiyan.facilities
    total = int((fac["facility_type"] == "welfare_home").sum())
    body = _welfare_csv(shiyan)
    rep = _upload(client, body, replace="city")
    assert rep["replace"] == "city"
    assert "已选择替换全市的农村福利院" in rep["replaces"]["text"] and f"现有的 {total} 处" in rep["replaces"]["text"]
    # switched on the report (the page's box) by a recheck, and back
    back = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck?lang=en", json={"replace": "counties"})
    assert back.status_code == 200 and back.get_json()["replace"] == "counties"
    city = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck?lang=en", json={"replace": "city"}).get_json()
    said = city["replaces"]["text"]
    assert "Replacing the whole city's \"Rural welfare home\" facilities, as chosen" in said, said
    assert f"replace the {total} now in the register" in said, said
    bad = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck?lang=zh", json={"replace": "all"})
    assert bad.status_code == 400 and "counties" in bad.get_json()["message"], bad.get_json()
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:400]
    region = client.application.extensions["coverplan"]["datasets"].region()
    assert int((region.facilities["facility_type"] == "welfare_home").sum()) == 3


def test_cli_import_keeps_the_other_counties_by_default(tmp_path, capsys, monkeypatch, shiyan):
    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    f = tmp_path / "wh.csv"
    f.write_bytes(_welfare_csv(shiyan))
    db = str(tmp_path / "proposals.sqlite")
    wh = shiyan.facilities[shiyan.facilities["facility_type"] == "welfare_home"]
    others = int((wh["county_code"] != YUNXI).sum())
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(f), "--dry-run")
    assert code == 0, err
    assert "本文件涉及 郧西县" in out and f"{others} 处保持不变" in out and "--replace city" in out, out
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f))
    assert code == 0, err
    from geo.datasets import DatasetStore
    region = DatasetStore(db, region="shiyan").region()
    w = region.facilities[region.facilities["facility_type"] == "welfare_home"]
    assert int((w["county_code"] != YUNXI).sum()) == others and int((w["county_code"] == YUNXI).sum()) == 3
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f), "--replace", "city")
    assert code == 0, err
    region = DatasetStore(db, region="shiyan").region()
    assert int((region.facilities["facility_type"] == "welfare_home").sum()) == 3


# -- 3. a capacity typed with its unit word; a bad one said for a person --------------------------------------------
def _welfare_row(client):
    return client.get("/api/facilities?type=welfare_home").get_json()["rows"][0]


def test_a_capacity_with_its_unit_word_is_taken(client):
    row = _welfare_row(client)
    new = 80 if row["capacity"] != 80 else 81
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    for how in (lambda n: f"{n}张", lambda n: f"{n} 床位", lambda n: str(n).translate(full) + "张"):
        typed = how(new)
        r = client.post("/api/data/edits", json={"action": "update", "type": "welfare_home", "id": row["id"],
                                                 "fields": {"capacity": typed, "address": f"地址{typed}"}})
        assert r.status_code == 200, (typed, r.get_json())
        got = next(x for x in client.get("/api/facilities?type=welfare_home").get_json()["rows"] if x["id"] == row["id"])
        assert got["capacity"] == new, typed
        new += 1


@pytest.mark.parametrize("typed", ["八十", "80x", "80.5张", "-3", "1_0"])
def test_a_capacity_that_is_no_count_is_said_for_a_person(client, typed):
    row = _welfare_row(client)
    r = client.post("/api/data/edits?lang=en", json={"action": "update", "type": "welfare_home", "id": row["id"],
                                                     "fields": {"capacity": typed, "phone": "123"}})
    assert r.status_code == 400
    body = r.get_json()
    zh, en = body["message_zh"], body["message_en"]
    assert zh.startswith(f"容量“{typed}”") and "容量请填整数（床位数，如 80），或留空表示未知" in zh, zh
    assert en.startswith(f'Capacity "{typed}" is ') and "whole number" in en and "blank when unknown" in en, en
    assert "fields.capacity" not in zh and "fields.capacity" not in en


@pytest.mark.parametrize("typed, shown", [("5\u00a0", "5\\u00a0"), ("\u20095", "\\u20095")])
def test_a_refused_capacity_shows_an_odd_space_escaped(client, typed, shown):
    """A no-break or thin space is named, as every other refused number names it (QA 22): "5 " looked right."""
    row = _welfare_row(client)
    r = client.post("/api/data/edits?lang=en", json={"action": "update", "type": "welfare_home", "id": row["id"],
                                                     "fields": {"capacity": typed}})
    assert r.status_code == 400
    body = r.get_json()
    assert body["message_en"].startswith(f'Capacity "{shown}" is '), body["message_en"]
    assert body["message_zh"].startswith(f"容量“{shown}”"), body["message_zh"]


def test_the_edit_form_keeps_the_other_answers(client):
    js = client.get("/static/edit.js").get_data(as_text=True)
    assert "typed[p.id] = fields" in js and "capacityOk(v)" in js and "edit_fields_kept" in js


# -- 2. the mapping card: the recognised capacity column, built_year ------------------------------------------------
def test_the_report_offers_capacity_and_built_year_to_the_mapping_card(client, shiyan):
    v = shiyan.villages
    p = v[v["county_code"] == YUNXI].geometry.iloc[0]
    body = f"名称,类型,经度,纬度,床位数,建成年份\n甲福利院,农村福利院,{p.x:.6f},{p.y:.6f},40,2010\n".encode()
    rep = _upload(client, body)
    assert rep["columns"].get("beds") == "床位数" and rep["columns"].get("built_year") == "建成年份"
    assert "built_year" in rep["fields"] and "beds" in rep["capacity_fields"]
    # "—" for capacity: no capacity read; built_year may be changed by the card
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck",
                    json={"column_map": {"beds": "", "capacity": "", "built_year": "建成年份"}})
    assert r.status_code == 200, r.get_json()
    assert "beds" not in r.get_json()["columns"] and r.get_json()["columns"]["built_year"] == "建成年份"
    js = client.get("/static/data.js").get_data(as_text=True)
    assert "capSel.dataset.from = capKey" in js and 'T("data_map_change_status")' in js


# -- 4. the version's report lists the file's notes ------------------------------------------------------------------
def test_the_version_report_lists_the_files_notes(client, shiyan, tmp_path):
    import openpyxl

    v = shiyan.villages
    pts = v[v["county_code"] == YUNXI].geometry.iloc[:2]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "类型", "经度", "纬度", "床位数"])
    for i, p in enumerate(pts):
        ws.append([f"公式福利院{i}", "农村福利院", round(p.x, 6), round(p.y, 6), "=20+30"])
    f = tmp_path / "f.xlsx"
    wb.save(f)
    r = client.post("/api/data/uploads?lang=zh", data={"kind": "facilities", "file": (io.BytesIO(f.read_bytes()), "公式.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    rep = r.get_json()
    notes = rep["notes"]
    assert any("公式" in n for n in notes), notes
    done = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert done.status_code == 200, done.get_json()
    ver = done.get_json()["version"]
    for lang in ("zh", "en"):
        x = client.get(f"/api/data/versions/{ver}/report.xlsx?lang={lang}")
        assert x.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(x.data))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert ("说明" if lang == "zh" else "note") in text
        assert ("公式" in text) if lang == "zh" else ("formula" in text.lower()), text[:600]


# -- 5. the version list: who, in words -----------------------------------------------------------------------------
def test_the_version_list_says_this_computer_for_the_desk_servers_edits(client):
    row = _welfare_row(client)
    r = client.post("/api/data/edits", json={"action": "update", "type": "welfare_home", "id": row["id"],
                                             "fields": {"remark": "本机修改"}})
    assert r.status_code == 200
    for lang, said in (("zh", "本机"), ("en", "this computer")):
        vs = client.get(f"/api/data/versions?lang={lang}").get_json()["versions"]
        mine = next(v for v in vs if v["version"] == r.get_json()["version"])
        assert mine["author"] == "web" and mine["author_label"] == said
    page = client.get("/data").get_data(as_text=True)
    assert 'id="cmp-a"' in page and 'id="cmp-b"' in page and 'id="r-city"' in page


# -- 6. the audit of a rename names both names; a conflict names who and when ---------------------------------------
def test_a_rename_is_audited_with_both_names_and_a_conflict_names_who(client, monkeypatch):
    from web import auth

    seen = []
    monkeypatch.setattr(auth, "audit", lambda event, obj=None, **d: seen.append((event, obj, d)))
    row = _welfare_row(client)
    base = client.get("/api/data/versions").get_json()["current"]
    r = client.post("/api/data/edits", json={"action": "rename", "type": "welfare_home", "id": row["id"],
                                             "name": "王改名A", "base": base})
    assert r.status_code == 200
    ev = [d for e, o, d in seen if e == "edit"][-1]
    assert ev["name"] == f"{row['name']} → 王改名A", ev
    assert "王改名A" in auth.audit_detail_text(ev, "zh") if hasattr(auth, "audit_detail_text") else True
    # a second edit made on the page of before: 409 naming who changed it, and when
    again = client.post("/api/data/edits?lang=en", json={"action": "rename", "type": "welfare_home",
                                                         "id": row["id"], "name": "王改名B", "base": base})
    assert again.status_code == 409
    body = again.get_json()
    assert "another edit on this computer's web page" in body["message_en"].lower(), body["message_en"]
    assert "本机网页上的另一次编辑于" in body["message_zh"] and f"v{r.get_json()['version']}" in body["message_zh"]
    assert body["details"]["changed_in"] == r.get_json()["version"]


# -- 7. the CLI's report says what the JSON says ---------------------------------------------------------------------
def _swapped_csv(shiyan, n=3) -> str:
    v = shiyan.villages
    pts = v[v["county_code"] == YUNXI].geometry.iloc[:n]
    return "名称,经度,纬度,日托位\n" + "".join(f"换位中心{i},{p.y:.6f},{p.x:.6f},20\n" for i, p in enumerate(pts))


def test_cli_swapped_pairs_are_warnings_as_the_json_says(tmp_path, capsys, monkeypatch, shiyan):
    import json

    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    f = tmp_path / "dc_swapped.csv"
    f.write_text(_swapped_csv(shiyan), "utf-8")
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(f), "--type", "day_care",
                         "--dry-run", "--json")
    got = json.loads(out)
    swapped = [i for i in got["issues"] if i["code"] == "swapped"]
    assert swapped and all(i["severity"] == "warning" and i["fixed"] for i in swapped)
    assert got["read"]["columns"]["lon"] == "经度" and got["read"]["encoding"] and got["read"]["coords"] == "wgs84"
    for lang, warn, fixed, err_word, cols in (("zh", "[警告]", "已交换后读取", "[错误]", "列对应：名称 → name"),
                                              ("en", "[warning]", "read the other way round", "[error]",
                                               "Columns: 名称 -> name")):
        code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(f), "--type", "day_care",
                             "--dry-run")
        assert code == 0, err
        lines = [x for x in out.splitlines() if "经度" in x and ("swapped" in x or "写反" in x)]
        assert len(lines) == 3 and all(warn in x and fixed in x and err_word not in x for x in lines), out
        assert cols in out and ("经纬度基准：WGS84" in out if lang == "zh" else "lon/lat datum: WGS84" in out), out


def test_cli_ambiguous_names_list_their_candidates(tmp_path, capsys, monkeypatch):
    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    f = tmp_path / "by_name.csv"
    f.write_text("名称,乡镇,床位数\n城关镇福利院,城关镇,40\n", "utf-8")
    f2 = tmp_path / "two.csv"  # one row placed, so the dry run prints its report
    f2.write_text("名称,乡镇,县区,床位数\n城关镇福利院,城关镇,,40\n土门福利院,土门镇,郧西县,40\n", "utf-8")
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(f2), "--type", "welfare_home",
                         "--dry-run")
    assert code == 0, err
    assert "候选：" in out and "郧西县·城关镇（420322100）" in out, out
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f2), "--type", "welfare_home",
                         "--dry-run")
    assert "candidates: " in out and "Yunxi County·城关镇 (420322100)" in out, out
    # a file with no row to import: the error lists them too
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(f), "--type", "welfare_home",
                         "--dry-run")
    assert code == 2 and "候选：" in err and "郧西县·城关镇（420322100）" in err, err


def test_cli_versions_align_and_rollback_points_to_data_diff(tmp_path, capsys, monkeypatch, shiyan):
    from cli.output import columns
    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    f = tmp_path / "郧西福利院名录.csv"
    f.write_bytes(_welfare_csv(shiyan))
    assert run(capsys, "data", "import", "facilities", str(f), "--note", "郧西")[0] == 0
    assert run(capsys, "data", "rollback", "0")[0] == 0
    for lang in ("zh", "en"):
        code, out, err = run(capsys, "--lang", lang, "data", "versions")
        assert code == 0, err
        lines = [x for x in out.splitlines() if x.strip() and not x.startswith("* ")]
        # the layer column starts at the same display column on every line
        starts = []
        for x in lines[1:]:
            cut = x.index("2026") if "2026" in x else None
            starts.append(columns(x[:cut]) if cut is not None else None)
        assert len(set(s for s in starts if s is not None)) == 1, out
        src = [columns(x[:x.index("郧西福利院名录.csv")]) for x in lines if "郧西福利院名录.csv" in x]
        head = lines[0]
        word = "源文件" if lang == "zh" else "Source"
        assert src and src[0] == columns(head[:head.index(word)]), out
    code, _, err = run(capsys, "--lang", "zh", "data", "rollback", "0")
    assert code != 0 and "coverplan data diff 0 2" in err and "对比" not in err, err
    code, _, err = run(capsys, "--lang", "en", "data", "rollback", "0")
    assert code != 0 and "coverplan data diff 0 2" in err and "Compare" not in err, err


# -- the county planner's path is unchanged; the whole city is not his to replace -----------------------------------
def test_a_county_planner_keeps_his_path_and_may_not_replace_the_city(tmp_path, shiyan):
    from accounts import accounts_app
    from accounts import signed_in as as_user

    app = accounts_app(tmp_path / "acc", (("boss", "admin", None), ("yunxi", "planner", YUNXI)))
    try:
        yunxi = as_user(app, "yunxi")
        body = _welfare_csv(shiyan)
        rep = _upload(yunxi, body)
        assert "替换郧西县（420322）现有的" in rep["replaces"]["text"], rep["replaces"]["text"]
        assert "替换全市该类设施" not in rep["replaces"]["text"]
        r = yunxi.post("/api/data/uploads?lang=en", data={"kind": "facilities", "replace": "city",
                                                          "file": (io.BytesIO(body), "a.csv")},
                       content_type="multipart/form-data")
        assert r.status_code == 403 and "replace the whole city's facilities of a type" in r.get_json()["message"]
        assert yunxi.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
        region = app.extensions["coverplan"]["datasets"].region()
        wh = shiyan.facilities[shiyan.facilities["facility_type"] == "welfare_home"]
        w = region.facilities[region.facilities["facility_type"] == "welfare_home"]
        assert int((w["county_code"] != YUNXI).sum()) == int((wh["county_code"] != YUNXI).sum())
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_bad_replace_is_cut_short_and_null_is_said_as_sent(client, shiyan):
    """A long replace value is echoed cut to 40 characters (not 5,000 x's back); a recheck's null is a missing
    value, as type's is, not a silent return to the default."""
    body = _welfare_csv(shiyan)
    r = client.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                    data={"kind": "facilities", "coords": "wgs84", "replace": "x" * 5000,
                          "file": (io.BytesIO(body), "a.csv")})
    assert r.status_code == 400
    msg = r.get_json()["message"]
    assert '"' + "x" * 40 + '…"' in msg and "x" * 41 not in msg, msg[:200]
    up = _upload(client, body, lang="en", replace="city")
    r = client.post(f"/api/data/uploads/{up['upload_id']}/recheck?lang=en", json={"replace": None})
    assert r.status_code == 400 and "replace" in r.get_json()["message"]
    again = client.post(f"/api/data/uploads/{up['upload_id']}/recheck?lang=en", json={}).get_json()
    assert again["replace"] == "city"  # the choice before the refused recheck is kept
