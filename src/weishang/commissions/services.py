"""Every write about commission: quoting, paying, holding, reversing, settling, withdrawing.

Called explicitly by the order and payment services (no signals). Every money movement is one
ledger transfer with an idempotency key, so a retried call never moves money twice.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.core_errors import DomainError
from weishang.distribution.models import BusinessKind, Distributor, PayoutAccount, ProgrammeSettings
from weishang.money import format_fen
from weishang.notifications.events import Event
from weishang.notifications.services import notify_many
from weishang.orders.models import Order, ReturnRequest
from weishang.payments.models import Payment
from weishang.transactions import step

from . import fraud, ledger, rules, selectors, tax
from .locks import lock_accounts, lock_commissions, lock_withdrawal
from .models import Account, Commission, PlanMode, Transfer, Withdrawal, WithholdingRule
from .payouts import get_backend, send_payout_task
from .plans import active_plan, rates_for

Kind = Account.Kind
Status = Commission.Status


class CommissionError(DomainError):
    code = "commission"


class WithdrawalError(DomainError):
    code = "withdrawal"


def _programme() -> ProgrammeSettings:
    return ProgrammeSettings.objects.order_by("pk").first() or ProgrammeSettings()


# Quoting and paying ------------------------------------------------------------------------------


@step
def quote_commissions(
    *, order: Order, now: datetime | None = None, markup_supply: Mapping[int, int] | None = None
) -> list[Commission]:
    """At placement: what each line will earn the attributed distributor (and, in an advisory
    plan, his inviter at the second level), at the rates of the plan in force. Never a third level.

    ``markup_supply`` is ``{sku_id: supply_fen}`` for the lines sold at the distributor's own
    reseller price (``reseller.pricing``): such a line earns him his markup, (unit price − supply
    price) × quantity, never more than the payment paid for the line, instead of any commission.
    """
    now = now or timezone.now()
    if order.distributor_id is None:
        return []
    markup_supply = markup_supply or {}
    plan = active_plan()
    if plan is None and not markup_supply:
        return []
    distributor = Distributor.objects.select_related("invited_by").get(pk=order.distributor_id)
    if not distributor.can_sell:
        return []
    if distributor.customer_id == order.customer_id and not _programme().self_purchase_earns:
        return []
    lines = list(order.lines.select_related("product"))
    commissions = [
        _markup(order, line, distributor, markup_supply[line.sku_id], now)
        for line in lines
        if line.sku_id in markup_supply
    ]
    lines = [line for line in lines if line.sku_id not in markup_supply]
    if plan is None or not lines:
        return Commission.objects.bulk_create([c for c in commissions if c.amount_fen > 0])
    earners = [(1, distributor, None)]
    inviter = distributor.invited_by
    if (
        plan.mode == PlanMode.ADVISORY
        and plan.second_level_rate_bp > 0
        and inviter is not None
        and inviter.can_sell
        and inviter.customer_id != order.customer_id
    ):
        earners.append((2, inviter, plan.second_level_rate_bp))
    levels = plan.levels()
    own_level = (
        rules.level_for(selectors.own_completed_sales_fen(distributor.pk), levels)
        if levels
        else None
    )
    rates = rates_for(plan, [line.product for line in lines])
    for line in lines:
        base = line.paid_fen  # what the payment paid for the line (orders.pricing)
        for level, earner, level_rate in earners:
            if level_rate is not None:
                rate_bp, rule = level_rate, f"v{plan.version}:level2"
            else:
                rate_bp, rule = rates[line.product_id]
                if own_level is not None and own_level.extra_rate_bp:
                    rate_bp = rules.own_rate_bp(rate_bp, own_level)
                    rule = f"{rule}+{own_level.extra_rate_bp}bp"
            amount = rules.commission_fen(base, rate_bp)
            if amount <= 0:
                continue
            commissions.append(
                Commission(
                    order=order,
                    order_line=line,
                    distributor=earner,
                    level=level,
                    plan=plan,
                    rule=rule,
                    base_fen=base,
                    rate_bp=rate_bp,
                    amount_fen=amount,
                    created_at=now,
                )
            )
    return Commission.objects.bulk_create([c for c in commissions if c.amount_fen > 0])


def _markup(order: Order, line, distributor: Distributor, supply_fen: int, now) -> Commission:
    """The reseller's markup on one line: his price less the supply price, per unit sold, capped
    at what the payment paid for the line (a coupon or points the brand gave may leave less)."""
    per_unit = max(line.unit_price_fen - supply_fen, 0)
    return Commission(
        order=order,
        order_line=line,
        distributor=distributor,
        level=1,
        kind=Commission.Kind.MARKUP,
        plan=None,
        rule=f"markup:supply {supply_fen}",
        base_fen=line.paid_fen,
        rate_bp=0,
        amount_fen=min(per_unit * line.quantity, line.paid_fen),
        created_at=now,
    )


def _expense_kind(commission: Commission) -> str:
    """The brand's account the earning comes from: commission expense, or resellers' markup."""
    return Kind.BRAND_MARKUP if commission.kind == Commission.Kind.MARKUP else Kind.BRAND_EXPENSE


def _expense_accounts():
    """The brand account for each commission's kind, each read once per call."""
    accounts: dict[str, Account] = {}

    def expense(commission: Commission) -> Account:
        kind = _expense_kind(commission)
        if kind not in accounts:
            accounts[kind] = ledger.brand_account(kind)
        return accounts[kind]

    return expense


