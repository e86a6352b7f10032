"""QA sweep 19 (2026-12-05): what the sweep found, each fixed with a test of the outcome."""
from __future__ import annotations

import re

import pytest
from accounts import PW, accounts_app, signed_in

ACCOUNTS = [("admin1", "admin", None), ("li", "planner", None)]


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, ACCOUNTS)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def intro(page: str) -> str:
    """The password form's introductory note (the page also carries the whole i18n table)."""
    m = re.search(r'<p class="muted small">(.*?)</p>', page)
    assert m, "the password page has no introductory note"
    return m.group(1)


# -- the password page speaks of a one-time password only when there is one -------------------------
def test_a_voluntary_password_change_is_not_told_about_a_one_time_password(app):
    c = signed_in(app, "li")
    note = intro(c.get("/account/password?lang=en").get_data(as_text=True))
    assert "one-time password" not in note
    assert "at least 8 characters" in note and "other browsers or devices" in note
    answer = c.post("/account/password?lang=en", json={"current": PW, "new": PW, "again": PW})
    assert answer.status_code == 400
    assert answer.get_json()["message_en"] == "Choose a password other than the current one."


def test_a_reset_password_still_asks_for_the_one_time_password_to_be_replaced(app):
    users = app.extensions["coverplan"]["users"]
    users.set_password("li", PW, must_change=True)
    c = signed_in(app, "li")
    assert "一次性密码" in intro(c.get("/account/password").get_data(as_text=True))
