"""园区大脑 readings pushed over the REST API: parsed, checked and upserted all or nothing."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from parks.models import BrainReading, Park, Tenancy
from parks.signals import send_readings_changed
from portal import access
from portal.models import User
from portal.uscc import uscc_error, uscc_normalise

READING_FIELDS = ("electricity_kwh", "water_t", "gas_m3", "equipment_hours")
READING_LABELS = {
    "uscc": "统一社会信用代码", "month": "月份", "electricity_kwh": "用电量（千瓦时）", "water_t": "用水量（吨）",
    "gas_m3": "用气量（立方米）", "equipment_hours": "设备运行时长（小时）",
}
BRAIN_MAX_ROWS = 50_000
_READING_MAX = Decimal("1e14")  # the column holds 14 integer digits
_MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*(\d{1,2})\s*日?)?|(\d{2}))$")


@dataclass
class BrainPushResult:
    """What a push did (or, in a dry run or with errors, would do): nothing is saved when any row
    has an error, and every error is listed with its row, field, code and Chinese message."""

    saved: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _brain_issue(row: int | None, key: str, code: str, message: str, value: Any = None) -> dict[str, Any]:
    return {"row": row, "field": key, "label": READING_LABELS.get(key, ""), "code": code, "message": message,
            "value": "" if value is None else str(value)}


def brain_month_parse(raw: Any) -> dt.date:
    """``2020-07`` (also ``2020/7``, ``2020年7月``, ``202007``, ``2020-07-01``) → 2020-07-01."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        if raw.day != 1:
            raise ValueError("月份应为该月第一天或“YYYY-MM”格式")
        return raw
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("月份为必填项，格式为“YYYY-MM”，如 2020-07")
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _MONTH_RE.match(text)
    if not match:
        raise ValueError("月份格式应为“YYYY-MM”，如 2020-07")
    year, month, day, compact = match.groups()
    month_no = int(month or compact)
    if day is not None and int(day) != 1:
        raise ValueError("月份应为“YYYY-MM”格式（或该月第一天）")
    if not 1 <= month_no <= 12 or not 2000 <= int(year) <= 2100:
        raise ValueError("月份超出范围")
    return dt.date(int(year), month_no, 1)


def brain_value_parse(raw: Any) -> Decimal | None:
    """A non-negative reading with up to 2 decimals (``1,234.5`` and full-width digits accepted)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("不是有效的数值")
    if isinstance(raw, (int, Decimal)):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = "".join(unicodedata.normalize("NFKC", raw).split()).replace(",", "")
        if text in ("", "-", "—"):
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError("不是有效的数值") from None
    else:
        raise ValueError("不是有效的数值")
    if not number.is_finite():
        raise ValueError("不是有效的数值")
    if number < 0:
        raise ValueError("读数不能为负数")
    if number >= _READING_MAX:
        raise ValueError("数值过大")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _brain_enterprise(n: int, raw: dict[str, Any], *, park: Park, tenants: dict[str, int], errors: list) -> tuple[str, int | None]:
    """The row's 统一社会信用代码 and the tenant it names (None, with an error, if it names none)."""
    raw_uscc = raw.get("uscc")
    code = uscc_normalise(raw_uscc) if isinstance(raw_uscc, str) else ""
    enterprise_id = None
    if raw_uscc is not None and not isinstance(raw_uscc, str):
        errors.append(_brain_issue(n, "uscc", "invalid_uscc", "统一社会信用代码应为文本", raw_uscc))
    elif not code:
        errors.append(_brain_issue(n, "uscc", "required", "统一社会信用代码为必填项", raw_uscc))
    elif reason := uscc_error(code):
        errors.append(_brain_issue(n, "uscc", "invalid_uscc", reason, raw.get("uscc")))
    elif (enterprise_id := tenants.get(code)) is None:
        errors.append(_brain_issue(n, "uscc", "not_tenant", f"该企业不是本园区（{park.name}）的在园企业", code))
    return code, enterprise_id


def _brain_month(n: int, raw: dict[str, Any], *, this_month: dt.date, errors: list) -> dt.date | None:
    try:
        month = brain_month_parse(raw.get("month"))
    except ValueError as exc:
        errors.append(_brain_issue(n, "month", "invalid_month", str(exc), raw.get("month")))
        return None
    if month > this_month:
        errors.append(_brain_issue(n, "month", "future_month", "不能推送未来月份的读数", raw.get("month")))
        return None
    return month


