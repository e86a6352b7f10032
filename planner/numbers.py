"""How a figure is written where a planner reads it, the one rule for every face.

* :func:`number_cell`: a figure in an exported table's cell (the web's downloads, web/exports.py, and the CLI's
  ``--out`` tables, cli/output.py): a whole number as the whole number it is (7, not 7.0; a count kept as a
  float, 9999.0, as 9999), else to :data:`CELL_DECIMALS` decimals (a cost the proposal keeps to 2 decimals,
  25.92, stays 25.92); a coordinate to :data:`COORD_DECIMALS` decimals (about 10 cm, as in the API). QA 34: the
  CLI copied the web's rule, and the copy could drift.
* :func:`distance_text` / :func:`moved_text`: how far a facility or a village point moved ("移动 939 米" /
  "moved 939 m", "移动 18.9 公里" / "moved 18.9 km"), as the Data page's comparison, the report's Changes sheet,
  the upload's changes and ``coverplan data diff`` say it (QA 34: the CLI said "移动 938.8 米").
"""
from __future__ import annotations

from planner.i18n import t

#: Decimals a figure keeps in a table's cell.
CELL_DECIMALS = 4
#: Decimals a longitude or latitude keeps in a table's cell: about 10 cm, as in the API.
COORD_DECIMALS = 6
#: The columns holding a coordinate.
COORD_KEYS = ("lon", "lat")
#: From this distance on a move is said in kilometres, to one decimal; below it in whole metres.
KM_FROM = 1000


def number_cell(value, key: str | None = None):
    """``value`` as an exported table writes it: a float whole after rounding to :data:`CELL_DECIMALS` decimals as
    an int (30.0 -> 30, 0.0 -> 0), else rounded (25.9234567 -> 25.9235); a coordinate (``key`` "lon" or "lat")
    to :data:`COORD_DECIMALS` decimals and kept a float. Anything else (an int, text, None, NaN) comes back as it
    is: the caller writes it (a text cell guarded by planner.cells, a missing one empty)."""
    if not isinstance(value, float) or value != value or value in (float("inf"), float("-inf")):
        return value
    if key in COORD_KEYS:
        return round(value, COORD_DECIMALS)
    x = round(value, CELL_DECIMALS)
    return int(x) if x.is_integer() else x


def distance_text(metres, lang: str) -> str:
    """A distance as a move is said: whole metres ("939 米" / "939 m"), from :data:`KM_FROM` m on kilometres to one
    decimal ("18.9 公里" / "18.9 km"); thousands separated. The register's messages say theirs by it too
    (planner.register.distance_words)."""
    m = float(metres or 0)
    if round(m) >= KM_FROM:  # 999.6 m: "1.0 公里", not "1,000 米"
        return t("qa34f13_km", lang, n=f"{m / 1000:,.1f}")
    return t("qa34f13_m", lang, n=f"{m:,.0f}")


def moved_text(row: dict, lang: str) -> str:
    """A move (a diff's ``moved`` row, its ``distance_m``) in words: "移动 939 米" / "moved 939 m"; "" for a row
    without a distance."""
    if not isinstance(row, dict) or row.get("distance_m") is None:
        return ""
    return t("qa34f13_moved", lang, d=distance_text(row.get("distance_m"), lang))
