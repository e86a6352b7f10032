"""QA sweep 7 (CLI side): one rounding rule for the bed figures, --out checks, upgrade K, county filter,
a proposal file that is not GeoJSON."""
from __future__ import annotations

import json
import re

from cli.main import main
from planner.beds import whole_units


# -- 1. bed figures: the same whole numbers in the API, the CLI and the overview --

def test_whole_units_add_up_and_round_to_nearest():
    # each county's need rounded up would sum to 3 (0.2 -> 1 three times); the citywide need is 0.6 -> 1
    rep = {"citywide": {"supply": 0.0, "required": 0.6},
           "by_county": [{"supply": 0.0, "required": 0.2}, {"supply": 0.0, "required": 0.2},
                         {"supply": 0.0, "required": 0.2}]}
    out = whole_units(rep)
    assert out["citywide"]["required_whole"] == 1 and out["citywide"]["shortfall_whole"] == 1
    assert sum(c["required_whole"] for c in out["by_county"]) == 1
    # nearest, not up: 2835.16 -> 2835
    out = whole_units({"citywide": {"supply": 215.0, "required": 2835.16},
                       "by_county": [{"supply": 215.0, "required": 2835.16}]})
    assert out["by_county"][0]["required_whole"] == 2835 and out["by_county"][0]["shortfall_whole"] == 2620
    # a met row has no shortfall; nothing at all is zeros, not an error
    out = whole_units({"citywide": {"supply": 10.0, "required": 4.4}, "by_county": [{"supply": 10.0, "required": 4.4}]})
    assert out["citywide"]["shortfall_whole"] == 0
    out = whole_units({"citywide": {"supply": 0.0, "required": 0.0}, "by_county": []})
    assert out["citywide"]["required_whole"] == 0


def test_bed_figures_same_in_api_and_cli(capsys, client):
    api = client.get("/api/capacity").get_json()
    city = api["citywide"]
    counties = api["by_county"]
    # the table adds up: counties sum to the citywide row; the citywide row is its exact need rounded
    assert sum(c["required_whole"] for c in counties) == city["required_whole"] == round(city["required"])
    assert sum(c["supply_whole"] for c in counties) == city["supply_whole"]
    assert city["shortfall_whole"] == city["required_whole"] - city["supply_whole"]
    assert (city["required_whole"], city["shortfall_whole"]) == (24424, 15064)
    mj = next(c for c in counties if c["county_code"] == "420302")
    assert mj["shortfall_whole"] == 2620
    assert main(["--lang", "zh", "capacity", "--beds"]) == 0
    out = capsys.readouterr().out
    assert f"/ {city['required_whole']:,} " in out and f"缺口 {city['shortfall_whole']:,}" in out
    shown = {m[0]: int(m[1].replace(",", "")) for m in re.findall(r"(\d{6}) .*?缺口\s+([\d,]+)", out)}
    assert shown == {c["county_code"]: c["shortfall_whole"] for c in counties}
    assert main(["capacity", "--beds", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["citywide"]["required_whole"] == city["required_whole"]
