"""HTTP half of the production smoke test (.ci/smoke_production.sh runs it): a browser's way
through a production server — health check, SSL redirect, the login form with its CSRF token, a
dashboard, a hashed static file, the API docs and schema, a 404 — checking status codes and the
security headers. Standard library only. Requests carry ``X-Forwarded-Proto: https`` as a
TLS-terminating proxy would; cookies are kept by hand because they are ``Secure`` (a cookie jar
would not send them over plain http).

    python .ci/smoke_client.py http://127.0.0.1:PORT USERNAME PASSWORD
"""
from __future__ import annotations

import http.client
import json
import re
import sys
import urllib.parse

BASE, USERNAME, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
ORIGIN = "https://" + urllib.parse.urlsplit(BASE).netloc
cookies: dict[str, str] = {}
checked = 0


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    global checked
    if not condition:
        raise SmokeFailure(what)
    checked += 1


def request(method: str, path: str, *, body: dict | None = None, proxy_https: bool = True, headers: dict | None = None):
    parts = urllib.parse.urlsplit(BASE)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    sent = {"Host": parts.netloc, "User-Agent": "portal-smoke/1"}
    if proxy_https:
        sent["X-Forwarded-Proto"] = "https"
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        sent.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN, "Referer": ORIGIN + path})
    sent.update(headers or {})
    conn.request(method, path, body=data, headers=sent)
    response = conn.getresponse()
    content = response.read()
    conn.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        flags = header.lower()
        if name in ("sessionid", "csrftoken"):
            check("; secure" in flags, f"cookie {name} is not Secure: {header}")
        if name == "sessionid":
            check("; httponly" in flags, f"session cookie is not HttpOnly: {header}")
        if value and "max-age=0" not in flags:
            cookies[name] = value
        else:
            cookies.pop(name, None)
    return response, content


def security_headers(response, what: str, *, html: bool = True) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "'unsafe-eval'" not in csp, f"{what}: CSP missing or weak: {csp!r}")
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    check("'unsafe-inline'" not in script_src, f"{what}: script-src allows inline script")
    check("frame-ancestors 'none'" in csp, f"{what}: CSP without frame-ancestors")
    policy = h.get("Permissions-Policy", "")
    check(all(f in policy for f in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")),
          f"{what}: Permissions-Policy missing: {policy!r}")
    check(h.get("X-Content-Type-Options") == "nosniff", f"{what}: no nosniff")
    check(h.get("Referrer-Policy") == "same-origin", f"{what}: Referrer-Policy {h.get('Referrer-Policy')!r}")
    hsts = h.get("Strict-Transport-Security", "")
    check("max-age=31536000" in hsts and "includeSubDomains" in hsts, f"{what}: HSTS {hsts!r}")
    if html:
        check(h.get("X-Frame-Options") == "DENY", f"{what}: X-Frame-Options {h.get('X-Frame-Options')!r}")
        check(h.get("Content-Type", "").startswith("text/html"), f"{what}: Content-Type {h.get('Content-Type')!r}")


def step(name: str) -> None:
    print(f"  ok  {name}", flush=True)


def main() -> int:
    r, body = request("GET", "/healthz", proxy_https=False)
    check(r.status == 200 and json.loads(body) == {"status": "ok", "database": "ok"}, f"/healthz: {r.status} {body[:200]!r}")
    step("/healthz 200 over plain http (database ok)")

    r, _ = request("GET", "/login/", proxy_https=False)
    check(r.status == 301 and r.headers.get("Location", "").startswith("https://"), f"plain http: {r.status} {r.headers.get('Location')}")
    step("plain http is redirected to https (301)")

    r, _ = request("GET", "/")
    check(r.status == 302 and "/login/" in r.headers.get("Location", ""), f"/ anonymous: {r.status}")
    r, body = request("GET", "/login/")
    check(r.status == 200, f"/login/: {r.status}")
    security_headers(r, "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    check(token is not None and "csrftoken" in cookies, "login form without CSRF token or cookie")
    step("login page 200 with CSRF token, CSP, Permissions-Policy, HSTS, X-Frame-Options, nosniff")

    r, _ = request("POST", "/login/", body={"username": USERNAME, "password": PASSWORD})
    check(r.status == 403, f"login POST without the form's CSRF token: {r.status}, expected 403")
    r, body = request("POST", "/login/", body={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()})
    check(r.status == 302 and "sessionid" in cookies, f"login POST: {r.status} {body[:300]!r}")
    step("login form POST (without token 403, with token 302 and a Secure HttpOnly session)")

    r, body = request("GET", "/")
    check(r.status == 200 and USERNAME.encode() in body, f"/ signed in: {r.status}")
    security_headers(r, "/")
    step("home page 200 signed in")

    r, body = request("GET", "/dashboards/province/")
    check(r.status == 200 and "全省小微企业园金融服务监测看板".encode() in body, f"/dashboards/province/: {r.status}")
    security_headers(r, "/dashboards/province/")
    scripts = re.findall(rb'<script src="(/static/[^"]+)"', body)
    echarts = [s.decode() for s in scripts if b"echarts" in s]
    check(bool(echarts) and re.search(r"echarts\.min\.[0-9a-f]{12}\.js$", echarts[0]) is not None,
          f"ECharts is not served under its hashed name: {scripts!r}")
    check(not re.search(rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body), "inline <script> on the dashboard")
    step("province dashboard 200, its scripts under hashed static names, no inline script")

    r, body = request("GET", echarts[0])
    check(r.status == 200 and len(body) > 500_000 and "immutable" in r.headers.get("Cache-Control", ""),
          f"{echarts[0]}: {r.status} {r.headers.get('Cache-Control')}")
    check("camera=()" in r.headers.get("Permissions-Policy", ""), "static file without Permissions-Policy")
    step("hashed static file 200 from whitenoise, cached as immutable")

    r, body = request("GET", "/api/docs/")
    check(r.status == 200 and b"swagger-ui" in body and b'<script src="/api/docs/?script="' in body, f"/api/docs/: {r.status}")
    security_headers(r, "/api/docs/")
    r, body = request("GET", "/api/docs/?script=")
    check(r.status == 200 and b"SwaggerUIBundle" in body, f"/api/docs/?script=: {r.status}")
    r, body = request("GET", "/api/schema/?format=json")
    check(r.status == 200 and json.loads(body)["openapi"].startswith("3."), f"/api/schema/: {r.status}")
    r, body = request("GET", "/api/v1/me/", headers={"Accept": "application/json"})
    check(r.status == 200 and json.loads(body)["username"] == USERNAME, f"/api/v1/me/: {r.status} {body[:200]!r}")
    step("/api/docs/ (split init script), /api/schema/ and /api/v1/me/ 200 signed in")

    r, body = request("GET", "/no-such-page/")
    check(r.status == 404 and "页面不存在".encode() in body, f"404 page: {r.status}")
    security_headers(r, "404 page")
    step("unknown page 404 with the portal's page and headers")

    saved = dict(cookies)
    cookies.clear()
    r, _ = request("GET", "/api/schema/", headers={"Accept": "application/json"})
    check(r.status == 401, f"/api/schema/ anonymous: {r.status}")
    r, _ = request("GET", "/api/docs/")
    check(r.status == 302 and "/login/" in r.headers.get("Location", ""), f"/api/docs/ anonymous: {r.status}")
    cookies.update(saved)
    step("anonymous: /api/schema/ 401, /api/docs/ → login")

    print(f"smoke client: {checked} checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SmokeFailure as exc:
        print(f"SMOKE FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
