"""Disaggregate the 2020 census county figures to villages and communities.

Rule (documented in PROVENANCE.md):
- a county's urban population is split equally over its communities (居委会),
  its rural population equally over its villages (村委会); where a county has
  no unit of one kind, that part goes to the other kind;
- each age band (60+, 65+, 80+) is split over the county's units in proportion
  to the band above it (total -> 60+ -> 65+ -> 80+), so bands nest in every unit;
- all splits use largest-remainder apportionment, so every column sums to the
  census exactly for every county.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.apportion import apportion

BANDS = ["population", "aged_60", "aged_65", "aged_80"]


def disaggregate(units: pd.DataFrame, census: pd.DataFrame) -> pd.DataFrame:
    """Population columns per unit, aligned to ``units.index``.

    ``units`` needs ``county_code`` and ``kind`` ('community' or 'village');
    ``census`` needs ``code`` plus the BANDS and ``urban``/``rural`` columns.
    """
    out = pd.DataFrame(0, index=units.index, columns=BANDS, dtype=np.int64)
    for _, c in census.iterrows():
        in_county = units["county_code"] == c["code"]
        idx = units.index[in_county]
        comm = (units.loc[idx, "kind"] == "community").to_numpy()
        total = np.zeros(len(idx), dtype=np.int64)
        urban, rural = int(c["urban"]), int(c["rural"])
        if not comm.any():
            rural, urban = rural + urban, 0
        if comm.all():
            urban, rural = urban + rural, 0
        total[comm] = apportion(urban, np.ones(comm.sum()))
        total[~comm] = apportion(rural, np.ones((~comm).sum()))
        out.loc[idx, "population"] = total
        previous = total
        for band in BANDS[1:]:
            previous = apportion(int(c[band]), previous)
            out.loc[idx, band] = previous
    return out
