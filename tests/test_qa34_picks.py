"""QA 34 (fixer F18): a pick outside the row's own county or township, and a capacity of "-0".

1. The recheck API took any place code as a row's pick: a 房县 row (村 东河村, ambiguous) picked to a 茅箭区 community
   was placed there with only "Placed where the planner picked", and the confirm's replace scope took in 茅箭区 and
   removed its facility. A pick outside the county the row names (or its named township) is refused for the row,
   naming the row, the pick's place and the row's county / township; a pick among the row's candidates stays.
2. A capacity of "-0" was kept as -0.0 ("65张床位→-0张床位"): it is 0.
"""
from __future__ import annotations

import json
import math

from planner.register import validate_register
from test_qa27_provenance import upload

MAOJIAN_COMMUNITY = "420302001001"  # 茅箭区·武当路街道·顾家岗社区居委会
HEAD = "名称,类型,县区,乡镇,村,床位\n"


def write(tmp_path, rows: str):
    p = tmp_path / "名录.csv"
    p.write_text(HEAD + rows, encoding="utf-8")
    return p


def of(rep, code: str, row: int):
    return [i for i in rep.issues if i.code == code and i.row == row]


def test_a_pick_outside_the_rows_county_is_refused_one_inside_is_kept(tmp_path, shiyan):
    p = write(tmp_path, "东河福利院,农村福利院,房县,,东河村,10\n")
    first = validate_register(p, region=shiyan)
    (amb,) = of(first, "ambiguous", 2)
    offered = [c["code"] for c in amb.candidates]
    assert offered and all(c.startswith("420325") for c in offered)
    rep = validate_register(p, region=shiyan, picks={"2": MAOJIAN_COMMUNITY})
    (bad,) = of(rep, "pick_outside", 2)
    assert bad.severity == "error" and 2 in rep.refused_rows and not of(rep, "picked", 2)
    assert "第 2 行" in bad.message_zh and "茅箭区·武当路街道·顾家岗社区居委会" in bad.message_zh
    assert "县区为房县" in bad.message_zh
    assert bad.message_en.startswith("row 2:") and "Maojian District·" in bad.message_en
    assert "the county Fang County" in bad.message_en and bad.fix_zh and bad.fix_en
    assert "“" not in bad.message_en + bad.fix_en
    assert len(rep.accepted) == 0
    good = validate_register(p, region=shiyan, picks={"2": offered[0]})
    assert 2 not in good.refused_rows and of(good, "picked", 2) and not of(good, "pick_outside", 2)
    assert good.accepted["township_code"].iloc[0] == offered[0][:9]


def test_a_pick_outside_the_named_township_is_refused(tmp_path, shiyan):
    # 房县·军店镇 with a village it has none of: placed at the township's seat; a pick in 大木厂镇 is not its
    p = write(tmp_path, "军店福利院,农村福利院,房县,军店镇,无此村,10\n")
    other = next(c for c in shiyan.villages.index.astype(str) if c.startswith("420325104"))
    rep = validate_register(p, region=shiyan, picks={"2": other})
    (bad,) = of(rep, "pick_outside", 2)
    assert "乡镇为房县·军店镇" in bad.message_zh and "the township Fang County·军店镇" in bad.message_en
    assert 2 in rep.refused_rows
    inside = next(c for c in shiyan.villages.index.astype(str) if c.startswith("420325101"))
    ok = validate_register(p, region=shiyan, picks={"2": inside})
    assert 2 not in ok.refused_rows and ok.accepted["township_code"].iloc[0] == "420325101"


def test_a_pick_of_the_other_countys_township_offered_stays(tmp_path, shiyan):
    # 竹溪县 / 宝丰镇: 宝丰镇 is 竹山县's, and the report offers it first (QA 27): the planner may pick it
    p = write(tmp_path, "宝丰福利院,农村福利院,竹溪县,宝丰镇,,10\n")
    first = validate_register(p, region=shiyan)
    (bad,) = of(first, "township_unknown", 2)
    code = bad.candidates[0]["code"]
    assert code.startswith("420323")  # 竹山县's, not 竹溪县's (420324)
    rep = validate_register(p, region=shiyan, picks={"2": code})
    assert 2 not in rep.refused_rows and not of(rep, "pick_outside", 2)


def test_the_web_recheck_refuses_a_pick_in_another_county(client, shiyan):
    body = (HEAD + "东河福利院,农村福利院,房县,,东河村,10\n").encode("utf-8")
    rep = upload(client, body, "名录.csv").get_json()
    assert "upload_id" in rep, rep
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck", json={"picks": {"2": MAOJIAN_COMMUNITY}})
    after = r.get_json()
    assert r.status_code == 200, after
    (bad,) = [i for i in after["issues"] if i["code"] == "pick_outside"]
    assert bad["row"] == 2 and bad["severity"] == "error"
    assert after["counts"]["accepted"] == 0
    # nothing but the refusal names 茅箭区: the replace scope is 房县's alone (it took in "Maojian District")
    rest = json.dumps({k: v for k, v in after.items() if k != "issues"}, ensure_ascii=False)
    assert "茅箭" not in rest and "Maojian" not in rest
    assert not [i for i in after["issues"] if i["code"] == "picked"]


def test_a_capacity_of_minus_zero_is_zero(tmp_path, shiyan):
    p = write(tmp_path, "军店福利院,农村福利院,房县,军店镇,,-0\n城关福利院,农村福利院,房县,城关镇,,+0张\n")
    rep = validate_register(p, region=shiyan)
    beds = list(rep.accepted["beds"])
    assert beds == [0, 0] and all(math.copysign(1.0, b) == 1.0 for b in beds)
    assert not [i for i in rep.issues if i.code.startswith("capacity")]
