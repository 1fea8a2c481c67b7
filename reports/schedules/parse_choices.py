from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from parks.choices import Industry
from reports.schedules.parsing import WHITESPACE_RUN, ParseError, clean_text, is_empty_text, normalise_text

# --------------------------------------------------------------------------- choices

_LOOSE_DROP = str.maketrans("", "", "·・•、,.;:()[]-_/ \t")


def _loose(text: str) -> str:
    """Comparison key ignoring case, spaces and separator punctuation (·, 、, ...)."""
    return WHITESPACE_RUN.sub("", clean_text(text)).casefold().translate(_LOOSE_DROP)


_MISSING = object()


@functools.lru_cache(maxsize=256)
def _choice_index(choices: tuple) -> dict[tuple[str, str], Any]:
    index: dict[tuple[str, str], Any] = {}
    for stored, label in choices:
        index.setdefault(("v", clean_text(str(stored)).casefold()), stored)
        index.setdefault(("l", clean_text(str(label))), stored)
    return index


def parse_choice(value: Any, choices: Iterable[tuple[Any, Any]]) -> Any:
    """The stored value of the choice whose value (case-insensitive) or label matches.

    ``choices`` is Django style ``[(value, label), ...]`` (e.g. ``SomeTextChoices.choices``).
    Labels also match with spaces and ``·``/``、`` style separators ignored.
    """
    text = normalise_text(value)
    if text is None:
        return None
    folded = text.casefold()
    if isinstance(choices, tuple):  # the schedules pass tuples: an exact match costs one lookup
        index = _choice_index(choices)
        hit = index.get(("v", folded), index.get(("l", text), _MISSING))
        if hit is not _MISSING:
            return hit
    choices = list(choices)
    labels = [str(label) for _, label in choices]
    # 1. exact value or label; 2. the same ignoring spaces and separators.
    for stored, label in choices:
        if folded == clean_text(str(stored)).casefold() or text == clean_text(str(label)):
            return stored
    key = _loose(text)
    if key:
        hits = {
            stored
            for stored, label in choices
            if key in (_loose(str(stored)), _loose(str(label)))
        }
        if len(hits) == 1:
            return hits.pop()
    raise ParseError(f"应为以下之一：{'、'.join(labels)}")


# --------------------------------------------------------------------------- industry

# Common names (and names from GB/T 4754-2002/2011) of each 门类, beyond its official label.
# Matching ignores punctuation, the connectives 和/及/与/的 and a trailing 业 (see _industry_key).
_INDUSTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "A": ("农林牧渔", "农业", "林业", "畜牧业", "牧业", "渔业", "农林牧渔服务业"),
    "B": ("采矿", "矿业"),
    "C": ("制造",),
    "D": (
        "电力热力燃气及水的生产和供应业",
        "电力燃气及水的生产和供应业",
        "电力",
        "电力热力燃气",
        "水电燃气",
        "电力热力燃气及水生产和供应",
    ),
    "E": ("建筑",),
    "F": ("批发零售", "批发", "零售", "商贸"),
    "G": (
        "交通运输",
        "交通运输仓储邮政",
        "交通运输仓储及邮政业",
        "运输业",
        "物流",
        "物流业",
        "仓储",
        "仓储业",
        "邮政",
        "快递",
    ),
    "H": ("住宿餐饮", "住宿", "餐饮"),
    "I": (
        "软件和信息技术服务业",
        "信息技术",
        "信息技术服务",
        "信息技术服务业",
        "软件",
        "软件业",
        "信息传输",
        "信息服务业",
        "互联网",
        "信息传输计算机服务和软件业",
        "IT",
    ),
    "J": ("金融",),
    "K": ("房地产", "房地产开发", "房地产开发经营", "物业管理"),
    "L": ("租赁商务服务", "商务服务", "商务服务业", "租赁"),
    "M": (
        "科学研究技术服务",
        "科学研究",
        "技术服务",
        "科技服务",
        "科技服务业",
        "科学研究技术服务和地质勘查业",
    ),
    "N": ("水利环境公共设施管理", "公共设施管理", "水利"),
    "O": ("居民服务", "居民服务和其他服务业", "修理", "修理业"),
    "P": ("教育业",),
    "Q": ("卫生", "卫生社会工作", "社会工作", "医疗卫生", "卫生社会保障和社会福利业"),
    "R": ("文化体育娱乐", "文体娱乐", "文化", "体育", "娱乐"),
    "S": ("公共管理", "公共管理和社会组织", "公共管理社会保障和社会组织"),
    "T": ("国际组织",),
}

