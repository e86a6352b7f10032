"""QA 35, the lead's own fixes.

* A deleted or restore-dropped proposal's parameters in words say "1 site", not "1 sites" (web.proposals.params_text).
* Files the server writes beside its upload and data folders are the owner's alone (0600), as the folders are 0700:
  an upload's meta.json and reports, the .done markers, the data store's root mark.
"""
from __future__ import annotations

import pytest

from browser import ARTIFACTS, browser, page, server  # noqa: F401  (fixtures)
from web.app import create_app
from web.proposals import params_text


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa35lead") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("params, one, many", [
    ({"type": "welfare_home", "kind": "sized", "sizes": [100], "budget_sites": 1}, "budget 1 site,", None),
    ({"type": "welfare_home", "kind": "sized", "sizes": [100], "budget_sites": 2}, None, "budget 2 sites,"),
    ({"type": "day_care", "model": "mclp", "p": 1}, "1 new site,", None),
    ({"type": "day_care", "model": "mclp", "p": 3}, None, "3 new sites,")])
def test_parameters_in_words_count_one_site_in_the_singular(app, params, one, many):
    with app.test_request_context():
        text = params_text(params, "en")
    assert (one in text and "1 sites" not in text) if one else many in text, text


def test_the_cli_sized_table_names_township_seats_in_english(capsys, tmp_path, monkeypatch):
    """`coverplan propose --sizes --out x.csv` in English names a welfare home's assigned township seats in English
    ("土门镇 seat"), as the web's file does; it joined the Chinese names (土门镇驻地)."""
    import pandas as pd

    from test_qa21_cli import run

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    out = tmp_path / "sized.csv"
    code, _, err = run(capsys, "--lang", "en", "propose", "--type", "welfare_home", "--sizes", "30,60,100",
                       "--budget", "1", "--out", str(out))
    assert code == 0, err
    frame = pd.read_csv(out)
    cells = " ".join(str(x) for x in frame.astype(str).to_numpy().ravel())
    assert " seat" in cells and "驻地" not in cells, cells[:400]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_form_submitted_again_says_the_proposal_is_already_made(page, lang):
    """The proposals form sent twice with the same fields within a minute: the server answers with the proposal made
    (no copy, QA 35), and the form says so with its link instead of opening it as a new one."""
    from planner.i18n import t

    name = f"qa35 same twice {lang}"
    page.goto(page.base + f"/proposals?lang={lang}")
    page.wait_for_selector("#p-submit")
    page.select_option("#p-type", "cemetery")
    page.fill("#p-name", name)
    with page.expect_navigation(timeout=60_000):
        page.click("#p-submit")
    first = page.url.split("/proposals/")[1].split("?")[0]
    page.go_back()
    page.wait_for_selector("#p-submit")
    page.select_option("#p-type", "cemetery")
    page.fill("#p-name", name)
    page.click("#p-submit")
    page.wait_for_selector("#job-reused", timeout=30_000)
    assert page.get_attribute("#job-reused", "href").startswith(f"/proposals/{first}")
    said = page.inner_text("#job-message")
    assert name in said and t("qa35l_open_reused", lang) in said, said
    assert "/proposals/" + first not in page.url  # still on the form
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#job").screenshot(path=str(ARTIFACTS / f"qa35-reused-{lang}.png"))