def _memo(commission: Commission, text: str) -> str:
    return f"markup {text}" if commission.kind == Commission.Kind.MARKUP else text


@step
def commissions_paid(*, order: Order, now: datetime | None = None) -> int:
    """The order is paid: each commission becomes pending, or held when review trips. Runs inside
    ``confirm_payment``'s transaction, which holds the order's lock."""
    now = now or timezone.now()
    commissions = list(lock_commissions(order_id=order.pk, status=Status.AWAITING_PAYMENT))
    if not commissions:
        return 0
    programme = _programme()
    thresholds = fraud.Thresholds(
        programme.review_order_amount_fen, programme.review_refund_rate_bp
    )
    payer = (
        Payment.objects.filter(order_id=order.pk, status=Payment.Status.SUCCEEDED)
        .values_list("payer_account", flat=True)
        .first()
        or ""
    )
    expense = _expense_accounts()
    reasons_by_distributor: dict[int, list[str]] = {}
    for commission in commissions:
        d_id = commission.distributor_id
        if d_id not in reasons_by_distributor:
            distributor = Distributor.objects.select_related("customer").get(pk=d_id)
            if distributor.customer_id == order.customer_id:
                reasons_by_distributor[d_id] = []  # his own purchase, openly: nothing hidden
            else:
                facts = fraud.gather_facts(
                    order=order, distributor=distributor, payer_account=payer
                )
                reasons_by_distributor[d_id] = fraud.hold_reasons(facts, thresholds)
        reasons = reasons_by_distributor[d_id]
        kind = Kind.HELD if reasons else Kind.PENDING
        ledger.transfer(
            debit=expense(commission),
            credit=ledger.distributor_account(d_id, kind),
            amount_fen=commission.amount_fen,
            key=f"paid:{commission.pk}",
            kind="earn",
            commission=commission,
            now=now,
            memo=_memo(commission, order.number),
        )
        commission.status = Status.HELD if reasons else Status.PENDING
        commission.hold_reason = "; ".join(reasons)[:300]
        commission.save(update_fields=["status", "hold_reason"])
    return len(commissions)


@step
def void_commissions(*, order: Order) -> int:
    """The order was cancelled or expired unpaid: nothing was earned, nothing moved."""
    return Commission.objects.filter(order_id=order.pk, status=Status.AWAITING_PAYMENT).update(
        status=Status.VOID
    )


_SOURCE = {Status.PENDING: Kind.PENDING, Status.HELD: Kind.HELD, Status.AVAILABLE: Kind.AVAILABLE}


