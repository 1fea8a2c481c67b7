"""Demo data: Zhejiang's small-business parks as listed in the 2020 plan (浙银保监发〔2020〕15号).

``demo_build`` fills an empty database with regulators, economy bureaus, banks and insurers with
their city branches, 777 parks (505 first-batch, 272 second/third-batch) with their operators,
about 31,000 tenant enterprises, partner-bank links and one login per role, then (unless
``filings=False``) the 2019Q2–2020Q4 filings of ``reports.demo``. Everything comes from
``random.Random`` instances seeded from ``seed`` (one stream per stage, so changing one stage does
not reshuffle the others): the same ``scale`` and ``seed`` always give the same data.

Rows are written with ``bulk_create`` (no simple-history records for seed data).
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, DigitalStatus, EntityType, LinkStatus, ParkStatus, ParkType, PartnerRole, StarRating
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ROLE_FOR_KIND, ZHEJIANG_CODE, OrgKind, RegionLevel
from portal.models import Organisation, Region, User
from portal.uscc import ALPHABET, uscc_make

DEMO_PASSWORD = "Demo@2026pass"
BATCH_SIZE = 2000
AS_OF = dt.date(2020, 6, 30)  # the data describe the parks as of mid-2020
LINKS_FROM = dt.date(2019, 7, 1)

# The 2020 plan's numbers (scale 1.0).
FIRST_BATCH_TOTAL, FIRST_BATCH_NINGBO = 505, 83
LATER_BATCH_TOTAL, LATER_BATCH_NINGBO = 272, 33
DIGITAL_DEMO_TOTAL = 21
DIGITAL_PILOT_TOTAL, DIGITAL_PILOT_NINGBO = 31, 4

HANGZHOU_CODE = "330100"
# Relative economic weight of the ten cities other than Ningbo (share of their parks).
CITY_WEIGHTS: dict[str, float] = {
    "330100": 16, "330300": 15, "330400": 11, "330500": 8, "330600": 11,
    "330700": 12, "330800": 4, "330900": 2.5, "331000": 13, "331100": 4,
}
# Central urban districts: few parks.
CORE_DISTRICTS = frozenset({
    "330102", "330105", "330106", "330108", "330203", "330205", "330302", "330402", "330502",
    "330602", "330702", "330802", "330902", "331002", "331102",
})
# Manufacturing strongholds (more parks) and small mountain or island counties (fewer).
STRONG_COUNTIES = frozenset({
    "330109", "330110", "330113", "330206", "330212", "330281", "330282", "330381", "330382", "330481",
    "330482", "330483", "330522", "330603", "330604", "330681", "330782", "330783", "330784", "331003",
    "331004", "331081", "331083",
})
SMALL_COUNTIES = frozenset({
    "330127", "330305", "330328", "330329", "330727", "330822", "330824", "330921", "330922", "331124",
    "331125", "331126", "331127",
})

STAR_SHARES_FIRST = ((5, 0.06), (4, 0.16), (3, 0.32), (2, 0.22), (1, 0.12), (0, 0.12))
STAR_SHARES_LATER = ((0, 0.45), (1, 0.25), (2, 0.20), (3, 0.10))

# --- institutions ------------------------------------------------------------------------------

POLICY_BANKS = (
    ("国家开发银行", "国家开发银行"),
    ("农业发展银行", "中国农业发展银行"),
    ("进出口银行", "中国进出口银行"),
)
LARGE_BANKS = (
    ("工商银行", "中国工商银行股份有限公司"),
    ("农业银行", "中国农业银行股份有限公司"),
    ("中国银行", "中国银行股份有限公司"),
    ("建设银行", "中国建设银行股份有限公司"),
    ("交通银行", "交通银行股份有限公司"),
    ("邮储银行", "中国邮政储蓄银行股份有限公司"),
)
# (short name, full name, chance of a branch in each city other than Hangzhou, Ningbo and Wenzhou)
JOINT_STOCK_BANKS = (
    ("中信银行", "中信银行股份有限公司", 0.85),
    ("光大银行", "中国光大银行股份有限公司", 0.85),
    ("华夏银行", "华夏银行股份有限公司", 0.75),
    ("民生银行", "中国民生银行股份有限公司", 0.85),
    ("招商银行", "招商银行股份有限公司", 0.9),
    ("兴业银行", "兴业银行股份有限公司", 0.9),
    ("广发银行", "广发银行股份有限公司", 0.7),
    ("平安银行", "平安银行股份有限公司", 0.75),
    ("浦发银行", "上海浦东发展银行股份有限公司", 0.85),
    ("浙商银行", "浙商银行股份有限公司", 1.0),
    ("恒丰银行", "恒丰银行股份有限公司", 0.35),
    ("渤海银行", "渤海银行股份有限公司", 0.3),
)
# (short name, full name, home city, number of other cities with a branch)
CITY_COMMERCIAL_BANKS = (
    ("杭州银行", "杭州银行股份有限公司", "330100", 8),
    ("宁波银行", "宁波银行股份有限公司", "330200", 8),
    ("温州银行", "温州银行股份有限公司", "330300", 4),
    ("嘉兴银行", "嘉兴银行股份有限公司", "330400", 2),
    ("湖州银行", "湖州银行股份有限公司", "330500", 2),
    ("绍兴银行", "绍兴银行股份有限公司", "330600", 3),
    ("金华银行", "金华银行股份有限公司", "330700", 3),
    ("稠州银行", "浙江稠州商业银行股份有限公司", "330700", 6),
    ("台州银行", "台州银行股份有限公司", "331000", 7),
    ("泰隆银行", "浙江泰隆商业银行股份有限公司", "331000", 9),
    ("民泰银行", "浙江民泰商业银行股份有限公司", "331000", 7),
    ("宁波通商银行", "宁波通商银行股份有限公司", "330200", 1),
    ("宁波东海银行", "宁波东海银行股份有限公司", "330200", 0),
)
# Rural commercial banks: one per county, except where several districts share one.
RURAL_SHARED = {
    ("杭州联合农商银行", "杭州联合农村商业银行股份有限公司"): ("330102", "330105", "330106", "330108", "330114"),
    ("余杭农商银行", "浙江杭州余杭农村商业银行股份有限公司"): ("330110", "330113"),
    ("宁波鄞州农商银行", "宁波鄞州农村商业银行股份有限公司"): ("330212", "330203", "330205"),
    ("苍南农商银行", "浙江苍南农村商业银行股份有限公司"): ("330327", "330383"),
    ("嘉兴农商银行", "浙江嘉兴农村商业银行股份有限公司"): ("330402", "330411"),
    ("金华成泰农商银行", "浙江金华成泰农村商业银行股份有限公司"): ("330702", "330703"),
}
RURAL_NAMED = {
    "330109": ("萧山农商银行", "浙江萧山农村商业银行股份有限公司"),
    "330111": ("富阳农商银行", "浙江富阳农村商业银行股份有限公司"),
    "330112": ("临安农商银行", "浙江临安农村商业银行股份有限公司"),
}
# (short name, full name, home county)
VILLAGE_BANKS = (
    ("余杭德商村镇银行", "浙江余杭德商村镇银行股份有限公司", "330110"),
    ("镇海中银富登村镇银行", "宁波镇海中银富登村镇银行有限责任公司", "330211"),
    ("苍南建信村镇银行", "浙江苍南建信村镇银行有限责任公司", "330327"),
    ("平湖工银村镇银行", "浙江平湖工银村镇银行股份有限公司", "330482"),
    ("长兴联合村镇银行", "浙江长兴联合村镇银行股份有限公司", "330522"),
    ("嵊州瑞丰村镇银行", "浙江嵊州瑞丰村镇银行股份有限公司", "330683"),
    ("义乌联合村镇银行", "浙江义乌联合村镇银行股份有限公司", "330782"),
    ("温岭联合村镇银行", "浙江温岭联合村镇银行股份有限公司", "331081"),
)
PRIVATE_BANKS = (("网商银行", "浙江网商银行股份有限公司", ("330100",)),)
FOREIGN_BANKS = (
    ("汇丰银行", "汇丰银行（中国）有限公司", ("330100", "330200")),
    ("渣打银行", "渣打银行（中国）有限公司", ("330100", "330200")),
)
INSURERS = (
    ("人保财险", "中国人民财产保险股份有限公司"),
    ("平安产险", "中国平安财产保险股份有限公司"),
    ("太平洋产险", "中国太平洋财产保险股份有限公司"),
    ("国寿财险", "中国人寿财产保险股份有限公司"),
    ("中华联合财险", "中华联合财产保险股份有限公司"),
)

# Weights of a bank type as lead bank (主办行) and as partner bank of a park.
LEAD_WEIGHT = {
    InstitutionType.POLICY: 0.15, InstitutionType.LARGE: 3.0, InstitutionType.JOINT_STOCK: 0.6,
    InstitutionType.CITY_COMMERCIAL: 1.8, InstitutionType.RURAL: 20.0, InstitutionType.VILLAGE: 1.5,
    InstitutionType.PRIVATE: 0.1, InstitutionType.FOREIGN: 0.02,
}
PARTNER_WEIGHT = {
    InstitutionType.POLICY: 0.3, InstitutionType.LARGE: 2.0, InstitutionType.JOINT_STOCK: 0.9,
    InstitutionType.CITY_COMMERCIAL: 1.8, InstitutionType.RURAL: 5.0, InstitutionType.VILLAGE: 1.0,
    InstitutionType.PRIVATE: 0.6, InstitutionType.FOREIGN: 0.1,
}
LARGE_BANK_LEAD_BONUS = {"农业银行": 1.3, "工商银行": 1.1, "建设银行": 1.0, "中国银行": 0.7, "交通银行": 0.4, "邮储银行": 0.6}
LOCAL_SUB_BRANCHES = ("城东", "城西", "城南", "城北", "开发区", "科技", "小微企业专营", "工业园区")

# --- parks -------------------------------------------------------------------------------------

MANUFACTURING_THEMES = (
    "智造", "智能制造", "模具产业", "五金机械", "汽摩配", "汽车零部件", "电子信息", "纺织服装", "新材料",
    "精密制造", "阀门", "泵业", "轴承", "电机", "塑料制品", "眼镜", "鞋业", "家具", "工艺礼品", "食品",
    "医疗器械", "智能装备", "光电", "包装印刷", "机电", "绿色建材", "生物医药", "化纤", "电气", "卫浴",
    "锁具", "水暖", "工量刃具", "缝制设备", "袜业", "时尚产业", "小家电", "紧固件", "铸造", "通用设备",
    "先进制造", "创新产业", "科创", "高新", "数控机床", "节能环保", "新能源", "机器人", "线缆",
)
SERVICE_THEMES = (
    "科技创业", "数字经济", "电子商务", "文化创意", "软件信息", "检验检测", "现代物流", "工业设计",
    "跨境电商", "信息服务", "研发总部", "科技服务", "创意设计", "直播电商",
)
PLACE_WORDS = ("城东", "城西", "城南", "城北", "东部", "西部", "南部", "北部", "新城", "开发区", "高新区")
STREET_WORDS = ("城东", "城西", "城南", "城北", "东城", "西城", "新城", "开发区", "经济园区", "滨海")

# --- enterprises -------------------------------------------------------------------------------

BRAND_CHARS = (
    "恒达鑫华盛源通宏泰丰瑞祥信诚德新立永兴利金辉明嘉宇博创和益旭凯东升汇荣昌力海天正宝高远佳美欣晨锐"
    "奥航精杰捷腾越顺联成安康鼎峰润泽洲驰宸豪聚迪森科伟翔乐富裕隆邦亿晟威耀铭帆"
)
INDUSTRY_WEIGHTS = {
    ParkType.MANUFACTURING: {"C": 62, "F": 10, "I": 4, "L": 5, "M": 6, "E": 3, "G": 4, "H": 1, "K": 1, "O": 2, "R": 1, "A": 1},
    ParkType.SERVICE: {"C": 20, "F": 16, "I": 18, "L": 15, "M": 16, "E": 3, "G": 5, "H": 2, "K": 2, "O": 1, "R": 2},
}
INDUSTRY_WORDS = {
    "C": ("精密机械", "五金制品", "汽车配件", "塑业", "模具", "阀门", "泵业", "电器", "服饰", "纺织", "鞋业",
          "家具", "包装材料", "新材料科技", "机电", "电机", "轴承", "紧固件", "眼镜", "工艺品", "食品",
          "印刷", "光电科技", "智能装备", "医疗器械", "橡胶制品", "不锈钢制品", "铜业", "线缆", "照明电器",
          "卫浴", "锁业", "齿轮", "工具", "缝纫设备", "机械制造", "电子", "金属制品", "汽摩配件", "液压件"),
    "F": ("贸易", "商贸", "进出口", "建材", "五金机电", "电子商务", "供应链"),
    "I": ("网络科技", "信息技术", "软件", "数据科技", "智能科技", "物联网科技"),
    "L": ("企业管理咨询", "供应链管理", "商务服务", "广告", "人力资源服务", "会展服务"),
    "M": ("检测技术", "工程设计", "科技", "技术服务", "环境科技", "生物科技", "工业设计"),
    "E": ("建设工程", "建筑装饰工程", "安装工程", "钢结构工程"),
    "G": ("物流", "运输", "仓储", "供应链物流"),
    "H": ("餐饮管理",),
    "K": ("物业管理",),
    "O": ("设备维修", "汽车维修"),
    "R": ("文化传媒", "文化创意"),
    "A": ("农业开发", "生态农业"),
}
# 个体工商户: (trade, industry)
INDIVIDUAL_TRADES = (
    ("五金加工店", "C"), ("服装加工厂", "C"), ("模具加工店", "C"), ("塑料制品加工店", "C"), ("机械配件加工店", "C"),
    ("鞋材加工店", "C"), ("电镀加工店", "C"), ("木制品加工厂", "C"), ("五金经营部", "F"), ("建材经营部", "F"),
    ("汽配经营部", "F"), ("日用品商行", "F"), ("小吃店", "H"), ("快餐店", "H"), ("电器维修部", "O"),
    ("汽车修理店", "O"), ("货运部", "G"),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
INDIVIDUAL_SHARE = 0.08
LEFT_SHARE = 0.05
MIN_TENANTS, MAX_TENANTS = 35, 46

# --- demo logins -------------------------------------------------------------------------------

# (username, display name, key of the organisation in the build)
DEMO_LOGINS = (
    ("admin", "系统管理员", ""),
    ("province", "周明华", "province"),
    ("hz_branch", "李晓峰", "hz_branch"),
    ("nb_branch", "王海燕", "nb_branch"),
    ("jxt", "陈志强", "jxt"),
    ("county_jxj", "张丽娟", "county_jxj"),
    ("bank", "刘卫东", "bank"),
    ("insurer", "赵敏", "insurer"),
    ("park", "徐建军", "park"),
)
DEMO_USERNAMES = tuple(username for username, _, _ in DEMO_LOGINS)

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


# --- small helpers -----------------------------------------------------------------------------

def _round(x: float) -> int:
    """Round half up (``round`` rounds half to even)."""
    return int(x + 0.5)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties go to the earlier)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _weighted_sample(rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """``k`` distinct items drawn with probability proportional to their weight."""
    pool, pool_weights, chosen = list(items), list(weights), []
    while pool and len(chosen) < k:
        i = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(i))
        pool_weights.pop(i)
    return chosen


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _short(name: str) -> str:
    """西湖区 → 西湖, 义乌市 → 义乌, 景宁畲族自治县 → 景宁, 杭州市 → 杭州."""
    if name.endswith("自治县"):
        return name[:2]
    if len(name) > 2 and name[-1] in "市区县":
        return name[:-1]
    return name


def _quotas(shares: Sequence[tuple[Any, float]], total: int) -> list[Any]:
    counts = _apportion(total, [share for _, share in shares])
    return [value for (value, _), n in zip(shares, counts) for _ in range(n)]


def _write(stdout: IO[str] | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message if message.endswith("\n") else message + "\n")


def _bulk(model: type[M], objs: list[M], key: str) -> list[M]:
    """``bulk_create`` in batches; fetch the primary keys by ``key`` where the backend returns none."""
    created = model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    if created and any(obj.pk is None for obj in created):
        ids = dict(model.objects.values_list(key, "pk"))
        for obj in created:
            obj.pk = ids[getattr(obj, key)]
    return created


# --- regions -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Zhejiang:
    province: Region
    cities: list[Region]
    counties: dict[str, list[Region]]  # by city code

    @property
    def all_counties(self) -> list[Region]:
        return [county for city in self.cities for county in self.counties[city.code]]


def _zhejiang() -> _Zhejiang:
    regions = list(Region.objects.filter(province_code=ZHEJIANG_CODE).order_by("code"))
    province = next(r for r in regions if r.level == RegionLevel.PROVINCE)
    cities = [r for r in regions if r.level == RegionLevel.CITY]
    counties: dict[str, list[Region]] = {city.code: [] for city in cities}
    for region in regions:
        if region.level == RegionLevel.COUNTY:
            counties[region.city_code].append(region)
    if len(cities) != 11 or not all(counties.values()):
        raise RuntimeError("浙江省行政区划数据不完整，请先执行 migrate 载入行政区划。")
    return _Zhejiang(province=province, cities=cities, counties=counties)


def _city_short(city: Region) -> str:
    return _short(city.name)


def _bureau_name(county: Region, city: Region) -> str:
    """Districts (区) carry the city's name: 杭州市西湖区经信局; counties and county-level cities do not."""
    if county.name.endswith("区"):
        return f"{city.name}{county.name}经信局"
    return f"{county.name}经信局"


