"""QA sweep 21: a register row refused for its township code says all its errors, and nothing that
contradicts the refusal."""
from __future__ import annotations

import pytest

from geo.regions import load_region
from planner.register import validate_register


@pytest.fixture(scope="module")
def shiyan():
    return load_region("shiyan")


def test_a_row_refused_for_its_code_is_not_also_taken_from_its_coordinates(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,设施类型,乡镇代码,乡镇（街道）,县区,经度,纬度\n"
                    "未知乡镇测试,农村福利院,420399999,不存在乡,茅箭区,110.8,32.5\n"
                    "北京测试,农村福利院,110101001,东华门街道,东城区,116.4,39.9\n", "utf-8")
    report = validate_register(path, region=shiyan)
    by_row: dict = {}
    for i in report.issues:
        by_row.setdefault(i.row, []).append(i.code)
    # row 2 was refused for its code and then "the township is taken from the coordinates" (a warning)
    assert by_row[2] == ["unknown_township_code"], by_row
    # row 3: Beijing, refused for its code alone; the point 880 km away was never said
    assert by_row[3] == ["unknown_township_code", "outside_region"], by_row
    assert report.refused_rows == [2, 3]
