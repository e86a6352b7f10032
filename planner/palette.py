"""The colours of every map: covered-share classes and facility types.

The web map (through :func:`palette`, given to the browser as
``window.COVERPLAN.palette``), the charts and the offline maps
(planner/mapexport.py) draw with the same colours, so they are defined once,
here. Type colours are data (``colour`` in data/facility_types.toml, with a
default for a type that gives none, see planner/facility_types.py).
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from planner.facility_types import FacilityType, load_facility_types

#: Covered-share classes drawn by the web map and the offline map alike:
#: (lower bound, colour, label), best first.  A share counts as full from
#: FULL_SHARE on (weighted sums do not always add up to exactly 1).
SHARE_CLASSES = ((1.0, "#1a9641", "100%"), (0.75, "#a6d96a", "75–99%"),
                 (0.5, "#fee08b", "50–74%"), (0.25, "#fc8d59", "25–49%"),
                 (0.0, "#d73027", "0–24%"))
FULL_SHARE = 0.99995
NO_DEMAND_COLOUR = "#d9d9d9"
#: Facilities whose type is not in the types file (a register may hold others).
OTHER_TYPE_COLOUR = "#8c8c8c"


def share_colour(share) -> str:
    """Fill colour of a covered share (grey where a township has no demand)."""
    if share is None or (isinstance(share, float) and not math.isfinite(share)):
        return NO_DEMAND_COLOUR
    if share >= FULL_SHARE:
        return SHARE_CLASSES[0][1]
    return next(c for lo, c, _ in SHARE_CLASSES[1:] if share >= lo)


def type_colour(ftype: FacilityType) -> str:
    """Marker colour of a facility type."""
    return ftype.colour or OTHER_TYPE_COLOUR


class _TypeColours(Mapping):
    """Type key -> marker colour of the types file, read when asked: a broken
    file then fails the request that needs it, not the import of this module."""

    def _colours(self) -> dict[str, str]:
        return {k: type_colour(ft) for k, ft in load_facility_types().items()}

    def __getitem__(self, key: str) -> str:
        return self._colours()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._colours())

    def __len__(self) -> int:
        return len(self._colours())


#: Marker colour per facility type (of the types file in use).
TYPE_COLOURS: Mapping[str, str] = _TypeColours()


def palette(types: Mapping[str, FacilityType] | None = None) -> dict:
    """The same classes and colours for the browser scripts (``types``: default the types file)."""
    types = load_facility_types() if types is None else types
    return {"classes": [{"min": lo, "color": c, "label": lab} for lo, c, lab in SHARE_CLASSES],
            "full": FULL_SHARE, "no_demand": NO_DEMAND_COLOUR,
            "types": {k: type_colour(ft) for k, ft in types.items()},
            "icons": {k: ft.icon for k, ft in types.items()},
            "other": OTHER_TYPE_COLOUR}
