"""Signing in with WeChat from WeChat's browser (网页授权), and the mobile number a customer known
by WeChat alone proves later.

The login page links to ``wechat_login``, which sends the browser to WeChat's authorisation page
with a ``state`` that names this browser's session; WeChat sends it back to ``wechat_login_done``
with a code, which is exchanged (outside any transaction) and signs the customer in. A callback
whose state this session did not start is refused, so nobody can sign a victim in as himself.
"""

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from weishang import throttle, wechat
from weishang.core_errors import DomainError
from weishang.customers import wechat_accounts
from weishang.customers.forms import MobileField
from weishang.sales import sign_in

from .forms import valid
from .views import _safe_next, _signed_in, customer_required

SESSION_KEY = "wechat_oauth"
STATE_SALT = "weishang.wechat.state"


def _state(nonce: str) -> str:
    """WeChat takes a state of letters and digits only, at most 128: the nonce and its MAC."""
    return nonce + salted_hmac(STATE_SALT, nonce, algorithm="sha256").hexdigest()[:32]


def _back_to_login(next_path: str):
    return redirect(f"{reverse('storefront:login')}?{urlencode({'next': next_path})}")


@require_safe
def wechat_login(request):
    """Starts web authorisation: remembers where to come back to, then goes to WeChat."""
    if not wechat.official_account_configured():
        raise Http404
    nonce = secrets.token_hex(16)
    request.session[SESSION_KEY] = {"nonce": nonce, "next": _safe_next(request)}
    redirect_uri = settings.SITE_URL + reverse("storefront:wechat_login_done")
    return redirect(
        wechat.authorise_url(
            redirect_uri=redirect_uri, state=_state(nonce), scope=settings.WECHAT_OAUTH_SCOPE
        )
    )


@require_safe
def wechat_login_done(request):
    """WeChat's authorisation page sent the browser back with a code (or without, if he said
    no) and the state this session made."""
    pending = request.session.pop(SESSION_KEY, None) or {}
    state = request.GET.get("state", "")
    nonce = pending.get("nonce", "")
    next_path = pending.get("next") or reverse("storefront:product_list")
    if not nonce or not constant_time_compare(state, _state(nonce)):
        messages.error(request, _("The WeChat sign-in expired or was not started here; try again."))
        return _back_to_login(next_path)
    try:
        customer = wechat_accounts.sign_in_with_web_code(code=request.GET.get("code", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back_to_login(next_path)
    login(request, customer.user)
    return _signed_in(request, customer, redirect(next_path))


class ProveMobileForm(forms.Form):
    action = forms.ChoiceField(choices=[("send_code", "send_code"), ("verify", "verify")])
    mobile = MobileField(label=_("Mobile number"))
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        required=False,
        error_messages={"max_length": _("The code is not correct.")},
    )


@customer_required
@require_POST
def prove_mobile(request):
    """A customer known by WeChat alone adds his mobile number: a code to it, then the code."""
    form = ProveMobileForm(request.POST)
    back = redirect(reverse("storefront:account") + "#mobile")
    if not valid(request, form):
        return back
    mobile = form.cleaned_data["mobile"]
    try:
        if form.cleaned_data["action"] == "send_code":
            code = sign_in.send_code(mobile=mobile, client=throttle.client(request))
            messages.success(request, _("We sent a 6-digit code to your phone."))
            request.session["proving_mobile"] = mobile
            if settings.OTP_SHOW_ON_PAGE:
                messages.info(request, _("Demo: your code is %(code)s") % {"code": code})
            return back
        proven = sign_in.prove_mobile(
            customer=request.customer, mobile=mobile, code=form.cleaned_data["code"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return back
    request.session.pop("proving_mobile", None)
    if proven.joined:
        login(request, proven.customer.user)
        messages.success(
            request,
            _("This number already had an account: you now use it, and WeChat signs you in to it."),
        )
    else:
        messages.success(request, _("Your mobile number is saved."))
    return redirect("storefront:account")