# --- park plan ---------------------------------------------------------------------------------

@dataclass
class ParkPlan:
    """One park before it is written (kept separate so the plan can be tested without writing)."""

    code: str
    name: str
    county: Region
    batch: int
    founded: dt.date
    park_type: str
    area_mu: Decimal
    manager: str
    star_rating: int = StarRating.UNRATED
    digital_status: str = DigitalStatus.NONE
    status: str = ParkStatus.ACTIVE

    @property
    def city_code(self) -> str:
        return self.county.city_code

    @property
    def operator_name(self) -> str:
        return f"{self.name}运营管理有限公司"


def _park_counts(zj: _Zhejiang, scale: float) -> dict[str, tuple[int, int]]:
    """(first batch, second/third batch) park counts per city code; at least one first-batch park each."""
    others = [city.code for city in zj.cities if city.code != NINGBO_CODE]
    weights = [CITY_WEIGHTS[code] for code in others]
    first = _apportion(_round((FIRST_BATCH_TOTAL - FIRST_BATCH_NINGBO) * scale), weights)
    later = _apportion(_round((LATER_BATCH_TOTAL - LATER_BATCH_NINGBO) * scale), weights)
    counts = {code: (max(1, f), n) for code, f, n in zip(others, first, later)}
    counts[NINGBO_CODE] = (max(1, _round(FIRST_BATCH_NINGBO * scale)), _round(LATER_BATCH_NINGBO * scale))
    return {city.code: counts[city.code] for city in zj.cities}


