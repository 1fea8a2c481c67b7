"""Zhejiang's regions as the demo needs them: the province, its 11 cities and their counties
(loaded by the migrations), and the names derived from them."""
from __future__ import annotations

from dataclasses import dataclass

from portal.choices import ZHEJIANG_CODE, RegionLevel
from portal.models import Region
from reports.demo.helpers import short_name


@dataclass(frozen=True)
class Zhejiang:
    province: Region
    cities: list[Region]
    counties: dict[str, list[Region]]  # by city code

    @property
    def all_counties(self) -> list[Region]:
        return [county for city in self.cities for county in self.counties[city.code]]


def zhejiang_load() -> Zhejiang:
    regions = list(Region.objects.filter(province_code=ZHEJIANG_CODE).order_by("code"))
    province = next(r for r in regions if r.level == RegionLevel.PROVINCE)
    cities = [r for r in regions if r.level == RegionLevel.CITY]
    counties: dict[str, list[Region]] = {city.code: [] for city in cities}
    for region in regions:
        if region.level == RegionLevel.COUNTY:
            counties[region.city_code].append(region)
    if len(cities) != 11 or not all(counties.values()):
        raise RuntimeError("浙江省行政区划数据不完整，请先执行 migrate 载入行政区划。")
    return Zhejiang(province=province, cities=cities, counties=counties)


def city_short(city: Region) -> str:
    return short_name(city.name)


def bureau_name(county: Region, city: Region) -> str:
    """Districts (区) carry the city's name: 杭州市西湖区经信局; counties and county-level cities do not."""
    if county.name.endswith("区"):
        return f"{city.name}{county.name}经信局"
    return f"{county.name}经信局"
