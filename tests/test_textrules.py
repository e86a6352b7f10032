"""planner.textrules: one rule for the characters names and notes refuse (proposals and map edits)."""
from __future__ import annotations

import pytest

from planner import textrules


@pytest.mark.parametrize("ch", ["\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u061c", "\ud800"])
def test_refused_everywhere(ch):
    assert textrules.refused(ch, multiline=False) and textrules.refused(ch, multiline=True)


@pytest.mark.parametrize("ch", ["\n", "\t", "\r", "\u200b", "\ufeff"])
def test_line_breaks_and_invisible_characters_only_in_several_lines(ch):
    assert textrules.refused(ch, multiline=False)
    assert not textrules.refused(ch, multiline=True)


def test_plain_text_passes_and_refused_text_is_shown_escaped():
    assert textrules.first_refused("十堰市 Fang County №1", multiline=False) is None
    assert textrules.first_refused("ab\x01c", multiline=False) == 2
    assert textrules.escaped("a\x01b\tc", multiline=True) == "a\\u0001b\tc"
    assert textrules.escaped(None) is None and textrules.without_refused("a\u202eb") == "ab"
    assert textrules.char_kind("\ud800")[1].startswith("无效字符")


def test_the_map_and_the_proposals_refuse_the_same(client):
    """A zero-width space in a name: refused by a map edit as by a proposal (it was let through by one)."""
    r1 = client.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "公\u200b墓",
                                              "lon": 110.8, "lat": 32.6})
    r2 = client.post("/api/proposals", json={"type": "cemetery", "name": "公\u200b墓"})
    assert r1.status_code == r2.status_code == 400
    assert "\\u200b" in r1.get_json()["message_en"] and "\\u200b" in r2.get_json()["message_en"]