_INDUSTRY_ERROR = "不是有效的行业门类，应为门类字母（A–T）或门类名称"


def _industry_key(text: str) -> str:
    key = _loose(text)
    key = re.sub(r"[和及与的、,，]", "", key)
    return key[:-1] if key.endswith("业") and len(key) > 1 else key


def _build_industry_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for letter, label in Industry.choices:
        for name in (label, *_INDUSTRY_ALIASES.get(letter, ())):
            key = _industry_key(name)
            if index.get(key, letter) != letter:  # pragma: no cover - guarded by a test
                raise RuntimeError(f"industry alias {name!r} is ambiguous")
            index[key] = letter
    return index


_industry_index: dict[str, str] | None = None


def _industry_lookup(name: str) -> str | None:
    global _industry_index
    if _industry_index is None:
        _industry_index = _build_industry_index()
    key = _industry_key(name)
    return _industry_index.get(key) if key else None


_LETTER_FIRST = re.compile(r"\(?([A-T])\)?(?:\d{2,4})?\s*[-.、:_—\s]*\s*(.+)", re.IGNORECASE)
_LETTER_LAST = re.compile(r"(.+?)[\s\-]*\(([A-T])\)", re.IGNORECASE)
_LETTER_CODE = re.compile(r"([A-T])\d{2,4}", re.IGNORECASE)


def parse_industry(value: Any) -> str | None:
    """The GB/T 4754-2017 门类 letter (``"A"``–``"T"``).

    Accepts the letter (any case, full width), the official label from
    ``parks.choices.Industry`` with or without punctuation, common short names (``制造业``,
    ``批发零售``, ``软件和信息技术服务业``, ``住宿餐饮``, ``农林牧渔`` ...), a label prefixed with its
    letter (``C 制造业``, ``C-制造业``, ``C制造业``), a label followed by ``(C)``, and a code with
    大类/中类/小类 digits (``C36``, ``C3670 汽车零部件及配件制造``). A letter that contradicts the
    name (``C 批发业``) is an error.
    """
    text = normalise_text(value)
    if text is None:
        return None
    compact = WHITESPACE_RUN.sub("", text)
    if len(compact) == 1 and compact.upper() in _INDUSTRY_ALIASES:
        return compact.upper()
    letter = _industry_lookup(compact)
    if letter:
        return letter
    match = _LETTER_CODE.fullmatch(compact)
    if match:
        return match.group(1).upper()
    match = _LETTER_CODE.match(compact)
    if match and not compact[match.end()].isascii():
        # "C3670汽车零部件及配件制造": the code is more precise than any name we could match.
        return match.group(1).upper()
    for pattern, letter_group, name_group in ((_LETTER_FIRST, 1, 2), (_LETTER_LAST, 2, 1)):
        match = pattern.fullmatch(compact)
        if not match:
            continue
        given = match.group(letter_group).upper()
        named = _industry_lookup(match.group(name_group))
        if named is None:
            continue
        if named != given:
            raise ParseError(f"行业门类字母“{given}”与名称不一致")
        return given
    raise ParseError(_INDUSTRY_ERROR)




_MULTI_SPLIT = re.compile(r"[、,;/\s]+")


def parse_multi_choice(value: Any, options: Sequence[str]) -> list[str] | None:
    """Several of ``options`` separated by 、 , ， ; ； / or whitespace.

    Returns the chosen options in the order of ``options``, without duplicates. A list/tuple
    (e.g. from a JSON body) is accepted too.
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        parts = [clean_text(str(item)) for item in value if item is not None]
        parts = [p for part in parts for p in _MULTI_SPLIT.split(part)]
    else:
        text = normalise_text(value)
        if text is None:
            return None
        parts = _MULTI_SPLIT.split(text)
    parts = [part for part in parts if part and not is_empty_text(part)]
    if not parts:
        return None
    canonical = {clean_text(option): option for option in options}
    chosen = set()
    for part in parts:
        if part not in canonical:
            raise ParseError(f"“{part}”不是有效选项，应为{'、'.join(options)}")
        chosen.add(canonical[part])
    return [option for option in options if option in chosen]