def _park_name(rng: random.Random, county: Region, park_type: str, taken: set[str]) -> str:
    """A park name not yet in ``taken``; keys are per county, so 西湖区智造… and 西湖智造… count as one name."""
    themes = MANUFACTURING_THEMES if park_type == ParkType.MANUFACTURING else SERVICE_THEMES
    for attempt in range(60):
        word = rng.choice(PLACE_WORDS) if rng.random() < 0.2 else ""
        theme = rng.choice(themes)
        phase = f"（{'二三四'[attempt % 3]}期）" if attempt >= 30 else ""
        key = f"{county.code}{word}{theme}{phase}"
        if key not in taken:
            taken.add(key)
            place = county.name if rng.random() < 0.55 else _short(county.name)
            return f"{place}{word}{theme}小微企业园{phase}"
    raise RuntimeError(f"无法为{county.name}生成不重复的园区名称")


def _county_weight(rng: random.Random, county: Region) -> float:
    if county.code in CORE_DISTRICTS:
        return rng.uniform(0.15, 0.4)
    if county.code in STRONG_COUNTIES:
        return rng.uniform(1.5, 2.5)
    if county.code in SMALL_COUNTIES:
        return rng.uniform(0.3, 0.6)
    return rng.uniform(0.7, 1.4)


def _manager(rng: random.Random, county: Region, city: Region) -> str:
    short = _short(county.name)
    roll = rng.random()
    if roll < 0.4:
        return f"{short}经济开发区管委会"
    if roll < 0.55:
        return f"{short}高新技术产业园区管委会"
    if roll < 0.85:
        return f"{county.name}{rng.choice(STREET_WORDS)}街道办事处"
    return _bureau_name(county, city).replace("经信局", "经济和信息化局")


