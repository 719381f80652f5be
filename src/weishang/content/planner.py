"""The posting assistant (不刷屏): a distributor plans his own posts on days, moves and deletes
them, and is warned before a plan breaks the brand's posting cadence; the brand sees who broke it.

An add or a move that would newly break the rule saves nothing and raises ``CadenceWarning``
with the problems; the same call with ``confirm=True`` saves it anyway."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weishang.distribution.locks import distributors_for_update
from weishang.distribution.models import Distributor

from . import cadence
from .errors import ContentError
from .models import ContentSettings, Post
from .posts import new_post_key

TEXT_MAX = 2000
PLAN_AHEAD_DAYS = 90


class CadenceWarning(ContentError):
    """The act would break the brand's posting cadence; nothing was saved."""

    code = "cadence"

    def __init__(self, problems: list[cadence.Problem]):
        super().__init__(" ".join(problem.message for problem in problems))
        self.problems = problems


def current_rule() -> cadence.CadenceRule:
    return cadence.rule_of(ContentSettings.current())


def posts_on(distributor: Distributor, day: date) -> QuerySet[Post]:
    return (
        Post.objects.filter(distributor=distributor, planned_on=day)
        .select_related("theme")
        .order_by("created_at", "pk")
    )


EXCERPT = 120


@dataclass(frozen=True)
class PlannedPost:
    key: str
    title: str
    excerpt: str
    about_products: bool
    movable: bool  # planned from today on: he may still move it


@dataclass(frozen=True)
class DayPlan:
    """What the planner shows for a day: his posts, the day's check against the brand's rule,
    and whether posts may be planned on it."""

    day: date
    rule: cadence.CadenceRule
    posts: list[PlannedPost]
    problems: list[cadence.Problem]
    plannable: bool


def is_plannable(day: date, today: date) -> bool:
    return today <= day <= today + timedelta(days=PLAN_AHEAD_DAYS)


def day_plan(distributor: Distributor, day: date, today: date) -> DayPlan:
    """His posts planned for ``day``, oldest first, with the day's check; two queries."""
    rule = current_rule()
    posts = list(posts_on(distributor, day))
    return DayPlan(
        day=day,
        rule=rule,
        posts=[
            PlannedPost(
                key=post.key,
                title=post.theme.title if post.theme_id else _("Own post"),
                excerpt=post.text if len(post.text) <= EXCERPT else post.text[:EXCERPT] + "…",
                about_products=post.about_products,
                movable=post.planned_on >= today,
            )
            for post in posts
        ],
        problems=cadence.check_day(rule, [post.about_products for post in posts]),
        plannable=is_plannable(day, today),
    )


def _plannable(day: date, today: date) -> None:
    if not is_plannable(day, today):
        raise ContentError(
            _("Plan posts from today up to %(days)d days ahead.") % {"days": PLAN_AHEAD_DAYS}
        )


def _warn_if_breaking(distributor, day, *, about_product: bool, confirm: bool) -> None:
    if confirm:
        return
    flags = list(
        Post.objects.filter(distributor=distributor, planned_on=day).values_list(
            "about_products", flat=True
        )
    )
    problems = cadence.if_added(current_rule(), flags, about_product=about_product)
    if problems:
        raise CadenceWarning(problems)


@transaction.atomic
def plan_own_post(
    *,
    distributor: Distributor,
    text: str,
    about_products: bool,
    day: date,
    now: datetime,
    today: date,
    confirm: bool = False,
) -> Post:
    """A post he wrote himself, planned for ``day``."""
    text = (text or "").strip()
    if not text:
        raise ContentError(_("Write the post's text."))
    if len(text) > TEXT_MAX:
        raise ContentError(_("A post is at most %(max)d characters.") % {"max": TEXT_MAX})
    _plannable(day, today)
    list(distributors_for_update([distributor.pk]))
    _warn_if_breaking(distributor, day, about_product=bool(about_products), confirm=confirm)
    return Post.objects.create(
        distributor=distributor,
        key=new_post_key(),
        text=text,
        about_products=bool(about_products),
        planned_on=day,
        created_at=now,
    )


