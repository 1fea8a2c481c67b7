import datetime
from decimal import Decimal

import pytest

from parks.choices import EntityType, Industry, StarRating
from reports.schedules.parse_choices import parse_choice, parse_industry, parse_multi_choice
from reports.schedules.parse_dates import parse_date
from reports.schedules.parse_numbers import parse_amount, parse_bool, parse_count, parse_phone, parse_rate
from reports.schedules.parsing import ParseError, normalise_header, normalise_text

EMPTY = [None, "", "   ", "\u3000", "-", "—", "／", "/", "－", " — "]
ALL_PARSERS = [
    normalise_text,
    parse_amount,
    parse_rate,
    parse_count,
    parse_bool,
    lambda v: parse_choice(v, EntityType.choices),
    parse_industry,
    parse_date,
    lambda v: parse_multi_choice(v, ["规划", "建设"]),
    parse_phone,
]


@pytest.mark.parametrize("parser", ALL_PARSERS)
@pytest.mark.parametrize("value", EMPTY)
def test_empty_input_is_none(parser, value):
    assert parser(value) is None


def test_parse_error_carries_the_message():
    with pytest.raises(ParseError) as info:
        parse_amount("abc")
    assert info.value.message == "不是有效的金额"
    assert str(info.value) == "不是有效的金额"
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  杭州  XX   公司 ", "杭州 XX 公司"),
        ("ＡＢＣ１２３", "ABC123"),
        ("第一行\n第二行\t 第三", "第一行 第二行 第三"),
        ("\ufeff公司\u200b", "公司"),
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (13800138000.0, "13800138000"),
        (Decimal("12.00"), "12"),
        (Decimal("12.50"), "12.50"),
        (datetime.date(2020, 6, 30), "2020-06-30"),
        (datetime.datetime(2020, 6, 30), "2020-06-30"),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1,234.5", "1234.50"),
        ("１２３４．５", "1234.50"),
        ("１，２３４．５", "1234.50"),
        (" 12 345.6 ", "12345.60"),
        ("100万元", "100.00"),
        ("100 万", "100.00"),
        ("100（万元）", "100.00"),
        ("100 (万元)", "100.00"),
        ("１００万元", "100.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("+12", "12.00"),
        (".5", "0.50"),
        ("12.", "12.00"),
        ("1.005", "1.01"),
        ("2.675", "2.68"),
        ("1.004", "1.00"),
        ("1,234,567.891", "1234567.89"),
        ("¥12.3万", "12.30"),
        (0.1 + 0.2, "0.30"),
        (1.005, "1.01"),  # the float is 1.00499999999999989..., but the user typed 1.005
        (2.675, "2.68"),
        (1234.5, "1234.50"),
        (100, "100.00"),
        (Decimal("3.14159"), "3.14"),
    ],
)
def test_parse_amount(raw, expected):
    result = parse_amount(raw)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_parse_amount_never_yields_float_artefacts():
    assert str(parse_amount(0.30000000000000004)) == "0.30"
    assert parse_amount(0.1 + 0.2).as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["-1", "-0.5", -3, -0.01, Decimal("-2"), "－５", "\u22121", "-1万元"])
def test_parse_amount_rejects_negative(raw):
    with pytest.raises(ParseError, match="金额不能为负数"):
        parse_amount(raw)


@pytest.mark.parametrize(
    "raw",
    ["abc", "12abc", "1.2.3", "1,5", "12,34", "1e5", "(12)", True, False, float("nan"), float("inf"),
     Decimal("NaN"), datetime.date(2020, 1, 1), "万元", "12 万元 3"],
)
def test_parse_amount_rejects_garbage(raw):
    with pytest.raises(ParseError, match="不是有效的金额"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["500元", "500 元", "500（元）", "1.2亿", "1.2亿元"])
def test_parse_amount_rejects_other_units(raw):
    with pytest.raises(ParseError, match="金额单位应为万元"):
        parse_amount(raw)


def test_parse_amount_rejects_absurd_magnitude():
    with pytest.raises(ParseError):
        parse_amount("1" + "0" * 30)


