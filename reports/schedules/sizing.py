"""企业规模 (enterprise size) by 工信部联企业〔2011〕300号《中小企业划型标准规定》.

Amounts are 万元; ``revenue`` is 上年营业收入, ``total_assets`` is 资产总额, ``employees`` is
从业人员 (people).

The rule (工信部联企业〔2011〕300号, as the 附表1 column 企业规模 applies it): for each size class of the regulation there are the upper limits
of 中小微型 and the lower bounds of 中型 and 小型.

* 大型 -- every indicator of the class reaches its upper limit (the regulation defines 中小微 as
  "X以下 **或** Y以下", so only an enterprise at or above BOTH limits is large);
* 中型 -- otherwise, every indicator reaches the 中型 lower bound ("且");
* 小型 -- otherwise, every indicator reaches the 小型 lower bound ("且");
* 微型 -- below the 小型 bound on EITHER indicator.

Bounds are inclusive ("及以上"). Thresholds (upper limit / 中型 / 小型):

===================  ======================  ==============  ==============  ==============
class                indicators              upper limit     中型 ≥           小型 ≥
===================  ======================  ==============  ==============  ==============
农林牧渔              revenue                 20000           500             50
工业                  employees, revenue      1000, 40000     300, 2000       20, 300
建筑                  revenue, total_assets   80000, 80000    6000, 5000      300, 300
批发                  employees, revenue      200, 40000      20, 5000        5, 1000
零售                  employees, revenue      300, 20000      50, 500         10, 100
交通运输              employees, revenue      1000, 30000     300, 3000       20, 200
仓储                  employees, revenue      200, 30000      100, 1000       20, 100
邮政                  employees, revenue      1000, 30000     300, 2000       20, 100
住宿、餐饮            employees, revenue      300, 10000      100, 2000       10, 100
信息传输              employees, revenue      2000, 100000    100, 1000       10, 100
软件和信息技术服务    employees, revenue      300, 10000      100, 1000       10, 50
房地产开发            revenue, total_assets   200000, 10000   1000, 5000      100, 2000
物业管理              employees, revenue      1000, 5000      300, 1000       100, 500
租赁和商务服务        employees, total_assets 300, 120000     100, 8000       10, 100
其他                  employees               300             100             10
===================  ======================  ==============  ==============  ==============

The portal records industry only at the GB/T 4754-2017 门类 level (A–T), which is coarser than the
regulation's classes. Each 门类 is mapped to the nearest class:

=====  ==============================  =======================================================
门类    class used                      why
=====  ==============================  =======================================================
A      农林牧渔                        same scope
B C D  工业                            the regulation's 工业 is exactly 采矿 + 制造 + 电力燃气水
E      建筑                            same scope
F      批发                            F mixes 批发 (大类 51) and 零售 (大类 52), which cannot be
                                       told apart from the letter. Tenants of Zhejiang's 小微企业园
                                       (生产制造类 / 生产性服务类 parks) in F are overwhelmingly
                                       trading companies selling to businesses, not shops, so
                                       批发 is the nearer class. A true retailer is thereby judged
                                       by the higher 批发 revenue bounds, i.e. possibly one tier
                                       smaller than under 零售; a 大型/中型 warning is never
                                       raised wrongly for a wholesaler.
G      交通运输                        G mixes 交通运输 (53–58), 仓储 (59) and 邮政 (60), which
                                       the letter cannot separate; 交通运输 (logistics/freight)
                                       is the bulk of park tenants in G and has the widest
                                       bounds of the three.
H      住宿、餐饮                      住宿 and 餐饮 share one set of bounds
I      软件和信息技术服务              I mixes 信息传输 (63–64: telecom carriers, broadcasting,
                                       internet platforms) and 软件和信息技术服务 (65). Park
                                       tenants in I are software / IT service firms; the carriers
                                       are large enterprises that are not park tenants.
J      其他                            financial enterprises are outside 300号 (they have their
                                       own standard); treated as 其他 (employees only)
K      房地产开发                      K's first 大类 (701 房地产开发经营); 物业管理 (702) cannot
                                       be told apart from the letter
L      租赁和商务服务                  same scope (uses total assets, not revenue)
M–T    其他                            "其他未列明行业": employees only
=====  ==============================  =======================================================

When an indicator is missing the size is still returned if it does not depend on the missing
value (e.g. 建筑 with revenue 100 万元 is 微型 whatever its assets are); otherwise the result is
``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

__all__ = [
    "SIZE_LABELS",
    "SIZE_CLASSES",
    "INDUSTRY_SIZE_CLASS",
    "SizeClass",
    "enterprise_size",
    "size_class_for",
]

Size = Literal["large", "medium", "small", "micro"]
Indicator = Literal["employees", "revenue", "total_assets"]

SIZE_LABELS: dict[str, str] = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


@dataclass(frozen=True)
class SizeClass:
    """One class of the 2011 regulation: its indicators and, per indicator, the bounds."""

    name: str
    indicators: tuple[Indicator, ...]
    upper: tuple[int, ...]  # reaching ALL of these → 大型
    medium: tuple[int, ...]  # reaching ALL of these (and not 大型) → 中型
    small: tuple[int, ...]  # reaching ALL of these (and not 中型) → 小型; else 微型

    def classify(self, values: tuple[Decimal, ...]) -> Size:
        """The first class (大型, 中型, 小型) whose every bound ``values`` reach, else 微型."""
        if len(values) != len(self.indicators):
            raise ValueError(f"{self.name}: {len(self.indicators)} indicators, {len(values)} values")
        for bounds, size in ((self.upper, "large"), (self.medium, "medium"), (self.small, "small")):
            for v, bound in zip(values, bounds):
                if not v >= bound:
                    break
            else:
                return size  # type: ignore[return-value]
        return "micro"


_E, _R, _A = "employees", "revenue", "total_assets"

SIZE_CLASSES: dict[str, SizeClass] = {
    c.name: c
    for c in (
        SizeClass("农林牧渔", (_R,), (20000,), (500,), (50,)),
        SizeClass("工业", (_E, _R), (1000, 40000), (300, 2000), (20, 300)),
        SizeClass("建筑", (_R, _A), (80000, 80000), (6000, 5000), (300, 300)),
        SizeClass("批发", (_E, _R), (200, 40000), (20, 5000), (5, 1000)),
        SizeClass("零售", (_E, _R), (300, 20000), (50, 500), (10, 100)),
        SizeClass("交通运输", (_E, _R), (1000, 30000), (300, 3000), (20, 200)),
        SizeClass("仓储", (_E, _R), (200, 30000), (100, 1000), (20, 100)),
        SizeClass("邮政", (_E, _R), (1000, 30000), (300, 2000), (20, 100)),
        SizeClass("住宿、餐饮", (_E, _R), (300, 10000), (100, 2000), (10, 100)),
        SizeClass("信息传输", (_E, _R), (2000, 100000), (100, 1000), (10, 100)),
        SizeClass("软件和信息技术服务", (_E, _R), (300, 10000), (100, 1000), (10, 50)),
        SizeClass("房地产开发", (_R, _A), (200000, 10000), (1000, 5000), (100, 2000)),
        SizeClass("物业管理", (_E, _R), (1000, 5000), (300, 1000), (100, 500)),
        SizeClass("租赁和商务服务", (_E, _A), (300, 120000), (100, 8000), (10, 100)),
        SizeClass("其他", (_E,), (300,), (100,), (10,)),
    )
}

# GB/T 4754-2017 门类 → class of the regulation (see the module docstring for the reasons).
INDUSTRY_SIZE_CLASS: dict[str, str] = {
    "A": "农林牧渔",
    "B": "工业",
    "C": "工业",
    "D": "工业",
    "E": "建筑",
    "F": "批发",
    "G": "交通运输",
    "H": "住宿、餐饮",
    "I": "软件和信息技术服务",
    "K": "房地产开发",
    "L": "租赁和商务服务",
    **{letter: "其他" for letter in "JMNOPQRST"},
}

_CLASS_OF = {letter: SIZE_CLASSES[name] for letter, name in INDUSTRY_SIZE_CLASS.items()}  # the usual 门类 letters
_EXACT = (int, Decimal)  # what the parsers give: compared with the bounds without conversion
_LOW = Decimal(0)
_HIGH = Decimal("Infinity")


def size_class_for(industry: str) -> SizeClass:
    """The regulation's class used for a 门类 letter; ValueError for anything but A–T."""
    letter = str(industry).strip().upper()
    try:
        return SIZE_CLASSES[INDUSTRY_SIZE_CLASS[letter]]
    except KeyError:
        raise ValueError(f"unknown GB/T 4754 门类: {industry!r}") from None