@step
def reverse_commissions(
    *,
    order: Order,
    refunded_lines: Mapping[int, int],
    refund_ref: str,
    now: datetime | None = None,
) -> int:
    """A refund of ``{order_line_id: refunded_fen}``: each line's commissions shrink pro rata at the
    rate locked on the line. Reversed amounts are cumulative floors, so a line refunded in pieces
    reverses exactly what a full refund would. After settlement the reversal comes out of the
    available balance, which may go below zero: a debt netted against later earnings."""
    now = now or timezone.now()
    refunded = {int(k): int(v) for k, v in refunded_lines.items() if int(v) > 0}
    if not refunded:
        return 0
    expense = _expense_accounts()
    moved = 0
    for commission in lock_commissions(order_id=order.pk, order_line_id__in=list(refunded)):
        if commission.status in (Status.VOID, Status.REJECTED):
            continue
        key = f"reverse:{commission.pk}:{refund_ref}"
        if Transfer.objects.filter(idempotency_key=key).exists():
            continue
        refund_fen = min(
            refunded[commission.order_line_id],
            commission.base_fen - commission.refunded_base_fen,
        )
        piece = rules.reversal_fen(
            amount_fen=commission.amount_fen,
            whole_fen=commission.base_fen,
            refunded_before_fen=commission.refunded_base_fen,
            refund_fen=refund_fen,
        )
        commission.refunded_base_fen += refund_fen
        if piece > 0 and commission.status in _SOURCE:
            source = _SOURCE[commission.status]
            if source == Kind.AVAILABLE:
                list(lock_accounts(distributor_id=commission.distributor_id, kinds=[source]))
            ledger.transfer(
                debit=ledger.distributor_account(commission.distributor_id, source),
                credit=expense(commission),
                amount_fen=piece,
                key=key,
                kind="reverse",
                commission=commission,
                now=now,
                memo=_memo(commission, order.number),
            )
            commission.reversed_fen += piece
            moved += 1
        if commission.refunded_base_fen == commission.base_fen and commission.status in _SOURCE:
            # Nothing is left to settle or review: the line was refunded in full.
            commission.status = Status.REVERSED
        commission.save(update_fields=["reversed_fen", "refunded_base_fen", "status"])
    return moved


# Review ------------------------------------------------------------------------------------------


def _lock_held(commission: Commission) -> Commission:
    locked = lock_commissions(pk=commission.pk).get()
    if locked.status != Status.HELD:
        raise CommissionError(_("Only a commission held for review can be released or rejected."))
    return locked


@transaction.atomic
def release_commission(
    *, commission: Commission, actor, note: str = "", now: datetime | None = None
) -> Commission:
    """The brand found nothing wrong: the commission joins the pending ones."""
    now = now or timezone.now()
    commission = _lock_held(commission)
    net = commission.amount_fen - commission.reversed_fen
    if net > 0:
        ledger.transfer(
            debit=ledger.distributor_account(commission.distributor_id, Kind.HELD),
            credit=ledger.distributor_account(commission.distributor_id, Kind.PENDING),
            amount_fen=net,
            key=f"release:{commission.pk}",
            kind="release",
            commission=commission,
            now=now,
            memo=(note or "")[:200],
        )
    commission.status = Status.PENDING
    commission.review_note = (note or "").strip()[:300] or f"released by {actor}"
    commission.save(update_fields=["status", "review_note"])
    audit.record(
        actor=actor,
        action="commission.release",
        obj=commission,
        before={"status": Status.HELD, "hold_reason": commission.hold_reason},
        after={"status": Status.PENDING, "amount_fen": net},
        reason=(note or "").strip(),
    )
    return commission


