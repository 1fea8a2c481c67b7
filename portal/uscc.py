"""统一社会信用代码 (GB 32100-2015): normalisation and check character."""
import unicodedata
from operator import mul

from django.core.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_VALID = frozenset(ALPHABET)
FORBIDDEN = set("IOZSV")


def uscc_normalise(value: object) -> str:
    """Full-width to half-width (NFKC), drop every space, upper-case."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return "".join(text.split()).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(map(mul, map(_INDEX.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """The reason a normalised code is invalid, in Chinese, or None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    if not _VALID.issuperset(code):
        bad = sorted({ch for ch in code if ch not in _INDEX})
        forbidden = [ch for ch in bad if ch in FORBIDDEN]
        if forbidden:
            return f"统一社会信用代码不得包含字母 {'、'.join(forbidden)}（I、O、Z、S、V 不使用）"
        return f"统一社会信用代码含有非法字符 {'、'.join(bad)}"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3–8位（登记管理机关行政区划码）必须为数字"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（第18位应为 {expected}）"
    return None


def uscc_is_valid(value: object) -> bool:
    return uscc_error(uscc_normalise(value)) is None


def validate_uscc(value: object) -> None:
    """Django validator: raises ValidationError with the Chinese reason."""
    reason = uscc_error(uscc_normalise(value))
    if reason:
        raise ValidationError(reason, code="invalid_uscc")


def uscc_make(first17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return first17 + uscc_check_char(first17)
