"""QA 34 (fixer F4): the words of a register's import, and the data a proposal file's map is computed on.

1. A register checked with the type chosen on the Data page's form (no type column, no 示意 column) whose rows keep
   sample (示意) facilities' values: "what confirming replaces" said "13 rows marked 示意 in the file's Illustrative
   column" of a file without such a column. It now says what the check's note says: they keep values of sample
   facilities, and stay labelled so. A file that has the column is still said so (tests/test_qa18_data.py).
2. `coverplan data import` worded what it replaced (in the past) itself: now the planner's sentences
   (planner.register_report.replaced_lines), so the faces cannot drift.
3. `coverplan map --proposal` of a file solved on an older data version computed on the current data; it now
   computes on the version the file records while the data store holds it, and says which.
"""
from __future__ import annotations

import csv
import html as htmllib
import inspect
import io
import json
import re

from test_qa21_cli import run
from test_qa27_provenance import upload
from test_qa32_register_keeps import register, sample_export


def _without_type_column(body: bytes) -> bytes:
    """The register's own export (房县's welfare homes) without its 设施类型 column, a name changed so that the
    confirm would change something."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    col = rows[0].index("设施类型")
    rows = [r[:col] + r[col + 1:] for r in rows]
    rows[1][1] = "房县城关福利院"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


# -- 1. rows kept sample data, said as such on the form's path -----------------------------------------------------
def test_the_forms_type_with_kept_sample_values_is_not_said_marked_in_a_synthetic_column(app):
    c = app.test_client()
    body = _without_type_column(sample_export(c))
    assert "设施类型" not in body.decode().splitlines()[0] and "示意" not in body.decode().splitlines()[0]
    rep = upload(c, body, "fang.csv", type="welfare_home").get_json()
    assert rep["counts"]["accepted"] == 13 and rep["identical"] is None, rep.get("counts")
    text = rep["replaces"]["text"]
    assert "“示意”列" not in text, text
    assert text.startswith("13 处设施沿用的是示意设施的数据：导入后仍标为示意数据。"), text
    # the check's note in the same words
    assert "13 处设施沿用的是示意设施的数据：导入后仍标为示意数据。" in rep["notes"], rep["notes"]
    r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home",
                     "file": (io.BytesIO(body), "fang.csv")})
    text = r.get_json()["replaces"]["text"]
    assert "Illustrative column" not in text, text
    assert text.startswith("13 facilities keep values of sample (示意) facilities: once imported they stay labelled "
                           "synthetic (示意)."), text


def test_a_synthetic_column_is_still_said_beside_rows_kept_sample_data(app):
    """A file with a 示意 column: the rows it marks are said as marked there, the others that keep a sample
    facility's values as kept."""
    c = app.test_client()
    rows = list(csv.reader(io.StringIO(_without_type_column(sample_export(c)).decode("utf-8"))))
    rows[0].append("示意")
    for i, r in enumerate(rows[1:]):
        r.append("是" if i < 3 else "否")
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    rep = upload(c, buf.getvalue().encode("utf-8"), "fang.csv", type="welfare_home").get_json()
    text = rep["replaces"]["text"]
    assert "其中 3 行在“示意”列标为示意数据，导入后仍标为示意。" in text, text
    assert "10 处设施沿用的是示意设施的数据：导入后仍标为示意数据。" in text, text


# -- 2. the CLI's past tense is the planner's ------------------------------------------------------------------------
def test_the_cli_says_what_its_import_replaced_in_the_planners_words(var_dir, tmp_path, capsys, shiyan):
    import cli.data

    path = tmp_path / "homes.csv"
    path.write_bytes(register(shiyan))
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(path), "--type", "welfare_home")
    assert code == 0, err
    assert ("本文件涉及 房县：已以 8 处替换该县区原有的 13 处农村福利院（其中 13 处为示意数据）；该县区原有但不在文件中的"
            "已不在当前版本（coverplan data rollback 0 可恢复）。其他 7 个县区的 55 处保持不变。") in out, out
    path.write_bytes(register(shiyan, new=1))
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(path), "--type", "welfare_home")
    assert code == 0, err
    assert ("This file covered Fang County: its 9 facilities of type \"Rural welfare home\" replaced the 8 that were "
            "in that county; those there but not in the file left the current version (coverplan data rollback 1 "
            "brings them back). The 55 in the other 7 counties were kept unchanged.") in out, out
    # worded once, in the planner: the command line has no sentence of its own left
    source = inspect.getsource(cli.data)
    assert "已以" not in source and "replaced the" not in source


