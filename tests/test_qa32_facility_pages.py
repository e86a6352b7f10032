"""QA 32: /api/facilities gives pages on request (``limit``, ``offset``), in the order of the whole list; without
them every row, as the register page reads it."""
from __future__ import annotations

import pytest


def test_pages_cover_the_whole_list_in_order(client):
    whole = client.get("/api/facilities?type=welfare_home").get_json()
    assert "next_offset" not in whole and whole["count"] == len(whole["rows"]) > 20
    ids, offset = [], 0
    while offset is not None:
        page = client.get(f"/api/facilities?type=welfare_home&limit=7&offset={offset}").get_json()
        assert page["count"] == whole["count"] and page["limit"] == 7 and page["offset"] == offset
        assert 0 < len(page["rows"]) <= 7
        ids += [r["id"] for r in page["rows"]]
        offset = page["next_offset"]
    assert ids == [r["id"] for r in whole["rows"]]


def test_an_offset_past_the_end_is_an_empty_last_page(client):
    n = client.get("/api/facilities?type=welfare_home").get_json()["count"]
    page = client.get(f"/api/facilities?type=welfare_home&offset={n + 5}").get_json()
    assert page["rows"] == [] and page["next_offset"] is None and page["count"] == n


@pytest.mark.parametrize("q", ["limit=0", "limit=5001", "limit=-3", "limit=1.5", "limit=nan", "limit=1e999",
                               "offset=-1", "offset=inf", "offset=abc"])
def test_bad_page_parameters_are_named(client, q):
    r = client.get(f"/api/facilities?{q}&lang=zh")
    assert r.status_code == 400
    body = r.get_json()
    assert q.split("=")[0] in str(body)
