"""Serializers for periods, filings and their rows, imports, workflow steps and summaries.

The row serializers are BUILT from the declarative schedule definitions (``reports.schedules``:
one ``Column`` per column, one ``Computed`` per computed column), never listed by hand:

- ``ROW_SERIALIZERS[code]`` — a stored row as the API shows it: canonical values (choice keys,
  booleans, decimals as exact strings) plus the computed columns;
- ``ROW_INPUT_SERIALIZERS[code]`` — a row as a client may send it. Input is forgiving (
  ``"1,234.5"``, ``"是"``, a choice's label or key, ...), so these document the keys and accepted
  shapes; the values are parsed and checked by the schedule's own parser and rules inside
  ``reports.filings.services`` — the same path as the web grid and the xlsx upload."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from parks.api.serializers import ParkBriefSerializer
from parks.models import Park
from portal.api.bulk import RawRowsField
from portal.api.serializers import OrganisationBriefSerializer, RegionBriefSerializer, ScopedPrimaryKeyRelatedField
from portal.choices import OrgKind
from portal.models import Organisation
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import FILER_SCHEDULES
from reports.filings.models import Filing, ImportJob, Period, T4Record
from reports.filings.selectors import filing_row_values
from reports.schedules import SCHEDULES, Schedule
from reports.schedules.base import AMOUNT, BOOL, CHOICE, COUNT, DATE, INDUSTRY, MULTI, PHONE, RATE, TEXT, USCC, Column, Computed
from reports.schedules.t4 import NARRATIVE

# --- rows, built from the schedules ---------------------------------------------------------------

OUTPUT_NAMES = {ScheduleCode.T1: "T1Row", ScheduleCode.T4: "T4Record", ScheduleCode.T5: "T5Row"}


def _help(col: Column | Computed) -> str:
    text = col.label
    unit = {AMOUNT: "万元", RATE: "%"}.get(col.kind)
    if unit and unit not in text:
        text += f"（{unit}）"
    if col.choices:
        text += "；取值：" + "、".join(f"{k}={v}" for k, v in col.choices)
    if getattr(col, "help", ""):
        text += f"。{col.help}"
    return text


def output_field(col: Column | Computed) -> serializers.Field:
    """The API field of a stored value of ``col`` (exact, canonical)."""
    kw: dict[str, Any] = {"read_only": True, "help_text": _help(col)}
    kind = col.kind
    if col.choices:
        return serializers.ChoiceField(choices=list(col.choices), allow_blank=True, allow_null=True, **kw)
    if kind == AMOUNT:
        return serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, **kw)
    if kind == RATE:
        return serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True, **kw)
    if kind == COUNT:
        return serializers.IntegerField(allow_null=True, **kw)
    if kind == BOOL:
        return serializers.BooleanField(allow_null=True, **kw)
    if kind == DATE:
        return serializers.DateField(allow_null=True, **kw)
    return serializers.CharField(allow_blank=True, allow_null=True, **kw)


_NULL = {"nullable": True}
INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    TEXT: {"type": "string", **_NULL},
    USCC: {"type": "string", **_NULL},
    PHONE: {"type": "string", **_NULL},
    MULTI: {"type": "string", **_NULL},
    CHOICE: {"type": "string", **_NULL},
    INDUSTRY: {"type": "string", **_NULL},
    DATE: {"type": "string", **_NULL},
    AMOUNT: {"oneOf": [{"type": "number"}, {"type": "string"}], **_NULL},
    RATE: {"oneOf": [{"type": "number"}, {"type": "string"}], **_NULL},
    COUNT: {"oneOf": [{"type": "integer"}, {"type": "string"}], **_NULL},
    BOOL: {"oneOf": [{"type": "boolean"}, {"type": "string"}], **_NULL},
}
INPUT_HINTS = {
    AMOUNT: "万元，如 1234.5 或 \"1,234.5万元\"", RATE: "%，如 4.35 或 \"4.35%\"", COUNT: "整数", BOOL: "true/false 或 \"是\"/\"否\"",
    CHOICE: "取值键或中文名称", INDUSTRY: "门类字母或名称", DATE: "YYYY-MM-DD", USCC: "18位统一社会信用代码",
}


class RawCellField(serializers.Field):
    """A cell as sent; parsed by the schedule column's own parser in the service."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