def plan_parks(*, scale: float = 1.0, seed: int = 2020) -> list[ParkPlan]:
    """The parks for ``scale`` and ``seed``, ordered by code, not yet written."""
    zj = _zhejiang()
    rng = random.Random(f"{seed}/parks")
    city_by_code = {city.code: city for city in zj.cities}
    by_county: dict[str, list[int]] = defaultdict(list)  # county code -> batches
    county_by_code: dict[str, Region] = {}
    counts = _park_counts(zj, scale)
    for city in zj.cities:
        n_first, n_later = counts[city.code]
        counties = zj.counties[city.code]
        weights = [_county_weight(rng, county) for county in counties]
        n_second = _round(n_later * 0.6)
        batches = [Batch.FIRST] * n_first + [Batch.SECOND] * n_second + [Batch.THIRD] * (n_later - n_second)
        for batch in batches:
            county = rng.choices(counties, weights=weights)[0]
            by_county[county.code].append(int(batch))
            county_by_code[county.code] = county

    plans: list[ParkPlan] = []
    taken: set[str] = set()
    founded_years = {Batch.FIRST: (2012, 2016), Batch.SECOND: (2014, 2018), Batch.THIRD: (2016, 2019)}
    for code in sorted(by_county):
        county = county_by_code[code]
        city = city_by_code[county.city_code]
        for seq, batch in enumerate(sorted(by_county[code]), start=1):
            park_type = ParkType.MANUFACTURING if rng.random() < 0.75 else ParkType.SERVICE
            if park_type == ParkType.MANUFACTURING:
                area = rng.triangular(30, 400, 90)
            else:
                area = rng.triangular(30, 180, 45)
            first_year, last_year = founded_years[Batch(batch)]
            plans.append(
                ParkPlan(
                    code=f"{code}{seq:03d}",
                    name=_park_name(rng, county, park_type, taken),
                    county=county,
                    batch=batch,
                    founded=_random_date(rng, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)),
                    park_type=park_type,
                    area_mu=Decimal(f"{round(area * 2) / 2:.2f}"),
                    manager=_manager(rng, county, city),
                )
            )

    first = [p for p in plans if p.batch == Batch.FIRST]
    later = [p for p in plans if p.batch != Batch.FIRST]
    for group, shares in ((first, STAR_SHARES_FIRST), (later, STAR_SHARES_LATER)):
        stars = _quotas(shares, len(group))
        rng.shuffle(stars)
        for park, star in zip(group, stars):
            park.star_rating = star
    # A few unrated first-batch parks were revoked; some later-batch parks are still being built.
    unrated_first = [p for p in first if p.star_rating == StarRating.UNRATED and p.city_code != HANGZHOU_CODE]
    for park in rng.sample(unrated_first, min(len(unrated_first), _round(len(first) * 0.01))):
        park.status = ParkStatus.REVOKED
    for park in rng.sample(later, _round(len(later) * 0.08)):
        park.status = ParkStatus.BUILDING
    # Digital parks: demonstration parks among the best first-batch parks, pilots among the good ones.
    active_first = [p for p in first if p.status == ParkStatus.ACTIVE]
    best = [p for p in active_first if p.star_rating >= StarRating.FOUR] or active_first
    for park in rng.sample(best, min(len(best), _round(DIGITAL_DEMO_TOTAL * scale))):
        park.digital_status = DigitalStatus.DEMO
    good = [p for p in active_first if p.star_rating >= StarRating.THREE and p.digital_status == DigitalStatus.NONE]
    n_pilot_ningbo = _round(DIGITAL_PILOT_NINGBO * scale)
    n_pilot_other = _round(DIGITAL_PILOT_TOTAL * scale) - n_pilot_ningbo
    for in_ningbo, n in ((True, n_pilot_ningbo), (False, n_pilot_other)):
        pool = [p for p in good if (p.city_code == NINGBO_CODE) == in_ningbo]
        for park in rng.sample(pool, min(len(pool), n)):
            park.digital_status = DigitalStatus.PILOT
    return plans


