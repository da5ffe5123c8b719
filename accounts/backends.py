"""Authentication backends that load the signed-in person with their academy in one query.

Almost every page needs `request.user.academy` (navigation, academy scope, the Principal's
dashboard link); loading it with the user saves a query on each of those requests.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class _LoadsAcademy:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("academy").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PortalModelBackend(_LoadsAcademy, ModelBackend):
    pass


class PortalAuthenticationBackend(_LoadsAcademy, AuthenticationBackend):
    pass