@transaction.atomic
def reject_commission(
    *, commission: Commission, actor, reason: str, now: datetime | None = None
) -> Commission:
    """The brand judged the sale self-dealing: the money goes back and is never available."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise CommissionError(_("Say why the commission is rejected; the distributor will see it."))
    commission = _lock_held(commission)
    net = commission.amount_fen - commission.reversed_fen
    if net > 0:
        ledger.transfer(
            debit=ledger.distributor_account(commission.distributor_id, Kind.HELD),
            credit=ledger.brand_account(_expense_kind(commission)),
            amount_fen=net,
            key=f"reject:{commission.pk}",
            kind="reject",
            commission=commission,
            now=now,
            memo=reason[:200],
        )
    commission.status = Status.REJECTED
    commission.review_note = reason[:300]
    commission.save(update_fields=["status", "review_note"])
    audit.record(
        actor=actor,
        action="commission.reject",
        obj=commission,
        before={"status": Status.HELD, "hold_reason": commission.hold_reason},
        after={"status": Status.REJECTED, "amount_fen": net},
        reason=reason,
    )
    return commission


# Settlement --------------------------------------------------------------------------------------

SETTLE_CHUNK = 50_000
_SQLITE_CHUNK = 10_000  # stays below SQLite's limit of bound variables per statement


def settlement_cutoff(now: datetime) -> datetime:
    """Orders signed for before this instant have a closed return window at ``now``: the window
    ends at local midnight after the 7 full days that follow the day of sign-for."""
    tz = timezone.get_default_timezone()
    today = timezone.localtime(now, tz).date()
    return datetime.combine(
        today - timedelta(days=settings.RETURN_WINDOW_DAYS), time.min, tzinfo=tz
    )


def _eligible_sql() -> str:
    c, o, r = "commissions_commission", "orders_order", "orders_returnrequest"
    open_statuses = ", ".join(f"'{s}'" for s in ReturnRequest.OPEN)
    return f"""
        FROM {c} c JOIN {o} o ON o.id = c.order_id
        WHERE c.status = 'pending' AND c.id > %s
          AND (o.status = 'completed'
               OR (o.status IN ('delivered', 'partially_refunded') AND o.delivered_at < %s
                   AND NOT EXISTS (SELECT 1 FROM {r} r WHERE r.order_id = o.id
                                   AND r.status IN ({open_statuses}))))
    """


def settle_commissions(
    *, now: datetime | None = None, chunk: int | None = None, tell: bool = True
) -> int:
    """Makes available every pending commission whose order's return window has closed: one
    transfer each, written in bulk SQL, a chunk per transaction. Idempotent, and safe to run in
    several processes at once (rows are claimed with SKIP LOCKED, keys are unique, the status is
    re-checked in every statement). Several settlers of one run leave ``tell`` to whoever runs
    them, who calls ``tell_available`` once they have all finished."""
    now = now or timezone.now()
    cutoff = settlement_cutoff(now)
    postgres = connection.vendor == "postgresql"
    chunk = chunk or (SETTLE_CHUNK if postgres else _SQLITE_CHUNK)
    ledger.ensure_accounts(
        Commission.objects.filter(status=Status.PENDING)
        .values_list("distributor_id", flat=True)
        .distinct()
    )
    if postgres:
        moved = _settle_postgres(now=now, cutoff=cutoff, chunk=chunk)
    else:
        moved = _settle_sqlite(now=now, cutoff=cutoff, chunk=chunk)
    if tell:
        tell_available(now)
    return moved


# A settlement run that stopped before telling (killed, or its database went away) is told by the
# next run within this time; runs already told keep their messages (each run's key is its moment).
RETELL_WITHIN = timedelta(days=1)


def tell_available(now: datetime) -> None:
    """Each distributor is told, once per settlement run, how much became available (the run's
    key is its moment: told once, a run's total cannot change afterwards)."""
    settled = (
        Commission.objects.filter(settled_at__gt=now - RETELL_WITHIN, settled_at__lte=now)
        .order_by()
        .values("distributor_id", "distributor__customer_id", "settled_at")
        .annotate(total=Sum(F("amount_fen") - F("reversed_fen")))
        .filter(total__gt=0)
        .values_list("distributor_id", "distributor__customer_id", "settled_at", "total")
    )
    with transaction.atomic():
        notify_many(
            event=Event.COMMISSION_AVAILABLE,
            messages=(
                (customer_id, {"amount_fen": total}, f"available:{distributor}:{run.isoformat()}")
                for distributor, customer_id, run, total in settled.iterator(chunk_size=5_000)
            ),
            now=now,
        )


def _settle_sqlite(*, now: datetime, cutoff: datetime, chunk: int) -> int:
    a, t, c = "commissions_account", "commissions_transfer", "commissions_kindtotalchange"
    # Raw SQL gets no field conversion: SQLite stores datetimes as naive UTC text, so an aware
    # local time passed as is would compare as a string with its offset (wrong for the eight
    # hours a day when Shanghai's date is not UTC's).
    now, cutoff = (connection.ops.adapt_datetimefield_value(value) for value in (now, cutoff))
    moved, last_id = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id {_eligible_sql()} ORDER BY c.id LIMIT %s", [last_id, cutoff, chunk]
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            first_id, last_id = last_id, ids[-1]
            # One writer at a time in SQLite; re-reading the range beats a long IN list.
            in_ids = f"IN (SELECT c.id {_eligible_sql()} AND c.id <= %s)"
            params = [first_id, cutoff, last_id]
            cursor.execute(
                f"""INSERT OR IGNORE INTO {t} (idempotency_key, debit_id, credit_id, amount_fen,
                                       kind, commission_id, withdrawal_id, memo, created_at)
                SELECT 'settle:' || s.id, pa.id, aa.id, s.amount_fen - s.reversed_fen, 'settle',
                       s.id, NULL, '', %s
                FROM commissions_commission s
                JOIN {a} pa ON pa.distributor_id = s.distributor_id AND pa.kind = 'pending'
                JOIN {a} aa ON aa.distributor_id = s.distributor_id AND aa.kind = 'available'
                WHERE s.id {in_ids} AND s.status = 'pending' AND s.amount_fen > s.reversed_fen""",
                [now, *params],
            )
            cursor.execute(
                f"""INSERT INTO {c} (kind, amount_fen)
                SELECT kinds.kind, kinds.sign * net.total FROM (
                    SELECT SUM(s.amount_fen - s.reversed_fen) AS total
                    FROM commissions_commission s
                    WHERE s.id {in_ids} AND s.status = 'pending' AND s.amount_fen > s.reversed_fen
                ) AS net, (SELECT 'available' AS kind, 1 AS sign
                           UNION ALL SELECT 'pending', -1) AS kinds
                WHERE net.total IS NOT NULL""",
                params,
            )
            cursor.execute(
                f"""UPDATE commissions_commission SET status = 'available', settled_at = %s
                WHERE id {in_ids} AND status = 'pending'""",
                [now, *params],
            )
            moved += cursor.rowcount
    return moved


def _settle_postgres(*, now: datetime, cutoff: datetime, chunk: int) -> int:
    """One statement per chunk: claim pending rows (SKIP LOCKED, so a second process takes
    others), mark them available, and post their transfers (a repeated key is ignored) with the
    change they make to the pending and available totals."""
    a, t, c = "commissions_account", "commissions_transfer", "commissions_kindtotalchange"
    moved, last_id = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            # The commit only makes settlement durable; a crash before it settles nothing.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                f"""WITH picked AS (
                    SELECT c.id {_eligible_sql()} ORDER BY c.id LIMIT %s
                    FOR UPDATE OF c SKIP LOCKED
                ), moved AS (
                    UPDATE commissions_commission s SET status = 'available', settled_at = %s
                    FROM picked WHERE s.id = picked.id AND s.status = 'pending'
                    RETURNING s.id, s.distributor_id, s.amount_fen - s.reversed_fen AS net
                ), posted AS (
                    INSERT INTO {t} (idempotency_key, debit_id, credit_id, amount_fen, kind,
                                     commission_id, withdrawal_id, memo, created_at)
                    SELECT 'settle:' || m.id, pa.id, aa.id, m.net, 'settle', m.id, NULL, '', %s
                    FROM moved m
                    JOIN {a} pa ON pa.distributor_id = m.distributor_id AND pa.kind = 'pending'
                    JOIN {a} aa ON aa.distributor_id = m.distributor_id AND aa.kind = 'available'
                    WHERE m.net > 0
                    ON CONFLICT (idempotency_key) DO NOTHING
                    RETURNING amount_fen
                ), counted AS (
                    INSERT INTO {c} (kind, amount_fen)
                    SELECT kinds.kind, kinds.sign * net.total
                    FROM (SELECT sum(amount_fen) AS total FROM posted) AS net,
                         (VALUES ('available', 1), ('pending', -1)) AS kinds(kind, sign)
                    WHERE net.total IS NOT NULL
                )
                SELECT (SELECT count(*) FROM moved), (SELECT max(id) FROM picked),
                       (SELECT count(*) FROM posted)""",
                [last_id, cutoff, chunk, now, now],
            )
            count, picked_max, _posted = cursor.fetchone()
        if picked_max is None:
            return moved
        moved += count
        last_id = picked_max


# Withdrawals -------------------------------------------------------------------------------------


def _check_amount(amount_fen) -> int:
    if type(amount_fen) is not int or amount_fen <= 0:
        raise WithdrawalError(
            _("Enter the amount to withdraw as a whole number of fen greater than zero."),
            code="bad_amount",
        )
    return amount_fen


def _own_account(distributor: Distributor, payout_account) -> PayoutAccount | None:
    if payout_account is None:
        return None
    account = PayoutAccount.objects.filter(
        pk=getattr(payout_account, "pk", payout_account),
        distributor_id=distributor.pk,
        removed_at__isnull=True,
    ).first()
    if account is None:
        raise WithdrawalError(
            _("Choose one of your payout accounts for this withdrawal."), code="no_payout_account"
        )
    return account


@transaction.atomic
def request_withdrawal(
    *,
    distributor: Distributor,
    amount_fen,
    request_key: str,
    payout_account: PayoutAccount | int | None = None,
    now: datetime | None = None,
) -> Withdrawal:
    """Reserves part of the available balance for payout (available → withdrawing), to be paid
    into one of his payout accounts (or, with none named, as the brand arranges with him). The
    same request key returns the same withdrawal; the balance is read under a lock."""
    now = now or timezone.now()
    amount_fen = _check_amount(amount_fen)
    payout_account = _own_account(distributor, payout_account)
    request_key = (request_key or "").strip()
    if not request_key or len(request_key) > 64:
        raise WithdrawalError(_("The withdrawal request is missing its key; please try again."))
    ledger.ensure_accounts([distributor.pk])
    available = list(lock_accounts(distributor_id=distributor.pk, kinds=[Kind.AVAILABLE]))[0]
    existing = Withdrawal.objects.filter(distributor=distributor, request_key=request_key).first()
    if existing is not None:
        if existing.amount_fen != amount_fen:
            raise WithdrawalError(
                _("This withdrawal request was already made for a different amount."),
                code="key_reused",
            )
        return existing
    distributor = Distributor.objects.get(pk=distributor.pk)
    if not distributor.can_sell or distributor.approved_at is None:
        raise WithdrawalError(
            _("Only an active, approved distributor can withdraw commission."), code="not_allowed"
        )
    if not distributor.id_number or not distributor.real_name:
        raise WithdrawalError(
            _("Withdrawals need your real name and resident ID number on file."),
            code="no_real_name",
        )
    programme = _programme()
    if amount_fen < programme.withdrawal_min_fen:
        raise WithdrawalError(
            _("The smallest withdrawal is %(min)s.")
            % {"min": format_fen(programme.withdrawal_min_fen)},
            code="below_minimum",
        )
    tz = timezone.get_default_timezone()
    day_start = datetime.combine(timezone.localtime(now, tz).date(), time.min, tzinfo=tz)
    today = (
        Withdrawal.objects.filter(
            distributor=distributor,
            requested_at__gte=day_start,
            requested_at__lt=day_start + timedelta(days=1),
        )
        .exclude(status=Withdrawal.Status.REJECTED)
        .aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )
    if today + amount_fen > programme.withdrawal_daily_limit_fen:
        raise WithdrawalError(
            _("This would exceed the daily withdrawal limit of %(limit)s; %(left)s is left today.")
            % {
                "limit": format_fen(programme.withdrawal_daily_limit_fen),
                "left": format_fen(max(0, programme.withdrawal_daily_limit_fen - today)),
            },
            code="daily_limit",
        )
    balance = ledger.balance_of(available)
    if amount_fen > balance:
        raise WithdrawalError(
            _("You can withdraw at most %(balance)s.") % {"balance": format_fen(max(balance, 0))},
            code="insufficient",
        )
    withdrawal = Withdrawal.objects.create(
        distributor=distributor,
        request_key=request_key,
        amount_fen=amount_fen,
        payout_account=payout_account,
        requested_at=now,
    )
    ledger.transfer(
        debit=available,
        credit=ledger.distributor_account(distributor.pk, Kind.WITHDRAWING),
        amount_fen=amount_fen,
        key=f"withdraw:{withdrawal.pk}",
        kind="withdraw",
        withdrawal=withdrawal,
        now=now,
    )
    return withdrawal


def _move_withdrawal(withdrawal: Withdrawal, allowed, target: str) -> Withdrawal:
    locked = lock_withdrawal(withdrawal.pk)
    if locked.status not in allowed:
        raise WithdrawalError(
            _("This withdrawal is “%(current)s” and cannot become “%(target)s”.")
            % {
                "current": Withdrawal.Status(locked.status).label,
                "target": Withdrawal.Status(target).label,
            },
            code="illegal_transition",
        )
    locked.status = target
    return locked


@transaction.atomic
def approve_withdrawal(*, withdrawal: Withdrawal, actor, now: datetime | None = None) -> Withdrawal:
    w = _move_withdrawal(withdrawal, [Withdrawal.Status.REQUESTED], Withdrawal.Status.APPROVED)
    w.reviewed_at, w.reviewed_by = now or timezone.now(), actor
    w.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    audit.record(
        actor=actor,
        action="withdrawal.approve",
        obj=w,
        before={"status": Withdrawal.Status.REQUESTED},
        after={"status": w.status, "amount_fen": w.amount_fen},
    )
    return w


@transaction.atomic
def reject_withdrawal(
    *, withdrawal: Withdrawal, actor, reason: str, now: datetime | None = None
) -> Withdrawal:
    """Refused: the reserved amount returns to the available balance (withdrawing → available)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise WithdrawalError(_("Say why the withdrawal is rejected; the distributor will see it."))
    w = _move_withdrawal(
        withdrawal,
        [Withdrawal.Status.REQUESTED, Withdrawal.Status.APPROVED],
        Withdrawal.Status.REJECTED,
    )
    w.reason, w.reviewed_at, w.reviewed_by = reason[:300], now, actor
    w.save(update_fields=["status", "reason", "reviewed_at", "reviewed_by"])
    ledger.transfer(
        debit=ledger.distributor_account(w.distributor_id, Kind.WITHDRAWING),
        credit=ledger.distributor_account(w.distributor_id, Kind.AVAILABLE),
        amount_fen=w.amount_fen,
        key=f"withdraw-release:{w.pk}",
        kind="withdraw_release",
        withdrawal=w,
        now=now,
        memo=reason[:200],
    )
    audit.record(
        actor=actor,
        action="withdrawal.reject",
        obj=w,
        after={"status": w.status, "amount_fen": w.amount_fen},
        reason=reason,
    )
    return w


