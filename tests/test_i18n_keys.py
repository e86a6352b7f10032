"""Every UI string key is defined once.

planner/i18n.py grows by blocks (``_STRINGS.update({...})``); a key defined again in a later
block silently replaces the first wording everywhere it is used (the map's road-network note
once took the proposal page's). Read from the source (ast): a repeated key is what Python's
dict would hide.
"""
from __future__ import annotations

import ast
import collections
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "planner" / "i18n.py"


def string_keys(src: str) -> dict[str, list[int]]:
    """Key -> lines where it is given, over ``_STRINGS = {...}`` and every ``_STRINGS.update({...})``."""
    out: dict[str, list[int]] = collections.defaultdict(list)
    for n in ast.walk(ast.parse(src)):
        d = None
        if isinstance(n, (ast.Assign, ast.AnnAssign)) and isinstance(n.value, ast.Dict):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if any(getattr(x, "id", None) == "_STRINGS" for x in targets):
                d = n.value
        elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "update"
              and getattr(n.func.value, "id", None) == "_STRINGS" and n.args and isinstance(n.args[0], ast.Dict)):
            d = n.args[0]
        for k in (d.keys if d is not None else []):
            if isinstance(k, ast.Constant):
                out[k.value].append(k.lineno)
    return out


def test_no_string_key_is_defined_twice():
    keys = string_keys(SOURCE.read_text("utf-8"))
    assert len(keys) > 500   # the reader found the tables
    assert {k: lines for k, lines in keys.items() if len(lines) > 1} == {}


def test_a_repeated_key_is_found():
    src = '_STRINGS: dict = {"a": ("甲", "A")}\n_STRINGS.update({"b": ("乙", "B")})\n_STRINGS.update({"a": ("丙", "C")})\n'
    assert string_keys(src) == {"a": [1, 3], "b": [2]}


def test_every_register_field_has_a_label_in_both_languages():
    """The report's column line read "容量单位 → capacity_unit": a field without a label shows its key."""
    from planner.i18n import t
    from planner.register_columns import FIELDS

    missing = [(f, lang) for f in FIELDS for lang in ("zh", "en") if t("data_field_" + f, lang) == "data_field_" + f]
    assert not missing, missing
