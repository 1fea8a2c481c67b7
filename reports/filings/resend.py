"""An unchanged re-send answered without reading it again.

When a full replace of a 附表1 / 附表5 is saved (or a dry run finds nothing to change), the cache
keeps, under the filing and its ``lock_version``, a digest of the raw rows as sent, the issues the
schedule's rules found, and a fingerprint of everything those rules looked at besides the rows (the
``Context``: period, thresholds, registered names, partner parks, and what the register answered
for the rows' codes — the register by a digest the database takes of every stay it is made of, the
same before and after the rules ran), and a fingerprint of what the quality edits against history read
(``quality_selectors.quality_inputs``: thresholds, the previous approved filing, the city's rates).
A later request with the same raw rows, at the same ``lock_version`` (no row
changed since: every row write bumps it), under the same fingerprints (recomputed now, from the
database) would parse to the very rows stored — parsing is a pure function of the cell — and find the
very same issues: so its answer is those issues, everything ``unchanged``, nothing written.
Anything else (no entry, another body, another version, a context or a history that moved) goes the ordinary way.

The API also keeps what a body's bytes hold (``body_remember``: parsing and the body checks are
pure functions of the bytes), so the same bytes sent again find their row set without being parsed."""
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
    """Every field of ``ctx``; a callable (the register look-ups) by its own ``fingerprint`` for
    ``codes`` when it has one (a digest the database takes of everything its answer is made of:
    ``selectors._look_up``), else by its answer."""
    parts = []
    for f in dataclasses.fields(ctx):
        value = getattr(ctx, f.name)
        if callable(value):
            fingerprint = getattr(value, "fingerprint", None)
            parts.append((f.name, fingerprint(codes) if fingerprint else _canon(value(codes))))
        else:
            parts.append((f.name, _canon(value)))
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


class _Moved(Exception):
    """What a look-up answers from changed while the rules ran: its answer cannot be remembered."""


def remembering(ctx: Context) -> Context:
    """``ctx`` whose look-ups answer a repeated question (the same codes) from memory (the rules
    may ask twice). A look-up with a fingerprint takes it before it first answers, and its
    fingerprint asked later is that one only while the database still says the same (else
    ``_Moved``): a register changed by someone else while the rules ran is never remembered."""
    for f in dataclasses.fields(ctx):
        value = getattr(ctx, f.name)
        if callable(value):
            setattr(ctx, f.name, _memo(value))
    return ctx


def _memo(look_up: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    answers: dict[tuple[str, ...], Any] = {}
    before: dict[tuple[str, ...], str] = {}
    fingerprint = getattr(look_up, "fingerprint", None)

    def ask(codes: list[str]) -> Any:
        key = tuple(codes)
        if key not in answers:
            if fingerprint is not None:
                before[key] = fingerprint(codes)
            answers[key] = look_up(codes)
        return answers[key]

    def fingerprint_now(codes: list[str]) -> str:
        now = fingerprint(codes)
        if before and before.get(tuple(codes)) != now:  # moved, or asked about other codes: unknown
            raise _Moved
        return now

    if fingerprint is not None:
        ask.fingerprint = fingerprint_now  # type: ignore[attr-defined]
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


@dataclasses.dataclass(frozen=True)
class Sent:
    """A row set as sent: its ``rows_digest`` and its number of rows."""

    digest: str
    rows: int

    @classmethod
    def of(cls, raw_rows: list[dict[str, Any]]) -> "Sent":
        return cls(rows_digest(raw_rows), len(raw_rows))


def remember(*, filing: Filing, sent: Sent, rows: list[dict[str, Any]], issues: list[Issue], ctx: Context,
             natural_key: str, quality_before: str) -> None:
    """Keep what a later identical request would find. Kept at once: should the transaction roll
    back, no filing ever shows this key's ``updated_at`` again. ``quality_before``: the quality
    fingerprint taken before the rules ran; nothing is kept when what the rules read moved meanwhile."""
    codes = _codes(rows, natural_key)
    try:
        context = context_fingerprint(ctx, codes)
    except _Moved:
        return
    quality = quality_fingerprint(filing)
    if quality != quality_before:
        return
    entry = {"digest": sent.digest, "codes": codes, "context": context, "quality": quality, "issues": list(issues),
             "rows": sent.rows}
    cache.set(_key(filing), entry, TTL)


def recall(*, filing: Filing, sent: Sent) -> list[Issue] | None:
    """The issues of the rows ``sent`` if they are what the filing holds now and nothing they were
    checked against has moved; None otherwise."""
    entry = cache.get(_key(filing))
    if not entry or entry["rows"] != sent.rows or entry["digest"] != sent.digest:
        return None
    if context_fingerprint(selectors.filing_context(filing=filing), entry["codes"]) != entry["context"]:
        return None
    if quality_fingerprint(filing) != entry["quality"]:
        return None
    return entry["issues"]


# --- a body sent again, byte for byte ---------------------------------------------------------------

BODY_PREFIX = "filing-rows-body:v1"


@dataclasses.dataclass(frozen=True)
class KnownBody:
    """What a rows POST body (its bytes) was found to hold: the row set it sends (``Sent``), checked
    without any error before the service saw it, and the ``lock_version`` in the body, if any."""

    sent: Sent
    lock_version: int | None


def body_remember(*, schedule: str, body_digest: str, known: KnownBody) -> None:
    """Parsing and the body checks are pure functions of the bytes: what these bytes hold for
    ``schedule`` is kept, so that the same bytes sent again need not be parsed to find their row set
    (``body_recall``; the answer still comes from ``recall``, under the filing's version and fingerprints)."""
    cache.set(f"{BODY_PREFIX}:{schedule}:{body_digest}", (known.sent.digest, known.sent.rows, known.lock_version), TTL)


def body_recall(*, schedule: str, body_digest: str) -> KnownBody | None:
    known = cache.get(f"{BODY_PREFIX}:{schedule}:{body_digest}")
    if not known:
        return None
    digest, rows, lock_version = known
    return KnownBody(Sent(digest, rows), lock_version)