def enterprise_size(
    *,
    industry: str | None,
    employees: int | None,
    revenue: Decimal | None,
    total_assets: Decimal | None,
) -> Size | None:
    """Size ("large" / "medium" / "small" / "micro") by 工信部联企业〔2011〕300号, or None.

    ``industry`` is a GB/T 4754-2017 门类 letter; amounts are 万元. None when the industry is
    missing, or when an indicator the industry needs is missing and the size depends on it.
    """
    if industry is None or not str(industry).strip():
        return None
    key = (industry, employees, revenue, total_assets)
    last = _LAST
    if last[0] == key:  # a row's rules and its computed columns ask the same question in a row
        return last[1]
    result = _enterprise_size(industry, employees, revenue, total_assets)
    globals()["_LAST"] = (key, result)
    return result


_LAST: tuple[Any, Size | None] = (None, None)


def _enterprise_size(industry: str, employees: int | None, revenue: Decimal | None, total_assets: Decimal | None) -> Size | None:
    size_class = _CLASS_OF.get(industry) or size_class_for(industry)
    given = {_E: employees, _R: revenue, _A: total_assets}
    raw = tuple(map(given.__getitem__, size_class.indicators))
    if all(type(v) in _EXACT for v in raw):  # every indicator known (None is not), compared exactly as it is
        return size_class.classify(raw)
    # Classification is monotone in every indicator: if it is the same with a missing value
    # read as 0 and as +∞, it does not depend on that value.
    low = tuple(_LOW if v is None else Decimal(str(v)) for v in raw)
    high = tuple(_HIGH if v is None else Decimal(str(v)) for v in raw)
    result = size_class.classify(low)
    if size_class.classify(high) != result:
        return None
    return result
