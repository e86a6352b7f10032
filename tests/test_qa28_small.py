"""Session 6 small fixes (from the last note's "known, not fixed").

- ``/api/capacity/townships`` now carries ``facilities`` and ``capacity_known`` per township, so a client
  can tell a true 0 from facilities whose capacity is unknown (it reported ratio 0 and a full shortfall
  with nothing to tell them apart).
"""
from __future__ import annotations

from test_qa27_provenance import imported, upload  # noqa: F401  (fixtures and helper)


def test_capacity_townships_says_how_many_capacities_are_known(client, imported):
    types = client.get("/api/capacity/townships").get_json()["types"]
    a, b = imported["a"], imported["b"]
    day = types["day_care"]
    assert (day[a]["facilities"], day[a]["capacity_known"]) == (1, 0)
    assert (day[b]["facilities"], day[b]["capacity_known"]) == (2, 1)
    # every facility of the type is counted once, in its township
    n = len(client.get("/api/facilities?type=day_care").get_json()["rows"])
    assert sum(r["facilities"] for r in day.values()) == n == 5
    assert sum(r["capacity_known"] for r in day.values()) == 3
    for rows in types.values():
        assert all(0 <= r["capacity_known"] <= r["facilities"] for r in rows.values())
