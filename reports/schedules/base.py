"""The declarative building blocks of a schedule: a Column says everything about one column
(key, label, type, unit, choices, required) and is used to build the model field, the web form
field, the xlsx template column, the parser and the API field. Rules are plain functions that
yield Issues."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

from django import forms
from django.db import models

from portal.uscc import uscc_normalise
from reports.schedules.numbers import RATE_PLACES, amount_text, count_text, number_text
from reports.schedules.parse_choices import parse_choice, parse_industry, parse_multi_choice
from reports.schedules.parse_dates import parse_date
from reports.schedules.parse_numbers import parse_amount, parse_bool, parse_count, parse_phone, parse_rate
from reports.schedules.parsing import ParseError, normalise_text, text_as_typed

TEXT, USCC, AMOUNT, RATE, COUNT, CHOICE, BOOL, INDUSTRY, DATE, MULTI, PHONE = (
    "text", "uscc", "amount", "rate", "count", "choice", "bool", "industry", "date", "multi", "phone",
)
UNITS = {AMOUNT: "万元", RATE: "%"}
# What the database columns hold (amount 16 digits with 2 decimals, rate 9 with 4, count int32).
LIMITS = {AMOUNT: Decimal(10) ** 14, RATE: Decimal(10) ** 5, COUNT: 2**31 - 1}
_EMPTY = (None, "")  # a cell left empty (``in`` compares by identity first, then ==)


@dataclass(frozen=True)
class Issue:
    level: str  # "error" | "warning"
    column: str  # column key ("" for the whole row / filing)
    message: str
    code: str
    row: int | None = None  # 1-based data row number within the filing/upload (None: filing level)
    value: Any = None
    depends: tuple[str, ...] = ()  # other columns the rule read: unreadable there → issue not raised
    name: str = ""  # the row's enterprise (T1) or park (T5) as the filer knows it, shown beside the code

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def named(self, name: str) -> "Issue":
        """This issue with its row's name (``dataclasses.replace`` without its field-by-field look-up)."""
        return Issue(self.level, self.column, self.message, self.code, self.row, self.value, self.depends, name)

    def as_dict(self, schedule: "Schedule | None" = None) -> dict[str, Any]:
        label = schedule.label_of(self.column) if schedule and self.column else ""
        return {"level": self.level, "row": self.row, "column": self.column, "label": label,
                "value": "" if self.value is None else str(self.value), "message": self.message, "code": self.code,
                "name": self.name}


def error(column: str, message: str, code: str, value: Any = None, depends: tuple[str, ...] = ()) -> Issue:
    return Issue("error", column, message, code, value=value, depends=depends)


