"""QA 23: a parameter not given is said as missing; sizes and costs given as one JSON number.

- ``POST /api/data/edits {"action": "add"}`` answered "“设施类型”（type）填写的 null 无效" / "Bad parameter type
  (Facility type) = null", and ``POST /api/data/rollback {}`` "参数 version=null 无效": the planner never typed
  null. Every endpoint now says "缺少参数 type（设施类型）" / "Missing parameter type (Facility type)" with how to
  fill it (the known types; for a rollback, the versions there are); a JSON null the client did send is said
  as sent ("sent as null").
- ``"sizes": 1.5`` was refused as not "大于0的数" while ``"1.5"`` was taken; ``"costs": 1.5`` was refused the same
  way, hiding the real problem (one cost per size).
"""
from __future__ import annotations

import pytest

from web.errors import bad_param, missing_param

TYPES = ("day_care", "cemetery", "welfare_home")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa23params") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def c(app):
    return app.test_client()


def _both(r, status: int = 400) -> tuple[str, str]:
    assert r.status_code == status, (r.status_code, r.data[:400])
    body = r.get_json()
    return body["message_en"], body["message_zh"]


def _no_null_said(en: str, zh: str) -> None:
    assert "null" not in en and "null" not in zh, (en, zh)
    assert "Bad parameter" not in en and "无效" not in zh, (en, zh)


# -- 1. a missing parameter ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/data/edits", "/api/proposals"])
def test_a_missing_type_is_said_missing_with_the_known_types(c, path):
    body = {"action": "add"} if path.endswith("edits") else {}
    r = c.post(path, json=body)
    en, zh = _both(r)
    _no_null_said(en, zh)
    assert en.startswith("Missing parameter type (Facility type): expected a facility type key."), en
    assert zh.startswith("缺少参数 type（设施类型）：应为设施类型代码。"), zh
    assert "Known types:" in en and "可用类型：" in zh and all(k in en and k in zh for k in TYPES)
    assert "day_care（" in zh  # the type's Chinese name beside its key
    assert r.get_json()["details"]["parameter"] == "type" and r.get_json()["details"]["missing"] == ["type"]


@pytest.mark.parametrize("lang, header", [("en", None), ("zh", None), (None, "en-US,en;q=0.9")])
def test_the_message_follows_the_request_language(c, lang, header):
    url = "/api/data/edits" + (f"?lang={lang}" if lang else "")
    r = c.post(url, json={"action": "add"}, headers={"Accept-Language": header} if header else {})
    message = r.get_json()["message"]
    if (lang or "en") == "en":
        assert message.startswith("Missing parameter type (Facility type)"), message
    else:
        assert message.startswith("缺少参数 type（设施类型）"), message


def test_an_explicit_null_is_said_as_sent_not_as_a_typed_value(c):
    en, zh = _both(c.post("/api/data/edits", json={"action": "add", "type": None}))
    assert en.startswith("Missing parameter type (Facility type), sent as null: expected a facility type key."), en
    assert zh.startswith("缺少参数 type（设施类型），发送的值为 null：应为设施类型代码。"), zh


def test_a_missing_action_is_missing(c):
    en, zh = _both(c.post("/api/data/edits", json={}))
    _no_null_said(en, zh)
    assert en.startswith("Missing parameter action: expected one of add, move"), en
    assert zh.startswith("缺少参数 action：应为以下之一：add、move"), zh


def test_a_rollback_without_a_version_is_missing_and_says_there_is_none_to_go_back_to(c):
    for body in ({}, None):
        r = c.post("/api/data/rollback", json=body) if body is not None else c.post("/api/data/rollback")
        en, zh = _both(r)
        _no_null_said(en, zh)
        assert en == ("Missing parameter version: expected a data version number. There is only data version v0, "
                      "the current one: there is nothing to roll back to."), en
        assert zh == "缺少参数 version：应为数据版本号。目前只有一个数据版本 v0（即当前版本），没有可回退的版本。", zh


def test_the_missing_point_of_an_edit_names_what_is_missing(c):
    for body, missing in (({}, ["lon", "lat"]), ({"lat": 32.6}, ["lon"]), ({"lon": 110.8}, ["lat"]),
                          ({"lon": None, "lat": None}, ["lon", "lat"])):
        r = c.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "n", **body})
        en, zh = _both(r)
        _no_null_said(en, zh)
        assert r.get_json()["details"]["missing"] == missing
        words = " and ".join(missing)
        assert en.startswith(f"Missing parameter{'s' if len(missing) > 1 else ''} {words} ("), en
        assert zh.startswith(f"缺少参数 {'、'.join(missing)}（"), zh
        assert '"lon": 110.79' in en and "“" not in en


def test_a_missing_id_of_a_move_is_missing(c):
    en, zh = _both(c.post("/api/data/edits", json={"action": "remove", "type": "cemetery"}))
    _no_null_said(en, zh)
    assert en == "Missing parameter id: expected a facility id (text).", en
    assert zh == "缺少参数 id：应为设施编号（文本）。", zh


