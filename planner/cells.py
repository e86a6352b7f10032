"""Spreadsheet cells that cannot run: the one defence against CSV/XLSX formula injection.

Names, notes and column values in a register or a proposal come from outside.
A spreadsheet (Excel, WPS, LibreOffice) evaluates a cell that starts like a
formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``, ``-2+3``), so every
exported CSV text cell goes through :func:`safe_text`, which puts an apostrophe in
front: the cell is shown as the planner typed it and never evaluated. An XLSX cell
is stored as text with the quote-prefix style instead (:func:`protect_cells`).

Numbers stay numbers (a negative cost is a number, not a formula); text, even
"-3", is marked: a text column is text, and "-3" in it is not worth a guess.
Used by the web exports (web/exports.py), the validation report and the CLI's
``--out`` tables.
"""
from __future__ import annotations

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from geo.tables import FORMULA_START  # noqa: F401  (the guard's list, shared with the reader)



def safe_text(value):
    """``value`` unchanged, unless it is text a spreadsheet would evaluate: then ``'`` + text.

    Control characters an XLSX file cannot hold (NUL, ESC ... -- openpyxl refuses them, a 500 on
    an export whose title quotes a search) are dropped: they are never meant to be seen."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def xlsx_text(value):
    """``value`` for an XLSX cell written with :func:`protect_cells`: only the characters the file
    cannot hold dropped. An XLSX string cell never runs, so the CSV's apostrophe is not added there:
    it showed as part of a phone number ('+86 ...) or a remark ('-) (QA 19)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def protect_cells(cells) -> None:
    """Store text that starts like a formula as text (openpyxl takes "=..." for a formula), marked
    with the quote prefix, so a spreadsheet shows it as typed and never evaluates it."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and header) through :func:`safe_text`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_text)
    out.columns = [safe_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def title_line(what: str, parts: list[str], lang: str, note: str | None = None) -> str:
    """The line an exported table carries above its header (the web's exports and the CLI's ``--out``):
    what it is, its filters or parameters, the date and, when given, ``note`` (the 示意 sentence)."""
    from datetime import datetime

    from planner.i18n import t

    sep = "；" if lang == "zh" else "; "
    bits = [what, *[p for p in parts if p], t("exported_on", lang) + " " + datetime.now().strftime("%Y-%m-%d %H:%M")]
    return sep.join(bits + ([note] if note else []))