RAW_FIELD_CLASSES = {
    kind: extend_schema_field(schema)(type(f"Raw{kind.title()}CellField", (RawCellField,), {}))
    for kind, schema in INPUT_SCHEMAS.items()
}


def input_field(col: Column) -> serializers.Field:
    hint = INPUT_HINTS.get(col.kind, "")
    help_text = _help(col) + (f"。格式：{hint}" if hint else "") + ("（必填）" if col.required else "")
    return RAW_FIELD_CLASSES[col.kind](required=col.required, help_text=help_text)


def _columns(schedule: Schedule) -> tuple[Column, ...]:
    return schedule.columns + (NARRATIVE if schedule.code == ScheduleCode.T4 else ())


def build_row_serializer(schedule: Schedule) -> type[serializers.Serializer]:
    fields: dict[str, Any] = {}
    if schedule.multi_row:
        fields["row_no"] = serializers.IntegerField(read_only=True, help_text="行号")
    for col in _columns(schedule):
        fields[col.key] = output_field(col)
    for comp in schedule.computed:
        fields[comp.key] = output_field(comp)
    name = OUTPUT_NAMES[schedule.code]
    doc = f"{schedule.full_title}：{'一行' if schedule.multi_row else '唯一一条记录'}（含计算列）。"
    return type(f"{name}Serializer", (serializers.Serializer,), {**fields, "__doc__": doc})


def build_row_input_serializer(schedule: Schedule) -> type[serializers.Serializer]:
    fields = {col.key: input_field(col) for col in _columns(schedule)}
    name = OUTPUT_NAMES[schedule.code]
    key = f"以 {schedule.natural_key} 为键" if schedule.multi_row else "附表4只有一条记录（含推进情况六项文字）"
    doc = f"{schedule.full_title}：提交的一行（{key}）。数值可写成文字（如“1,234.5万元”“是”），由服务端按报表定义解析校验。"
    return type(f"{name}InputSerializer", (serializers.Serializer,), {**fields, "__doc__": doc})


ROW_SERIALIZERS: dict[str, type[serializers.Serializer]] = {code: build_row_serializer(s) for code, s in SCHEDULES.items()}
ROW_INPUT_SERIALIZERS: dict[str, type[serializers.Serializer]] = {code: build_row_input_serializer(s) for code, s in SCHEDULES.items()}
ROW_KEYS: dict[str, frozenset[str]] = {code: frozenset(c.key for c in _columns(s)) for code, s in SCHEDULES.items()}
ROW_IGNORED_KEYS: dict[str, frozenset[str]] = {code: frozenset(["row_no", *(c.key for c in s.computed)]) for code, s in SCHEDULES.items()}

ROW_OUTPUT_PROXY = PolymorphicProxySerializer(
    component_name="FilingRow", serializers=list(ROW_SERIALIZERS.values()), resource_type_field_name=None, many=True,
)
ROW_INPUT_PROXY = PolymorphicProxySerializer(
    component_name="FilingRowInput", serializers=list(ROW_INPUT_SERIALIZERS.values()), resource_type_field_name=None, many=True,
)


@extend_schema_field(ROW_INPUT_PROXY)
class FilingRowsField(RawRowsField):
    pass


