"""Response headers (issue 10): every page a role can open carries the Content-Security-Policy
(scripts from our own origin only) and the Permissions-Policy; no template holds inline script
code, an on*= handler or a javascript: address that the policy would block."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from csp.decorators import csp_update
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from portal.security_headers import PortalCSPMiddleware
from reports.filings import services
from reports.filings.models import Period
from tests.test_t1_t2 import raw_row

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("province", "hz_branch", "hz_jxj", "bank_a_hz", "op_hz")

PAGES = [
    "home", "profile", "password_change", "notifications",
    "reports:filing_list", "reports:filing_new", "reports:completeness", "reports:t3",
    "dashboards:index", "dashboards:province", "dashboards:targets",
    "parks:park_list", "parks:enterprise_list", "parks:tenancy_list", "parks:partnerlink_list",
    "banks:institution_list", "banks:branch_list", "portal:organisation_list", "portal:region_list",
    "api:docs",
]


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_headers(response, what: str) -> None:
    csp = directives(response.headers.get("Content-Security-Policy", ""))
    assert csp.get("script-src") == ["'self'"], what
    assert csp.get("default-src") == ["'self'"] and csp.get("object-src") == ["'none'"], what
    assert csp.get("frame-ancestors") == ["'none'"] and csp.get("base-uri") == ["'self'"], what
    policy = response.headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy, (what, feature)
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what


@pytest.fixture
def pages(world):
    """The role-independent pages plus detail pages of the world's objects (a filing among them)."""
    period = Period.objects.get(code="2020Q3")
    filing = services.filing_open(actor=world.users["op_hz"], schedule="T1", period=period, park=world.p_hz)
    services.filing_rows_replace(actor=world.users["op_hz"], filing=filing, raw_rows=[raw_row(0, world.e_hz.uscc, "100")])
    urls = [reverse(name) for name in PAGES]
    urls += [
        reverse("parks:park_detail", args=[world.p_hz.pk]), reverse("parks:enterprise_detail", args=[world.e_hz.pk]),
        reverse("parks:tenancy_detail", args=[world.t_hz.pk]), reverse("parks:partnerlink_detail", args=[world.link_a_hz.pk]),
        reverse("banks:institution_detail", args=[world.inst_a.pk]), reverse("portal:organisation_detail", args=[world.op_hz.pk]),
        reverse("dashboards:city", args=["330100"]), reverse("dashboards:park", args=[world.p_hz.code]),
        reverse("dashboards:bank", args=[world.bank_a_hz.pk]),
        reverse("reports:filing_detail", args=[filing.pk]), reverse("reports:filing_rows", args=[filing.pk]),
        reverse("reports:row_add", args=[filing.pk]), reverse("reports:filing_upload", args=[filing.pk]),
        reverse("parks:park_edit", args=[world.p_hz.pk]), reverse("parks:tenancy_add"),
    ]
    return urls


@pytest.mark.parametrize("who", ROLES)
def test_every_page_a_role_opens_carries_csp_and_permissions_policy(client, world, pages, who):
    client.force_login(world.users[who])
    opened = 0
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404), (who, url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), (who, url)
        assert_headers(response, f"{who} {url}")
        opened += response.status_code == 200
    assert opened >= len(PAGES)  # most pages open for every role: the loop really looked at pages


def test_login_404_and_the_swagger_script_carry_the_headers(client, world):
    assert_headers(client.get(reverse("login")), "login")
    client.force_login(world.users["province"])
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    assert_headers(missing, "404")
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200 and '<script src="/api/docs/?script="></script>' in docs.content.decode()
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_policy_has_no_unsafe_script_sources():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("script-src", "default-src", "connect-src", "img-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & set(policy[directive]), directive


# --- templates -----------------------------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def inline_script_problems(html: str) -> list[str]:
    problems = []
    for attrs, body in SCRIPT_TAG.findall(html):
        if "src=" in attrs.lower():
            if body.strip():
                problems.append("<script src> with a body")
        elif not re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attrs, re.I):
            problems.append(f"inline <script{attrs}>")
    problems += [f"handler {m.group(0)[-30:]!r}" for m in HANDLER.finditer(html)]
    problems += [f"javascript: address {m.group(0)!r}" for m in JS_URL.finditer(html)]
    return problems


def test_the_template_check_finds_what_it_looks_for():
    assert inline_script_problems("<script>alert(1)</script>")
    assert inline_script_problems('<button type="button" onclick="go()">x</button>')
    assert inline_script_problems("<select\n  onchange='this.form.submit()'>")
    assert inline_script_problems("<a href=\"javascript:history.back()\">")
    assert not inline_script_problems('<script src="/static/js/portal.js"></script>')
    assert not inline_script_problems('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_script_problems('<button data-confirm="确定？" data-online="1">x</button>')


def test_no_template_has_inline_script_or_event_handlers():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    for app in ("portal", "parks", "banks", "reports"):
        templates += sorted((ROOT / app).rglob("templates/**/*.html"))
    assert len(templates) > 30
    found = {str(t.relative_to(ROOT)): p for t in templates if (p := inline_script_problems(t.read_text()))}
    assert found == {}


def test_the_header_built_once_is_django_csp_s_and_a_view_s_own_policy_still_wins(rf):
    plain = PortalCSPMiddleware(lambda request: HttpResponse("ok"))
    assert plain(rf.get("/"))["Content-Security-Policy"] == build_policy()
    own = PortalCSPMiddleware(csp_update({"img-src": ["https://tiles.example.org"]})(lambda request: HttpResponse("ok")))
    header = own(rf.get("/"))["Content-Security-Policy"]
    assert "https://tiles.example.org" in header and header != build_policy()
