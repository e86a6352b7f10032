"""QA 29, small items: a method no route takes is 405 (not a CSRF 403), a database path no folder can hold is
one sentence in every command (``serve --db`` and ``data import --db`` were tracebacks), and the port a refused
``serve`` bound is let go."""
from __future__ import annotations

import socket

import pytest

from conftest import plain_client
from test_qa20_cli import CJK
from test_qa21_cli import run
from web.app import create_app


@pytest.fixture()
def app(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("method,path", [("post", "/api/healthz"), ("post", "/healthz"), ("put", "/api/proposals"),
                                         ("delete", "/api/facilities"), ("patch", "/api/csrf")])
def test_a_method_no_route_takes_is_405_with_or_without_a_token(app, method, path):
    for client in (app.test_client(), plain_client(app)):
        r = getattr(client, method)(path, headers={"Origin": "http://evil.example"})
        assert r.status_code == 405 and r.get_json()["error"] == "MethodNotAllowed", (path, r.status_code)


def test_an_unknown_address_is_404_and_a_real_write_still_needs_the_token(app):
    assert plain_client(app).post("/api/nothing-here").status_code == 404
    r = plain_client(app).post("/api/proposals", json={"type": "day_care"})
    assert r.status_code == 403 and r.get_json()["error"] == "CSRFTokenMissing"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_line(err: str, lang: str) -> str:
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    assert err.startswith("错误：" if lang == "zh" else "error: ") and bool(CJK.search(err)) == (lang == "zh"), err
    return err.strip()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", ["serve", "data import", "users add"])
def test_a_database_under_a_file_is_one_sentence(command, lang, tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    db = blocker / "x.sqlite"
    extra = {"serve": ["--port", str(port := free_port())],
             "data import": ["facilities", str(tmp_path / "f.csv"), "--type", "day_care"],
             "users add": ["li", "--role", "planner"]}[command]
    (tmp_path / "f.csv").write_text("name,lon,lat\nA,110.7,32.1\n", encoding="utf-8")
    code, out, err = run(capsys, "--lang", lang, *command.split(), *extra, "--db", str(db))
    said = one_line(err, lang)
    assert code == 2 and str(db) in said, said
    assert (f"lies under {blocker}, which is a file, not a folder" in said if lang == "en"
            else f"位于 {blocker} 之下，而 {blocker} 是文件而非文件夹" in said), said
    assert blocker.read_text() == "a file, not a folder"
    if command == "serve":  # the port it bound is free again
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_database_in_a_folder_no_file_can_be_made_in_is_said(tmp_path, capsys):
    (tmp_path / "f.csv").write_text("name,lon,lat\nA,110.7,32.1\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(tmp_path / "f.csv"),
                       "--type", "day_care", "--db", "/proc/self/x.sqlite")
    said = one_line(err, "en")
    assert code == 2 and "/proc/self/x.sqlite cannot be made or written: the path lies in /proc/self" in said, said


def test_a_database_path_that_is_a_folder_is_said(tmp_path, capsys):
    code, _, err = run(capsys, "--lang", "zh", "serve", "--port", str(free_port()), "--db", str(tmp_path))
    said = one_line(err, "zh")
    assert code == 2 and f"{tmp_path} 是文件夹" in said, said


def test_finish_of_an_ended_location_job_is_job_ended_not_wait(app):
    """It said "cancel it instead, or wait for it to end" of a job that had ended, as a generic CoverplanError."""
    jobs = app.extensions["coverplan"]["jobs"]
    done = jobs.submit("proposal", lambda progress, should_stop: {"ok": True}, {"type": "day_care"})
    assert jobs.wait(done.id, 30).state == "done"
    r = app.test_client().post(f"/api/jobs/{done.id}/finish?lang=en")
    body = r.get_json()
    assert r.status_code == 409 and body["error"] == "JobEnded" and "nothing to stop" in body["message"], body
    assert body["details"]["state"] == "done" and "wait" not in body["message"]


@pytest.mark.parametrize("value,words", [(2 ** 64 + 1, "is more than one"), (10 ** 30, "is more than one"),
                                         (2 ** 64 - 1, "is more than one"), (-2 ** 63 - 1, "is negative"),
                                         ("9" * 400, "is more than one"), ("-" + "9" * 400, "is negative"),
                                         (12.5, "is not a whole number")])
def test_a_capacity_beyond_64_bits_is_a_400_saying_too_large(app, value, words):
    """2**64+1 was a 500 (np.isfinite on a Python int); 2**64-1 and 400 nines were "not a whole number"."""
    c = app.test_client()
    fid = c.get("/api/facilities?type=day_care").get_json()["rows"][0]["id"]
    before = c.get("/api/data/versions").get_json()
    for action, body in (("update", {"id": fid, "fields": {"capacity": value}}),
                         ("add", {"name": "新站", "lon": 110.74, "lat": 32.05, "fields": {"capacity": value}})):
        r = c.post("/api/data/edits?lang=en", json={"action": action, "type": "day_care", **body})
        said = r.get_json()
        assert r.status_code == 400 and words in said["message"], (action, value, said)
        if isinstance(value, str):
            assert "…" in said["message"] and "9" * 41 not in said["message"]
    assert c.get("/api/data/versions").get_json() == before


def test_a_falsy_county_or_role_is_checked_not_read_as_city_wide(tmp_path):
    """{"county": 0} made a county planner city-wide; {"role": false} made a viewer (QA 29)."""
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, [("boss", "admin", None), ("zs", "planner", "420322")])
    try:
        c = signed_in(app, "boss")
        for value in (0, False, -0.0, [], {}):
            r = c.patch("/api/admin/users/zs?lang=en", json={"county": value})
            assert r.status_code == 400 and r.get_json()["details"].get("field") == "county", (value, r.get_json())
            r = c.post("/api/admin/users?lang=en", json={"name": "li", "role": "planner", "county": value})
            assert r.status_code == 400, (value, r.get_json())
            r = c.post("/api/admin/users?lang=en", json={"name": "li", "role": value})
            assert r.status_code == 400 and r.get_json()["details"].get("field") == "role", (value, r.get_json())
        users = {u["name"]: u for u in c.get("/api/admin/users").get_json()}
        assert users["zs"]["county"] == "420322" and "li" not in users
        # left out, null or "": the default, as documented
        assert c.patch("/api/admin/users/zs", json={"county": ""}).get_json()["user"]["county"] is None
        r = c.post("/api/admin/users", json={"name": "li", "role": None, "county": None})
        assert r.status_code == 201 and r.get_json()["user"]["role"] == "viewer"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_proposal_patch_of_was_alone_says_so(app):
    c = app.test_client()
    r = c.post("/api/proposals?wait=120", json={"type": "day_care", "p": 1})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["proposal"]["id"]
    before = c.get(f"/api/proposals/{pid}?lang=zh").get_json()
    for body in ({"was": {"name": "x"}}, {"was": "inf"}):
        said = c.patch(f"/api/proposals/{pid}?lang=en", json=body).get_json()
        assert said["error"] == "InputDataError" and 'body="{}"' not in said["message"], said
        assert 'the field "was" only records what the page showed' in said["message"], said
    after = c.get(f"/api/proposals/{pid}?lang=zh").get_json()
    assert (after["name"], after["note"]) == (before["name"], before["note"])


def test_a_cut_off_workbook_is_called_damaged_in_its_own_words(app):
    """Half of the server's own facilities.xlsx was told to be "zipped again", with zipfile's English inside the
    Chinese message."""
    from test_qa27_provenance import upload

    c = app.test_client()
    whole = c.get("/api/facilities.xlsx?type=day_care").data
    assert whole[:2] == b"PK"
    r = upload(c, whole[: len(whole) // 2], "名录.xlsx", type="day_care")
    said = r.get_json()
    assert r.status_code == 400 and "工作簿已损坏或不完整" in said["message"], said
    assert "另存为" in said["message"] + str(said.get("hint", "")) + str(said.get("fix", ""))
    assert not any(ch.isascii() and ch.isalpha() for ch in said["message"].replace("名录.xlsx", "").replace("Excel", "")
                   .replace("WPS", "").replace("xlsx", "").replace("CSV", "")), said["message"]
    en = c.post("/api/data/uploads?lang=en", data={"kind": "facilities", "coords": "wgs84", "type": "day_care",
                                                    "file": (__import__("io").BytesIO(whole[:500]), "r.xlsx")},
                content_type="multipart/form-data").get_json()
    assert "workbook is damaged or incomplete" in en["message"], en


def test_the_proposal_list_says_which_proposals_rest_on_illustrative_inputs(app):
    """One proposal and its downloads said synthetic_inputs; the list said nothing (QA 29)."""
    c = app.test_client()
    store = app.extensions["coverplan"]["store"]
    r = c.post("/api/proposals?wait=120", json={"type": "day_care", "p": 1})
    pid = r.get_json()["proposal"]["id"]
    one = c.get(f"/api/proposals/{pid}").get_json()["synthetic_inputs"]
    listed = {p["id"]: p for p in c.get("/api/proposals").get_json()}
    assert one is True and listed[pid]["synthetic_inputs"] is True  # the embedded sample
    rec = store.get(pid)  # the same proposal as if solved on the planner's own data
    rec["geojson"].setdefault("coverplan", {})["synthetic_inputs"] = False
    with store._connect() as con:  # noqa: SLF001 (a stored value the app never writes this way)
        con.execute("UPDATE proposals SET geojson = ? WHERE id = ?", (__import__("json").dumps(rec["geojson"]), pid))
    assert c.get(f"/api/proposals/{pid}").get_json()["synthetic_inputs"] is False
    assert {p["id"]: p for p in c.get("/api/proposals").get_json()}[pid]["synthetic_inputs"] is False


def test_the_cli_sized_lines_write_utilisation_as_the_brief(capsys):
    """"used 100%" for a site at 99.99%, "99%" for 99.2% (QA 29)."""
    import json
    import re

    from planner.i18n import share_text

    argv = ("propose", "--type", "elderly_complex", "--sizes", "30,60,100", "--county", "房县")
    code, out, err = run(capsys, "--lang", "en", *argv, "--json")
    assert code == 0, err
    want = [share_text(s["utilisation"]) for s in json.loads(out)["sites"]]
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 0, err
    assert re.findall(r"\(used ([^,]+),", out) == want, (out, want)


def test_a_proposal_file_given_twice_counts_once_in_targets(tmp_path, capsys):
    code, _, err = run(capsys, "propose", "--type", "cemetery", "--p", "1", "--out", str(tmp_path / "p.geojson"))
    assert code == 0, err
    p = str(tmp_path / "p.geojson")
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", p, "--proposal", p, "--json")
    assert code == 0, err
    import json

    body = json.loads(out)
    assert body["proposals"] == [p], body["proposals"]
    assert not any("2 proposals" in " ".join(map(str, r.get("notes") or [])) for r in body["targets"])
