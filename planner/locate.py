"""Place register rows that have no coordinates by their county, township and village names.

Registers often give only where a facility is: "郧阳区 / 茶店镇 / 郑家村", or an
address "湖北省十堰市丹江口市武当山特区八仙观村". Names are matched to the
region's official units (NBS codes) after folding what varies between
spellings: full-width characters and spaces, and the unit suffixes
(镇/乡/街道/街道办事处, 村/社区/村委会/社区居委会/居民委员会...), so that
"郑家村", "郑家" and "郑家村委会" are one village. A village is looked for
within its township, a township within its county, where those are given. A
row is placed at the village point, or at the township seat when only the
township is known; a name that fits several units is not guessed: the
candidates are returned for the planner to pick from.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from planner.textrules import code_text

#: Unit suffixes, longest first, each with the short form it stands for: a name is also known
#: without the suffix and by the short form ("马家河村委会" is also "马家河村" and "马家河"),
#: as long as two characters remain.
SUFFIXES = {
    "county": (("土家族自治县", ""), ("自治县", ""), ("林区", ""), ("县", ""), ("市", ""), ("区", "")),
    "township": (("街道办事处", "街道"), ("街道办", "街道"), ("办事处", ""), ("管委会", ""), ("管理处", ""),
                 ("管理区", ""), ("特区", ""), ("林区", ""), ("林场", ""), ("街道", ""), ("镇", ""), ("乡", "")),
    "village": (("社区居民委员会", "社区"), ("社区居民委员", "社区"), ("居民委员会", "社区"), ("村民委员会", "村"),
                ("社区居委会", "社区"), ("村委会", "村"), ("居委会", "社区"), ("社区", ""), ("村", "")),
}
#: Units renamed since registers were first kept: old name -> current name.
RENAMED = {"郧县": "郧阳区"}  # 郧县 became 郧阳区 in 2014
#: Candidates offered for a planner to pick from; the register says how many more there are
#: (and which column narrows them) rather than leaving the right place silently out.
MAX_CANDIDATES = 12
_DROP = re.compile(r"[\s·•．。,，、\-—_/（）()]+")


def fold(text) -> str:
    """A name as compared: NFKC (full-width to half-width), spaces and punctuation dropped."""
    if text is None:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text))).strip()


def name_keys(name, level: str) -> set[str]:
    """Spellings a unit is known by: its folded name and the name with suffixes taken off."""
    text = fold(name)
    text = RENAMED.get(text, text) if level == "county" else text
    out = {text} if text else set()
    stripped = True
    while stripped:
        stripped = False
        for suffix, short in SUFFIXES[level]:
            if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                text = text[: -len(suffix)]
                out |= {text, text + short}
                stripped = True
                break
    return out


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str            # "county", "township" or "village"
    path: str             # "丹江口市·武当山特区·八仙观村委会"
    county_code: str
    township_code: str    # "" for a county
    lon: float
    lat: float
    keys: frozenset


@dataclass
class Located:
    """Where a row's names put it.

    ``status``: "placed" (``lon``/``lat`` set, at a village point or a township
    seat per ``level``), "ambiguous" (several units fit: ``candidates``) or
    "unmatched" (``problem`` says which name was not found; ``candidates`` holds
    the closest names). ``problem`` on a placed row is a warning (e.g. the
    village was not found and the township seat was used).
    """

    status: str
    level: str | None = None
    code: str | None = None
    township_code: str | None = None
    county_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    path: str = ""
    problem: str | None = None       # county_unknown, township_unknown, village_unknown, village_code_unknown,
    #                                  ambiguous, county_only
    value: str = ""                  # the name that caused the problem
    candidates: list[dict] = field(default_factory=list)   # every unit that fits, not cut (see MAX_CANDIDATES)


def _cands(units) -> list[dict]:
    return [{"code": u.code, "path": u.path} for u in units]


class PlaceIndex:
    """The region's counties, townships and villages, ready for name matching."""

    def __init__(self, region) -> None:
        counties = region.counties
        cname = counties["name"].to_dict()
        self.counties = [Unit(str(c), str(r["name"]), "county", str(r["name"]), str(c), "",
                              float(r["seat_lon"]), float(r["seat_lat"]), frozenset(name_keys(r["name"], "county")))
                         for c, r in counties.iterrows()]
        towns = region.townships
        self.towns = [Unit(str(c), str(r["name"]), "township", f"{cname.get(r['county_code'], '')}·{r['name']}",
                           str(r["county_code"]), str(c), float(r["seat_lon"]), float(r["seat_lat"]),
                           frozenset(name_keys(r["name"], "township")))
                      for c, r in towns.iterrows()]
        tname = towns["name"].to_dict()
        vills = region.villages
        self.villages = [Unit(str(c), str(n), "village", f"{cname.get(cc, '')}·{tname.get(tc, '')}·{n}", str(cc),
                              str(tc), float(g.x), float(g.y), frozenset(name_keys(n, "village")))
                         for c, n, cc, tc, g in zip(vills.index, vills["name"], vills["county_code"],
                                                    vills["township_code"], vills.geometry)]
        self.by_code = {u.code: u for u in self.counties + self.towns + self.villages}
        # English county names (Maojian District, Fang County): the register's English export writes them,
        # and the API's county takes them (QA 22: every row of that export was "not in Shiyan")
        from planner.coverage import county_names_en
        self.county_zh = {str(c): str(n) for c, n in cname.items()}
        self.county_en = {str(c): str(n) for c, n in county_names_en(counties).items()}

    def county_codes(self, name) -> set[str]:
        """Codes of the counties ``name`` may be (its name or a spelling of it, its English name, its code;
        full-width or not); empty where it names none."""
        if not fold(name):
            return set()
        units = self._match(self.counties, fold(name), "county")
        if not units:
            from planner.coverage import match_county
            named = match_county(unicodedata.normalize("NFKC", str(name)).strip(), self.county_zh, self.county_en)
            units = [self.by_code[named]] if named in self.by_code else []
        return {u.code for u in units}

    # -- matching -------------------------------------------------------------------------------
    @staticmethod
    def _match(units, text: str, level: str) -> list[Unit]:
        """Units named ``text``: the exact name, else any shared spelling, else one contained in it."""
        folded = fold(text)
        exact = [u for u in units if fold(u.name) == folded]
        if exact:
            return exact
        keys = name_keys(text, level)
        # the longest spelling shared wins: "马家河社区" is the community, not the village 马家河村
        shared = [(max(len(k) for k in u.keys & keys), u) for u in units if u.keys & keys]
        top = max((n for n, _ in shared), default=0)
        return [u for n, u in shared if n == top] or PlaceIndex._find_in(units, folded)

    @staticmethod
    def _find_in(units, text: str) -> list[Unit]:
        """Units whose name (any spelling of two characters or more) occurs in ``text``; the longest wins."""
        hits = []
        for u in units:
            best = max((len(k) for k in u.keys if len(k) >= 2 and k in text), default=0)
            if best:
                hits.append((best, u))
        top = max((b for b, _ in hits), default=0)
        return [u for b, u in hits if b == top]

    @staticmethod
    def _strip(text: str, units) -> str:
        for u in units:
            for k in sorted(u.keys, key=len, reverse=True):
                if len(k) >= 2 and k in text:
                    text = text.replace(k, "", 1)
                    break
        return text

    def _close(self, units, text: str, level: str) -> list[dict]:
        """Units whose names look like ``text`` (for an unmatched name): the MAX_CANDIDATES closest names."""
        bare = min(name_keys(text, level) or {fold(text)}, key=len)
        names = {}
        for u in units:
            names.setdefault(min(u.keys, key=len), []).append(u)
        close = difflib.get_close_matches(bare, list(names), n=MAX_CANDIDATES, cutoff=0.5)
        return _cands(u for n in close for u in names[n])

    def _placed(self, u: Unit, problem: str | None = None, value: str = "", candidates=()) -> Located:
        return Located("placed", u.level, u.code, u.township_code, u.county_code, u.lon, u.lat, u.path,
                       problem, value, list(candidates))

    def locate(self, *, county=None, township=None, village=None, address=None, code=None) -> Located:
        """Match one row's names (any may be missing) to a unit; see :class:`Located`."""
        # a name that is not found is quoted as typed ("Maojian District"), not as folded ("MaojianDistrict")
        typed = {k: str(v).strip() if v is not None else ""
                 for k, v in (("county", county), ("township", township), ("village", village))}
        county, township, village, address = (fold(v) for v in (county, township, village, address))
        # a code as its ASCII digits: full-width ones (４２０３０３１０１) are the same code (QA 23)
        code = code_text(code)
        if not code:  # a code typed where the name goes (a 乡镇 column of 9- or 12-digit codes: QA 23)
            code = next((c for c in (code_text(typed[k]) for k in ("township", "village"))
                         if re.fullmatch(r"[0-9]{9}|[0-9]{12}", c)), "")
        if re.fullmatch(r"[0-9]{9}|[0-9]{12}", code):
            # the code as it is, never its first 12 or 9 characters: 4203020010011 and 420302001001-1 were placed
            # at village 420302001001 without a word (QA 36); a code of another form places nothing here (the
            # register refuses its row, naming the cell)
            unit = self.by_code.get(code)
            if unit is not None and unit.level != "county":
                return self._placed(unit)
            town = self.by_code.get(code[:9]) if unit is None and len(code) == 12 else None
            if town is not None and town.level == "township":
                if code.endswith("000"):  # 420302001000: the township's own code in 12 digits
                    return self._placed(town)
                # 12 digits of no village whose first 9 are a township's (a village since renamed, a digit
                # mistyped): its seat, said, with its villages to pick from (QA 36: placed there without a word)
                return self._placed(town, "village_code_unknown", code,
                                    _cands(v for v in self.villages if v.township_code == town.code))
        counties = self.counties
        if county:
            counties = self._match(self.counties, county, "county")
            if not counties:
                from planner.coverage import match_county
                # its code too, typed full-width or not (４２０３２５ is 房县)
                named = match_county(unicodedata.normalize("NFKC", typed["county"]).strip(), self.county_zh,
                                     self.county_en)
                counties = [self.by_code[named]] if named in self.by_code else []
            if not counties:
                return Located("unmatched", problem="county_unknown", value=typed["county"],
                               candidates=self._close(self.counties, county, "county"))
        elif address:
            counties = self._find_in(self.counties, address) or self.counties
            address = self._strip(address, counties) if len(counties) == 1 else address
        ccodes = {u.code for u in counties}
        scope_towns = [t for t in self.towns if t.county_code in ccodes]
        towns = None
        if township:
            towns = self._match(scope_towns, township, "township")
            if not towns:
                return Located("unmatched", problem="township_unknown", value=typed["township"],
                               candidates=self._close(scope_towns, township, "township"))
        elif address:
            towns = self._find_in(scope_towns, address) or None
            address = self._strip(address, towns) if towns and len(towns) == 1 else address
        tcodes = {t.code for t in towns} if towns else None
        scope_vills = [v for v in self.villages
                       if v.county_code in ccodes and (tcodes is None or v.township_code in tcodes)]
        vills = None
        if village:
            vills = self._match(scope_vills, village, "village")
            if not vills:
                if towns and len(towns) == 1:  # the township is sure: its seat, with a warning
                    return self._placed(towns[0], "village_unknown", typed["village"],
                                        self._close(scope_vills, village, "village"))
                return Located("unmatched", problem="village_unknown", value=typed["village"],
                               candidates=self._close(scope_vills, village, "village"))
        elif address:
            vills = self._find_in(scope_vills, address) or None
        if vills:
            if len(vills) == 1:
                return self._placed(vills[0])
            if towns and len(towns) == 1 and not village:  # an address naming several villages
                return self._placed(towns[0], "village_ambiguous", address, _cands(vills))
            return Located("ambiguous", problem="ambiguous", value=typed["village"] or address,
                           candidates=_cands(vills))
        if towns:
            if len(towns) == 1:
                return self._placed(towns[0])
            return Located("ambiguous", problem="ambiguous", value=typed["township"] or address,
                           candidates=_cands(towns))
        if (county or address) and len(counties) == 1:
            # the county is known (a row with coordinates is checked against it)
            return Located("unmatched", problem="county_only", value=counties[0].name,
                           county_code=counties[0].code, candidates=_cands(scope_towns))
        return Located("unmatched", problem="nothing", value=address or county)