@transaction.atomic
def mark_withdrawal_paid(
    *, withdrawal: Withdrawal, actor, payout_reference: str, now: datetime | None = None
) -> Withdrawal:
    """Staff pay an approved withdrawal: the payout is requested with its idempotency key and
    reference, and sent to the payout backend once this commits (``payouts.send_payout``), which
    confirms it (withdrawing → paid out)."""
    now = now or timezone.now()
    reference = get_backend().check_reference(payout_reference)
    w = _move_withdrawal(withdrawal, [Withdrawal.Status.APPROVED], Withdrawal.Status.PAYING)
    # One payout of his at a time, so the month's earlier payouts are final when this one counts.
    list(lock_accounts(distributor_id=w.distributor_id, kinds=[Kind.WITHDRAWING]))
    w.payout_reference, w.payout_key, w.payout_requested_at = reference, uuid.uuid4().hex, now
    w.withholding_rule = selectors.withholding_rule()
    w.withheld_fen = _withholding_fen(w, w.withholding_rule, now)
    w.save(
        update_fields=[
            "status",
            "payout_reference",
            "payout_key",
            "payout_requested_at",
            "withholding_rule",
            "withheld_fen",
        ]
    )
    audit.record(
        actor=actor,
        action="withdrawal.paid",
        obj=w,
        before={"status": Withdrawal.Status.APPROVED},
        after={
            "status": w.status,
            "amount_fen": w.amount_fen,
            "withheld_fen": w.withheld_fen,
            "payout_reference": reference,
        },
    )
    transaction.on_commit(lambda: send_payout_task.enqueue(withdrawal_id=w.pk))
    return w