def warning(column: str, message: str, code: str, value: Any = None, depends: tuple[str, ...] = ()) -> Issue:
    return Issue("warning", column, message, code, value=value, depends=depends)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    options: tuple[str, ...] = ()  # for MULTI
    max_length: int = 100
    default: Any = None
    help: str = ""
    section: str = ""
    width: int = 14
    # TEXT only. False (names, free text): stored exactly as typed, trimmed (text_as_typed).
    # True (a code such as 园区编码): normalised like every code, number and option (NFKC ...).
    normalise: bool = False

    # --- presentation --------------------------------------------------------------------
    @property
    def unit(self) -> str:
        return UNITS.get(self.kind, "")

    @property
    def header(self) -> str:
        """The label as printed in templates and exports (unit added for amounts)."""
        if self.kind == AMOUNT and "万元" not in self.label:
            return f"{self.label}(万元)"
        return self.label

    def display(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if self.kind == BOOL:
            return "是" if value else "否"
        if self.kind in (CHOICE, INDUSTRY):
            return dict(self.choices).get(value, str(value))
        if self.kind == AMOUNT:  # the unit is in the header (``header``)
            return amount_text(value, "")
        if self.kind == RATE:
            return number_text(value, RATE_PLACES)
        if self.kind == COUNT:
            return count_text(value)
        if self.kind == DATE:
            return value.isoformat()
        return str(value)

    # --- parsing -------------------------------------------------------------------------
    def parse(self, raw: Any) -> Any:
        """Raw cell → canonical value; raises reports.ParseError with a Chinese reason."""
        value = self._parse(raw)
        limit = LIMITS.get(self.kind)
        if limit is not None and value is not None and value >= limit:
            raise ParseError(f"数值过大（应小于 {limit:,}）")
        return value

    def _parse(self, raw: Any) -> Any:
        if self.kind == TEXT:
            value = normalise_text(raw) if self.normalise else text_as_typed(raw)
            if value is not None and len(value) > self.max_length:
                raise ParseError(f"长度不能超过{self.max_length}个字符")
            return value
        if self.kind == USCC:
            text = normalise_text(raw)
            return uscc_normalise(text) if text else None
        if self.kind == AMOUNT:
            return parse_amount(raw)
        if self.kind == RATE:
            return parse_rate(raw)
        if self.kind == COUNT:
            return parse_count(raw)
        if self.kind == BOOL:
            return parse_bool(raw)
        if self.kind == CHOICE:
            return parse_choice(raw, self.choices)
        if self.kind == INDUSTRY:
            return parse_industry(raw)
        if self.kind == DATE:
            return parse_date(raw)
        if self.kind == MULTI:
            parts = parse_multi_choice(raw, list(self.options))
            return "、".join(parts) if parts else None
        if self.kind == PHONE:
            return parse_phone(raw)
        raise ValueError(self.kind)

    # --- Django fields -------------------------------------------------------------------
    def model_field(self) -> models.Field:
        kw: dict[str, Any] = {"verbose_name": self.label, "help_text": self.help}
        if self.kind in (TEXT, PHONE, MULTI):
            if self.max_length > 255:
                return models.TextField(blank=True, default="", **kw)
            return models.CharField(max_length=self.max_length, blank=True, default="", **kw)
        if self.kind == USCC:
            return models.CharField(max_length=18, db_index=True, **kw)
        if self.kind == AMOUNT:
            return models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, **kw)
        if self.kind == RATE:
            return models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True, **kw)
        if self.kind == COUNT:
            return models.PositiveIntegerField(null=True, blank=True, **kw)
        if self.kind == BOOL:
            return models.BooleanField(null=True, blank=True, **kw)
        if self.kind in (CHOICE, INDUSTRY):
            return models.CharField(max_length=20, blank=True, default="", choices=list(self.choices), **kw)
        if self.kind == DATE:
            return models.DateField(null=True, blank=True, **kw)
        raise ValueError(self.kind)

    def form_field(self) -> forms.Field:
        """A lenient text input: the column's own parser does the work (same as xlsx and API)."""
        attrs = {"class": "form-control form-control-sm", "data-kind": self.kind}
        if self.kind in (CHOICE, INDUSTRY):
            return forms.ChoiceField(label=self.label, required=False, choices=[("", "—")] + list(self.choices),
                                     widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
        if self.kind == BOOL:
            return forms.ChoiceField(label=self.label, required=False, choices=[("", "—"), ("是", "是"), ("否", "否")],
                                     widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
        if self.kind == DATE:
            attrs["type"] = "date"
        if self.kind == TEXT and self.max_length > 255:
            return forms.CharField(label=self.label, required=False, widget=forms.Textarea(attrs={**attrs, "rows": 2}))
        return forms.CharField(label=self.label, required=False, widget=forms.TextInput(attrs=attrs))

    def form_initial(self, value: Any) -> Any:
        if value is None:
            return ""
        if self.kind == BOOL:
            return "是" if value else "否"
        if self.kind == DATE:
            return value.isoformat()
        if self.kind == AMOUNT:  # what the user typed back: no separators
            return f"{value:.2f}"
        if self.kind == RATE:
            return f"{Decimal(value).normalize():f}"
        return value


@dataclass(frozen=True)
class Computed:
    """A computed column: shown and exported, never uploaded."""

    key: str
    label: str
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()
    width: int = 12

    def display(self, value: Any) -> str:
        if self.choices and value not in (None, ""):
            return dict(self.choices).get(value, str(value))
        return Column(self.key, self.label, self.kind, choices=self.choices).display(value)


RowRule = Callable[[dict[str, Any], "Context"], Iterable[Issue]]
SetRule = Callable[[list[dict[str, Any]], "Context"], Iterable[Issue]]


@dataclass
class Context:
    """What rules may look at besides the row: the filing's subject and reference data."""

    period_end: dt.date | None = None
    institution_names: frozenset[str] = frozenset()
    partner_parks: dict[str, dict[str, Any]] = field(default_factory=dict)  # T5: park_code -> register facts
    rate_warning_threshold: Decimal = Decimal("15.4")
    is_insurer: bool = False
    t4_ent_credit_amount: Decimal | None = None  # T5 cross-check
    t5_row_count: int | None = None  # T4 cross-check
    t5_ent_credit_total: Decimal | None = None
    # T1: 统一社会信用代码s -> name of the other park where each is a tenant at period end
    tenant_elsewhere: Callable[[list[str]], dict[str, str]] | None = None
    # T1: the park register at period end for the given 统一社会信用代码s (selectors.park_register_at)
    register: Callable[[list[str]], "RegisterAtEnd"] | None = None


@dataclass
class RegisterAtEnd:
    """The park's register at period end as the T1 rules need it (Tenancy.objects.in_force)."""

    tenants: dict[str, str]  # every tenant at period end: 统一社会信用代码 -> enterprise name
    # of the codes asked about that are NOT tenants at period end but have a stay in this park:
    # 统一社会信用代码 -> (entered_on, left_on) of their latest stay
    stays: dict[str, tuple[dt.date, dt.date | None]] = field(default_factory=dict)


@dataclass
class Schedule:
    code: str
    title: str  # 分类建档基础台帐
    number: int  # 1..5
    columns: tuple[Column, ...]
    computed: tuple[Computed, ...] = ()
    natural_key: str | None = None  # None: one record per filing
    row_rules: tuple[RowRule, ...] = ()
    # a cheaper look first: True when the row rules find nothing in the row (then not run; validate_rows)
    quiet_row: Callable[[dict[str, Any], "Context"], bool] | None = None
    set_rules: tuple[SetRule, ...] = ()
    compute: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    subject: str = "park"  # park | branch | city
    name_key: str | None = None  # the column naming a row beside its natural key (企业名称, 园区名称)
    sections: tuple[tuple[str, str], ...] = ()  # (section key, heading)

    def __post_init__(self) -> None:
        self.by_key = {c.key: c for c in self.columns}
        self.required_keys = tuple(c.key for c in self.columns if c.required)
        keys = [c.key for c in self.columns] + [c.key for c in self.computed]
        assert len(keys) == len(set(keys)), f"{self.code}: duplicate keys"

    @property
    def full_title(self) -> str:
        return f"附表{self.number} {self.title}"

    def label_of(self, key: str) -> str:
        if key in self.by_key:
            return self.by_key[key].label
        for c in self.computed:
            if c.key == key:
                return c.label
        return key

    @property
    def multi_row(self) -> bool:
        return self.natural_key is not None

    def parse_row(self, raw: dict[str, Any], *, row: int | None = None) -> tuple[dict[str, Any], list[Issue]]:
        """Parse every column of one raw row (keyed by column key). Unknown keys are ignored."""
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        for col in self.columns:
            raw_value = raw.get(col.key)
            try:
                value = col.parse(raw_value)
            except ParseError as exc:
                issues.append(Issue("error", col.key, str(exc), "parse", row=row, value=raw_value))
                value = None
            if value is None and col.default is not None:
                value = col.default
            values[col.key] = value
        return values, issues

    def check_row(self, values: dict[str, Any], ctx: Context, *, row: int | None = None, parsed_bad: set[str] = frozenset(),
                  raw: dict[str, Any] | None = None) -> list[Issue]:
        """Required columns and row rules. An issue names the value as the filer wrote it (``raw``)."""
        return self.required_issues(values, row=row, parsed_bad=parsed_bad) + \
            self.rule_issues(values, ctx, row=row, parsed_bad=parsed_bad, raw=raw)

    def required_issues(self, values: dict[str, Any], *, row: int | None = None, parsed_bad: set[str] = frozenset()) -> list[Issue]:
        """A required cell empty (and not unreadable: that is its parse error). A row with every
        required cell filled costs one look at each."""
        required = self.required_keys
        if all(values.get(key) not in _EMPTY for key in required):
            return []
        return [Issue("error", key, f"{self.by_key[key].label}为必填项", "required", row=row)
                for key in required if key not in parsed_bad and values.get(key) in _EMPTY]

    def rule_issues(self, values: dict[str, Any], ctx: Context, *, row: int | None = None, parsed_bad: set[str] = frozenset(),
                    raw: dict[str, Any] | None = None) -> list[Issue]:
        """The row rules' issues, each naming the value as the filer wrote it (``raw``)."""
        issues: list[Issue] = []
        for rule in self.row_rules:
            for issue in rule(values, ctx):
                # a cell that could not be read is unknown, not zero: no issue that relied on it
                if parsed_bad and (issue.column in parsed_bad or parsed_bad.intersection(issue.depends)):
                    continue
                if issue.value is not None:
                    value = issue.value
                elif raw is not None and raw.get(issue.column) not in (None, ""):
                    value = raw.get(issue.column)
                else:
                    value = values.get(issue.column)
                issues.append(Issue(issue.level, issue.column, issue.message, issue.code, row=row, value=value))
        return issues

    def validate(self, raw_rows: list[dict[str, Any]], ctx: Context) -> tuple[list[dict[str, Any]], list[Issue]]:
        """Parse and check a whole row set. Rows are numbered from 1 in the given order."""
        rows: list[dict[str, Any]] = []
        issues: list[Issue] = []
        for i, raw in enumerate(raw_rows, start=1):
            values, parse_issues = self.parse_row(raw, row=i)
            bad = {x.column for x in parse_issues}
            issues.extend(parse_issues)
            issues.extend(self.check_row(values, ctx, row=i, parsed_bad=bad, raw=raw))
            if self.compute:
                values.update(self.compute(values))
            rows.append(values)
        for rule in self.set_rules:
            issues.extend(rule(rows, ctx))
        return rows, self.named(issues, dict(enumerate(rows, start=1)), ctx)

    def row_name(self, values: dict[str, Any], ctx: Context | None = None) -> str:
        """What the filer calls a row: its name column, else (T5) the partner park's registered name."""
        name = values.get(self.name_key) if self.name_key else None
        if not name and ctx is not None and self.natural_key:
            name = ctx.partner_parks.get(values.get(self.natural_key) or "", {}).get("name")
        return str(name or "")

    def named(self, issues: list[Issue], rows: dict[int, dict[str, Any]], ctx: Context | None = None) -> list[Issue]:
        """``issues`` with the name of their row (``rows``: row number → values) beside the code."""
        if not self.name_key:
            return issues
        return [i.named(self.row_name(rows[i.row], ctx)) if i.row in rows and not i.name else i for i in issues]


def nz(value: Any) -> Decimal:
    """None as zero, for amount comparisons."""
    return Decimal(0) if value is None else Decimal(value)
