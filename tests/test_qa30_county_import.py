"""QA 30: a county planner's import carries the other counties' facilities over whole, as a city-wide one does.

web/auth.scope_import kept only the columns of the new file: a 郧西县 register without beds or addresses
blanked the beds of every other county's facilities of the type (86 became unknown), and the carried rows were
credited to the new import's file and version.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from accounts import accounts_app, signed_in
from test_qa29_carried import confirm, register_of

FANG, ZHUSHAN = "420325", "420323"


def test_a_county_planners_import_keeps_the_other_counties_facilities_whole(tmp_path):
    app = accounts_app(tmp_path, [("fang", "planner", FANG), ("zhu", "planner", ZHUSHAN)])
    try:
        svc = app.extensions["coverplan"]["service"]
        before = svc.region.facilities
        day = before[before["facility_type"] == "day_care"]
        others = day[day["county_code"].astype(str) != FANG]
        assert others["day_places"].notna().sum() > 50  # the sample's places, which must survive
        v1 = confirm(signed_in(app, "fang"), register_of(svc.region, FANG, 3, "房县甲"), "fang.csv")
        v2 = confirm(signed_in(app, "zhu"), register_of(svc.region, ZHUSHAN, 2, "竹山乙"), "zhu.csv")
        assert (v1, v2) == (1, 2)
        after = svc.region.facilities
        after = after[after["facility_type"] == "day_care"].set_index("id", drop=False)
        # the counties neither file touched: their places as they were
        rest = others[others["county_code"].astype(str) != ZHUSHAN].set_index("id", drop=False)
        assert set(rest.index) <= set(after.index)
        np.testing.assert_array_equal(after.loc[rest.index, "day_places"].to_numpy(dtype=float),
                                      rest["day_places"].to_numpy(dtype=float))
        assert (after.loc[rest.index, "name"] == rest["name"]).all()
        # 房县's rows, carried over by 竹山县's import: still from fang.csv, version 1
        fang_rows = after[after["county_code"].astype(str) == FANG]
        assert len(fang_rows) == 3
        assert set(pd.to_numeric(fang_rows["source_version"], errors="coerce").dropna().astype(int)) == {1}, \
            fang_rows[["source_version", "source_file"]]
        assert set(fang_rows["source_file"].astype(str)) == {"fang.csv"}
        page = signed_in(app, "fang").get("/?lang=zh").get_data(as_text=True)
        assert "fang.csv，数据版本 1" in page and "zhu.csv，数据版本 2" in page
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