def _demo_park(plans: Sequence[ParkPlan]) -> ParkPlan:
    """The park of the ``park`` login: the first (by code) Hangzhou first-batch manufacturing park
    outside the central districts rated three stars or more, else the first Hangzhou first-batch park.
    Its lead bank is forced to 工商银行杭州分行."""
    hangzhou_first = [p for p in plans if p.city_code == HANGZHOU_CODE and p.batch == Batch.FIRST]
    good = [
        p for p in hangzhou_first
        if p.star_rating >= StarRating.THREE and p.status == ParkStatus.ACTIVE
        and p.park_type == ParkType.MANUFACTURING and p.county.code not in CORE_DISTRICTS
    ]
    park = (good or hangzhou_first)[0]
    park.status = ParkStatus.ACTIVE
    return park


# --- the build ---------------------------------------------------------------------------------

@dataclass
class _BankInfo:
    short: str
    type: str
    home_counties: tuple[str, ...] = ()  # rural and village banks serve only these counties


class _Builder:
    def __init__(self, *, scale: float, seed: int, stdout: IO[str] | None) -> None:
        self.scale, self.seed, self.stdout = scale, seed, stdout
        self.zj = _zhejiang()
        self.city_by_code = {city.code: city for city in self.zj.cities}
        self.orgs: dict[str, Organisation] = {}  # demo-login keys -> organisation

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}/{stage}")

    # institutions and their city branches

    def institutions(self) -> tuple[list[Institution], dict[int, _BankInfo], dict[int, list[str]]]:
        """Institutions, their info by pk and the city codes where each has a branch."""
        rng = self.rng("institutions")
        all_cities = [city.code for city in self.zj.cities]
        rows: list[tuple[str, str, str, tuple[str, ...], list[str]]] = []  # short, full, type, home counties, cities
        for short, full in POLICY_BANKS:
            rows.append((short, full, InstitutionType.POLICY, (), all_cities))
        for short, full in LARGE_BANKS:
            rows.append((short, full, InstitutionType.LARGE, (), all_cities))
        for short, full, chance in JOINT_STOCK_BANKS:
            cities = [c for c in all_cities if c in ("330100", "330200", "330300") or rng.random() < chance]
            rows.append((short, full, InstitutionType.JOINT_STOCK, (), cities))
        for short, full, home, n_other in CITY_COMMERCIAL_BANKS:
            others = [c for c in all_cities if c != home]
            chosen = {home}
            if n_other and home != HANGZHOU_CODE:
                chosen.add(HANGZHOU_CODE)
            chosen.update(rng.sample([c for c in others if c not in chosen], max(0, n_other - len(chosen) + 1)))
            rows.append((short, full, InstitutionType.CITY_COMMERCIAL, (), sorted(chosen)))
        for short, full, counties in self._rural_banks():
            rows.append((short, full, InstitutionType.RURAL, counties, [counties[0][:4] + "00"]))
        for short, full, county in VILLAGE_BANKS:
            rows.append((short, full, InstitutionType.VILLAGE, (county,), [county[:4] + "00"]))
        for short, full, cities in PRIVATE_BANKS:
            rows.append((short, full, InstitutionType.PRIVATE, (), list(cities)))
        for short, full, cities in FOREIGN_BANKS:
            rows.append((short, full, InstitutionType.FOREIGN, (), list(cities)))
        for short, full in INSURERS:
            rows.append((short, full, InstitutionType.INSURER, (), all_cities))

        institutions = _bulk(
            Institution, [Institution(name=full, short_name=short, type=kind) for short, full, kind, _, _ in rows], "name"
        )
        info = {
            inst.pk: _BankInfo(short=inst.short_name, type=inst.type, home_counties=row[3])
            for inst, row in zip(institutions, rows)
        }
        cities = {inst.pk: row[4] for inst, row in zip(institutions, rows)}
        return institutions, info, cities

    def _rural_banks(self) -> list[tuple[str, str, tuple[str, ...]]]:
        banks: list[tuple[str, str, tuple[str, ...]]] = []
        shared = {code: names for names, codes in RURAL_SHARED.items() for code in codes}
        seen: set[tuple[str, str]] = set()
        for county in self.zj.all_counties:
            if county.code in shared:
                names = shared[county.code]
                if names not in seen:
                    seen.add(names)
                    banks.append((*names, RURAL_SHARED[names]))
                continue
            if county.code in RURAL_NAMED:
                banks.append((*RURAL_NAMED[county.code], (county.code,)))
                continue
            city = _city_short(self.city_by_code[county.city_code])
            place = _short(county.name)
            if county.name.endswith("区"):
                place = city + place
            if county.city_code == NINGBO_CODE:
                full = f"宁波{_short(county.name)}农村商业银行股份有限公司"
            else:
                full = f"浙江{place}农村商业银行股份有限公司"
            banks.append((f"{place}农商银行", full, (county.code,)))
        return banks

    def branch_name(self, info: _BankInfo, city: Region, home_city: bool) -> str:
        local = (InstitutionType.CITY_COMMERCIAL, InstitutionType.RURAL, InstitutionType.VILLAGE, InstitutionType.PRIVATE)
        if info.type in local and home_city:
            return f"{info.short}（总行营业部）"
        if info.type == InstitutionType.INSURER:
            return f"{info.short}{_city_short(city)}市分公司"
        return f"{info.short}{_city_short(city)}分行"

    # organisations

    def organisations(
        self,
        institutions: list[Institution],
        info: dict[int, _BankInfo],
        branch_cities: dict[int, list[str]],
        plans: list[ParkPlan],
    ) -> list[Organisation]:
        zj = self.zj
        orgs: list[Organisation] = [
            Organisation(name="浙江银保监局", kind=OrgKind.PROVINCE_REGULATOR, region=zj.province),
            Organisation(name="浙江省经济和信息化厅", kind=OrgKind.ECONOMY_BUREAU, region=zj.province),
        ]
        for city in zj.cities:
            if city.code == NINGBO_CODE:
                orgs.append(Organisation(name="宁波银保监局", kind=OrgKind.BRANCH_REGULATOR, region=city, separately_planned=True))
            else:
                orgs.append(Organisation(name=f"{_city_short(city)}银保监分局", kind=OrgKind.BRANCH_REGULATOR, region=city))
        for city in zj.cities:
            orgs.append(Organisation(name=f"{city.name}经信局", kind=OrgKind.ECONOMY_BUREAU, region=city))
            for county in zj.counties[city.code]:
                orgs.append(Organisation(name=_bureau_name(county, city), kind=OrgKind.ECONOMY_BUREAU, region=county))
        for inst in institutions:
            for code in branch_cities[inst.pk]:
                city = self.city_by_code[code]
                name = self.branch_name(info[inst.pk], city, self._is_home_city(inst, code))
                orgs.append(Organisation(name=name, kind=OrgKind.BANK_BRANCH, region=city, institution=inst))
        for plan in plans:
            orgs.append(Organisation(name=plan.operator_name, kind=OrgKind.PARK_OPERATOR, region=plan.county))
        return _bulk(Organisation, orgs, "name")

    def _is_home_city(self, inst: Institution, city_code: str) -> bool:
        for short, _, home, _ in CITY_COMMERCIAL_BANKS:
            if short == inst.short_name:
                return home == city_code
        if inst.type in (InstitutionType.RURAL, InstitutionType.VILLAGE):
            return True
        if inst.type == InstitutionType.PRIVATE:
            return city_code == HANGZHOU_CODE
        return False

    # enterprises and tenancies

    def tenants(self, parks: list[Park], plans: list[ParkPlan]) -> tuple[list[Enterprise], list[Tenancy]]:
        rng = self.rng("enterprises")
        usccs: set[str] = set()
        names: set[str] = set()
        enterprises: list[Enterprise] = []
        tenancies: list[Tenancy] = []
        for park, plan in zip(parks, plans):
            county = plan.county
            city = self.city_by_code[county.city_code]
            industries = INDUSTRY_WEIGHTS[ParkType(plan.park_type)]
            letters, weights = list(industries), list(industries.values())
            for _ in range(rng.randint(MIN_TENANTS, MAX_TENANTS)):
                individual = rng.random() < INDIVIDUAL_SHARE
                if individual:
                    name, industry = self._individual_name(rng, county, names)
                else:
                    industry = rng.choices(letters, weights=weights)[0]
                    name = self._enterprise_name(rng, county, city, industry, names)
                uscc = self._uscc(rng, "92" if individual else "91", county.code, usccs)
                enterprise = Enterprise(
                    uscc=uscc, name=name, industry=industry,
                    entity_type=EntityType.INDIVIDUAL if individual else EntityType.ENTERPRISE,
                )
                entered = _random_date(rng, plan.founded, AS_OF)
                left = None
                if rng.random() < LEFT_SHARE:
                    span = (AS_OF - entered).days
                    left = entered + dt.timedelta(days=rng.randint(min(60, span), span))
                enterprises.append(enterprise)
                tenancies.append(Tenancy(park=park, enterprise=enterprise, entered_on=entered, left_on=left))
        return enterprises, tenancies

    @staticmethod
    def _uscc(rng: random.Random, prefix: str, county_code: str, taken: set[str]) -> str:
        letters = ALPHABET[10:]
        while True:
            if rng.random() < 0.4:  # registered since 2015: MA + 7 characters
                body = "MA2" + rng.choice("7890ABCDEFGHJ") + "".join(
                    rng.choice(letters) if rng.random() < 0.15 else str(rng.randint(0, 9)) for _ in range(5)
                )
            else:  # an older 9-character organisation code
                body = str(rng.randint(1, 7)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
                body += rng.choice(letters) if rng.random() < 0.05 else str(rng.randint(0, 9))
            code = uscc_make(f"{prefix}{county_code}{body}")
            if code not in taken:
                taken.add(code)
                return code

    @staticmethod
    def _enterprise_name(rng: random.Random, county: Region, city: Region, industry: str, taken: set[str]) -> str:
        words = INDUSTRY_WORDS[industry]
        for attempt in range(60):
            roll = rng.random()
            if roll < 0.05:
                place = "浙江"
            elif roll < 0.45 and not county.name.endswith("区"):
                place = _short(county.name)
            else:
                place = _city_short(city)
            brand = "".join(rng.sample(BRAND_CHARS, 3 if attempt > 30 else 2))
            suffix = "股份有限公司" if rng.random() < 0.02 else "有限公司"
            name = f"{place}{brand}{rng.choice(words)}{suffix}"
            if name not in taken:
                taken.add(name)
                return name
        raise RuntimeError("无法生成不重复的企业名称")

    @staticmethod
    def _individual_name(rng: random.Random, county: Region, taken: set[str]) -> tuple[str, str]:
        for attempt in range(60):
            trade, industry = rng.choice(INDIVIDUAL_TRADES)
            if rng.random() < 0.7 and attempt < 30:
                owner = f"{rng.choice(SURNAMES)}记"
            else:
                owner = "".join(rng.sample(BRAND_CHARS, 2))
            name = f"{county.name}{owner}{trade}"
            if name not in taken:
                taken.add(name)
                return name, industry
        raise RuntimeError("无法生成不重复的个体工商户名称")

    # partner links

    def links(
        self,
        parks: list[Park],
        plans: list[ParkPlan],
        branches: list[Organisation],
        info: dict[int, _BankInfo],
        demo: ParkPlan,
        demo_lead: Organisation,
    ) -> list[PartnerLink]:
        rng = self.rng("links")
        banks_by_city: dict[str, list[Organisation]] = defaultdict(list)
        for branch in branches:
            if info[branch.institution_id].type != InstitutionType.INSURER:
                banks_by_city[branch.region.code].append(branch)
        links: list[PartnerLink] = []
        for park, plan in zip(parks, plans):
            candidates = [
                b for b in banks_by_city[plan.city_code]
                if not info[b.institution_id].home_counties or plan.county.code in info[b.institution_id].home_counties
            ]
            roll = rng.random()
            if roll < 0.05:
                n = rng.randint(1, 2)
            elif roll < 0.08:
                n = rng.randint(6, 7)
            else:
                n = rng.randint(3, 5)
            has_lead = rng.random() >= 0.02
            if plan is demo:
                n, has_lead, lead = min(max(n, 3), 5), True, demo_lead
            else:
                lead = _weighted_sample(rng, candidates, [self._weight(info, b, LEAD_WEIGHT) for b in candidates], 1)[0]
            rest = [b for b in candidates if b.pk != lead.pk]
            chosen = [lead] + _weighted_sample(rng, rest, [self._weight(info, b, PARTNER_WEIGHT) for b in rest], n - 1)
            ended = plan.status == ParkStatus.REVOKED
            for i, branch in enumerate(chosen):
                bank = info[branch.institution_id]
                if bank.home_counties:
                    sub_branch = f"{bank.short}{rng.choice(LOCAL_SUB_BRANCHES)}支行"
                else:
                    sub_branch = f"{bank.short}{plan.county.name}支行"
                role = PartnerRole.LEAD if i == 0 and has_lead else PartnerRole.PARTNER
                if ended or (role == PartnerRole.PARTNER and plan is not demo and rng.random() < 0.02):
                    since = _random_date(rng, LINKS_FROM, dt.date(2019, 12, 31))
                    until = _random_date(rng, dt.date(2020, 1, 1), AS_OF)
                else:
                    since, until = _random_date(rng, LINKS_FROM, AS_OF), None
                links.append(PartnerLink(park=park, branch=branch, role=role, sub_branch=sub_branch, since=since, until=until,
                                         status=LinkStatus.CONFIRMED))
        return links

    @staticmethod
    def proposed_link(parks, plans, links, branches, info, demo) -> PartnerLink:
        """One bank's proposal to partner the demo park, waiting for the park's confirmation, so the
        park and branch logins see the two-party step on day one."""
        park = next(p for p, plan in zip(parks, plans) if plan is demo)
        linked = {link.branch.pk for link in links if link.park is park}
        branch = min((b for b in branches if b.region.code == demo.city_code and b.pk not in linked
                      and info[b.institution_id].type != InstitutionType.INSURER), key=lambda b: b.name)
        proposed_at = timezone.make_aware(dt.datetime(2020, 6, 20, 10, 0))
        return PartnerLink(park=park, branch=branch, role=PartnerRole.PARTNER, sub_branch=f"{info[branch.institution_id].short}{demo.county.name}支行",
                           since=dt.date(2020, 6, 30), status=LinkStatus.PROPOSED, proposed_at=proposed_at)

    @staticmethod
    def _weight(info: dict[int, _BankInfo], branch: Organisation, table: dict[str, float]) -> float:
        bank = info[branch.institution_id]
        weight = table[InstitutionType(bank.type)]
        if table is LEAD_WEIGHT:
            weight *= LARGE_BANK_LEAD_BONUS.get(bank.short, 1.0)
        return weight

    # users

    def users(self) -> list[dict[str, str]]:
        logins = []
        for username, display_name, key in DEMO_LOGINS:
            org = self.orgs.get(key)
            user = User.objects.filter(username=username).first()
            note = ""
            if user is None:
                user = User(username=username, first_name=display_name, organisation=org)
                if org is None:
                    user.is_superuser = user.is_staff = True
                else:
                    user.role = ROLE_FOR_KIND[OrgKind(org.kind)]
                user.set_password(DEMO_PASSWORD)
                user.save()
            else:
                note = "已存在，未修改"
            logins.append({
                "username": username,
                "password": DEMO_PASSWORD if not note else "（原密码）",
                "name": user.first_name,
                "organisation": user.organisation.name if user.organisation_id else ("（超级管理员）" if user.is_superuser else "（无）"),
                "role": user.role,
                "role_label": user.get_role_display() if user.role else ("超级管理员" if user.is_superuser else "（无）"),
                "note": note,
            })
        return logins

    # everything

    def build(self) -> dict[str, Any]:
        out = self.stdout
        plans = plan_parks(scale=self.scale, seed=self.seed)
        demo = _demo_park(plans)
        _write(out, f"园区规划：{len(plans)} 个")

        institutions, info, branch_cities = self.institutions()
        _write(out, f"法人机构：{len(institutions)} 家")

        orgs = self.organisations(institutions, info, branch_cities, plans)
        by_name = {org.name: org for org in orgs}
        operators = [by_name[plan.operator_name] for plan in plans]
        branches = [org for org in orgs if org.kind == OrgKind.BANK_BRANCH]
        _write(out, f"机构：{len(orgs)} 个")

        parks = _bulk(Park, [
            Park(
                code=p.code, name=p.name, county=p.county, operator=op, manager=p.manager, batch=p.batch,
                star_rating=p.star_rating, digital_status=p.digital_status, park_type=p.park_type,
                area_mu=p.area_mu, status=p.status,
            )
            for p, op in zip(plans, operators)
        ], "code")
        _write(out, f"园区：{len(parks)} 个")

        enterprises, tenancies = self.tenants(parks, plans)
        _bulk(Enterprise, enterprises, "uscc")
        # bulk_create fills each tenancy's enterprise_id from its (now saved) enterprise.
        Tenancy.objects.bulk_create(tenancies, batch_size=BATCH_SIZE)
        _write(out, f"企业：{len(enterprises)} 家，入园记录：{len(tenancies)} 条")

        hangzhou = self.city_by_code[HANGZHOU_CODE]
        icbc_hz = by_name[self.branch_name(_BankInfo("工商银行", InstitutionType.LARGE), hangzhou, False)]
        links = self.links(parks, plans, branches, info, demo, icbc_hz)
        links.append(self.proposed_link(parks, plans, links, branches, info, demo))
        PartnerLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
        _write(out, f"伙伴银行关系：{len(links)} 条")

        demo_county = demo.county
        self.orgs = {
            "province": by_name["浙江银保监局"],
            "hz_branch": by_name[f"{_city_short(hangzhou)}银保监分局"],
            "nb_branch": by_name["宁波银保监局"],
            "jxt": by_name["浙江省经济和信息化厅"],
            "county_jxj": by_name[_bureau_name(demo_county, self.city_by_code[demo_county.city_code])],
            "bank": icbc_hz,
            "insurer": by_name[self.branch_name(_BankInfo("人保财险", InstitutionType.INSURER), hangzhou, False)],
            "park": by_name[demo.operator_name],
        }
        logins = self.users()

        kinds = Counter(org.kind for org in orgs)
        first = [p for p in plans if p.batch == Batch.FIRST]
        later = [p for p in plans if p.batch != Batch.FIRST]
        return {
            "scale": self.scale,
            "seed": self.seed,
            "institutions": len(institutions),
            "institutions_by_type": dict(Counter(inst.type for inst in institutions)),
            "organisations": len(orgs),
            "organisations_by_kind": {kind.value: kinds.get(kind.value, 0) for kind in OrgKind},
            "parks": len(parks),
            "parks_first_batch": len(first),
            "parks_first_batch_ningbo": sum(p.city_code == NINGBO_CODE for p in first),
            "parks_later_batches": len(later),
            "parks_later_batches_ningbo": sum(p.city_code == NINGBO_CODE for p in later),
            "parks_by_city": {
                city.name: sum(p.city_code == city.code for p in plans) for city in self.zj.cities
            },
            "parks_by_star": {
                StarRating(star).label: sum(p.star_rating == star for p in plans) for star in sorted(StarRating.values, reverse=True)
            },
            "digital_demo": sum(p.digital_status == DigitalStatus.DEMO for p in plans),
            "digital_pilot": sum(p.digital_status == DigitalStatus.PILOT for p in plans),
            "digital_pilot_ningbo": sum(p.digital_status == DigitalStatus.PILOT and p.city_code == NINGBO_CODE for p in plans),
            "enterprises": len(enterprises),
            "individuals": sum(e.entity_type == EntityType.INDIVIDUAL for e in enterprises),
            "tenancies": len(tenancies),
            "tenancies_left": sum(t.left_on is not None for t in tenancies),
            "partner_links": len(links),
            "lead_links": sum(link.role == PartnerRole.LEAD for link in links),
            "demo_park": {"code": demo.code, "name": demo.name},
            "logins": logins,
        }


# --- public API --------------------------------------------------------------------------------

def demo_exists() -> bool:
    """Whether the database already holds parks (demo or real)."""
    return Park.objects.exists()


def demo_conflicts() -> list[str]:
    """Registries that already have rows although there is no park (a build would collide with them)."""
    found = []
    for model in (Institution, Organisation, Enterprise):
        if model.objects.exists():
            found.append(str(model._meta.verbose_name))
    return found


def _is_historical(model: type[models.Model]) -> bool:
    return getattr(model, "instance_type", None) is not None  # simple-history's Historical* models


def _clear_references(targets: Iterable[type[models.Model]]) -> None:
    """Other apps' rows pointing at the wiped registries (e.g. reports): null them or delete them,
    as their ``on_delete`` says (PROTECT/RESTRICT rows are deleted too: they are demo data)."""
    targets = tuple(targets)
    for model in targets:
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
                continue
            dependent = rel.related_model
            if dependent in targets or dependent is User or _is_historical(dependent):
                continue
            field = rel.field
            rows = dependent._base_manager.filter(**{f"{field.name}__isnull": False})
            if rel.on_delete is models.SET_NULL:
                rows.update(**{field.name: None})
            elif rel.on_delete is not models.DO_NOTHING:
                rows.delete()


def _reports_models() -> tuple[type[models.Model], ...]:
    """The reports data the demo fills, children first (periods stay: a data migration made them)."""
    from reports.filings.models import Filing, ImportJob, T1Row, T2Summary, T4Record, T5Row
    from reports.summaries.models import ReminderLog, Summary
    from reports.targets.models import TargetResult
    from reports.workflow.models import FilingTransition

    return (ImportJob, FilingTransition, T1Row, T2Summary, T4Record, T5Row, Filing, Summary, ReminderLog, TargetResult)


def demo_reset(*, stdout: IO[str] | None = None) -> None:
    """Delete the reports data (filings and their rows, import jobs; not the periods), the
    registries the demo fills (partner links, tenancies, enterprises, parks, organisations,
    institutions), every non-superuser and the demo logins. Historical tables stay."""
    wiped = (PartnerLink, Tenancy, Enterprise, Park, Organisation, Institution)
    reports = _reports_models()
    with transaction.atomic():
        _clear_references(reports)
        with connection.cursor() as cursor:
            for model in reports:  # plain DELETE: fast for the ledger rows, no per-row signals
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        User.objects.filter(Q(is_superuser=False) | Q(username__in=DEMO_USERNAMES)).delete()
        User.objects.filter(organisation__isnull=False).update(organisation=None)
        _clear_references(wiped)
        with connection.cursor() as cursor:
            for model in wiped:  # plain DELETE: no per-row signals, no history rows
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        try:
            from axes.models import AccessAttempt
        except ImportError:  # pragma: no cover - axes is installed in this project
            AccessAttempt = None
        if AccessAttempt is not None:
            AccessAttempt.objects.filter(username__in=DEMO_USERNAMES).delete()
    _write(stdout, "已清除原有演示数据。")


def demo_build(
    *, scale: float = 1.0, seed: int = 2020, stdout: IO[str] | None = None, filings: bool = True,
) -> dict[str, Any]:
    """Fill an empty database with demo data; returns the counts and the demo logins. With
    ``filings`` it also writes the 2019Q2–2020Q4 filings (附表1/2/4/5 and the 2018Q4 附表4 baseline)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    with transaction.atomic():
        result = _Builder(scale=scale, seed=seed, stdout=stdout).build()
        if filings:
            from reports.demo.filings import demo_filings_build

            result["filings"] = demo_filings_build(seed=seed, scale=scale, stdout=stdout)
            result["open_period"] = _demo_open_latest_period()
    if filings:
        _demo_rollups(stdout=stdout)
    return result


def _demo_open_latest_period() -> str:
    """The demo's latest period (2020Q4, mid-review) stays open for filers: its lock date moves to
    90 days from today, so the demo logins can file, submit and review."""
    import datetime as dt

    from django.utils import timezone

    from reports.filings.models import Period

    period = Period.objects.filter(is_baseline=False).order_by("-year", "-quarter").first()
    Period.objects.filter(pk=period.pk).update(lock_date=timezone.localdate() + dt.timedelta(days=90))
    return period.code


def _demo_rollups(*, stdout: IO[str] | None) -> None:
    """Build the city and province summaries the dashboards read (bulk inserts skip the approval hook)."""
    from reports.filings.models import Period
    from reports.summaries.rollups import summaries_rebuild_all

    for period in Period.objects.filter(is_baseline=False).order_by("year", "quarter"):
        summaries_rebuild_all(period=period)
    _write(stdout, "已生成各报送期的地市及全省汇总。")
