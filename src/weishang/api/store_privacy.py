"""The customer's personal-data rights over JSON (PIPL Art. 44-47), as the store's privacy page
offers them: a copy of his data, corrections (nickname, addresses, a new mobile number) and
closing the account. Each endpoint calls ``customers.data_rights`` (corrections) or
``privacy.data_rights`` (the copy, closing), as ``storefront.privacy`` does."""

from typing import Any

from django.conf import settings
from ninja import Router, Schema, Status
from pydantic import Field

from weishang import throttle
from weishang.customers import data_rights
from weishang.customers.wechat_accounts import NICKNAME_LENGTH
from weishang.privacy import data_rights as reporting
from weishang.storefront.forms import AddressForm

from . import store
from .errors import ERRORS, ApiError
from .schemas import Id, Text

router = Router(tags=["store"])


class PrivacyOut(Schema):
    mobile: str | None
    nickname: str
    closure_blockers: list[str] = Field(description="Why the account cannot be closed yet.")
    closure_notices: list[str] = Field(description="What he gives up by closing it.")
    confirmation_word: str = Field(description="The word /account/close asks him to type.")


class Nickname(Schema):
    nickname: Text(NICKNAME_LENGTH)


class AddressCorrection(Schema):
    recipient: Text(40)
    phone: Text(20) = ""
    province: Text(20)
    city: Text(20)
    district: Text(20) = ""
    detail: Text(200)


class MobileChangeCode(Schema):
    mobile: Text(20, min_length=1) = Field(description="The new number, which gets the code.")


class MobileChange(Schema):
    mobile: Text(20, min_length=1)
    code: Text(6, min_length=1)


class Closure(Schema):
    confirmation: Text(40) = Field(description="The confirmation word, typed by him.")


def _privacy(customer) -> dict:
    return {
        "mobile": customer.mobile,
        "nickname": customer.nickname,
        "closure_blockers": [str(text) for text in reporting.closure_blockers(customer)],
        "closure_notices": [str(text) for text in reporting.closure_notices(customer)],
        "confirmation_word": str(reporting.CONFIRMATION_WORD),
    }


@router.get("/account/privacy", response={200: PrivacyOut, **ERRORS})
def privacy(request):
    """What the privacy page shows: his number and nickname, and what closing the account needs
    and costs him."""
    return _privacy(request.customer)


@router.get("/account/privacy/export", response={200: dict[str, Any], **ERRORS})
def export(request):
    """A copy of everything held about him (PIPL Art. 45), the same as the page's JSON file."""
    return reporting.personal_data(request.customer)


@router.put("/account/nickname", response={200: PrivacyOut, **ERRORS})
def nickname(request, payload: Nickname):
    data_rights.update_nickname(customer=request.customer, nickname=payload.nickname)
    return _privacy(request.customer)


@router.put("/addresses/{address_id}", response={200: store.AddressOut, **ERRORS})
def correct_address(request, address_id: Id, payload: AddressCorrection):
    """Corrects a saved address, checked as the privacy page checks it; orders already placed
    keep the address they were sent to."""
    form = AddressForm(payload.dict())
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(errors[0], code="invalid_input", status=422, field=field)
    address = data_rights.update_address(
        customer=request.customer,
        address_id=address_id,
        **form.cleaned_data,
    )
    return store._address(address)


@router.delete("/addresses/{address_id}", response={204: None, **ERRORS})
def delete_address(request, address_id: Id):
    data_rights.delete_address(customer=request.customer, address_id=address_id)
    return Status(204, None)


@router.post("/account/mobile/change/code", response={200: store.CodeSent, **ERRORS})
def mobile_change_code(request, payload: MobileChangeCode):
    """Sends a code to the new number (limited per client, as sign-in codes are)."""
    throttle.take((throttle.CODES_SENT_PER_CLIENT, throttle.client(request)))
    code = data_rights.request_mobile_change(customer=request.customer, new_mobile=payload.mobile)
    return {"sent": True, "demo_code": code if settings.OTP_SHOW_ON_PAGE else None}


@router.post("/account/mobile/change", response={200: PrivacyOut, **ERRORS})
def change_mobile(request, payload: MobileChange):
    """Moves his account to the new number with the code sent to it."""
    customer = data_rights.change_mobile(
        customer=request.customer, new_mobile=payload.mobile, code=payload.code
    )
    return _privacy(customer)


class ClosureSummary(Schema):
    orders_kept: int
    wallet_kept_fen: int
    deleted: dict[str, int]
    lapsed: dict[str, int]
    replaced_with_marker: dict[str, int]


@router.post("/account/close", response={200: ClosureSummary, **ERRORS})
def close(request, payload: Closure):
    """Closes his account at once (PIPL Art. 47): personal data deleted or anonymised, orders
    kept three years; refused while an order, return or complaint is unfinished. Returns what
    was done; his tokens stop working."""
    return reporting.close_account(customer=request.customer, confirmation=payload.confirmation)