# --------------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("5.2", "5.2000"),
        ("5.2%", "5.2000"),
        ("５．２％", "5.2000"),
        ("5.20 %", "5.2000"),
        ("4.35", "4.3500"),
        ("4.123456", "4.1235"),
        ("4.12345", "4.1235"),
        (5.2, "5.2000"),
        (4.35, "4.3500"),
        (5, "5.0000"),
        (Decimal("6.5"), "6.5000"),
        # Percent-formatted Excel cells are taken as written, never multiplied by 100.
        (0.052, "0.0520"),
        ("0.052", "0.0520"),
        (Decimal("0.052"), "0.0520"),
        ("0", "0.0000"),
    ],
)
def test_parse_rate(raw, expected):
    result = parse_rate(raw)
    assert str(result) == expected


@pytest.mark.parametrize("raw", ["-1", "-1%", -0.5])
def test_parse_rate_rejects_negative(raw):
    with pytest.raises(ParseError, match="利率不能为负数"):
        parse_rate(raw)


@pytest.mark.parametrize("raw", ["五", "5.2%%", "abc", True])
def test_parse_rate_rejects_garbage(raw):
    with pytest.raises(ParseError, match="不是有效的利率"):
        parse_rate(raw)


# --------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12", 12),
        ("12.0", 12),
        (12.0, 12),
        (12, 12),
        ("1,200", 1200),
        ("１２", 12),
        ("12户", 12),
        ("12 人", 12),
        ("12个", 12),
        ("12家", 12),
        ("0", 0),
        (Decimal("12.00"), 12),
        (11.999999999999998, 12),
    ],
)
def test_parse_count(raw, expected):
    result = parse_count(raw)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("raw", ["12.5", 12.5, Decimal("0.1")])
def test_parse_count_rejects_fractions(raw):
    with pytest.raises(ParseError, match="应为整数"):
        parse_count(raw)


@pytest.mark.parametrize("raw", ["-1", -3, "-2户"])
def test_parse_count_rejects_negative(raw):
    with pytest.raises(ParseError, match="数量不能为负数"):
        parse_count(raw)


@pytest.mark.parametrize("raw", ["十二", "12元", True])
def test_parse_count_rejects_garbage(raw):
    with pytest.raises(ParseError, match="不是有效的数量"):
        parse_count(raw)


# --------------------------------------------------------------------------- yes / no


@pytest.mark.parametrize(
    "raw", ["是", "Y", "y", "yes", "YES", "1", 1, 1.0, True, "True", "true", "√", "有", "Ｙ", " 是 "]
)
def test_parse_bool_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "n", "no", "No", "0", 0, 0.0, False, "False", "false", "×", "无"])
def test_parse_bool_false(raw):
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["可能", "2", 2, "是否", datetime.date(2020, 1, 1)])
def test_parse_bool_rejects(raw):
    with pytest.raises(ParseError, match="应为“是”或“否”"):
        parse_bool(raw)


# --------------------------------------------------------------------------- choices

STATUS = [("good", "良好"), ("fair", "一般"), ("hard", "困难"), ("stopped", "停产")]
PURPOSE = [("working", "流动资金"), ("plant", "购置厂房"), ("other", "其他")]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("良好", "good"),
        (" 良 好 ", "good"),
        ("good", "good"),
        ("GOOD", "good"),
        ("ｇｏｏｄ", "good"),
        ("停产", "stopped"),
    ],
)
def test_parse_choice(raw, expected):
    assert parse_choice(raw, STATUS) == expected


def test_parse_choice_with_django_choices():
    assert parse_choice("个体工商户", EntityType.choices) == EntityType.INDIVIDUAL
    assert parse_choice("企业", EntityType.choices) == "enterprise"
    assert parse_choice("individual", EntityType.choices) == "individual"
    assert parse_choice(3, StarRating.choices) == 3
    assert parse_choice("三星", StarRating.choices) == 3


def test_parse_choice_ignores_separators_in_labels():
    choices = [("ab", "交通运输、仓储和邮政业"), ("c", "住宿·餐饮")]
    assert parse_choice("交通运输仓储和邮政业", choices) == "ab"
    assert parse_choice("住宿餐饮", choices) == "c"
    assert parse_choice("住宿・餐饮", choices) == "c"


def test_parse_choice_error_lists_labels():
    with pytest.raises(ParseError) as info:
        parse_choice("很好", STATUS)
    assert info.value.message == "应为以下之一：良好、一般、困难、停产"


# --------------------------------------------------------------------------- industry