# Tax withheld from payouts (tax.py) -------------------------------------------------------------

PAID_OUT = (Withdrawal.Status.PAYING, Withdrawal.Status.PAYOUT_FAILED, Withdrawal.Status.PAID)


def _withholding_fen(w: Withdrawal, rule: WithholdingRule | None, now: datetime) -> int:
    """Tax withheld from this payout under ``rule``. Only an individual's commission is labour
    income; a registered market entity invoices the brand and pays its own taxes."""
    kind = rule.kind if rule else WithholdingRule.Kind.NONE
    business_kind = Distributor.objects.values_list("business_kind", flat=True).get(
        pk=w.distributor_id
    )
    if kind == WithholdingRule.Kind.NONE or business_kind != BusinessKind.SMALL_TRADE:
        return 0
    if kind == WithholdingRule.Kind.FLAT:
        return tax.flat_withholding_fen(w.amount_fen, rule.rate_bp)
    tz = timezone.get_default_timezone()
    month = datetime.combine(timezone.localtime(now, tz).date().replace(day=1), time.min, tz)
    earlier = (
        Withdrawal.objects.filter(
            distributor_id=w.distributor_id,
            status__in=PAID_OUT,
            payout_requested_at__gte=month,
            payout_requested_at__lt=(month + timedelta(days=32)).replace(day=1),
        )
        .exclude(pk=w.pk)
        .aggregate(gross=Sum("amount_fen"), withheld=Sum("withheld_fen"))
    )
    return tax.labour_withholding_increment_fen(
        gross_fen=w.amount_fen,
        month_gross_before_fen=earlier["gross"] or 0,
        month_withheld_before_fen=earlier["withheld"] or 0,
    )


