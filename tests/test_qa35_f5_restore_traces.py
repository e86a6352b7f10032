"""QA 35 (shared server, a backup restored by the admin): what a restore undoes is said where it shows.

- A proposal saved after the backup is gone after `coverplan restore`: its page, Save, GET and CSV answered only
  "Proposal ... not found." They now say the restore of <file> dropped it, by whom and when, with its name and
  parameters, as a deleted proposal's 404 does.
- A rename or a planner's note made after the backup is undone by the restore without a word: the restore's answer
  and its audit entry list those proposals too; the Data page says which versions a restore dropped.
- A deleted proposal's 404 cut a long name at 60 characters with no ellipsis.
- An import's audit entry and the version list name the county it replaced (or the whole city).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from accounts import accounts_app, signed_in
from geo import backup as bk
from geo.datasets import DatasetStore
from test_qa21_cli import run
from test_qa27_provenance import upload
from test_qa29_carried import register_of
from web.app import create_app
from web.store import ProposalStore
from web.users import UserStore

PARAMS = {"type": "day_care", "kind": "location", "model": "mclp", "p": 2, "county": "420322",
          "standard": {"urban": 15, "rural": 30}, "mode": "estimate"}


def day_care(store: DatasetStore, n: int):
    f = store.layers()["facilities"]
    return f[f["facility_type"] == "day_care"].iloc[:n]


def add_proposal(db: Path, name: str, params: dict | None = None) -> str:
    return ProposalStore(db).add(name=name, type_key="day_care", params=params or {"p": 1},
                                 summary={"before": {}, "after": {}},
                                 geojson={"type": "FeatureCollection", "features": []})


@pytest.fixture()
def restored(tmp_path, monkeypatch, capsys):
    """The tester's server: v1 and proposal "早上的方案" backed up; then v2, "早上的方案" renamed with a note, and
    "备份后的方案" saved; `coverplan restore bk.zip` (en). Returns (db, ids, the restore's output)."""
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    site = tmp_path / "site"
    site.mkdir()
    db = site / "app.sqlite"
    store = DatasetStore(db, region="shiyan", root=site / "datasets" / "shiyan")
    assert store.commit_layer("facilities:day_care", day_care(store, 6), note="名录") == 1
    kept = add_proposal(db, "早上的方案")
    bk.backup(db, out=tmp_path / "bk.zip")
    assert store.commit_layer("facilities:day_care", day_care(store, 4), note="later") == 2
    ProposalStore(db).update(kept, name="改过的名字", note="规划员的备注", by="local")
    gone = add_proposal(db, "备份后的方案", PARAMS)
    code, out, err = run(capsys, "--lang", "en", "restore", str(tmp_path / "bk.zip"), "--db", str(db))
    assert code == 0, err
    return db, {"kept": kept, "gone": gone}, out


def test_a_proposal_dropped_by_a_restore_says_so_and_the_restore_lists_what_it_reverted(restored, capsys):
    db, ids, out = restored
    # the restore's answer: the dropped proposal as before, and now the one whose name and note went back
    assert "0 data version(s) and 1 proposal(s)" not in out
    assert "1 proposal got back the name or note it had at the backup" in out, out
    assert '"早上的方案" (renamed "改过的名字" after the backup; its note too)' in out, out
    assert ProposalStore(db).get(ids["kept"])["name"] == "早上的方案"
    row = UserStore(db).audit_list(action="restore")[1][0]
    assert row["detail"]["reverted_proposals"] == 1
    assert [r["id"] for r in row["detail"]["dropped_proposal_records"]] == [ids["gone"]]
    assert row["detail"]["dropped_proposal_records"][0]["params"]["county"] == "420322"

    # `coverplan users audit` words the restore as /admin does, not its stored keys (it printed
    # "dropped_proposal_records [...]；reverted_proposals 1")
    for lang, said in (("en", '"早上的方案" (renamed "改过的名字" after the backup; its note too)'),
                       ("zh", "“早上的方案”（备份后曾改名为“改过的名字”；备注也已恢复）")):
        code, cli_out, err = run(capsys, "--lang", lang, "users", "audit", "--db", str(db))
        assert code == 0, err
        assert said in cli_out and "dropped_proposal_records" not in cli_out and "reverted_proposal" not in cli_out, \
            cli_out

    app = create_app({"DB_PATH": str(db), "TESTING": True})
    try:
        c = app.test_client()
        gone = ids["gone"]
        r = c.get(f"/api/proposals/{gone}?lang=en")
        assert r.status_code == 404
        e = r.get_json()
        assert e["message"].startswith('The proposal "备份后的方案" was dropped: command line ('), e
        assert "restored the backup bk.zip (made " in e["message"] and "saved after that backup" in e["message"], e
        assert "not found" not in e["message"]
        assert e["details"]["dropped"] is True and e["details"]["restore"]["archive"] == "bk.zip"
        assert "does not hold it. Its parameters: " in e["message"] and "Yunxi" in e["message"], e
        e = c.get(f"/api/proposals/{gone}?lang=zh").get_json()
        assert e["message"].startswith("方案“备份后的方案”已被丢弃：命令行（") and "恢复了备份 bk.zip（备份时间 " in e["message"], e
        assert "备份中没有它。其参数：" in e["message"] and "郧西县" in e["message"], e
        # the CSV download, the page and Save say the same; Save says nothing was saved
        r = c.get(f"/api/proposals/{gone}.csv?lang=en")
        assert r.status_code == 404 and "was dropped" in r.get_json()["message"]
        r = c.get(f"/proposals/{gone}?lang=zh")
        assert r.status_code == 404 and "已被丢弃" in r.get_data(as_text=True) and "bk.zip" in r.get_data(as_text=True)
        r = c.patch(f"/api/proposals/{gone}?lang=en", json={"name": "新名字"})
        assert r.status_code == 404 and "does not hold it. Nothing was saved" in r.get_json()["message"], r.get_json()

        # the audit page words the reverted proposal, not its stored keys
        for lang, said in (("en", '"早上的方案" (renamed "改过的名字" after the backup; its note too)'),
                           ("zh", "“早上的方案”（备份后曾改名为“改过的名字”；备注也已恢复）")):
            rows = c.get(f"/api/admin/audit?action=restore&lang={lang}").get_json()["rows"]
            text = rows[0]["detail_text"]
            assert said in text and "dropped_proposal_records" not in text and "reverted_proposal" not in text, text

        # the Data page and its version list say which versions the restore dropped, who and when
        d = c.get("/api/data/versions?lang=en").get_json()
        assert [v["version"] for v in d["versions"]] == [1, 0]
        assert len(d["dropped"]) == 1 and d["dropped"][0].startswith("Data version v2 was dropped by a backup "
                                                                     "restore: command line ("), d["dropped"]
        assert "restored the backup bk.zip (made " in d["dropped"][0]
        page = c.get("/data?lang=zh").get_data(as_text=True)
        assert "数据版本 v2 已因恢复备份被丢弃：命令行（" in page, page[:200]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """An app whose audit log holds a restore entry written before the dropped proposals were recorded by id (its
    names only), the save of the proposal it dropped (carried over by the restore), and a deleted proposal of a
    long name."""
    db = tmp_path_factory.mktemp("qa35f5") / "p.sqlite"
    users = UserStore(db)
    users.audit("proposal_saved", user_name="li", obj="abc123def0", detail={"name": "下午的方案", "county": None})
    users.audit("restore", user_name="(command line) wang", obj="周一备份.zip",
                detail={"backup_created": "2025-06-30T08:00:00", "dropped_versions": [], "dropped_proposals": 1,
                        "dropped_proposal_names": ["下午的方案"]})
    long_name = "十堰市社区日间照料中心新建选址方案（茅箭区、张湾区、郧阳区）· 50 sites · 最大覆盖模型 · 2025 年第三季度评审稿"
    assert len(long_name) > 60
    users.audit("proposal_deleted", user_name="li", obj="0123456789", detail={"name": long_name, "params": PARAMS})
    app = create_app({"DB_PATH": str(db), "TESTING": True})
    yield app, long_name
    app.extensions["coverplan"]["jobs"].shutdown()


def test_a_restore_entry_of_names_only_still_explains_its_dropped_proposal(logged):
    app, _ = logged
    c = app.test_client()
    e = c.get("/api/proposals/abc123def0?lang=en").get_json()
    assert e["message"].startswith('The proposal "下午的方案" was dropped: command line (wang) restored the backup '
                                   "周一备份.zip (made 2025-06-30 08:00)"), e
    assert "did not record its parameters" in e["message"], e
    # an id no entry names: the plain 404
    e = c.get("/api/proposals/ffffffffff?lang=en").get_json()
    assert "not found" in e["message"] and "dropped" not in e["message"], e


def test_a_deleted_proposal_with_a_long_name_is_cut_with_an_ellipsis(logged):
    app, long_name = logged
    for lang in ("en", "zh"):
        e = app.test_client().get(f"/api/proposals/0123456789?lang={lang}").get_json()
        assert long_name[:59] + "…" in e["message"], e["message"]
        assert long_name[:60] not in e["message"]


def test_imports_name_the_county_they_replaced_in_the_audit_and_the_version_list(tmp_path):
    app = accounts_app(tmp_path, [("yunxi", "planner", "420322"), ("fang", "planner", "420325"),
                                  ("city", "planner", None), ("boss", "admin", None)])
    try:
        region = app.extensions["coverplan"]["service"].region
        done = {}
        for who, county, tag, form in (("yunxi", "420322", "甲", {}), ("fang", "420325", "乙", {}),
                                       ("city", "420325", "丙", {"replace": "city"})):
            c = signed_in(app, who)
            r = upload(c, register_of(region, county, 2, tag), f"{who}.csv", type="day_care", **form)
            assert r.status_code == 200, r.get_json()
            r = c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm")
            assert r.status_code == 200, r.get_json()
            done[who] = r.get_json()["version"]
        boss = signed_in(app, "boss")
        for lang, words in (("zh", {"yunxi": "郧西县", "fang": "房县", "city": "全市"}),
                            ("en", {"yunxi": "Yunxi", "fang": "Fang", "city": "whole city"})):
            rows = boss.get(f"/api/admin/audit?action=import_confirmed&lang={lang}").get_json()["rows"]
            by_version = {int(r["object"]): r["detail_text"] for r in rows}
            versions = {v["version"]: v for v in boss.get(f"/api/data/versions?lang={lang}").get_json()["versions"]}
            for who, v in done.items():
                label = versions[v]["layer_label"]
                # the county beside the layer, in the audit's words as in the list's
                assert words[who] in by_version[v] and words[who] in versions[v]["scope_label"], (who, by_version[v])
                assert label in by_version[v], (label, by_version[v])
                # the list names a county's import; a whole city's reads as the layer alone, as before
                assert (words[who] in label) == (who != "city"), (who, label)
            # the two county planners' entries no longer read alike
            assert by_version[done["yunxi"]].replace("yunxi", "") != by_version[done["fang"]].replace("fang", "")
        assert versions[done["yunxi"]]["scope"] == "420322" and versions[done["city"]]["scope"] == ""
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
