"""JSON request bodies, checked once for every endpoint (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``
and the bulk endpoints' ``BulkJSONParser``): a body nested deeper than ``MAX_DEPTH`` or holding a
lone UTF-16 surrogate (``"\\ud800"``: valid JSON, but no database stores it) is a 400 naming the
problem, before any view, serializer or service sees it. ``NaN`` / ``Infinity`` are not JSON."""
from __future__ import annotations

import json
import re
from typing import Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from portal.api.errors import ApiError

# The deepest legitimate body is a bulk upsert: {"rows": [{"key": value}]} (3 levels). Far below
# the interpreter's recursion limit, so nothing downstream (serializers, error lists, hashing)
# can recurse into trouble either.
MAX_DEPTH = 32
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # only a \uD800-\uDFFF escape can decode to one


def _too_deep():
    return ApiError(f"请求内容的 JSON 嵌套层数过多（最多 {MAX_DEPTH} 层），数据未保存。请检查数据结构。", code="too_deep",
                    errors=[{"field": "", "code": "too_deep", "message": f"JSON 嵌套超过 {MAX_DEPTH} 层"}])


def _lone_surrogate(path: str):
    where = f"（位置：{path}）" if path else ""
    return ApiError(f"请求内容含有无效的字符：孤立的 UTF-16 代理项（如 \\ud800）{where}，数据未保存。请检查文本的编码。",
                    code="invalid_unicode",
                    errors=[{"field": path, "code": "invalid_unicode", "message": "含有孤立的 UTF-16 代理项（无效字符）"}])


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _check_depth(data: Any) -> None:
    """Nesting depth, level by level without recursion (json.loads builds plain dicts and lists)."""
    level = [data] if type(data) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise _too_deep()
        below: list[Any] = []
        for node in level:
            below.extend([v for v in (node.values() if type(node) is dict else node) if type(v) is dict or type(v) is list])
        level = below


def _check(data: Any, *, surrogates: bool) -> None:
    """Depth and (when the raw body had a surrogate escape) lone surrogates, without recursion."""
    if not surrogates:
        _check_depth(data)
        return
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        for key, value in items:
            if surrogates and isinstance(key, str) and _SURROGATE.search(key):
                raise _lone_surrogate(path)
            if isinstance(value, (dict, list)):
                stack.append((value, depth + 1, f"{path}.{key}" if path else str(key)))
            elif surrogates and isinstance(value, str) and _SURROGATE.search(value):
                raise _lone_surrogate(f"{path}.{key}" if path else str(key))


def json_loads(raw: bytes, encoding: str = "utf-8") -> Any:
    """``raw`` decoded and parsed as strict JSON, then checked; ParseError / ApiError (400) otherwise."""
    try:
        text = raw.decode(encoding)  # strict: encoded surrogates are refused here already
        data = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError, LookupError) as exc:
        raise ParseError(f"JSON parse error - {exc}") from None
    surrogates = bool(_SURROGATE_ESCAPE.search(text))
    if isinstance(data, str):
        if surrogates and _SURROGATE.search(data):
            raise _lone_surrogate("")
    else:
        _check(data, surrogates=surrogates)
    return data


_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_INT64 = 2.0**63  # orjson reads an integer beyond 64 bits as a float, json as an int


def _may_hold_surrogates(raw: bytes) -> bool:
    return (b"\\ud" in raw or b"\\uD" in raw) and bool(_SURROGATE_ESCAPE_BYTES.search(raw))


def _walk_fast(data: Any) -> bool:
    """One walk of what orjson built, level by level: the nesting depth checked (ApiError when too
    deep, like ``_check_depth``), and True when a float at least 2**63 in size is anywhere (it may
    have been an integer beyond 64 bits: the caller reads the body again the ordinary way)."""
    level = [data]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise _too_deep()
        below: list[Any] = []
        for node in level:
            for v in (node.values() if type(node) is dict else node):
                kind = type(v)
                if kind is dict or kind is list:
                    below.append(v)
                elif kind is float and not -_INT64 < v < _INT64:
                    return True
        level = below
    return False


def json_loads_fast(raw: bytes, encoding: str = "utf-8") -> Any:
    """:func:`json_loads` through orjson (several times faster on a bulk body): the same data and
    checks. Anything orjson refuses, a non-UTF-8 body, a body with a surrogate escape and one with
    a huge number (maybe an integer beyond 64 bits) go the ordinary way, so every refusal keeps its
    message and every value its type."""
    if encoding.lower().replace("-", "") != "utf8" or _may_hold_surrogates(raw):
        return json_loads(raw, encoding)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json_loads(raw, encoding)
    if type(data) is dict or type(data) is list:
        if _walk_fast(data):
            return json_loads(raw, encoding)
    elif type(data) is float and not -_INT64 < data < _INT64:
        return json_loads(raw, encoding)
    return data


class PortalJSONParser(JSONParser):
    """DRF's JSON parser with the checks above (the default for every endpoint)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        raw = stream.read() if stream is not None else b""
        return json_loads(raw, encoding)
