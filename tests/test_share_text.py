"""Shares as people read them: a share short of full never shows as a rounded-up 100.0%."""
from __future__ import annotations

import pytest

from planner.i18n import share_text


@pytest.mark.parametrize("share, text", [
    (1.0, "100.0%"), (0.727, "72.7%"), (0.99961, "99.96%"), (0.9999999, "<100%"), (0.0, "0.0%"),
    (0.0004, "0.04%"), (0.0000001, ">0%"), (None, "–"), (float("nan"), "–"), (0.9995, "99.95%"),
])
def test_share_text(share, text):
    assert share_text(share) == text
