from portal.notifications import unread_count


def portal(request):
    ctx = {"PORTAL_NAME": "小微企业园金融服务监测报送平台"}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # computed once per request (nested template contexts run processors again), from the cache;
        # a prepared dashboard has read the user's token already (reports.dashboards.cache)
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = unread_count(user=user, token=getattr(request, "_unread_token", None))
        ctx["unread_notifications"] = request._unread_notifications
    return ctx
