import json

from cli.main import main


def test_region_info_json(capsys):
    assert main(["region", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["counts"]["counties"] == 8
    assert info["counts"]["townships"] == 129
    assert info["counts"]["villages"] == 1979
    assert info["population"]["population"] == 3_209_004
    assert info["population"]["aged_60"] == 610_589
    assert all(r["derived_sum_matches_census"] for r in info["population_by_county"])
    assert info["provenance"]["townships"]["geometry_quality"] == "approximate"
    assert info["provenance"]["villages"]["location_quality"] == "synthetic"


def test_region_info_table_in_both_languages(capsys):
    assert main(["region", "info"]) == 0
    out = capsys.readouterr().out
    assert "3,209,004" in out and "县级单位" in out and "MISMATCH" not in out
    assert main(["--lang", "en", "region", "info"]) == 0
    assert "townships" in capsys.readouterr().out


def test_unknown_region_is_a_clear_error(capsys):
    assert main(["--lang", "en", "region", "info", "--region", "atlantis"]) == 2
    assert "Unknown region" in capsys.readouterr().err


def test_region_info_names_unit_kinds_in_words(capsys):
    """The kinds of units read as words in the CLI's language, never as a Python dict."""
    from cli.main import main

    for lang, words in (("zh", ("镇 ", "乡 ", "社区 ")), ("en", ("town ", "township ", "community "))):
        assert main(["--lang", lang, "region", "info"]) == 0
        line = capsys.readouterr().out.splitlines()[1]
        assert "{" not in line and "'" not in line and all(w in line for w in words)
