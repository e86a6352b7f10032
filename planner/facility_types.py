"""Facility types as data: ``data/facility_types.toml``.

Planners add a type by adding a block to the file; this module only reads and
checks it, so a typo gets a clear message instead of a crash deep in a solve.
How a type is shown (marker colour, one-character marker label, the name of a
proposed site) is data too, with defaults for a type that gives none.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo import settings
from geo.errors import InputDataError, UnknownTypeError
from planner.textrules import escaped

DEMANDS = ("villages", "rural_villages", "township_seats", "rural_township_seats", "seats", "scenic_areas", "county_seats",
           "meal_communities")
WEIGHTS = ("aged_60", "aged_65", "aged_80", "population", "units")
RULES = ("within", "inside")
CHECKLISTS = ("all_covered", "facility_in_township")
MODELS = ("mclp", "lscp", "pmedian", "pcenter")
TARGET_KINDS = ("new_sites", "covered_share", "township_share", "upgraded", "converted")
#: Kinds counted in sites (the others are shares); ``converted``: facilities of another type converted
#: into this one (a type's ``conversion.role``), which new builds of the type do not count toward
COUNT_KINDS = ("new_sites", "upgraded", "converted")
#: Register columns a capacity may be read from (planner.register_columns names their headers).
CAPACITY_FIELDS = ("beds", "day_places", "plots", "meal_places")
BASES = ("aged_60", "aged_65", "aged_80", "population")

#: The types file; None means ``facility_types.toml`` in ``geo.settings.DATA_DIR``
#: (read when asked, so a test or an installation can point it elsewhere).
TYPES_FILE: Path | None = None

#: Marker colours for types whose block gives none, handed out in file order,
#: skipping any colour a listed type already uses (and starting again from the
#: first when more types need one than there are colours). All are far from the
#: uncovered-village red (#d7191c; charity stations once were red and were read
#: as gaps), from the covered-share fills and from the grey of unlisted types.
DEFAULT_COLOURS = ("#17becf", "#3f007d", "#bcbd22", "#7570b3", "#0b5394", "#984ea3", "#f781bf", "#666666")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Capacity:
    """How big a type's facilities are, and the standard their total is held against.

    ``per_1000`` is the standard: capacity per 1,000 people of ``basis`` (for
    cemeteries ``years`` x ``rate_per_1000``, the plots for that many years of
    deaths). ``sizes``/``size_costs`` are the size classes a new site may have.
    """

    field: str
    basis: str
    per_1000: float
    max_per_site: float
    source: str
    source_zh: str
    sizes: tuple[float, ...] = ()
    size_costs: tuple[float, ...] = ()
    years: float | None = None
    rate_per_1000: float | None = None

    def source_text(self, lang: str = "zh") -> str:
        return self.source if lang == "en" or not self.source_zh else self.source_zh

    def to_dict(self) -> dict:
        return {"field": self.field, "basis": self.basis, "per_1000": self.per_1000,
                "max_per_site": self.max_per_site, "source": self.source, "source_zh": self.source_zh,
                "sizes": list(self.sizes), "size_costs": list(self.size_costs),
                "years": self.years, "rate_per_1000": self.rate_per_1000}


@dataclass(frozen=True)
class Upgrade:
    """What upgrading (or, with ``role``, converting) an existing facility gives."""

    add_capacity: float
    reach_factor: float = 1.0
    per_county_max: int | None = None
    cost: float | None = None
    role: str | None = None

    def to_dict(self) -> dict:
        return {"add_capacity": self.add_capacity, "reach_factor": self.reach_factor,
                "per_county_max": self.per_county_max, "cost": self.cost, "role": self.role}


@dataclass(frozen=True)
class FacilityType:
    """One facility type and its plan rules (see the header of facility_types.toml)."""

    key: str
    name_zh: str
    name_en: str
    section: str
    demand: str
    weight: str
    standard_urban: float
    standard_rural: float
    unit: str
    rule: str
    checklist: str
    candidates: str
    one_per_township: bool
    default_model: str
    default_p: int
    assumptions: str
    assumptions_zh: str = ""
    demand_counties: tuple[str, ...] = ()
    # a county planner's scope (planner.coverage.county_type): its demand, candidates and existing
    # facilities only, where a type's own demand_counties (funeral homes) still count every facility
    county_scope: str | None = None
    targets: tuple[dict, ...] = field(default_factory=tuple)
    # presentation (filled with defaults when the file gives none, see _parse)
    colour: str = ""              # marker colour, "#rrggbb"
    icon: str = ""                # one- or two-character marker label
    site_name_pattern: str = ""   # name of a proposed site; "{place}" is the township seat or village
    # other names registers use for the type (日照中心), matched on import (planner.register_columns)
    aliases: tuple[str, ...] = ()
    # how big its facilities are and what an upgrade or a conversion gives (issue 16), if stated
    capacity: Capacity | None = None
    upgrade: Upgrade | None = None
    conversion: Upgrade | None = None

    def site_name(self, place: str) -> str:
        """What a proposed site is called, e.g. "拟建武当山养老服务综合体"."""
        return (self.site_name_pattern or "拟建{place}" + self.name_zh).format(place=place)

    def site_name_en(self, place: str) -> str:
        """The English name of a proposed site: the words translated, the place kept as the data has it
        ("五堰街道 – proposed township elderly-service complex"; QA 21: English pages showed 拟建…). The
        place comes first, so a narrow cell that cuts the name (the printed brief's) keeps what tells the
        sites apart."""
        return f"{place} – proposed {self.name_en_in_sentence()}"

    def name_en_in_sentence(self) -> str:
        """The English name as it reads inside a sentence: "a township elderly-service complex" (a capital
        that only starts the name is lowered; an acronym's is kept)."""
        n = self.name_en
        return n[:1].lower() + n[1:] if n[1:2].islower() else n

    def short_name_zh(self) -> str:
        """What a site of this type is called after its place ("日间照料中心" in "拟建某村日间照料中心")."""
        pattern = self.site_name_pattern or "拟建{place}" + self.name_zh
        return pattern.split("{place}", 1)[1] or self.name_zh

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def assumptions_text(self, lang: str = "zh") -> str:
        return self.assumptions if lang == "en" or not self.assumptions_zh else self.assumptions_zh

    def standard_text(self, lang: str = "zh") -> str:
        """The service standard as the pages say distances: km from 1,000 m on (城镇 1公里 / 农村 3公里),
        as every travel cost beside it is given (planner.i18n.cost_text)."""
        en = lang == "en"

        def one(v: float) -> str:
            if self.unit == "m" and v >= 1000:
                return f"{v / 1000:g} km" if en else f"{v / 1000:g}公里"
            u = {"min": ("分钟", "min"), "m": ("米", "m")}[self.unit][en]
            return f"{v:g} {u}" if en else f"{v:g}{u}"

        if self.standard_urban == self.standard_rural:
            return one(self.standard_rural)
        return (f"urban {one(self.standard_urban)} / rural {one(self.standard_rural)}" if en
                else f"城镇 {one(self.standard_urban)} / 农村 {one(self.standard_rural)}")

    def to_dict(self) -> dict:
        return {"key": self.key, "name_zh": self.name_zh, "name_en": self.name_en, "section": self.section,
                "demand": self.demand, "weight": self.weight,
                "standard": {"urban": self.standard_urban, "rural": self.standard_rural, "unit": self.unit},
                "rule": self.rule, "checklist": self.checklist, "candidates": self.candidates,
                "one_per_township": self.one_per_township, "default_model": self.default_model,
                "default_p": self.default_p, "assumptions": self.assumptions,
                "assumptions_zh": self.assumptions_zh,
                "demand_counties": list(self.demand_counties), "targets": [dict(t) for t in self.targets],
                "capacity": self.capacity.to_dict() if self.capacity else None,
                "upgrade": self.upgrade.to_dict() if self.upgrade else None,
                "conversion": self.conversion.to_dict() if self.conversion else None}


def _bad(path: Path, key: str, field_: str, value, allowed) -> InputDataError:
    return InputDataError(
        f"{path.name}: type '{key}' has {field_} = {value!r}; allowed: {', '.join(map(str, allowed))}.",
        f"{path.name}：设施类型“{key}”的 {field_} = {value!r} 无效；可选值：{'、'.join(map(str, allowed))}。",
        hint_en=f"Fix the [types.{key}] block.", hint_zh=f"请修改 [types.{key}] 一节。")


def _presentation(path: Path, key: str, t: dict) -> dict:
    """Checked colour, icon and site-name pattern of one type block (empty where not given)."""
    colour = t.get("colour", "")
    if colour and not (isinstance(colour, str) and _COLOUR.match(colour)):
        raise _bad(path, key, "colour", colour, ['"#rrggbb", e.g. "#1f78b4"'])
    icon = t.get("icon", "")
    if icon and not (isinstance(icon, str) and 1 <= len(icon.strip()) <= 2):
        raise _bad(path, key, "icon", icon, ['one or two characters, e.g. "养"'])
    pattern = t.get("site_name", "")
    if pattern:
        ok = isinstance(pattern, str) and "{place}" in pattern
        try:
            if ok:
                pattern.format(place="")  # other {fields} or stray braces fail here, not in a solve
        except (KeyError, IndexError, ValueError):
            ok = False
        if not ok:
            raise _bad(path, key, "site_name", pattern, ['a name with {place}, e.g. "拟建{place}日间照料中心"'])
    return {"colour": colour.lower(), "icon": icon.strip(), "site_name_pattern": pattern}


def _number(path: Path, key: str, field_: str, value, *, positive: bool = True) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (value > 0 if positive else value >= 0)
    if not ok:
        raise _bad(path, key, field_, value, ["a number > 0" if positive else "a number >= 0"])
    return float(value)


def _capacity(path: Path, key: str, c) -> Capacity | None:
    """The checked ``[types.X.capacity]`` block (None when the type has none)."""
    if c is None:
        return None
    if not isinstance(c, dict):
        raise _bad(path, key, "capacity", c, ["a table [types.X.capacity]"])
    if c.get("field") not in CAPACITY_FIELDS:
        raise _bad(path, key, "capacity.field", c.get("field"), CAPACITY_FIELDS)
    if c.get("basis") not in BASES:
        raise _bad(path, key, "capacity.basis", c.get("basis"), BASES)
    years = rate = None
    if "per_1000" in c:
        per = _number(path, key, "capacity.per_1000", c["per_1000"])
    else:  # plots for `years` of deaths at `rate_per_1000` a year
        years = _number(path, key, "capacity.years", c.get("years"))
        rate = _number(path, key, "capacity.rate_per_1000", c.get("rate_per_1000"))
        per = years * rate
    sizes, costs = list(c.get("sizes", [])), list(c.get("size_costs", []))
    if len(sizes) != len(costs) or any(not isinstance(v, (int, float)) or v <= 0 for v in sizes + costs):
        raise _bad(path, key, "capacity.sizes/size_costs", (sizes, costs),
                   ["two lists of numbers > 0 of the same length, e.g. sizes = [30, 60], size_costs = [300, 500]"])
    return Capacity(field=c["field"], basis=c["basis"], per_1000=per,
                    max_per_site=_number(path, key, "capacity.max_per_site", c.get("max_per_site")),
                    source=str(c.get("source", "")).strip(), source_zh=str(c.get("source_zh", "")).strip(),
                    sizes=tuple(float(v) for v in sizes), size_costs=tuple(float(v) for v in costs),
                    years=years, rate_per_1000=rate)


def _upgrade(path: Path, key: str, name: str, u, types: dict) -> Upgrade | None:
    if u is None:
        return None
    if not isinstance(u, dict):
        raise _bad(path, key, name, u, [f"a table [types.X.{name}]"])
    role = u.get("role")
    if role is not None and role not in types:
        raise _bad(path, key, f"{name}.role", role, list(types))
    pcm = u.get("per_county_max")
    if pcm is not None and not (isinstance(pcm, int) and pcm > 0):
        raise _bad(path, key, f"{name}.per_county_max", pcm, ["a whole number > 0"])
    return Upgrade(add_capacity=_number(path, key, f"{name}.add_capacity", u.get("add_capacity", 0), positive=False),
                   reach_factor=_number(path, key, f"{name}.reach_factor", u.get("reach_factor", 1.0)),
                   per_county_max=pcm, role=role,
                   cost=None if u.get("cost") is None else _number(path, key, f"{name}.cost", u["cost"]))


def _default_colours(raw_types: dict) -> dict[str, str]:
    """A colour for every type that gives none (see DEFAULT_COLOURS): the same file gives the same colours."""
    used = {str(t.get("colour", "")).lower() for t in raw_types.values()}
    free = [c for c in DEFAULT_COLOURS if c not in used] or list(DEFAULT_COLOURS)
    missing = [k for k, t in raw_types.items() if not t.get("colour")]
    return {k: free[i % len(free)] for i, k in enumerate(missing)}


def _parse(path: Path) -> tuple[int, dict[str, FacilityType]]:
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:  # missing or unreadable: its syntax is not the question (QA 22)
        raise InputDataError(f"Cannot read facility types from {path}: {exc.strerror or exc}.",
                             f"无法读取设施类型文件 {path}：{exc.strerror or exc}。",
                             hint_en="Check that the file exists and can be read (COVERPLAN_DATA names its folder).",
                             hint_zh="请检查该文件是否存在且可读（其所在文件夹由 COVERPLAN_DATA 指定）。") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputDataError(f"Cannot read facility types from {path}: {exc}",
                             f"无法读取设施类型文件 {path}：{exc}",
                             hint_en="Check the TOML syntax (UTF-8).",
                             hint_zh="请检查 TOML 语法（UTF-8 编码）。") from exc
    types: dict[str, FacilityType] = {}
    default_colour = _default_colours(raw.get("types", {}))
    for key, t in raw.get("types", {}).items():
        required = ("name_zh", "name_en", "demand", "weight", "standard", "rule", "checklist", "candidates")
        missing = [f for f in required if f not in t]
        if missing:
            raise InputDataError(f"{path.name}: type '{key}' lacks {', '.join(missing)}.",
                                 f"{path.name}：设施类型“{key}”缺少字段 {'、'.join(missing)}。")
        for fld, allowed in (("demand", DEMANDS), ("weight", WEIGHTS), ("rule", RULES),
                             ("checklist", CHECKLISTS), ("candidates", DEMANDS),
                             ("default_model", MODELS)):
            if fld in t and t[fld] not in allowed:
                raise _bad(path, key, fld, t[fld], allowed)
        std = t["standard"]
        if std.get("unit") not in ("min", "m") or not (std.get("urban", 0) > 0 and std.get("rural", 0) > 0):
            raise _bad(path, key, "standard", std, ["{ urban > 0, rural > 0, unit = 'min' | 'm' }"])
        for target in t.get("targets", []):
            if target.get("kind") not in TARGET_KINDS:
                raise _bad(path, key, "targets.kind", target.get("kind"), TARGET_KINDS)
        shown = _presentation(path, key, t)
        aliases = t.get("aliases", [])
        if not (isinstance(aliases, list) and all(isinstance(a, str) and a.strip() for a in aliases)):
            raise _bad(path, key, "aliases", aliases, ['a list of names, e.g. ["日照中心"]'])
        shown["colour"] = shown["colour"] or default_colour[key]
        shown["icon"] = shown["icon"] or t["name_zh"].strip()[:1]
        types[key] = FacilityType(
            key=key, name_zh=t["name_zh"], name_en=t["name_en"], section=t.get("section", ""),
            demand=t["demand"], weight=t["weight"], standard_urban=float(std["urban"]),
            standard_rural=float(std["rural"]), unit=std["unit"], rule=t["rule"], checklist=t["checklist"],
            candidates=t["candidates"], one_per_township=bool(t.get("one_per_township", False)),
            default_model=t.get("default_model", "mclp"), default_p=int(t.get("default_p", 1)),
            assumptions=t.get("assumptions", "").strip(),
            assumptions_zh=t.get("assumptions_zh", "").strip(),
            demand_counties=tuple(t.get("demand_counties", ())),
            targets=tuple(t.get("targets", ())), aliases=tuple(a.strip() for a in aliases),
            capacity=_capacity(path, key, t.get("capacity")),
            upgrade=_upgrade(path, key, "upgrade", t.get("upgrade"), raw.get("types", {})),
            conversion=_upgrade(path, key, "conversion", t.get("conversion"), raw.get("types", {})), **shown)
    return int(raw.get("plan_year", 2025)), types


@lru_cache(maxsize=4)
def _extras(path: str) -> tuple[dict | None, tuple[dict, ...]]:
    """The file's ``[bed_standard]`` and ``[[village_targets]]`` (checked)."""
    p = Path(path)
    raw = tomllib.loads(p.read_text("utf-8"))
    beds = raw.get("bed_standard")
    if beds is not None:
        if beds.get("basis") not in BASES:
            raise _bad(p, "bed_standard", "basis", beds.get("basis"), BASES)
        _number(p, "bed_standard", "per_1000", beds.get("per_1000"))
    vts = tuple(raw.get("village_targets", ()))
    for vt in vts:
        missing = [f for f in ("key", "attribute", "min", "text_zh", "text_en") if f not in vt]
        if missing:
            raise InputDataError(f"{p.name}: a [[village_targets]] block lacks {', '.join(missing)}.",
                                 f"{p.name}：[[village_targets]] 一节缺少字段 {'、'.join(missing)}。")
    return beds, vts


def bed_standard(path: Path | None = None) -> dict | None:
    """``{basis, per_1000, source, source_zh}``: all beds held against one standard (None if not stated)."""
    return _extras(str(path or types_file()))[0]


def village_targets(path: Path | None = None) -> tuple[dict, ...]:
    """Targets on a per-village register attribute (community charity funds, §二十四)."""
    return _extras(str(path or types_file()))[1]


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[int, dict[str, FacilityType]]:
    return _parse(Path(path))


def load_facility_types(path: Path | None = None) -> dict[str, FacilityType]:
    """All facility types, keyed by type key, in file order."""
    return dict(_load(str(path or types_file()))[1])


def types_file() -> Path:
    """The facility-types file read when no path is given."""
    return TYPES_FILE or settings.DATA_DIR / "facility_types.toml"


def plan_year(path: Path | None = None) -> int:
    return _load(str(path or types_file()))[0]


def get_type(key: str, path: Path | None = None) -> FacilityType:
    """One facility type; an unknown key is a clear 404-style error listing the known ones."""
    types = load_facility_types(path)
    if key not in types:
        # the key as typed, a control or direction character written as \uXXXX (U+202E turned the rest of
        # the sentence around) and a long one cut, as a 404 quotes an id
        shown = escaped(str(key))
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        raise UnknownTypeError(
            f"Unknown facility type '{shown}'. Known types: {', '.join(types)}.",
            f"未知的设施类型“{shown}”。可用类型：{'、'.join(f'{k}（{t.name_zh}）' for k, t in types.items())}。",
            details={"known": list(types)})
    return types[key]


def capacity_columns(types: dict[str, FacilityType] | None = None) -> dict[str, tuple[str, ...]]:
    """Facility type -> the register columns that are its capacity (a cemetery's plots and niches, a day-care centre's
    day places; () for a type that counts none), for geo.datasets.own_capacity_only: another stored column (a day-care
    centre's beds) changing is a detail, not a capacity change, on every face (QA 33). ``types`` defaults to the
    plan's types."""
    types = load_facility_types() if types is None else types
    out = {}
    for key, ft in types.items():
        field = ft.capacity.field if ft.capacity else None
        out[key] = () if field is None else ("plots", "niches") if field == "plots" else (field,)
    return out


def not_capacity_label(field: str, ftypes, lang: str, types: dict[str, FacilityType] | None = None) -> str:
    """"床位数（不计入社区(村)日间照料中心的容量）": a capacity column of facilities of ``ftypes`` whose capacity it is not
    (geo.datasets.own_capacity_only's details; the type named when there is one), as the Data page, its Changes sheet
    and `coverplan data diff` word it (QA 33: the CLI said "(beds)")."""
    from planner.i18n import t

    types = load_facility_types() if types is None else types
    kinds = {str(k) for k in ftypes}
    label = t("data_field_" + field, lang)
    label = field if label == "data_field_" + field else label
    if len(kinds) == 1 and next(iter(kinds)) in types:
        ft = types[next(iter(kinds))]
        return t("qa33f15_not_capacity_of", lang, field=label,
                 type=ft.name_zh if lang != "en" else ft.name_en_in_sentence())
    return t("qa33f15_not_capacity", lang, field=label)


def attribute_words(r: dict, lang: str, types: dict[str, FacilityType] | None = None, values=None) -> str:
    """The attributes a diff's row names (``r["attributes"]``) as the popup labels them, a capacity column that is not
    the facility's capacity (geo.datasets.own_capacity_only) said so (:func:`not_capacity_label`); ``values(change)``
    words such a column's values ("未知 → 25张床位"). The Data page, its Changes sheet and `coverplan data diff`."""
    from planner.i18n import fields_text

    keys = list(r.get("attributes") or [])
    other = {c.get("field"): c for c in r.get("other_capacity") or [] if isinstance(c, dict)}
    words = [fields_text([k for k in keys if k not in other], lang)] if any(k not in other for k in keys) else []
    words += [not_capacity_label(k, [r.get("facility_type")], lang, types)
              + (f" {values(other[k])}" if values else "") for k in keys if k in other]
    return ("、" if lang != "en" else ", ").join(words)


def default_k(ft: FacilityType, convert: bool = False) -> int:
    """How many facilities an upgrade (or a conversion) chooses when the planner gives no K: the plan's
    target for it (a conversion's is the ``converted`` target of the type it converts into: 8 rural
    welfare homes into regional centres, not the 5 of their upgrade target: QA 19), else 5."""
    if convert and ft.conversion is not None:
        role = get_type(ft.conversion.role)
        return next((int(t["min"]) for t in role.targets if t["kind"] == "converted"), 5)
    return next((int(t["min"]) for t in ft.targets if t["kind"] == "upgraded"), 5)
