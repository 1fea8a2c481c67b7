"""个人设置 / API令牌: a user sees their account, creates a named API token with an expiry (shown
once, never again: only its hash is stored), read-write or read-only (只读), lists their tokens and
revokes them. Tokens that can no longer be used (expired, or made before the last password
change) are dropped before the list is shown."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from knox.settings import knox_settings

from portal.api.tokens import (
    DEFAULT_EXPIRY_DAYS,
    EXPIRY_CHOICES,
    token_create,
    token_is_read_only,
    token_name,
    token_revoke,
    tokens_drop_invalid,
    tokens_for,
)


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=50, help_text="用途或客户端名称，如“园区大脑”。每个客户端系统使用一个令牌。",
                           widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：园区大脑"}))
    days = forms.TypedChoiceField(label="有效期", choices=EXPIRY_CHOICES, coerce=int, initial=DEFAULT_EXPIRY_DAYS,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    read_only = forms.BooleanField(label="只读", required=False, help_text="只读令牌只能查询数据，不能提交、修改或推送。",
                                   widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TokenCreateForm()
    new_token: str | None = None
    new_token_obj = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if token_revoke(user=user, digest=request.POST.get("digest", "")):
                messages.success(request, "令牌已吊销，使用它的系统将无法再访问。")
            else:
                messages.error(request, "未找到该令牌（可能已吊销或已过期）。")
            return redirect("profile")
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                new_token_obj, new_token = token_create(user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"],
                                                        read_only=form.cleaned_data["read_only"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form = TokenCreateForm()
    tokens_drop_invalid(user=user)
    now = timezone.now()
    tokens = [{"token": t, "name": token_name(t), "read_only": token_is_read_only(t), "expired": t.expiry is not None and t.expiry <= now}
              for t in tokens_for(user=user)]
    response = render(request, "portal/profile.html", {
        "title": "个人设置 / API令牌",
        "form": form,
        "tokens": tokens,
        "new_token": new_token,
        "new_token_obj": new_token_obj,
        "new_token_name": token_name(new_token_obj) if new_token_obj is not None else "",
        "token_limit": knox_settings.TOKEN_LIMIT_PER_USER,
        "header_prefix": knox_settings.AUTH_HEADER_PREFIX,
    })
    return response