def test_a_rollback_lists_the_versions_there_are(app, c, shiyan):
    p = shiyan.townships.iloc[40].geometry.representative_point()
    r = c.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "QA23", "lon": p.x, "lat": p.y})
    assert r.status_code == 200, r.get_json()
    v = r.get_json()["version"]
    en, zh = _both(c.post("/api/data/rollback", json={}))
    assert en.startswith("Missing parameter version: expected a data version number. The data versions are "
                         f"v{v}, "), en
    assert f"(newest first; v{v} is current): GET /api/data/versions lists them." in en and "v0" in en, en
    assert zh.startswith(f"缺少参数 version：应为数据版本号。现有数据版本：v{v}、"), zh
    assert f"当前为 v{v}" in zh
    # a version that is not a number: the same help, said as the value sent
    en, zh = _both(c.post("/api/data/rollback", json={"version": "v1"}))
    assert en.startswith('Bad parameter version="v1": expected a data version number. The data versions are'), en


def test_a_parameter_sent_is_still_shown_as_sent(c):
    en, zh = _both(c.post("/api/data/edits", json={"action": "add", "type": 5}))
    assert en.startswith("Bad parameter type (Facility type) = 5: expected a facility type key."), en
    assert zh.startswith("“设施类型”（type）填写的 5 无效"), zh


def test_bad_param_and_missing_param_outside_a_request():
    e = bad_param("costs", None, "a cost per size", "每个规模的造价")
    assert e.message("en") == "Missing parameter costs (Cost per size (10,000 yuan)): expected a cost per size."
    assert e.message("zh") == "缺少参数 costs（各档造价（万元））：应为每个规模的造价。"
    assert e.details == {"parameter": "costs", "value": None, "missing": ["costs"]}
    e = missing_param("file", "a file", "一个文件")
    assert e.message("en") == "Missing parameter file: expected a file." and e.message("zh") == "缺少参数 file：应为一个文件。"
    e = bad_param("q", "x", "a name", "名称", hint_en="Try again.", hint_zh="请重试。")
    assert e.message("en") == 'Bad parameter q="x": expected a name. Try again.'
    assert e.message("zh") == '参数 q="x" 无效：应为名称。请重试。'


def test_a_missing_beds_target_is_missing(c):
    en, zh = _both(c.get("/api/beds"))
    _no_null_said(en, zh)
    assert en.startswith("Missing parameter target") and zh.startswith("缺少参数 target"), (en, zh)


# -- 2. sizes and costs: one number, a list, the text alike --------------------------------------------------------
def _sized(c, lang="en", **fields):
    return c.post(f"/api/proposals?lang={lang}", json={"type": "elderly_complex", "kind": "sized", "budget_sites": 3,
                                                       **fields})


def test_sizes_read_the_same_from_a_number_a_list_and_the_text():
    from web.capacity_proposals import parse_numbers

    for raw in (60, 60.0, [60], ["60"], "60", "６０"):
        assert parse_numbers(raw, "sizes") == [60.0], raw
    for raw in ([30, 60, 100], "30,60,100", "30，60、100", [30, "60", 100.0]):
        assert parse_numbers(raw, "sizes") == [30.0, 60.0, 100.0], raw
    assert parse_numbers(1.5, "sizes") == [1.5] == parse_numbers("1.5", "sizes")
    assert parse_numbers(None, "sizes") is None and parse_numbers(" ", "sizes") is None


@pytest.mark.parametrize("raw", [True, False, {"a": 1}, [[30]], [30, [60]], [None], [{}], [], 0, -5, [30, 0]])
def test_sizes_that_are_no_numbers_are_still_refused(raw):
    from geo.errors import InputDataError
    from web.capacity_proposals import parse_numbers

    with pytest.raises(InputDataError) as e:
        parse_numbers(raw, "sizes")
    assert e.value.details["parameter"] == "sizes"
    assert e.value.message("en").startswith("Bad parameter sizes (Sizes) = ")
    assert "Missing" not in e.value.message("en")


def test_a_size_given_as_one_json_number_is_taken_by_the_api(c):
    r = _sized(c, sizes=60)
    assert r.status_code == 202, r.get_json()
    job = r.get_json()["id"]
    assert c.post(f"/api/jobs/{job}/cancel").status_code in (200, 202, 409)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_cost_as_a_number_for_three_sizes_says_the_count(c, lang):
    r = _sized(c, lang, costs=1.5)
    en, zh = _both(r)
    assert en == "Bad parameter costs (Cost per size (10,000 yuan)) = 1.5: expected one cost per size (3).", en
    assert zh == "“各档造价（万元）”（costs）填写的 1.5 无效：应为每个规模一个造价（共 3 个）。", zh
    assert r.get_json()["message"] == (en if lang == "en" else zh)


def test_sizes_true_or_nested_are_refused_by_the_api(c):
    for sizes in (True, [30, [60]], {"a": 1}):
        r = _sized(c, sizes=sizes)
        assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "sizes", r.get_json()