def withholding_preview(*, withdrawal: Withdrawal, now: datetime | None = None) -> int:
    """The tax that paying this withdrawal now would withhold, for finance to transfer the rest;
    ``mark_withdrawal_paid`` works it out again under its lock."""
    return _withholding_fen(withdrawal, selectors.withholding_rule(), now or timezone.now())


@transaction.atomic
def set_withholding_rule(
    *, actor, kind: str, rate_bp: int = 0, now: datetime | None = None
) -> WithholdingRule:
    """The brand's rule for income tax withheld from payouts to individuals, from the next payout
    on; earlier payouts keep the rule they were paid under."""
    if kind not in WithholdingRule.Kind.values:
        raise CommissionError(_("Choose one of the withholding rules."), code="bad_rule")
    if kind == WithholdingRule.Kind.FLAT:
        if type(rate_bp) is not int or not 0 < rate_bp <= tax.FULL_BP:
            raise CommissionError(
                _("A flat withholding rate is more than 0 % and at most 100 %."), code="bad_rate"
            )
    else:
        rate_bp = 0
    before = selectors.withholding_rule()
    rule = WithholdingRule.objects.create(
        kind=kind, rate_bp=rate_bp, created_by=actor, created_at=now or timezone.now()
    )
    audit.record(
        actor=actor,
        action="withholding_rule.set",
        obj=rule,
        before=before and {"kind": before.kind, "rate_bp": before.rate_bp},
        after={"kind": rule.kind, "rate_bp": rule.rate_bp},
    )
    return rule
