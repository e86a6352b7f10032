"""A folder given where a file is expected is said to be a folder, not "file not found" (QA 14: it is
there, so "not found" sent the planner looking for a typo)."""
from __future__ import annotations

import pytest

from cli.main import main


@pytest.mark.parametrize("argv", [
    ["data", "import", "facilities", "{d}", "--type", "day_care", "--dry-run"],
    ["data", "import", "villages", "{d}", "--dry-run"],
    ["access", "--type", "day_care", "--facilities", "{d}"],
    ["od", "--origins", "{d}", "--destinations", "{d}", "--out", "{d}/x.npz"],
    ["solve", "--model", "lscp", "--demand", "{d}", "--candidates", "{d}", "--radius", "1"],
    ["network", "build", "--osm", "{d}", "--out", "{d}/g.graphml"],
])
@pytest.mark.parametrize("lang, said", [("en", "is a folder, not a file"), ("zh", "是文件夹而不是文件")])
def test_a_folder_is_called_a_folder(tmp_path, capsys, argv, lang, said):
    code = main(["--lang", lang, *[a.format(d=tmp_path) for a in argv]])
    err = capsys.readouterr().err
    assert code == 2 and said in err and "not found" not in err and "找不到" not in err, err
