from django.contrib.auth.backends import ModelBackend

from portal.models import User


class PortalModelBackend(ModelBackend):
    """ModelBackend that loads the user with its organisation and region in one query,
    so that the access module never costs extra queries per request."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organisation__region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
