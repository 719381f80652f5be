"""A customer's rights over his personal data (PIPL Art. 44–47, E-commerce Law Art. 24): a copy
of everything we hold about him, and closing the account. Corrections are the customers domain's
own (``weishang.customers.data_rights``).

Each domain gives its part (``personal_data`` modules); this layer, above them all, only puts
the parts together. Closing deletes or anonymises personal data at once. Orders, their lines,
payments and refunds are kept for three years (E-commerce Law Art. 31) with the delivery snapshot
masked, so they still add up in analytics and exports; complaints, returns and the binding history
are kept with the customer's own words in them (complaint texts and messages, cancel, return and
binding reasons) replaced by a marker (docs/personal-data.md).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.commissions import personal_data as commissions
from weishang.compliance import personal_data as complaints
from weishang.customers import personal_data as customers
from weishang.customers.services import CustomerError
from weishang.distribution import personal_data as distribution
from weishang.loyalty import personal_data as loyalty
from weishang.notifications import personal_data as notifications
from weishang.orders import personal_data as orders
from weishang.payments import personal_data as payments
from weishang.teams import personal_data as teams

CONFIRMATION_WORD = gettext_lazy("CLOSE")


class AccountClosureRefused(CustomerError):
    code = "closure_refused"


# A copy of my data -------------------------------------------------------------------------------


def personal_data(customer) -> dict:
    """Everything held about one customer, as plain data, in a bounded number of queries."""
    now = timezone.now()
    own = customers.personal_data_for(customer)
    records = orders.orders_for(customer)
    stores = distribution.store_names(record.distributor_id for record in records)
    paid = payments.payments_by_order(record.order_id for record in records)
    return {
        "generated_at": now,
        **own,
        "cart": orders.cart_for(customer),
        "orders": [
            {
                **record.fields,
                "attributed_store": stores.get(record.distributor_id),
                "lines": record.lines,
                "payments": paid.get(record.order_id, []),
                "returns": record.returns,
                "claims": record.claims,
            }
            for record in records
        ],
        **distribution.personal_data_for(customer),
        **loyalty.personal_data_for(customer, now=now),
        **complaints.personal_data_for(customer),
        **notifications.personal_data_for(customer),
        **teams.personal_data_for(customer),
    }


# Closing the account -----------------------------------------------------------------------------


def closure_blockers(customer) -> list[str]:
    """Why the account cannot be closed yet, one sentence each; empty when it can."""
    return [
        *orders.closure_blockers(customer),
        *complaints.closure_blockers(customer),
        *commissions.closure_blockers(customer),
        *teams.closure_blockers(customer),
    ]


def closure_notices(customer) -> list[str]:
    """What he gives up by closing (points, wallet money), one sentence each, for the page to
    show before he confirms; they do not stop him."""
    return loyalty.closure_notices(customer)


def confirmation_matches(confirmation: str) -> bool:
    typed = (confirmation or "").strip()
    return bool(typed) and typed.upper() in {str(CONFIRMATION_WORD).upper(), "CLOSE"}


@transaction.atomic
def close_account(*, customer, confirmation: str, now: datetime | None = None) -> dict:
    """Deletes or anonymises the customer's personal data at once (PIPL Art. 47); keeps his
    orders for three years (E-commerce Law Art. 31) with the delivery snapshot masked and his
    free text replaced by a marker. His unused coupons and his points lapse, his share links stop
    attributing; the ledger, and the wallet money on it, stay as they are.

    Refuses, changing nothing, while an order, return or complaint is unfinished or commission
    is unsettled. Returns what was done, for the page.
    """
    now = now or timezone.now()
    if not confirmation_matches(confirmation):
        raise AccountClosureRefused(
            _("Type %(word)s to confirm that you want to close your account.")
            % {"word": CONFIRMATION_WORD},
            code="closure_unconfirmed",
        )
    customer = customers.lock_for_closure(customer)
    if customers.is_closed(customer):
        raise AccountClosureRefused(_("This account is already closed."), code="already_closed")
    blockers = closure_blockers(customer)
    if blockers:
        raise AccountClosureRefused(
            _("Your account cannot be closed yet: %(reasons)s") % {"reasons": " ".join(blockers)}
        )
    # Loyalty first: it waits for his points account before the account row is rewritten, so an
    # act holding that account (a red packet) can still write rows that refer to the account.
    lapsed = loyalty.erase_personal_data(customer, now=now)
    kept = orders.erase_personal_data(customer)
    bound = distribution.erase_personal_data(customer, now=now)
    own = customers.erase_personal_data(customer)
    complained = complaints.erase_personal_data(customer)
    told = notifications.erase_personal_data(customer)
    teamed = teams.erase_personal_data(customer, now=now)
    summary = {
        "orders_kept": kept["orders_kept"],
        "wallet_kept_fen": lapsed["wallet_kept_fen"],
        "deleted": {
            "addresses": own["addresses"],
            "devices": own["devices"],
            "cart_items": kept["cart_items"],
            "binding": bound["binding"],
            "login_codes": own["login_codes"],
            "claim_photos": kept["claim_photos"],
            "share_links": lapsed["share_links"],
            "tier_history": lapsed["tier_history"],
            "membership": lapsed["membership"],
            "messages": told["messages"],
            "team_membership": teamed["team_membership"],
        },
        "lapsed": {
            "coupons": lapsed["coupons_voided"],
            "points": lapsed["points_forfeited"],
        },
        "replaced_with_marker": {
            **complained,
            "cancel_reasons": kept["cancel_reasons"],
            "return_reasons": kept["return_reasons"],
            "return_tracking_numbers": kept["return_tracking_numbers"],
            "claim_descriptions": kept["claim_descriptions"],
            "claim_tracking_numbers": kept["claim_tracking_numbers"],
            "buyer_notes": kept["buyer_notes"],
            "binding_reasons": bound["binding_reasons"],
        },
    }
    customers.record_own_act(
        customer=customer,
        action="customer.close_account",
        fields=customers.ERASED_FIELDS,
        after=summary,
        reason="PIPL Art. 47; orders kept under E-commerce Law Art. 31",
    )
    return summary
