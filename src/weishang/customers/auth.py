"""Django's own authentication, with the signed-in user's customer read in the same query: every
storefront page asks for it (``request.user.customer``), so a session costs one query, not two."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class CustomerBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            get_user_model()._default_manager.select_related("customer").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
