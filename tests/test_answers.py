"""What bench/load.py found slow, kept fast: layers encoded once, 304 before any work, cached tables.

web/answers.py encodes, hashes and compresses a kept map-layer answer once; a
browser's revalidation gets its 304 without the body being made again; a new
data version is a new answer at once. web/service.py keeps the checklist rows
and the targets after a saved proposal, and reads the data version once per request.
"""
from __future__ import annotations

import gzip
import json

import brotli
import pytest

from web import answers


@pytest.fixture
def app(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_layers_are_compressed_and_revalidated_with_the_variant_etag(app):
    c = app.test_client()
    plain = c.get("/api/coverage/cemetery/layers")
    br = c.get("/api/coverage/cemetery/layers", headers={"Accept-Encoding": "gzip, br"})
    gz = c.get("/api/coverage/cemetery/layers", headers={"Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert json.loads(brotli.decompress(br.data)) == plain.get_json()
    assert json.loads(gzip.decompress(gz.data)) == plain.get_json()
    assert br.headers["ETag"].endswith(':br"') and gz.headers["ETag"].endswith(':gzip"')
    assert br.headers["Cache-Control"] == "no-cache" and "Accept-Encoding" in br.headers["Vary"]
    # a browser revalidating gets 304 with no body, for the variant it holds
    again = c.get("/api/coverage/cemetery/layers",
                  headers={"Accept-Encoding": "gzip, br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert c.get("/api/coverage/cemetery/layers", headers={"Accept-Encoding": "gzip, br",
                                                            "If-None-Match": '"other"'}).status_code == 200


def test_a_kept_answer_is_encoded_once(app, monkeypatch):
    c = app.test_client()
    c.get("/api/region/layers")
    calls = []
    real = app.json.dumps
    # (the session machinery dumps small dicts of its own on every request: only the layers count)
    monkeypatch.setattr(app.json, "dumps",
                        lambda obj, **kw: (isinstance(obj, dict) and "counties" in obj and calls.append(1))
                        or real(obj, **kw))
    for enc in ("br", "gzip", "", "br"):
        assert c.get("/api/region/layers", headers={"Accept-Encoding": enc}).status_code == 200
    assert calls == []


def test_a_new_data_version_is_a_new_answer_at_once(app):
    c = app.test_client()
    first = c.get("/api/coverage/cemetery/layers", headers={"Accept-Encoding": "br"})
    assert first.status_code == 200
    datasets = app.extensions["coverplan"]["datasets"]
    fac = datasets.layers()["facilities"]
    datasets.commit_layer("facilities:cemetery", fac[fac["facility_type"] == "cemetery"].iloc[:2], kind="edit")
    after = c.get("/api/coverage/cemetery/layers", headers={"Accept-Encoding": "br",
                                                             "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    body = json.loads(brotli.decompress(after.data))
    assert body["dataset_version"] == 1 and body["summary"]["facilities"] == 2


def test_answers_kept_are_bounded(app):
    with app.test_request_context("/"):
        for i in range(answers.KEPT + 5):
            answers.revalidated({"n": i})
        assert len(answers._answers) <= answers.KEPT


def test_checklist_rows_are_kept_and_handed_out_as_copies(app, monkeypatch):
    s = app.extensions["coverplan"]["service"]
    with app.test_request_context("/"):
        rows = s.township_rows("zh", type_key="cemetery")
        rows[0]["status"] = "changed by a caller"
        calls = []
        monkeypatch.setattr(s, "_township_rows", lambda *a, **k: calls.append(1) or [])
        again = s.township_rows("zh", type_key="cemetery")
    assert calls == [] and again[0]["status"] != "changed by a caller"


def test_the_data_version_is_read_once_per_request(app, monkeypatch):
    s = app.extensions["coverplan"]["service"]
    real = s.datasets.current
    calls = []
    monkeypatch.setattr(s.datasets, "current", lambda: calls.append(1) or real())
    with app.test_request_context("/"):
        assert {s.version() for _ in range(5)} == {0}
        s.region_layers()
    assert len(calls) == 1
    with app.test_request_context("/"):
        s.version()
    assert len(calls) == 2


def test_targets_after_a_saved_proposal_are_computed_once(app, monkeypatch):
    c = app.test_client()
    r = c.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.data[:300]
    pid = r.get_json()["proposal"]["id"]
    import web.service as service_module
    real = service_module.plan_targets
    calls = []
    monkeypatch.setattr(service_module, "plan_targets", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = c.get(f"/api/targets?proposals={pid}").get_json()
    second = c.get(f"/api/targets?proposals={pid}").get_json()
    assert first == second and len(calls) == 1
    assert c.get(f"/proposals/{pid}").status_code == 200 and len(calls) == 1  # the page shares it
    assert any("after" in row for row in first)
