"""API permissions: a thin layer over ``portal.access`` (the one scoping module).

- Lists and details are already narrowed by ``access.restrict`` in the views: an object outside
  the user's scope is a 404, never a 403 (no leaking that it exists).
- ``create`` asks ``access.can_add``; ``partial_update`` asks ``access.can(CHANGE)`` (403 when the
  object is visible but not editable). Other actions (workflow steps, row uploads, pushes) are
  decided by the services they call, which ask the access module themselves.
- A read-only token (``ApiTokenInfo.read_only``) may only read: any other method is a 403, before
  the view runs (every API view uses this permission through ``PortalAPIMixin``)."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal import access
from portal.api.errors import MESSAGES
from portal.api.tokens import token_is_read_only

READ_ONLY_TOKEN = "该令牌为只读令牌，只能查询数据，不能提交、修改、删除或推送数据。如需写入，请在“个人设置 / API令牌”页面创建可写令牌。"


class PortalPermission(BasePermission):
    message = MESSAGES["permission_denied"]

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method not in SAFE_METHODS and request.auth is not None and token_is_read_only(request.auth):
            self.message = READ_ONLY_TOKEN
            return False
        if getattr(view, "action", None) == "create":
            model = view.get_queryset().model
            if not access.can_add(user, model):
                self.message = f"您没有权限新增{model._meta.verbose_name}。"
                return False
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "action", None) in ("update", "partial_update"):
            if not access.can(request.user, access.CHANGE, obj):
                self.message = f"您没有权限修改此{obj._meta.verbose_name}。"
                return False
        return True
