"""An unchanged re-send answered without reading it again.

When a full replace of a 附表1 / 附表5 is saved (or a dry run finds nothing to change), the cache
keeps, under the filing and its ``lock_version``, a digest of the raw rows as sent, the issues the
schedule's rules found, and a fingerprint of everything those rules looked at besides the rows (the
``Context``: period, thresholds, registered names, partner parks, and what the register answered
for the rows' codes), and a fingerprint of what the quality edits against history read
(``quality_selectors.quality_inputs``: thresholds, the previous approved filing, the city's rates).
A later request with the same raw rows, at the same ``lock_version`` (no row
changed since: every row write bumps it), under the same fingerprints (recomputed now, from the
database) would parse to the very rows stored — parsing is a pure function of the cell — and find the
very same issues: so its answer is those issues, everything ``unchanged``, nothing written.
Anything else (no entry, another body, another version, a context or a history that moved) goes the ordinary way."""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, Callable

import orjson
from django.core.cache import cache

from reports.filings import quality_selectors, selectors
from reports.filings.models import Filing
from reports.schedules import Issue
from reports.schedules.base import Context

PREFIX = "filing-rows:v2"
TTL = 24 * 3600


def rows_digest(raw_rows: list[dict[str, Any]]) -> str:
    """The raw rows exactly as sent: types kept apart (``1`` / ``1.0`` / ``"1"`` / ``true``)."""
    data = orjson.dumps(raw_rows, default=repr, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _canon(value: Any) -> Any:
    """A deterministic form of a context value (sets sorted, dicts by key, dataclasses as dicts)."""
    if isinstance(value, dict):
        if all(type(k) is str and type(v) is str for k, v in value.items()):  # codes → names: no walk needed
            return sorted(value.items())
        return sorted(((repr(k), _canon(v)) for k, v in value.items()), key=lambda kv: kv[0])
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_canon(v)) for v in value)
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canon({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    return repr(value)


def context_fingerprint(ctx: Context, codes: list[str]) -> str:
    """Every field of ``ctx``; a callable (the register look-ups) by its answer for ``codes``."""
    parts = []
    for f in dataclasses.fields(ctx):
        value = getattr(ctx, f.name)
        parts.append((f.name, _canon(value(codes) if callable(value) else value)))
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def remembering(ctx: Context) -> Context:
    """``ctx`` whose look-ups answer a repeated question (the same codes) from memory, so the
    fingerprint taken after the rules ran costs no further query."""
    for f in dataclasses.fields(ctx):
        value = getattr(ctx, f.name)
        if callable(value):
            setattr(ctx, f.name, _memo(value))
    return ctx


def _memo(look_up: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    answers: dict[tuple[str, ...], Any] = {}

    def ask(codes: list[str]) -> Any:
        key = tuple(codes)
        if key not in answers:
            answers[key] = look_up(codes)
        return answers[key]

    return ask


def quality_fingerprint(filing: Filing) -> str:
    """What the quality edits against history read besides the rows (``quality_inputs``)."""
    return hashlib.blake2b(repr(_canon(quality_selectors.quality_inputs(filing=filing))).encode(), digest_size=20).hexdigest()


def _key(filing: Filing) -> str:
    """The filing's rows as of now: every row write bumps ``lock_version`` and stamps ``updated_at``
    (the stamp keeps a database rebuilt under a surviving cache from matching an old entry)."""
    return f"{PREFIX}:{filing.pk}:{filing.lock_version}:{filing.updated_at.timestamp()}"


def _codes(rows: list[dict[str, Any]], natural_key: str) -> list[str]:
    return [r[natural_key] for r in rows if r.get(natural_key)]


def remember(*, filing: Filing, raw_rows: list[dict[str, Any]], rows: list[dict[str, Any]], issues: list[Issue],
             ctx: Context, natural_key: str) -> None:
    """Keep what a later identical request would find. Kept at once: should the transaction roll
    back, no filing ever shows this key's ``updated_at`` again."""
    codes = _codes(rows, natural_key)
    entry = {"digest": rows_digest(raw_rows), "codes": codes, "context": context_fingerprint(ctx, codes),
             "quality": quality_fingerprint(filing), "issues": list(issues), "rows": len(rows)}
    cache.set(_key(filing), entry, TTL)


def recall(*, filing: Filing, raw_rows: list[dict[str, Any]]) -> list[Issue] | None:
    """The issues of ``raw_rows`` if they are what the filing holds now and nothing they were
    checked against has moved; None otherwise."""
    entry = cache.get(_key(filing))
    if not entry or entry["rows"] != len(raw_rows) or entry["digest"] != rows_digest(raw_rows):
        return None
    if context_fingerprint(selectors.filing_context(filing=filing), entry["codes"]) != entry["context"]:
        return None
    if quality_fingerprint(filing) != entry["quality"]:
        return None
    return entry["issues"]