@pytest.mark.parametrize("letter, label", Industry.choices)
def test_parse_industry_letters_and_official_labels(letter, label):
    assert parse_industry(letter) == letter
    assert parse_industry(letter.lower()) == letter
    assert parse_industry(chr(ord(letter) + 0xFEE0)) == letter  # full-width
    assert parse_industry(label) == letter
    assert parse_industry(label.replace("、", "").replace("，", "")) == letter
    assert parse_industry(f"{letter} {label}") == letter
    assert parse_industry(f"{letter}-{label}") == letter
    assert parse_industry(f"{letter}{label}") == letter
    assert parse_industry(f"{label}（{letter}）") == letter


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("制造业", "C"),
        ("制造", "C"),
        ("批发零售", "F"),
        ("批发和零售业", "F"),
        ("批发业", "F"),
        ("零售业", "F"),
        ("软件和信息技术服务业", "I"),
        ("信息技术", "I"),
        ("信息传输、软件和信息技术服务业", "I"),
        ("信息传输软件和信息技术服务业", "I"),
        ("建筑业", "E"),
        ("房地产业", "K"),
        ("房地产", "K"),
        ("交通运输", "G"),
        ("交通运输、仓储和邮政业", "G"),
        ("物流", "G"),
        ("住宿餐饮", "H"),
        ("住宿和餐饮业", "H"),
        ("餐饮业", "H"),
        ("农业", "A"),
        ("农林牧渔", "A"),
        ("农林牧渔业", "A"),
        ("农、林、牧、渔业", "A"),
        ("租赁和商务服务业", "L"),
        ("商务服务", "L"),
        ("科学研究和技术服务业", "M"),
        ("科技服务", "M"),
        ("卫生和社会工作", "Q"),
        ("文化、体育和娱乐业", "R"),
        ("电力、燃气及水的生产和供应业", "D"),  # the GB/T 4754-2002 name
        ("C 制造业", "C"),
        ("C-制造业", "C"),
        ("C制造业", "C"),
        ("c、制造业", "C"),
        ("Ｃ　制造业", "C"),
        ("C：制造业", "C"),
        ("(C)制造业", "C"),
        ("F 批发零售", "F"),
        ("C36", "C"),
        ("C3670汽车零部件及配件制造", "C"),
        ("C3670 汽车零部件及配件制造", "C"),
        (Industry.L, "L"),
    ],
)
def test_parse_industry_names(raw, expected):
    assert parse_industry(raw) == expected


@pytest.mark.parametrize("raw", ["U", "Z", "汽车", "工业园", "CC", "12", "C 汽车"])
def test_parse_industry_rejects(raw):
    with pytest.raises(ParseError, match="不是有效的行业门类"):
        parse_industry(raw)


def test_parse_industry_rejects_a_letter_that_contradicts_the_name():
    with pytest.raises(ParseError, match="与名称不一致"):
        parse_industry("C 批发业")


def test_industry_aliases_are_unambiguous():
    from reports.schedules.parse_choices import _build_industry_index

    index = _build_industry_index()
    assert set(index.values()) == {letter for letter, _ in Industry.choices}


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw",
    [
        "2020-06-30",
        "2020-6-30",
        "2020/6/30",
        "2020.6.30",
        "20200630",
        "2020年6月30日",
        "2020 年 6 月 30 日",
        "２０２０年６月３０日",
        "2020-06-30 00:00:00",
        "2020-06-30T12:30:00",
        datetime.date(2020, 6, 30),
        datetime.datetime(2020, 6, 30, 15, 45),
        44012,
        44012.0,
        44012.75,
        "44012",
        20200630,
    ],
)
def test_parse_date(raw):
    result = parse_date(raw)
    assert result == datetime.date(2020, 6, 30)
    assert type(result) is datetime.date


def test_parse_date_excel_epoch():
    assert parse_date(20000.5) == datetime.date(1954, 10, 3)
    assert parse_date(45658) == datetime.date(2025, 1, 1)


@pytest.mark.parametrize(
    "raw", ["2020-02-30", "2020-13-01", "30/06/2020", "6/30/2020", "昨天", "2020", 12, 19999, True, "0202-06-30", "20201340"]
)
def test_parse_date_rejects(raw):
    with pytest.raises(ParseError, match="不是有效的日期"):
        parse_date(raw)


# --------------------------------------------------------------------------- multiple choice

