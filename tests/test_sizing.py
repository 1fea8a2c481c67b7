import itertools
from decimal import Decimal

import pytest

from parks.choices import Industry
from reports.schedules.sizing import INDUSTRY_SIZE_CLASS, SIZE_CLASSES, SIZE_LABELS, enterprise_size, size_class_for

D = Decimal


def size(industry, employees=None, revenue=None, assets=None):
    return enterprise_size(
        industry=industry,
        employees=employees,
        revenue=None if revenue is None else D(str(revenue)),
        total_assets=None if assets is None else D(str(assets)),
    )


def test_labels():
    assert SIZE_LABELS == {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def test_every_industry_letter_has_a_class():
    assert set(INDUSTRY_SIZE_CLASS) == {letter for letter, _ in Industry.choices}
    assert set(INDUSTRY_SIZE_CLASS.values()) <= set(SIZE_CLASSES)


@pytest.mark.parametrize(
    "letter, name",
    [("A", "农林牧渔"), ("B", "工业"), ("C", "工业"), ("D", "工业"), ("E", "建筑"), ("F", "批发"),
     ("G", "交通运输"), ("H", "住宿、餐饮"), ("I", "软件和信息技术服务"), ("J", "其他"),
     ("K", "房地产开发"), ("L", "租赁和商务服务"), ("M", "其他"), ("T", "其他"), ("c", "工业")],
)
def test_mapping(letter, name):
    assert size_class_for(letter).name == name


def test_unknown_industry_is_an_error_and_blank_is_none():
    with pytest.raises(ValueError):
        size("Z", 10, 10)
    assert size(None, 10, 10) is None
    assert size("", 10, 10) is None


# 工业 (B, C, D): 中型 300 people & 2000 万元; 小型 20 & 300; 大型 1000 & 40000.
@pytest.mark.parametrize(
    "employees, revenue, expected",
    [
        (300, 2000, "medium"),  # both lower bounds reached exactly
        (299, 2000, "small"),  # one short of 中型 → 小型 (both needed)
        (300, D("1999.99"), "small"),
        (5000, 1999, "small"),  # many people, little revenue: still not 中型
        (20, 300, "small"),
        (19, 300, "micro"),  # below 小型 on either → 微型
        (20, D("299.99"), "micro"),
        (19, 100000, "micro"),
        (0, 0, "micro"),
        (999, 39999, "medium"),
        (1000, 39999, "medium"),  # 中小微 is "<1000 人 OR <40000 万元"
        (999, 100000, "medium"),
        (1000, 40000, "large"),  # 大型 needs both upper limits
        (5000, 500000, "large"),
    ],
)
@pytest.mark.parametrize("letter", ["B", "C", "D"])
def test_industry_bounds(letter, employees, revenue, expected):
    assert size(letter, employees, revenue) == expected


# F → 批发: 中型 20 & 5000; 小型 5 & 1000; 大型 200 & 40000.
@pytest.mark.parametrize(
    "employees, revenue, expected",
    [
        (20, 5000, "medium"),
        (19, 5000, "small"),
        (20, 4999, "small"),
        (5, 1000, "small"),
        (4, 1000, "micro"),
        (5, 999, "micro"),
        (200, 40000, "large"),
        (199, 40000, "medium"),
        (200, 39999, "medium"),
    ],
)
def test_wholesale_retail_uses_wholesale_bounds(employees, revenue, expected):
    assert size("F", employees, revenue) == expected


def test_retail_class_bounds():
    retail = SIZE_CLASSES["零售"]
    assert retail.classify((D(50), D(500))) == "medium"
    assert retail.classify((D(49), D(500))) == "small"
    assert retail.classify((D(10), D(100))) == "small"
    assert retail.classify((D(10), D(99))) == "micro"
    assert retail.classify((D(300), D(20000))) == "large"


# A → 农林牧渔: revenue only; 中型 500, 小型 50, 大型 20000.
@pytest.mark.parametrize(
    "revenue, expected",
    [(20000, "large"), (19999, "medium"), (500, "medium"), (D("499.99"), "small"), (50, "small"),
     (49, "micro"), (0, "micro")],
)
def test_farming_revenue_only(revenue, expected):
    assert size("A", None, revenue) == expected
    assert size("A", 100000, revenue) == expected  # employees play no part


# 其他 (e.g. M 科学研究和技术服务业): employees only; 中型 100, 小型 10, 大型 300.
@pytest.mark.parametrize(
    "employees, expected",
    [(300, "large"), (299, "medium"), (100, "medium"), (99, "small"), (10, "small"), (9, "micro"), (0, "micro")],
)
@pytest.mark.parametrize("letter", ["J", "M", "O", "R"])
def test_other_employees_only(letter, employees, expected):
    assert size(letter, employees, None) == expected
    assert size(letter, employees, 10**6, 10**6) == expected  # money plays no part


# L → 租赁和商务服务: employees & total assets; 中型 100 & 8000; 小型 10 & 100; 大型 300 & 120000.
@pytest.mark.parametrize(
    "employees, assets, expected",
    [
        (100, 8000, "medium"),
        (99, 8000, "small"),
        (100, 7999, "small"),
        (10, 100, "small"),
        (9, 100, "micro"),
        (10, 99, "micro"),
        (300, 120000, "large"),
        (300, 119999, "medium"),
    ],
)
def test_leasing_and_business_services_uses_assets(employees, assets, expected):
    assert size("L", employees, 1, assets) == expected
    assert size("L", employees, 10**7, assets) == expected  # revenue plays no part


@pytest.mark.parametrize(
    "letter, employees, revenue, assets, expected",
    [
        # E 建筑: revenue & assets; 中型 6000 & 5000; 小型 300 & 300; 大型 80000 & 80000.
        ("E", 1, 6000, 5000, "medium"),
        ("E", 1, 6000, 4999, "small"),
        ("E", 1, 300, 299, "micro"),
        ("E", 1, 80000, 80000, "large"),
        ("E", 1, 80000, 79999, "medium"),
        # G → 交通运输: 300 & 3000 / 20 & 200 / 1000 & 30000.
        ("G", 300, 3000, None, "medium"),
        ("G", 20, 200, None, "small"),
        ("G", 20, 199, None, "micro"),
        ("G", 1000, 30000, None, "large"),
        # H 住宿、餐饮: 100 & 2000 / 10 & 100 / 300 & 10000.
        ("H", 100, 2000, None, "medium"),
        ("H", 10, 100, None, "small"),
        ("H", 9, 100, None, "micro"),
        ("H", 300, 10000, None, "large"),
        # I → 软件和信息技术服务: 100 & 1000 / 10 & 50 / 300 & 10000.
        ("I", 100, 1000, None, "medium"),
        ("I", 10, 50, None, "small"),
        ("I", 10, 49, None, "micro"),
        ("I", 300, 10000, None, "large"),
        ("I", 299, 10000, None, "medium"),
        # K → 房地产开发: revenue & assets; 1000 & 5000 / 100 & 2000 / 200000 & 10000.
        ("K", 1, 1000, 5000, "medium"),
        ("K", 1, 100, 2000, "small"),
        ("K", 1, 100, 1999, "micro"),
        ("K", 1, 200000, 10000, "large"),
        ("K", 1, 199999, 10000, "medium"),
    ],
)
def test_other_classes(letter, employees, revenue, assets, expected):
    assert size(letter, employees, revenue, assets) == expected


@pytest.mark.parametrize(
    "letter, employees, revenue, assets",
    [
        ("C", None, 5000, None),
        ("C", 500, None, None),
        ("C", None, None, None),
        ("A", 100, None, None),
        ("M", None, 100, 100),
        ("E", 10, 7000, None),  # 建筑 needs assets
        ("L", 50, 10**6, None),  # 租赁和商务服务 needs assets
        ("K", 10, 5000, None),
    ],
)
def test_missing_needed_inputs_give_none(letter, employees, revenue, assets):
    assert size(letter, employees, revenue, assets) is None


@pytest.mark.parametrize(
    "letter, employees, revenue, assets, expected",
    [
        ("C", 10, None, None, "micro"),  # under 20 people: 微型 whatever the revenue
        ("C", None, 100, None, "micro"),  # under 300 万元: 微型 whatever the headcount
        ("E", 10, 100, None, "micro"),  # 建筑 under 300 万元 revenue: assets do not matter
        ("L", 5, 0, None, "micro"),
    ],
)
def test_missing_input_that_cannot_change_the_result(letter, employees, revenue, assets, expected):
    assert size(letter, employees, revenue, assets) == expected


def test_accepts_ints_and_floats_for_amounts():
    assert enterprise_size(industry="C", employees=300, revenue=2000, total_assets=None) == "medium"
    assert enterprise_size(industry="C", employees=300, revenue=1999.999, total_assets=None) == "small"


def _classify_by_definition(size_class, values):
    """The regulation's reading, written out: the first class all of whose bounds are reached."""
    for bounds, name in ((size_class.upper, "large"), (size_class.medium, "medium"), (size_class.small, "small")):
        if all(v >= bound for v, bound in zip(values, bounds, strict=True)):
            return name
    return "micro"


@pytest.mark.parametrize("name", sorted(SIZE_CLASSES))
def test_classify_is_the_definition_at_and_around_every_bound(name):
    size_class = SIZE_CLASSES[name]
    per_indicator = []
    for i in range(len(size_class.indicators)):
        bounds = {D(b[i]) for b in (size_class.upper, size_class.medium, size_class.small)}
        per_indicator.append(sorted({D(0), D(10**9)} | {b + d for b in bounds for d in (D("-0.01"), D(0), D("0.01"))}))
    for values in itertools.product(*[list(v) for v in per_indicator]):
        assert size_class.classify(values) == _classify_by_definition(size_class, values), (name, values)
    with pytest.raises(ValueError):
        size_class.classify((D(1),) * (len(size_class.indicators) + 1))
