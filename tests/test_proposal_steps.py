"""The steps of a proposal, one by one: validate -> build_instance -> solve_instance -> explain.

``propose`` only calls these in order; here each is checked on its own, and the
steps called by hand must give exactly what ``propose`` gives.
"""
from __future__ import annotations

import numpy as np
import pytest

from geo.errors import Cancelled, InfeasibleError, InputDataError, UnknownTypeError
from planner.facility_types import get_type
from planner.models import LSCP, MCLP, PCenter, PMedian
from planner.proposals import (Instance, Request, build_instance, build_model, explain, outcome, propose,
                               solve_instance, validate)


# -- validate ------------------------------------------------------------------------------------
def test_validate_fills_the_types_defaults():
    ft = get_type("elderly_complex")
    req = validate("elderly_complex")
    assert isinstance(req, Request)
    assert req.model == ft.default_model and req.p == ft.default_p
    assert req.ftype.standard_urban == ft.standard_urban and req.mode == "estimate"


def test_validate_applies_a_standard_override_to_the_type():
    req = validate("cemetery", model="pmedian", p=3, standard={"urban": 12, "rural": 30.5})
    assert (req.ftype.standard_urban, req.ftype.standard_rural) == (12.0, 30.5)
    assert req.to_dict()["standard"] == {"urban": 12.0, "rural": 30.5, "unit": req.ftype.unit}
    one = validate("cemetery", model="pmedian", p=3, standard=25)
    assert (one.ftype.standard_urban, one.ftype.standard_rural) == (25.0, 25.0)
    # the shared table of types is untouched
    assert get_type("cemetery").standard_urban != 12.0


def test_validate_lscp_takes_no_p():
    assert validate("day_care", model="lscp").p is None   # LSCP chooses its own number
    with pytest.raises(InputDataError, match="takes no number of sites"):   # a p given was dropped (QA 17)
        validate("day_care", model="lscp", p=3)


@pytest.mark.parametrize("kw, en, zh", [
    ({"model": "greedy"}, "Unknown model 'greedy'", "未知模型“greedy”"),
    ({"model": "mclp", "p": 0}, "The number of sites must be a positive integer (got 0)", "新建设施数量必须为正整数"),
    ({"model": "pmedian", "p": 2.5}, "positive integer (got 2.5)", "当前 2.5"),
    ({"model": "pcenter", "p": "3"}, "positive integer (got '3')", "新建设施数量"),
    ({"standard": 0}, "The service standard must be a finite number > 0 (got 0)", "服务标准必须为大于0的有限数"),
    ({"standard": "abc"}, "must be a finite number > 0 (got 'abc')", "服务标准必须为大于0的有限数"),
    ({"standard": {"urban": 10}}, "must be a finite number > 0 (got {'urban': 10})", "服务标准必须为大于0的有限数"),
    ({"standard": float("inf")}, "must be a finite number > 0 (got inf)", "当前 inf"),   # was a traceback
    ({"standard": {"urban": 10, "rural": float("inf")}}, "finite number > 0", "有限数"),
])
def test_validate_refuses_bad_requests_with_the_same_errors_as_propose(shiyan, kw, en, zh):
    with pytest.raises(InputDataError) as direct:
        validate("elderly_complex", **kw)
    assert en in direct.value.message("en") and zh in direct.value.message("zh")
    with pytest.raises(InputDataError) as via:
        propose(shiyan, "elderly_complex", **kw)
    assert via.value.to_dict() == direct.value.to_dict()


def test_validate_unknown_type():
    with pytest.raises(UnknownTypeError):
        validate("nope")


# -- build_instance ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def complex_instance(shiyan):
    return build_instance(shiyan, validate("elderly_complex", model="mclp", p=8))


def test_instance_matrices_have_units_by_columns(shiyan, complex_instance):
    inst = complex_instance
    assert isinstance(inst, Instance)
    n, m = len(inst.units), len(inst.candidates)
    assert n == len(shiyan.villages)            # the type's demand units are the villages/communities
    assert len(inst.existing) < m <= len(inst.existing) + len(shiyan.townships)   # + township seats
    assert inst.costs.shape == (n, m) and inst.cover.shape == (n, m) and inst.cover.dtype == bool
    assert inst.weights.shape == (n,) and inst.groups.shape == (m,) and inst.is_existing.shape == (m,)
    assert inst.is_estimate
    # "within" rule: covered exactly where the cost is within the unit's standard
    std = inst.units["standard"].to_numpy(float)[:, None]
    assert (inst.cover == (inst.costs <= std)).all()