# -- 3. a proposal file's map on the data version it was solved on ------------------------------------------------
def _title(page: str) -> str:
    i = page.index('id="cp-title"')
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page[i:i + 6000])))


def _shares(text: str) -> list[str]:
    return re.findall(r"\d+\.\d%", text)


def test_the_map_of_an_older_proposal_is_computed_on_its_version(var_dir, tmp_path, capsys, shiyan):
    # a proposal file of two sites, as `propose --out` records its version (a solve here would only cost time)
    pts = shiyan.villages.geometry.iloc[[100, 900]]
    prop = tmp_path / "plan.geojson"
    prop.write_text(json.dumps({"type": "FeatureCollection", "coverplan": {
        "type": "elderly_complex", "kind": "new_sites", "dataset_version": 0, "created": "2026-01-05T10:00:00"},
        "features": [{"type": "Feature", "properties": {"priority": i + 1, "name": f"新址{i + 1}"},
                      "geometry": {"type": "Point", "coordinates": [p.x, p.y]}} for i, p in enumerate(pts)]},
        ensure_ascii=False), "utf-8")

    def mapped(path) -> tuple[str, dict, str]:
        out = tmp_path / "m.html"
        code, said, err = run(capsys, "--lang", "zh", "map", "--type", "elderly_complex", "--proposal", str(path),
                              "--out", str(out), "--json")
        assert code == 0, err
        return _title(out.read_text("utf-8")), json.loads(said), err

    on_v0, got, _ = mapped(prop)
    assert got["dataset_version"] == 0 and "current_version" not in got
    # v1: the city's complexes replaced by one: the current data's coverage is another
    v = shiyan.villages.iloc[0]
    reg = tmp_path / "one.csv"
    reg.write_text(f"名称,乡镇代码,经度,纬度\n唯一综合体,{v.township_code},{v.geometry.x:.6f},{v.geometry.y:.6f}\n", "utf-8")
    code, _, err = run(capsys, "data", "import", "facilities", str(reg), "--type", "elderly_complex",
                       "--replace", "city")
    assert code == 0, err
    text, got, _ = mapped(prop)
    assert got["dataset_version"] == 0 and got["current_version"] == 1, got
    assert "v0（方案求解时的数据版本；当前版本为 v1）" in text, text
    assert _shares(text) == _shares(on_v0) and _shares(text), (text, on_v0)
    # in English, and said on stderr by a text run
    code, _, err = run(capsys, "--lang", "en", "map", "--type", "elderly_complex", "--proposal", str(prop), "--out",
                       str(tmp_path / "t.html"))
    assert code == 0 and "data: data version 0 (the one the proposal was solved on; the current one is 1)" in err, err
    text_en = _title((tmp_path / "t.html").read_text("utf-8"))
    assert "v0 (the data version the proposal was solved on; the current one is v1)" in text_en, text_en
    # a version the store does not hold: the current data, said as before
    gj = json.loads(prop.read_text("utf-8"))
    gj["coverplan"]["dataset_version"] = 7
    gone = tmp_path / "gone.geojson"
    gone.write_text(json.dumps(gj, ensure_ascii=False), "utf-8")
    text, got, _ = mapped(gone)
    assert got["dataset_version"] == 1 and "v1（方案求解于 v7：按当前数据计算）" in text, text
    assert _shares(text) != _shares(on_v0), text