def _his_post(distributor: Distributor, key: str) -> Post:
    post = Post.objects.filter(distributor=distributor, key=str(key)).first()
    if post is None:
        raise ContentError(_("That post is not in your plan."))
    return post


@transaction.atomic
def move_post(
    *, distributor: Distributor, key: str, day: date, today: date, confirm: bool = False
) -> Post:
    """Moves one of his posts planned from today on to another day from today on."""
    list(distributors_for_update([distributor.pk]))
    post = _his_post(distributor, key)
    if post.planned_on < today:
        raise ContentError(_("A post from an earlier day stays where it is."))
    _plannable(day, today)
    if day == post.planned_on:
        return post
    _warn_if_breaking(distributor, day, about_product=post.about_products, confirm=confirm)
    post.planned_on = day
    post.save(update_fields=["planned_on"])
    return post


@transaction.atomic
def delete_post(*, distributor: Distributor, key: str) -> None:
    """Deletes one of his posts, unless an order came through its link (kept on record)."""
    post = _his_post(distributor, key)
    if post.orders.exists():
        raise ContentError(_("An order came through this post's link, so it stays on record."))
    post.delete()


# The brand's view ---------------------------------------------------------------------------------

SORTS = ("days_over_max", "days_over_share", "most_in_a_day", "last_day")


@dataclass(frozen=True)
class Breaker:
    distributor_id: int
    store_name: str
    days_over_max: int
    days_over_share: int
    most_in_a_day: int
    last_day: date


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def cadence_breakers(
    *, rule: cadence.CadenceRule, since: date, until: date, sort: str = SORTS[0]
) -> list[Breaker]:
    """Distributors whose planned days from ``since`` to ``until`` broke the rule, in one query:
    posts counted per distributor and day, those days counted per distributor (the ORM cannot
    group a grouped query, hence the SQL; the rule is ``cadence.breaks_*`` written in SQL)."""
    order = sort if sort in SORTS else SORTS[0]
    over_max = "per_day.total > %(max)s"
    over_share = (
        "per_day.products * 10000 > %(share)s * "
        "(CASE WHEN per_day.total < %(min)s THEN %(min)s ELSE per_day.total END)"
    )
    sql = f"""
        SELECT d.id, d.store_name,
            SUM(CASE WHEN {over_max} THEN 1 ELSE 0 END) AS days_over_max,
            SUM(CASE WHEN {over_share} THEN 1 ELSE 0 END) AS days_over_share,
            MAX(per_day.total) AS most_in_a_day,
            MAX(CASE WHEN {over_max} OR {over_share} THEN per_day.planned_on END) AS last_day
        FROM (
            SELECT distributor_id, planned_on, COUNT(*) AS total,
                SUM(CASE WHEN about_products THEN 1 ELSE 0 END) AS products
            FROM {Post._meta.db_table}
            WHERE planned_on >= %(since)s AND planned_on <= %(until)s
            GROUP BY distributor_id, planned_on
        ) per_day
        JOIN {Distributor._meta.db_table} d ON d.id = per_day.distributor_id
        GROUP BY d.id, d.store_name
        HAVING SUM(CASE WHEN {over_max} OR {over_share} THEN 1 ELSE 0 END) > 0
        ORDER BY {order} DESC, d.id
    """
    params = {
        "max": rule.max_per_day,
        "min": rule.min_per_day,
        "share": rule.product_share_max_bp,
        "since": since,
        "until": until,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Breaker(
            distributor_id=row[0],
            store_name=row[1],
            days_over_max=int(row[2]),
            days_over_share=int(row[3]),
            most_in_a_day=int(row[4]),
            last_day=_day(row[5]),
        )
        for row in rows
    ]
