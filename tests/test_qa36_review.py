"""Review of QA 35's changes (session 36).

1. A row whose code places it in another county than its county cell names (茅箭区's community code on a 房县 row):
   a refused pick offered that county's places, each of which the check refused again. The county cell binds the
   pick; the places offered are the named county's, and picking one is taken.
2. An X.CPG (upper case) beside X.shp was not read by the misread check, though GDAL honours it.
3. A secret_key file written 0644 by an older version was used as it was: it is narrowed to its owner.
4. An identical proposal request is matched by its job's end, and the proposal then read; one deleted within the
   minute is solved anew.
"""
from __future__ import annotations

import os
import stat

from planner.register import validate_register
from test_qa34_picks import MAOJIAN_COMMUNITY, of

FANG = "420325"


def test_a_refused_pick_of_a_row_placed_by_another_countys_code_offers_its_own_countys_places(tmp_path, shiyan):
    p = tmp_path / "名录.csv"
    p.write_text("名称,类型,县区,村代码,床位\n某福利院,农村福利院,房县," + MAOJIAN_COMMUNITY + ",10\n", encoding="utf-8")
    other = next(c for c in shiyan.villages.index.astype(str) if c.startswith("420302") and c != MAOJIAN_COMMUNITY)
    rep = validate_register(p, region=shiyan, picks={"2": other})
    (bad,) = of(rep, "pick_outside", 2)
    assert 2 in rep.refused_rows
    codes = [c["code"] for c in bad.candidates]
    assert codes and all(c.startswith(FANG) for c in codes), codes
    again = validate_register(p, region=shiyan, picks={"2": codes[0]})
    assert 2 not in again.refused_rows and of(again, "picked", 2) and not of(again, "pick_outside", 2)
    assert str(again.accepted["township_code"].iloc[0]).startswith(FANG)


def test_an_upper_case_cpg_is_read(tmp_path):
    from geo.gisfiles import cpg_encoding

    shp = tmp_path / "名录[1].shp"
    shp.write_bytes(b"")
    assert cpg_encoding(shp) is None
    (tmp_path / "名录[1].CPG").write_text("936", encoding="ascii")
    (tmp_path / "名录[1].x.cpg").write_text("UTF-8", encoding="ascii")  # another layer's, not this one's
    assert cpg_encoding(shp) == "936"


def test_an_older_wide_secret_key_is_narrowed(tmp_path):
    from web.app import create_app

    key = tmp_path / "secret_key"
    key.write_text("k" * 64, encoding="ascii")
    os.chmod(key, 0o644)
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        assert app.config["SECRET_KEY"] == "k" * 64
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_repeat_of_a_proposal_deleted_within_the_minute_is_solved_anew(client):
    body = {"type": "day_care", "model": "mclp", "p": 2, "time_limit": 10, "name": "qa36 repeat"}
    first = client.post("/api/proposals?wait=60", json=body)
    assert first.status_code == 201, first.get_json()
    pid = first.get_json()["proposal"]["id"]
    again = client.post("/api/proposals?wait=60", json=body)
    assert again.status_code == 200 and again.get_json()["reused"] == "proposal"
    assert again.get_json()["proposal_id"] == pid
    assert client.delete(f"/api/proposals/{pid}").status_code in (200, 204)
    third = client.post("/api/proposals?wait=60", json=body)
    assert third.status_code == 201, third.get_json()
    assert third.get_json()["proposal"]["id"] != pid and "reused" not in third.get_json()


def test_a_shared_job_cancelled_while_the_repeat_waits_is_not_said_to_be_solving(app, monkeypatch):
    import threading

    from accounts import held_at_start
    from web import proposals

    c = app.test_client()
    body = {"type": "cemetery", "model": "lscp", "county": "420322", "name": "qa36-shared"}
    answers = []
    with held_at_start(monkeypatch, proposals, "propose") as (started, gate):
        first = c.post("/api/proposals", json=body)
        assert first.status_code == 202
        assert started.wait(20)
        jobs, waiting = app.extensions["coverplan"]["jobs"], threading.Event()
        real_wait = jobs.wait

        def wait(*a, **kw):  # the repeat has taken the first's job and waits on it
            waiting.set()
            return real_wait(*a, **kw)

        monkeypatch.setattr(jobs, "wait", wait)
        c2 = app.test_client()  # another tab
        waiter = threading.Thread(target=lambda: answers.append(c2.post("/api/proposals?wait=30&lang=en", json=body)))
        waiter.start()
        jid = first.get_json()["id"]
        assert waiting.wait(30)
        assert c.post(f"/api/jobs/{jid}/cancel").status_code in (200, 202)
        gate.set()
        waiter.join(60)
    (r,) = answers
    j = r.get_json()
    assert j["id"] == jid and j["state"] == "cancelled", j
    assert "reused_text" not in j and "reused" not in j


def test_targets_and_access_on_derived_populations_are_illustrative(shiyan):
    """The coverage and the capacity analysis call derived village populations 示意 (QA 36, fixer N); the plan's
    targets and the E2SFCA access measured on them said nothing."""
    import copy

    from planner.access import analyse_access
    from planner.targets import plan_targets

    r = copy.copy(shiyan)
    v = r.villages.copy()
    v["location_quality"] = "official"
    r.villages = v
    fac = r.facilities.copy()
    fac["synthetic"] = False
    rows = [x for x in plan_targets(r, facilities=fac, types={"day_care"}) if x["type"] == "day_care"]
    assert rows and all(x["synthetic_inputs"] for x in rows)
    assert analyse_access(r, "day_care", facilities=fac).synthetic_inputs
    v = v.copy()
    v["population_quality"] = "official"
    r.villages = v
    rows = [x for x in plan_targets(r, facilities=fac, types={"day_care"}) if x["type"] == "day_care"]
    assert rows and not any(x["synthetic_inputs"] for x in rows)
    assert not analyse_access(r, "day_care", facilities=fac).synthetic_inputs


def test_a_proposal_deleted_before_an_old_style_restore_is_said_deleted_not_dropped(tmp_path):
    """A restore entry of names only (before QA 35) that dropped more proposals than it named was taken as the one
    that dropped any proposal saved before it, even one deleted before the restore ran."""
    import time

    from web.app import create_app
    from web.users import UserStore

    db = tmp_path / "p.sqlite"
    users = UserStore(db)
    users.audit("proposal_saved", user_name="li", obj="abc123def1", detail={"name": "日间照料 · MCLP · 5 处"})
    users.audit("proposal_deleted", user_name="li", obj="abc123def1", detail={"name": "日间照料 · MCLP · 5 处"})
    time.sleep(1.1)  # the restore a second later (the log's times are in seconds)
    users.audit("restore", user_name="(command line) wang", obj="周一备份.zip",
                detail={"backup_created": "2025-06-30T08:00:00", "dropped_versions": [], "dropped_proposals": 3,
                        "dropped_proposal_names": ["别的方案"]})
    app = create_app({"DB_PATH": str(db), "TESTING": True})
    try:
        e = app.test_client().get("/api/proposals/abc123def1?lang=en").get_json()
        assert "was deleted by li" in e["message"] and "dropped" not in e["message"], e
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
