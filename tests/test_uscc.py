import pytest
from django.core.exceptions import ValidationError

from portal.uscc import uscc_check_char, uscc_error, uscc_is_valid, uscc_make, uscc_normalise, validate_uscc

VALID = ["91350100M000100Y43", uscc_make("91330106MA2AB1234"), uscc_make("92330302000000001"), uscc_make("11100000000013127")]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert uscc_is_valid(code)
    validate_uscc(code)


def test_check_character_of_the_spec_example():
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "raw",
    [
        " 91350100M000100Y43 ",
        "9135 0100 M000 100Y 43",
        "91350100m000100y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
        "９１３５０１００ｍ０００１００ｙ４３\u3000",  # full-width lower case + ideographic space
    ],
)
def test_input_is_normalised_before_checking(raw):
    assert uscc_normalise(raw) == "91350100M000100Y43"
    assert uscc_is_valid(raw)


@pytest.mark.parametrize(
    "code, reason",
    [
        ("91350100M000100Y4", "应为18位"),  # too short
        ("91350100M000100Y433", "应为18位"),  # too long
        ("", "应为18位"),
        ("91350100M000100I43", "不得包含字母 I"),
        ("91350100M000100O43", "不得包含字母 O"),
        ("91350100M000100Z43", "不得包含字母 Z"),
        ("91350100M000100S43", "不得包含字母 S"),
        ("91350100M000100V43", "不得包含字母 V"),
        ("913501#0M000100Y43", "非法字符"),
        ("9135A100M000100Y43", "第3–8位"),  # non-digit region part
        ("91350100M000100Y4Z", "不得包含字母 Z"),  # the spec's invalid example
        ("91350100M000100Y44", "校验位错误"),  # wrong check character
        ("91350100M000100Y4A", "校验位错误"),
    ],
)
def test_each_way_to_be_wrong_has_its_reason(code, reason):
    error = uscc_error(uscc_normalise(code))
    assert error is not None and reason in error
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert reason in exc.value.messages[0]


def test_wrong_check_character_names_the_expected_one():
    assert "应为 3" in uscc_error("91350100M000100Y44")


def test_every_single_character_change_of_a_valid_code_is_detected():
    code = "91350100M000100Y43"
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for i in range(18):
        for ch in alphabet:
            if ch == code[i] or (2 <= i < 8 and not ch.isdigit()):
                continue
            assert not uscc_is_valid(code[:i] + ch + code[i + 1 :]), (i, ch)
