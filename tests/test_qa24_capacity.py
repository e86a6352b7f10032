"""QA 24: a register imported without its capacity column (day-care rows with 床位数 but no 日托位) gave
0 per thousand everywhere on the map and in /api/access, without a word: the CLI refused it only for
--facilities. The capacity and accessibility reports now say how many facilities state no capacity, and
the map's popups show it."""
from __future__ import annotations

import numpy as np
import pytest

from planner.access import analyse_access
from planner.capacity import analyse_capacity
from planner.coverage import existing_facilities
from planner.facility_types import get_type


@pytest.fixture(scope="module")
def no_places(shiyan):
    f = existing_facilities(shiyan, get_type("day_care")).copy()
    f["day_places"] = np.nan
    f.loc[f.index[:3], "day_places"] = 20.0  # three of them state one
    return f


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_say_how_many_facilities_state_no_capacity(shiyan, no_places, lang):
    n = len(no_places)
    acc = analyse_access(shiyan, "day_care", facilities=no_places).to_dict(lang, units=False)
    assert acc["capacity_unknown"] == n - 3
    note, = acc["notes"]
    assert (f"{n - 3:,} of the {n:,} facilities state no capacity" in note if lang == "en"
            else f"{n:,} 处设施中有 {n - 3:,} 处未填写容量（日托位）" in note)
    cap = analyse_capacity(shiyan, "day_care", facilities=no_places).to_dict(lang)
    assert cap["citywide"]["facilities"] - cap["citywide"]["capacity_known"] == n - 3
    assert note in cap["notes"]


def test_the_embedded_register_states_every_capacity(shiyan):
    acc = analyse_access(shiyan, "day_care").to_dict("en", units=False)
    assert acc["capacity_unknown"] == 0 and acc["notes"] == []


def test_the_capacity_layer_carries_the_counts_for_its_popup(client):
    fc = client.get("/api/capacity/day_care/layer?lang=en").get_json()
    props = [f["properties"] for f in fc["features"]]
    assert all("facilities" in p and "capacity_known" in p for p in props)
    assert sum(p["facilities"] or 0 for p in props) == 473 == sum(p["capacity_known"] or 0 for p in props)
    notes = fc["coverplan"]["notes"]
    assert notes and not any("counted as 0" in n for n in notes)  # the notes of the report, in the page's language
