"""The proposal form refuses what the browser knows is wrong before anything is sent
(real Chromium): letters in a number field, a value under the minimum, a fraction where a
whole number is needed; and the server's own refusals name the field as the form labels it."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_number_fields_are_checked_before_anything_is_sent(page, lang):
    from planner.i18n import t
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(page.base + f"/proposals?lang={lang}")
    page.wait_for_selector("#p-submit")
    cases = [("1e", t("form_not_a_number", lang)), ("0", t("form_too_small", lang, min=1)),
             ("2.5", t("form_whole_number", lang))]
    for typed, message in cases:
        page.fill("#p-p", "")
        page.type("#p-p", typed)
        page.click("#p-submit")
        assert page.eval_on_selector("#p-p", "e => e.validationMessage") == message
    assert posts == []  # "1e" used to be sent as nothing and solved with the default p
    assert page.locator("#job").is_hidden()
    page.fill("#p-p", "")
    page.type("#p-p", "3")  # corrected: the complaint goes and the form submits
    page.fill("#p-standard-urban", "0")  # allowed by the field (min 0), refused by the server
    page.click("#p-submit")
    page.wait_for_selector("#job-error:not([hidden])")
    text = page.inner_text("#job-error")
    assert t("standard_urban", lang) in text and ("大于 0" in text if lang == "zh" else "greater than 0" in text)
    assert "1e-06" not in text and len(posts) == 1