SERVICES = ["规划", "建设", "招商", "运营"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("规划、建设", ["规划", "建设"]),
        ("运营,规划", ["规划", "运营"]),
        ("运营，招商；建设", ["建设", "招商", "运营"]),
        ("运营 / 招商", ["招商", "运营"]),
        ("运营 运营 规划", ["规划", "运营"]),
        ("规划、、建设、", ["规划", "建设"]),
        (["运营", "规划"], ["规划", "运营"]),
        ("招商", ["招商"]),
        ("，、", None),
    ],
)
def test_parse_multi_choice(raw, expected):
    assert parse_multi_choice(raw, SERVICES) == expected


def test_parse_multi_choice_rejects_unknown_part():
    with pytest.raises(ParseError) as info:
        parse_multi_choice("规划、融资", SERVICES)
    assert info.value.message == "“融资”不是有效选项，应为规划、建设、招商、运营"


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        ("0571-87189701", "0571-87189701"),
        ("057187189701", "0571-87189701"),
        ("0571 87189701", "0571-87189701"),
        ("(0571)87189701", "0571-87189701"),
        ("（0571）87189701", "0571-87189701"),
        ("(0571) 8718 9701", "0571-87189701"),
        ("0571-87189701-123", "0571-87189701-123"),
        ("0571-87189701转123", "0571-87189701-123"),
        ("0571-87189701 转 8001", "0571-87189701-8001"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("0577-8765432", "0577-8765432"),
        ("0577—87654321", "0577-87654321"),
    ],
)
def test_parse_phone(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12800138000",  # 12x is not a mobile prefix
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "87189701",  # no area code
        "057-187189701",  # 05x area codes have 4 digits
        "0571-123456",  # too short
        "0571-123456789",  # too long
        "400-800-8888",
        "电话",
        "13800138000转1",
        57187189701,  # Excel dropped the leading 0: do not guess
        True,
    ],
)
def test_parse_phone_rejects(raw):
    with pytest.raises(ParseError, match="不是有效的手机或固定电话号码"):
        parse_phone(raw)


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "sheet_header, official",
    [
        ("贷款余额(万元)", "贷款余额"),
        ("贷款余额（万元）", "贷款余额"),
        (" 贷款 余额 ", "贷款余额"),
        ("贷款余额\n（万元）", "贷款余额"),
        ("贷款余额【万元】", "贷款余额"),
        ("贷款余额(单位：万元)", "贷款余额"),
        ("*企业名称", "企业名称"),
        ("从业人员", "从业人员(人)"),
        ("从业人员（人）", "从业人员(人)"),
        ("贷款加权平均利率", "贷款加权平均利率(%)"),
        ("贷款加权平均利率（％）", "贷款加权平均利率(%)"),
        ("贷款加权平均利率%", "贷款加权平均利率(%)"),
        ("服务小微企业园数", "服务小微企业园数(个)"),
        ("承保入园企业数（户）", "承保入园企业数(户)"),
        ("其中:信用贷款余额", "其中：信用贷款余额"),
        ("其中：信用贷款余额（万元）", "其中：信用贷款余额"),
        ("所在县（市、区）", "所在县(市、区)"),
        ("园区服务站（点）数（个）", "园区服务站(点)数(个)"),
    ],
)
def test_normalise_header_matches_both_sides(sheet_header, official):
    assert normalise_header(sheet_header) == normalise_header(official)


@pytest.mark.parametrize(
    "label",
    ["从业人员(人)", "贷款余额（万元）(万元)", "所在县(市、区)", "园区服务站(点)数(个)", "其中：信用贷款余额", "建档覆盖率(%)", ""],
)
def test_normalise_header_is_idempotent(label):
    once = normalise_header(label)
    assert normalise_header(once) == once


def test_normalise_header_keeps_meaningful_parentheses():
    assert normalise_header("所在县（市、区）") == "所在县(市、区)"
    assert normalise_header("园区服务站（点）数（个）") == "园区服务站(点)数"
    assert normalise_header("其中：信用贷款余额") == "其中:信用贷款余额"
    assert normalise_header(None) == ""


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"),
                                 datetime.datetime(1899, 12, 30), datetime.date(2101, 1, 1)])
def test_parse_date_gives_a_cell_error_for_nan_infinity_and_years_out_of_range(raw):
    # calamine reads NaN as a float nan, or as 1899-12-30 in a date-formatted cell
    with pytest.raises(ParseError, match="不是有效的日期"):
        parse_date(raw)