def test_instance_marks_the_existing_facilities(shiyan, complex_instance):
    inst = complex_instance
    register = shiyan.facilities[shiyan.facilities["facility_type"] == "elderly_complex"]
    assert inst.is_existing.sum() == len(inst.existing) == len(register) > 0
    assert set(inst.candidates.loc[inst.is_existing, "id"]) == set(register["id"].astype(str))
    assert not set(inst.candidates.loc[~inst.is_existing, "id"]) & set(register["id"].astype(str))


def test_group_limits_only_for_one_per_township_types(shiyan, complex_instance):
    kw = complex_instance.group_kw()
    assert get_type("elderly_complex").one_per_township
    assert set(kw) == {"groups", "group_max"} and set(kw["group_max"].values()) == {1}
    assert set(kw["group_max"]) == set(complex_instance.groups)
    cem = build_instance(shiyan, validate("cemetery", model="pmedian", p=2))
    assert cem.group_max is None and cem.group_kw() == {}


def test_build_instance_reports_and_stops(shiyan):
    said = []
    build_instance(shiyan, validate("charity_station", model="pcenter", p=1), say=lambda f, m: said.append((f, m)))
    assert said == [(0.05, "demand and candidates"), (0.15, "travel costs")]
    with pytest.raises(Cancelled):
        build_instance(shiyan, validate("charity_station", model="pcenter", p=1), should_stop=lambda: True)


# -- solve_instance ------------------------------------------------------------------------------
@pytest.mark.parametrize("model, cls", [("mclp", MCLP), ("pmedian", PMedian), ("pcenter", PCenter)])
def test_build_model_picks_the_formulation(complex_instance, model, cls):
    req = validate("elderly_complex", model=model, p=3)
    assert isinstance(build_model(complex_instance, req), cls)


def test_build_model_lscp_and_its_early_infeasibility(shiyan, complex_instance):
    req = validate("day_care", model="lscp")
    assert isinstance(build_model(build_instance(shiyan, req), req), LSCP)
    # some villages have no township seat within the complexes' standard: the model says so at once
    with pytest.raises(InfeasibleError):
        build_model(complex_instance, validate("elderly_complex", model="lscp"))


def test_solve_instance_chooses_p_new_sites(complex_instance):
    said = []
    res = solve_instance(complex_instance, validate("elderly_complex", model="mclp", p=4),
                         say=lambda f, m: said.append((f, m)))
    assert said[0] == (0.35, "solving mclp") and all(0.35 <= f < 0.85 for f, _ in said)
    chosen = np.asarray(res.selected, int)
    assert len(chosen) == 4 and not complex_instance.is_existing[chosen].any()
    # one per township: the four new sites are in four townships that had none
    towns = complex_instance.groups[chosen]
    assert len(set(towns)) == 4 and not set(towns) & set(complex_instance.groups[complex_instance.is_existing])


def test_solve_instance_names_the_villages_when_infeasible(shiyan):
    req = validate("elderly_complex", model="lscp", standard=0.01)
    inst = build_instance(shiyan, req)
    with pytest.raises(InfeasibleError) as e:
        solve_instance(inst, req)
    assert inst.units.iloc[0]["name"] in e.value.message("zh")


# -- explain -------------------------------------------------------------------------------------
def test_outcome_orders_by_what_each_site_adds(complex_instance):
    res = solve_instance(complex_instance, validate("elderly_complex", model="mclp", p=6))
    out = outcome(complex_instance, "mclp", res.selected)
    assert sorted(out.order) == sorted(np.asarray(res.selected, int))
    assert (np.diff(out.added_weight) <= 1e-9).all()
    assert (out.after_cover >= out.base_cover).all() and (out.after_cost <= out.base_cost).all()
    assert np.isclose(out.added_weight.sum(),
                      complex_instance.weights[out.after_cover & ~out.base_cover].sum())


def _strip_timing(d: dict) -> dict:
    d["solver"] = {k: v for k, v in d["solver"].items() if k != "seconds"}
    return d


@pytest.mark.parametrize("type_key, kw", [("elderly_complex", {"model": "mclp", "p": 8}),
                                         ("cemetery", {"model": "pmedian", "p": 5})])
def test_the_steps_by_hand_give_what_propose_gives(shiyan, type_key, kw):
    req = validate(type_key, **kw)
    inst = build_instance(shiyan, req)
    res = solve_instance(inst, req)
    by_hand = explain(shiyan, req, inst, res)
    whole = propose(shiyan, type_key, **kw)
    for lang in ("zh", "en"):
        assert _strip_timing(by_hand.to_dict(lang=lang)) == _strip_timing(whole.to_dict(lang=lang))
    assert list(by_hand.sites["priority"]) == list(range(1, kw["p"] + 1))
    assert by_hand.after["facilities"] == by_hand.before["facilities"] + kw["p"]
    assert by_hand.units_after["serving_id"].notna().all()
