"""Synthetic village and community points inside their township polygons.

No village coordinates exist offline. Communities (居委会) are drawn close to the
township seat; villages are spread over the township by k-means centres of a
uniform sample of the polygon (so they neither clump nor leave the polygon).
Each township uses its own random stream, seeded by its code, so the result
is deterministic and independent of build order.
"""
from __future__ import annotations

import numpy as np
import shapely
from sklearn.cluster import KMeans

COMMUNITY_SIGMA_M = 700.0   # spread of communities around the seat
SAMPLE_PER_VILLAGE = 40     # uniform sample size per village for the k-means spread


def _uniform_sample(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = poly.bounds
    shapely.prepare(poly)
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform([xmin, ymin], [xmax, ymax], size=(4 * n, 2))
        ok = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[ok]])
    return out[:n]


def place_points(poly: shapely.Geometry, seat: np.ndarray, n_communities: int, n_villages: int,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (community_xy, village_xy) in metres, all inside ``poly``."""
    rng = np.random.default_rng(seed)
    shapely.prepare(poly)
    comm = np.empty((0, 2))
    sigma = COMMUNITY_SIGMA_M
    while len(comm) < n_communities:
        cand = seat + rng.normal(0, sigma, size=(4 * n_communities + 8, 2))
        ok = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
        comm = np.vstack([comm, cand[ok]])
        sigma *= 0.7  # a seat near the edge: draw tighter until enough land inside
    comm = comm[:n_communities]
    if n_villages == 0:
        return comm, np.empty((0, 2))
    sample = _uniform_sample(poly, max(SAMPLE_PER_VILLAGE * n_villages, 200), rng)
    km = KMeans(n_clusters=n_villages, n_init=1, random_state=seed % (2**31)).fit(sample)
    # snap centres to the nearest sample point: centres of a concave polygon may fall outside
    d = np.hypot(sample[:, None, 0] - km.cluster_centers_[None, :, 0],
                 sample[:, None, 1] - km.cluster_centers_[None, :, 1])
    vill = sample[np.argmin(d, axis=0)]
    # order villages by distance from the seat: nearer ones first (stable for ties)
    vill = vill[np.argsort(np.hypot(*(vill - seat).T), kind="stable")]
    return comm, vill
