"""QA sweep 7 (CLI side): one rounding rule for the bed figures, --out checks, upgrade K, county filter,
a proposal file that is not GeoJSON."""
from __future__ import annotations

import json
import os
import re

import pytest

from cli.main import main
from planner.capacity import whole_units


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
    assert f"/ {city['required_whole']:,}" in out and f"缺口 {city['shortfall_whole']:,}" in out
    # the county rows of the table: code … shortfall last
    shown = {m[0]: int(m[1].replace(",", "")) for m in re.findall(r"^\s*(\d{6}) .*?([\d,]+)$", out, re.M)}
    assert shown == {c["county_code"]: c["shortfall_whole"] for c in counties}
    assert main(["capacity", "--beds", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["citywide"]["required_whole"] == city["required_whole"]


# -- 2. every --out: a folder that does not exist, a folder, a file as folder, no permission --

OUT_COMMANDS = [
    ["map", "--type", "day_care"],
    ["capacity", "--beds"],
    ["access", "--type", "day_care"],
    ["upgrade", "--type", "mutual_aid", "--k", "2"],
    ["beds", "--target", "100"],
    ["coverage", "--type", "day_care"],
    ["check-townships"],
    ["propose", "--type", "day_care", "--p", "1"],
]


@pytest.mark.parametrize("cmd", OUT_COMMANDS, ids=lambda c: c[0])
def test_out_into_a_missing_folder_is_a_plain_error(cmd, tmp_path, capsys):
    out = tmp_path / "no" / "such" / "x.csv"
    assert main(["--lang", "zh", *cmd, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"文件夹 {out.parent} 不存在" in err and "Traceback" not in err
    assert main(["--lang", "en", *cmd, "--out", str(out)]) == 2
    assert f"the folder {out.parent} does not exist" in capsys.readouterr().err
    assert not out.parent.exists()


def test_out_a_folder_a_file_as_folder_and_no_permission(tmp_path, capsys, monkeypatch):
    assert main(["--lang", "en", "map", "--type", "day_care", "--out", str(tmp_path)]) == 2
    assert f"is a folder, not a file: give a file name inside it, e.g. {tmp_path / 'result.html'}" in \
        capsys.readouterr().err
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    assert main(["--lang", "zh", "capacity", "--beds", "--out", str(afile / "x.csv")]) == 2
    assert f"{afile} 是文件而不是文件夹" in capsys.readouterr().err
    assert main(["--lang", "zh", "capacity", "--beds", "--json", "--out", str(tmp_path / "x.csv") + "/"]) == 2
    res = json.loads(capsys.readouterr().out)
    assert "以斜杠结尾" in res["message_zh"] and res["details"]["parameter"] == "out"
    # tests may run as root, who may write anywhere: the check asks os.access, so ask it to say no
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).startswith(str(tmp_path)) else real(p, mode))
    assert main(["--lang", "zh", "beds", "--target", "10", "--out", str(tmp_path / "b.csv")]) == 2
    assert f"没有写入 {tmp_path} 的权限" in capsys.readouterr().err
    monkeypatch.setattr(os, "access", real)
    # a write that fails after the checks (here /proc, which takes no new files) is still told in words
    if os.path.isdir("/proc/self"):
        assert main(["--lang", "en", "capacity", "--beds", "--out", "/proc/x.csv"]) == 2
        err = capsys.readouterr().err
        assert "--out /proc/x.csv: the file could not be written" in err and "Traceback" not in err
    # a file in the way of the folder, and a folder given as the file, are said as such
    assert main(["--lang", "en", "backup", "--out", str(afile / "sub" / "b.zip")]) == 2
    assert f"{afile} is a file, not a folder" in capsys.readouterr().err
    assert main(["--lang", "en", "od", "--origins", "o.csv", "--destinations", "d.csv", "--out", str(tmp_path)]) == 2
    assert f"e.g. {tmp_path / 'result.npz'}" in capsys.readouterr().err
    # a good path still writes
    good = tmp_path / "ok.csv"
    assert main(["capacity", "--beds", "--out", str(good)]) == 0 and good.stat().st_size > 0


# -- 3. upgrade --k below 1: "at least 1", not "too many" --

@pytest.mark.parametrize("k", ["0", "-3"])
def test_upgrade_k_below_one_says_at_least_one(k, capsys):
    assert main(["--lang", "en", "upgrade", "--type", "mutual_aid", "--k", k, "--json"]) == 2
    res = json.loads(capsys.readouterr().out)
    assert "at least 1" in res["message_en"] and "too many" not in res["message_en"]
    assert "不小于 1" in res["message_zh"] and "过多" not in res["message_zh"]
    assert res["details"]["parameter"] == "k"
    assert main(["--lang", "zh", "upgrade", "--type", "mutual_aid", "--k", k]) == 2
    assert f"--k {k} 无效：改造数量 K 应为不小于 1" in capsys.readouterr().err


# -- 4. check-townships --county: an unknown county is an error naming the valid ones --

def test_check_townships_unknown_county_names_the_counties(capsys):
    # a six-digit code that is no county (QA 21: "99", no county code at all, is said before the data is loaded)
    assert main(["--lang", "zh", "check-townships", "--county", "429999"]) == 2
    err = capsys.readouterr().err
    assert "--county 429999 无效" in err and "420381 丹江口市" in err and "420302 茅箭区" in err
    assert main(["--lang", "en", "check-townships", "--county", "429999", "--json"]) == 2
    res = json.loads(capsys.readouterr().out)
    assert "420381 Danjiangkou City" in res["message_en"]
    assert res["details"] == {"parameter": "county", "value": "429999"}
    assert "[" not in res["message_en"] and "'" not in res["message_en"]
    # a code, a Chinese name or an English name all work and filter
    for value in ("420381", "丹江口市", "danjiangkou city"):
        assert main(["check-townships", "--type", "day_care", "--county", value, "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)["townships"]
        assert rows and {r["county_code"] for r in rows} == {"420381"}


# -- 5. targets/map --proposal with a file that is not a proposal: what it is and what to give, no codec text --

def test_proposal_that_is_not_geojson_says_what_to_give(tmp_path, capsys):
    xlsx = tmp_path / "some.xlsx"
    import pandas as pd
    pd.DataFrame({"a": [1]}).to_excel(xlsx, index=False)
    binary = tmp_path / "x.geojson"
    binary.write_bytes(b"\x00\x80\xff\xfe" * 10)
    arr = tmp_path / "a.geojson"
    arr.write_text("[]")
    for f, zh_says in ((xlsx, "Excel 工作簿"), (binary, "不是 UTF-8 文本文件"), (arr, "不是包含站点的 GeoJSON"),
                       (tmp_path / "none.geojson", "文件不存在")):
        assert main(["--lang", "zh", "targets", "--proposal", str(f)]) == 2
        err = capsys.readouterr().err
        assert zh_says in err and "coverplan propose" in err and "--out 方案.geojson" in err
        assert "codec" not in err and "Traceback" not in err and "position" not in err
        assert main(["--lang", "en", "map", "--type", "day_care", "--proposal", str(f), "--out",
                     str(tmp_path / "m.html")]) == 2
        err = capsys.readouterr().err
        assert "A proposal file is the GeoJSON written by `coverplan propose" in err and "codec" not in err
    # a real proposal still reads
    good = tmp_path / "p.geojson"
    assert main(["propose", "--type", "day_care", "--p", "1", "--out", str(good), "--json"]) == 0
    capsys.readouterr()
    assert main(["targets", "--proposal", str(good), "--json"]) == 0
