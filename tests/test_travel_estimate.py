"""Estimate mode: straight line x detour / speed, checked by hand."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from scipy import sparse

from geo.errors import InputDataError
from geo.travel import EstimateParams, straight_line_m, travel_costs

# WGS84 meridian radius of curvature at 32.65 N, by hand:
# M = a (1 - e^2) / (1 - e^2 sin^2 phi)^1.5
A, E2 = 6378137.0, 0.00669437999014
PHI = math.radians(32.65)
M = A * (1 - E2) / (1 - E2 * math.sin(PHI) ** 2) ** 1.5
D_01DEG = M * math.radians(0.1)          # 0.1 degree of latitude, metres (~11,090 m)

P = np.array([[110.78, 32.60]])
Q = np.array([[110.78, 32.70]])          # 0.1 deg due north


def test_hand_checked_distance():
    assert D_01DEG == pytest.approx(11_090, abs=5)
    d = straight_line_m(P, Q)[0, 0]
    assert d == pytest.approx(D_01DEG, rel=1e-5)


def test_rural_default_minutes_and_metres():
    tm = travel_costs(P, Q)
    assert tm.is_estimate and tm.mode == "estimate" and tm.unit == "min"
    # 11,090 m x 1.6 = 17,744 m of road at 40 km/h (666.7 m/min) = 26.6 min
    assert tm.costs[0, 0] == pytest.approx(D_01DEG * 1.6 / (40_000 / 60), rel=1e-5)
    assert tm.costs[0, 0] == pytest.approx(26.6, abs=0.05)
    m = travel_costs(P, Q, unit="m").costs[0, 0]
    assert m == pytest.approx(D_01DEG * 1.6, rel=1e-5)


def test_urban_per_origin():
    o = np.vstack([P, P])
    tm = travel_costs(o, Q, urban=[True, False])
    # urban: x1.3 at 30 km/h (500 m/min) -> 28.8 min; rural 26.6 min
    assert tm.costs[0, 0] == pytest.approx(D_01DEG * 1.3 / 500, rel=1e-5)
    assert tm.costs[0, 0] == pytest.approx(28.8, abs=0.05)
    assert tm.costs[1, 0] == pytest.approx(D_01DEG * 1.6 / (40_000 / 60), rel=1e-5)
    with pytest.raises(InputDataError):
        travel_costs(o, Q, urban=[True])


def test_custom_params_and_projected_method():
    p = EstimateParams(detour_rural=2.0, speed_rural_kmh=60.0)
    assert travel_costs(P, Q, params=p).costs[0, 0] == pytest.approx(D_01DEG * 2 / 1000, rel=1e-5)
    proj = travel_costs(P, Q, params=EstimateParams(method="projected"), unit="m").costs[0, 0]
    # UTM 49N scale factor near 111E is ~0.9996-0.9997: within 0.1 %
    assert proj == pytest.approx(D_01DEG * 1.6, rel=1e-3)
    with pytest.raises(InputDataError):
        EstimateParams(detour_urban=0.9)
    with pytest.raises(InputDataError):
        EstimateParams(speed_rural_kmh=0)


def test_matrix_shape_order_and_zero_diagonal():
    rng = np.random.default_rng(1)
    pts = np.column_stack([rng.uniform(110.0, 111.0, 30), rng.uniform(32.0, 33.0, 30)])
    tm = travel_costs(pts[:7], pts)
    assert tm.costs.shape == (7, 30)
    assert np.allclose(np.diag(tm.costs[:, :7]), 0)
    np.testing.assert_allclose(tm.costs, travel_costs(pts, pts[:7]).costs.T, rtol=1e-9)
    # chunked geodesic path gives the same numbers
    np.testing.assert_allclose(straight_line_m(pts, pts, max_block=50),
                               straight_line_m(pts, pts))


def test_cutoff_gives_sparse_within_cutoff():
    rng = np.random.default_rng(2)
    pts = np.column_stack([rng.uniform(110.5, 111.0, 40), rng.uniform(32.4, 32.8, 40)])
    full = travel_costs(pts, pts).costs
    tm = travel_costs(pts, pts, cutoff=30)
    assert sparse.isspmatrix_csr(tm.costs) and tm.cutoff == 30
    assert (tm.costs.data <= 30).all() and tm.costs.nnz == (full <= 30).sum()
    assert tm.costs.nnz >= 40  # the diagonal zeros are stored explicitly
    np.testing.assert_allclose(tm.to_dense()[full <= 30], full[full <= 30])


def test_geopandas_inputs_any_crs():
    gs = gpd.GeoSeries.from_xy(P[:, 0], P[:, 1], crs="EPSG:4326").to_crs("EPSG:32649")
    gdf = gpd.GeoDataFrame({"id": ["a"]}, geometry=gpd.GeoSeries.from_xy(Q[:, 0], Q[:, 1],
                                                                           crs="EPSG:4326"))
    assert travel_costs(gs, gdf).costs[0, 0] == pytest.approx(travel_costs(P, Q).costs[0, 0])


@pytest.mark.parametrize("kw", [{"mode": "walk"}, {"unit": "h"}, {"cutoff": -1}])
def test_bad_options(kw):
    with pytest.raises(InputDataError):
        travel_costs(P, Q, **kw)


def test_bad_points():
    with pytest.raises(InputDataError) as exc:
        travel_costs([[32.6, 110.78]], Q)       # lat/lon swapped
    assert "swap" in exc.value.hint_en or "写反" in exc.value.hint_zh
    with pytest.raises(InputDataError):
        travel_costs(np.zeros((2, 3)), Q)
    with pytest.raises(InputDataError):
        travel_costs([[np.nan, 32.6]], Q)


def test_empty_inputs():
    tm = travel_costs(np.empty((0, 2)), Q)
    assert tm.costs.shape == (0, 1)