def _brain_row(n: int, raw: Any, *, park: Park, tenants: dict[str, int], this_month: dt.date, errors: list):
    """One pushed row → (row, enterprise id, month, readings), or None with its errors listed."""
    if not isinstance(raw, dict):
        errors.append(_brain_issue(n, "", "invalid_row", "每一行应为一个对象（JSON object）"))
        return None
    allowed = {"uscc", "month", *READING_FIELDS}
    unknown = [key for key in raw if key not in allowed]
    errors += [_brain_issue(n, str(key), "unknown_field", f"未知字段“{key}”") for key in unknown]
    ok = not unknown
    code, enterprise_id = _brain_enterprise(n, raw, park=park, tenants=tenants, errors=errors)
    month = _brain_month(n, raw, this_month=this_month, errors=errors)
    values: dict[str, Decimal | None] = {}
    for key in READING_FIELDS:
        if key in raw:
            try:
                values[key] = brain_value_parse(raw[key])
            except ValueError as exc:
                errors.append(_brain_issue(n, key, "invalid_number", str(exc), raw[key]))
                ok = False
    if ok and not values:
        errors.append(_brain_issue(n, "", "empty_reading", "至少填写一项读数（用电、用水、用气或设备运行时长）"))
        ok = False
    if enterprise_id is None or month is None or not ok:
        return None
    return n, enterprise_id, month, values, code


def _brain_apply(parsed: list, *, actor: User, park: Park, result: BrainPushResult) -> tuple[list[BrainReading], list[BrainReading]]:
    """Compare the parsed rows with the stored readings: the new ones and the changed ones."""
    existing = {
        (r.enterprise_id, r.month): r
        for r in BrainReading.objects.filter(enterprise_id__in={p[1] for p in parsed}, month__in={p[2] for p in parsed}).select_related("park")
    }
    now = timezone.now()
    new: list[BrainReading] = []
    changed: list[BrainReading] = []
    for n, enterprise_id, month, values in parsed:
        reading = existing.get((enterprise_id, month))
        if reading is None:
            if all(v is None for v in values.values()):
                result.errors.append(_brain_issue(n, "", "empty_reading", "至少填写一项读数（用电、用水、用气或设备运行时长）"))
                continue
            new.append(BrainReading(enterprise_id=enterprise_id, park=park, month=month, pushed_by=actor, pushed_at=now, **values))
            continue
        if reading.park_id != park.pk:
            result.errors.append(_brain_issue(n, "uscc", "other_park", f"该企业{month:%Y-%m}的读数已由其他园区（{reading.park.name}）报送"))
            continue
        if all(getattr(reading, k) == v for k, v in values.items()):
            result.unchanged += 1
            continue
        for k, v in values.items():
            setattr(reading, k, v)
        reading.pushed_by, reading.pushed_at = actor, now
        changed.append(reading)
    return new, changed


@transaction.atomic
def brain_readings_upsert(*, actor: User, park: Park, rows: list[dict[str, Any]], dry_run: bool = False) -> BrainPushResult:
    """Insert or update monthly 园区大脑 readings of ``park``'s current tenants, keyed by
    (统一社会信用代码, 月份). All or nothing; re-sending the same rows changes nothing (all
    ``unchanged``). A field left out of a row keeps its stored value; ``null`` clears it.
    Only the park's operator (or a superuser) may push."""
    if not access.can_manage_tenants(actor, park):
        raise access.PermissionDenied("只有本园区的运营方可以推送园区大脑数据。")
    result = BrainPushResult()
    errors = result.errors
    if not isinstance(rows, list):
        errors.append(_brain_issue(None, "", "invalid", "数据应为读数行的列表"))
        return result
    if len(rows) > BRAIN_MAX_ROWS:
        errors.append(_brain_issue(None, "", "too_many_rows", f"一次最多推送{BRAIN_MAX_ROWS}行，本次{len(rows)}行"))
        return result
    tenants = dict(Tenancy.objects.in_force(on=timezone.localdate()).filter(park=park).values_list("enterprise__uscc", "enterprise_id"))
    this_month = timezone.localdate().replace(day=1)
    parsed: list[tuple[int, int, dt.date, dict[str, Decimal | None]]] = []
    seen: dict[tuple[int, dt.date], int] = {}
    for n, raw in enumerate(rows, start=1):
        row = _brain_row(n, raw, park=park, tenants=tenants, this_month=this_month, errors=errors)
        if row is None:
            continue
        n, enterprise_id, month, values, code = row
        if (enterprise_id, month) in seen:
            errors.append(_brain_issue(n, "month", "duplicate", f"与第{seen[(enterprise_id, month)]}行的企业和月份重复", f"{code} {month:%Y-%m}"))
            continue
        seen[(enterprise_id, month)] = n
        parsed.append((n, enterprise_id, month, values))
    new, changed = _brain_apply(parsed, actor=actor, park=park, result=result)
    result.created, result.updated = len(new), len(changed)
    errors.sort(key=lambda e: (e["row"] or 0))
    if errors or dry_run:
        return result
    BrainReading.objects.bulk_create(new, batch_size=1000)
    BrainReading.objects.bulk_update(changed, [*READING_FIELDS, "pushed_by", "pushed_at"], batch_size=1000)
    result.saved = True
    if new or changed:
        send_readings_changed(BrainReading, park_id=park.pk, months=[r.month for r in (*new, *changed)])
    return result