class FilingRowsRequestSerializer(serializers.Serializer):
    """The full row set of the filing (附表1: one row per enterprise, keyed by ``uscc``; 附表5: one
    row per partner park, keyed by ``park_code``; 附表4: exactly one record)."""

    lock_version = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1,
                                            help_text="乐观锁：获取报表时的 lock_version（也可用 If-Match 请求头）；整表提交必须提供其一（否则 428），"
                                                      "不一致时拒绝保存（409）；试运行可省略")
    rows = FilingRowsField(help_text="全部行：未列出的原有行将被删除；重复提交相同内容不作任何修改")


# --- periods and filings ----------------------------------------------------------------------------

class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "code", "year", "quarter", "start", "end", "filer_due", "branch_due", "lock_date", "is_baseline"]


class FilingSerializer(serializers.ModelSerializer):
    period = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="报送期，如 2020Q3")
    park = ParkBriefSerializer(read_only=True, allow_null=True)
    branch = OrganisationBriefSerializer(read_only=True, allow_null=True)
    city = RegionBriefSerializer(read_only=True, allow_null=True)
    subject = serializers.SerializerMethodField(help_text="报送主体名称")

    class Meta:
        model = Filing
        fields = ["id", "schedule", "period", "park", "branch", "city", "subject", "version", "is_current", "status",
                  "lock_version", "row_count", "error_count", "warning_count", "explanation", "created_at", "updated_at",
                  "submitted_at", "approved_at", "days_late", "reopened"]

    @extend_schema_field(serializers.CharField())
    def get_subject(self, obj: Filing) -> str:
        return str(obj.subject)



class FilingRowsDetailSerializer(FilingSerializer):
    """A filing with its rows (computed columns included) and the issues of its last save."""

    issues = serializers.JSONField(read_only=True, help_text="保存时的校验提示")
    rows = serializers.SerializerMethodField(help_text="全部行（含计算列）；附表4为唯一一条记录；附表2、附表3为空")

    class Meta(FilingSerializer.Meta):
        fields = FilingSerializer.Meta.fields + ["issues", "rows"]

    @extend_schema_field(ROW_OUTPUT_PROXY)
    def get_rows(self, obj: Filing) -> list[dict[str, Any]]:
        if obj.schedule not in ROW_SERIALIZERS:
            return []
        return ROW_SERIALIZERS[obj.schedule](row_values(obj, filing_row_values), many=True).data


def row_values(filing: Filing, reader) -> list[dict[str, Any]]:
    rows = reader(filing=filing)
    if filing.schedule == ScheduleCode.T4 and rows:
        narrative = T4Record.objects.filter(filing=filing).values(*[c.key for c in NARRATIVE]).first() or {}
        rows = [{**rows[0], **narrative}]
    return rows


class FilingCreateSerializer(serializers.Serializer):
    """Open (or find) the current filing of a schedule for a subject and period."""

    schedule = serializers.ChoiceField(choices=[(c, ScheduleCode(c).label) for c in FILER_SCHEDULES],
                                       help_text="T1（园区填报），T4、T5（银行保险机构填报）")
    period = serializers.SlugRelatedField(slug_field="code", queryset=Period.objects.all(), help_text="报送期，如 2020Q3")
    park = ScopedPrimaryKeyRelatedField(queryset=Park.objects.all(), required=False, allow_null=True, help_text="附表1：园区 id")
    branch = ScopedPrimaryKeyRelatedField(queryset=Organisation.objects.filter(kind=OrgKind.BANK_BRANCH), required=False,
                                          allow_null=True, help_text="附表4/5：填报机构 id（默认为本机构）")



class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="xlsx 文件（平台模板或含正式表头的表格）")
    lock_version = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1, help_text="乐观锁：获取报表时的 lock_version（也可用 If-Match 请求头），必须提供其一（否则 428）")


class ImportJobSerializer(serializers.ModelSerializer):
    filing = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "filing", "status", "progress", "total_rows", "original_name", "created_at", "finished_at", "result"]


# --- summaries ----------------------------------------------------------------------------------------

# --- target results (only when the target models exist) ------------------------------------------------

