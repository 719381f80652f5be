"""Share tokens: only a token this site signed, unchanged and not stale, names a distributor."""

import time

import pytest
from django.core import signing

from weishang.distribution.models import ShareSource
from weishang.distribution.tokens import (
    MAX_AGE_SECONDS,
    SALT,
    ShareToken,
    make_token,
    read_token,
)


def test_round_trip_store_and_product_links():
    assert read_token(make_token(distributor_id=7, source=ShareSource.STORE_LINK)) == ShareToken(
        7, "store_link", None
    )
    assert read_token(
        make_token(distributor_id=7, source=ShareSource.POSTER, product_id=42)
    ) == ShareToken(7, "poster", 42)


@pytest.mark.parametrize("token", [None, "", "garbage", "a:b:c", "1:abc:def"])
def test_nonsense_reads_as_none(token):
    assert read_token(token) is None


def test_forged_with_another_key_reads_as_none(settings):
    settings.SECRET_KEY = "someone-elses-key-0123456789abcdefghijklmnop"
    forged = make_token(distributor_id=7, source=ShareSource.QR)
    settings.SECRET_KEY = "the-sites-own-key-0123456789abcdefghijklmnop"
    assert read_token(forged) is None


def test_altered_token_reads_as_none():
    token = make_token(distributor_id=7, source=ShareSource.QR)
    rest = token.split(":", 1)[1]
    other = make_token(distributor_id=8, source=ShareSource.QR).split(":", 1)[0]
    assert read_token(f"{other}:{rest}") is None  # another distributor's payload, this signature
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert read_token(flipped) is None


def test_stale_token_reads_as_none(monkeypatch):
    token = make_token(distributor_id=7, source=ShareSource.STORE_LINK)
    later = time.time() + MAX_AGE_SECONDS + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert read_token(token) is None
    assert read_token(token, max_age=MAX_AGE_SECONDS + 3600) == ShareToken(7, "store_link", None)


def test_wrong_source_reads_as_none():
    signer = signing.TimestampSigner(salt=SALT)
    assert read_token(signer.sign_object([7, "brand"], compress=True)) is None
    assert read_token(signer.sign_object([7, "spam"], compress=True)) is None
    with pytest.raises(ValueError):
        make_token(distributor_id=7, source=ShareSource.BRAND)


def test_token_signed_for_another_purpose_reads_as_none():
    other = signing.TimestampSigner(salt="weishang.other").sign_object([7, "qr"], compress=True)
    assert read_token(other) is None
