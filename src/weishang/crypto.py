"""Encryption of personal data at rest (PIPL Art. 51): ID numbers and bank accounts.

Fernet (AES-128-CBC + HMAC-SHA256) from the ``cryptography`` package. The key comes from
``settings.FIELD_ENCRYPTION_KEYS``: the first key encrypts, all of them decrypt, so keys rotate.
Fernet output is randomised, so equal numbers are compared through ``keyed_hash`` instead.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str) -> str:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong key or altered data") from exc


def keyed_hash(purpose: str, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``settings.ID_HASH_KEY``, hex: equal texts give equal hashes,
    so a unique index can compare encrypted values. The key is its own setting, not SECRET_KEY or a
    Fernet key, because those rotate and this must not (a new key would need every hash redone),
    and because an ID number has so little entropy that whoever holds the key can enumerate it:
    the key that signs cookies should not also unlock that."""
    message = f"{purpose}\x1f{text}".encode()
    return hmac.new(settings.ID_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores text encrypted; Python code sees plain text. Not searchable, by design."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)
