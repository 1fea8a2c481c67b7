from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"

    def ready(self) -> None:
        """The audit log hears every registry change, login, failed login and lockout; the header's
        cached unread count hears every change to a user's notifications; eager tasks enqueued
        during a request wait for its end (imported here, as Django requires: the receivers'
        modules import portal's models)."""
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.core.signals import request_finished, request_started
        from simple_history.signals import post_create_historical_record

        from portal import audit, deferred, notifications

        post_create_historical_record.connect(audit.history_record_receiver, dispatch_uid="portal.audit.history")
        user_logged_in.connect(audit.login_receiver, dispatch_uid="portal.audit.login")
        user_logged_out.connect(audit.logout_receiver, dispatch_uid="portal.audit.logout")
        user_login_failed.connect(audit.login_failed_receiver, dispatch_uid="portal.audit.login_failed")
        user_locked_out.connect(audit.locked_out_receiver, dispatch_uid="portal.audit.locked_out")
        notifications.notifications_changed.connect(notifications.unread_changed_receiver, dispatch_uid="portal.notifications.unread")
        # eager tasks enqueued during a request run after its response (portal.deferred)
        request_started.connect(deferred.request_started_receiver, dispatch_uid="portal.deferred.started")
        request_finished.connect(deferred.request_finished_receiver, dispatch_uid="portal.deferred.finished")
