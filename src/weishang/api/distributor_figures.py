"""The distributor's figures and daily work over JSON: his console's home, his analytics, monthly
statements, level, posting planner and care list. Only his own rows: the distributor comes from
the token. Each endpoint calls what the distributor console's pages call
(``console.distributor_views``, ``console.distributor_planner``, ``console.distributor_care``)."""

from datetime import date
from typing import Annotated, Literal

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from weishang.analytics import health, rankings
from weishang.analytics import selectors as analytics_selectors
from weishang.analytics.fold import folded
from weishang.analytics.forms import PeriodForm
from weishang.analytics.periods import PRESETS, Period
from weishang.commissions import selectors as commission_selectors
from weishang.console import statements as statement_files
from weishang.console.analytics_views import factor_rows
from weishang.content import care, courses, planner
from weishang.distribution import selectors as distribution_selectors
from weishang.inputs import DateField

from . import auth
from .distributor import LedgerEventOut
from .distributor_content import CourseOut, course_row
from .errors import ERRORS, ApiError, not_found
from .schemas import Id, PathKey

router = Router(tags=["distributor"], auth=auth.DistributorAuth())


# His dashboard -----------------------------------------------------------------------------------


class Activity(Schema):
    visits_today: int = Field(description="Openings of his links, QR codes and posters.")
    visits_month: int
    orders_today: int = Field(description="Paid orders attributed to him.")
    orders_month: int


class Money(Schema):
    pending: int
    held: int
    available: int
    withdrawing: int
    pending_today_fen: int = Field(description="Commission earned today, net of reversals.")
    pending_month_fen: int
    available_today_fen: int = Field(description="Commission settled today, net of clawbacks.")
    available_month_fen: int


class Dashboard(Schema):
    activity: Activity
    money: Money
    onboarding: list[CourseOut] = Field(description="His onboarding courses with his progress.")


@router.get("/dashboard", response={200: Dashboard, **ERRORS})
def dashboard(request):
    """His console's home: today's and this month's visits and orders, his commission and
    balances, and his onboarding courses."""
    distributor = request.distributor
    return {
        "activity": distribution_selectors.activity(distributor),
        "money": commission_selectors.dashboard(distributor),
        "onboarding": [
            course_row(course)
            for course in courses.courses_for(distributor)
            if course.is_onboarding
        ],
    }


# His figures -------------------------------------------------------------------------------------


class PeriodQuery(Schema):
    period: Literal[(*PRESETS, "custom")] | None = Field(
        None, description="A preset, or custom with first and last; this month when absent."
    )
    first: date | None = Field(None, description="The first day of a custom period.")
    last: date | None = Field(None, description="The last day of a custom period.")


class PeriodOut(Schema):
    first: date
    last: date


class Rank(Schema):
    place: int
    of: int = Field(description="How many distributors sold in the period.")


class FactorsOut(Schema):
    reached: int = Field(description="People his links reached and his buyers, each once.")
    buyers: int
    orders: int
    gmv_fen: int = Field(description="What his orders paid less every refund.")
    conversion: float | None = Field(description="Buyers per person reached (0.25 = 25 %).")
    frequency: float | None = Field(description="Orders per buyer.")
    aov_fen: int | None = Field(description="GMV per order, rounded to the fen.")


class FactorRow(Schema):
    key: str
    label: str
    now: str
    before: str
    change: str = Field(description="The change on the period before, as the page shows it.")


class HealthOut(Schema):
    sales_fen: int
    orders: int
    buyers: int
    frequency: int = Field(description="Orders per buyer in hundredths (150 = 1.5).")
    aov_fen: int
    sell_through_bp: int | None = Field(description="None: his links showed no product.")
    repurchase_bp: int | None = Field(description="None: he had no buyer.")
    last_sale: date | None
    days_since_sale: int | None


class ProductFigure(Schema):
    rank: int
    product_id: int
    name: str
    units: int
    sales_fen: int
    refunded_fen: int
    refund_rate_bp: int


class Analytics(Schema):
    period: PeriodOut
    previous: PeriodOut = Field(description="The period compared with.")
    rank: Rank | None = Field(description="His place by sales; None when he sold nothing.")
    factors: FactorsOut
    previous_factors: FactorsOut
    rows: list[FactorRow] = Field(description="The factors beside the period before, as shown.")
    health: HealthOut | None
    products: list[ProductFigure] = Field(description="His best sellers in the period.")


def chosen_period(query: PeriodQuery) -> Period:
    """The period asked for, checked by the analytics pages' own form; a bad one is refused."""
    data = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in query.dict().items()
        if value is not None
    }
    form = PeriodForm(data or None)
    if form.is_bound and not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(
            errors[0],
            code="invalid_period",
            status=422,
            field=None if field == "__all__" else field,
        )
    return form.chosen("this_month")


def _factors(factors) -> dict:
    return {
        "reached": factors.reached,
        "buyers": factors.buyers,
        "orders": factors.orders,
        "gmv_fen": factors.gmv_fen,
        "conversion": None if factors.conversion is None else float(factors.conversion),
        "frequency": None if factors.frequency is None else float(factors.frequency),
        "aov_fen": None if factors.aov_fen is None else round(factors.aov_fen),
    }


@router.get("/analytics", response={200: Analytics, **ERRORS})
@folded
def analytics(request, query: Annotated[PeriodQuery, Query()]):
    """His own figures for a period, as his analytics page shows them: his rank by sales, his
    GMV factors beside the period before, his health and his best sellers."""
    period = chosen_period(query)
    distributor_id = request.distributor.pk
    mine = analytics_selectors.distributor_slice(distributor_id)
    now = analytics_selectors.factors(period, mine)
    before = analytics_selectors.factors(period.previous(), mine)
    rank = rankings.rank_of(period, distributor_id)
    figures = health.health_of(period, distributor_id)
    return {
        "period": {"first": period.first, "last": period.last},
        "previous": {"first": period.previous().first, "last": period.previous().last},
        "rank": None if rank is None else {"place": rank[0], "of": rank[1]},
        "factors": _factors(now),
        "previous_factors": _factors(before),
        "rows": [
            {
                "key": row["key"],
                "label": str(row["label"]),
                "now": row["now"],
                "before": row["before"],
                "change": row["change"]["text"],
            }
            for row in factor_rows(now, before)
        ],
        "health": None if figures is None else vars(figures),
        "products": [vars(row) for row in rankings.top_products_of(period, distributor_id)],
    }


# Monthly statements ------------------------------------------------------------------------------

Month = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}$", min_length=7, max_length=7)
]


class StatementMonth(Schema):
    month: str = Field(description="YYYY-MM")
    first_day: date


class StatementOut(Schema):
    month: str
    store_name: str
    earned_fen: int
    reversed_fen: int
    withheld_fen: int
    paid_fen: int
    events: list[LedgerEventOut] = Field(description="Every event of the month, oldest first.")


@router.get("/statements", response={200: list[StatementMonth], **ERRORS})
def statements(request):
    """The months he may read a statement of, newest first."""
    return [
        {"month": f"{month:%Y-%m}", "first_day": month}
        for month in commission_selectors.statement_months(timezone.localdate())
    ]


def _statement(request, month: str):
    """His statement of one of the months offered; another month is not found."""
    try:
        first = date(int(month[:4]), int(month[5:]), 1)
    except ValueError as exc:
        raise not_found() from exc
    if first not in commission_selectors.statement_months(timezone.localdate()):
        raise not_found()
    return commission_selectors.monthly_statement(request.distributor, first)


@router.get("/statements/{month}", response={200: StatementOut, **ERRORS})
def statement(request, month: Month):
    """One month of his commission: earned, reversed, tax withheld and paid, with each event."""
    found = _statement(request, month)
    return {
        "month": f"{found.month:%Y-%m}",
        "store_name": found.distributor.store_name,
        "earned_fen": found.earned_fen,
        "reversed_fen": found.reversed_fen,
        "withheld_fen": found.withheld_fen,
        "paid_fen": found.paid_fen,
        "events": [
            {
                name: str(value) if name in {"event", "state"} else value
                for name, value in vars(event).items()
            }
            for event in found.events
        ],
    }


def _download(request, month: str, extension: str) -> HttpResponse:
    found = _statement(request, month)
    if extension == "pdf":
        body, content_type = statement_files.as_pdf(found), "application/pdf"
    else:
        body, content_type = statement_files.as_csv(found), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{found.month:%Y-%m}.{extension}"'
    )
    return response


@router.get(
    "/statements/{month}/csv",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {200: {"description": "The statement as CSV", "content": {"text/csv": {}}}}
    },
)
def statement_csv(request, month: Month):
    """The month's statement as the page's CSV file (UTF-8 with a byte-order mark)."""
    return _download(request, month, "csv")


@router.get(
    "/statements/{month}/pdf",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {"description": "The statement as PDF", "content": {"application/pdf": {}}}
        }
    },
)
def statement_pdf(request, month: Month):
    """The month's statement as the page's PDF file."""
    return _download(request, month, "pdf")


# His level ---------------------------------------------------------------------------------------


class LevelOut(Schema):
    name: str
    threshold_fen: int
    extra_rate_bp: int


class LevelProgressOut(Schema):
    own_sales_fen: int = Field(description="His own completed sales, less refunds and freight.")
    level: LevelOut | None = Field(description="His level; None when he has none yet.")
    next_level: LevelOut | None = Field(description="The next level; None at the top.")
    to_next_fen: int


@router.get("/earnings/level", response={200: LevelProgressOut | None, **ERRORS})
def earnings_level(request):
    """His level under the plan in force, as his earnings page shows it; null when the plan has
    no levels."""
    progress = commission_selectors.level_progress(request.distributor)
    if progress is None:
        return None
    return {
        "own_sales_fen": progress.own_sales_fen,
        "level": vars(progress.level) if progress.level else None,
        "next_level": vars(progress.next_level) if progress.next_level else None,
        "to_next_fen": progress.to_next_fen,
    }


# The posting planner -----------------------------------------------------------------------------


class DayQuery(Schema):
    day: date | None = Field(None, description="The day to show; today when absent.")


class Rule(Schema):
    min_per_day: int
    max_per_day: int
    product_share_max_bp: int = Field(
        description="At most this share of a day's posts are about products (5000 = half)."
    )


class Problem(Schema):
    code: str
    message: str
    breaks_rule: bool = Field(description="False for a note (too few posts), which stops nothing.")


class PlannedPostOut(Schema):
    key: str
    title: str
    excerpt: str
    about_products: bool
    movable: bool = Field(description="Planned from today on: he may still move it.")


class DayPlanOut(Schema):
    day: date
    today: date
    plannable: bool = Field(description="Posts may be planned on this day (today to 90 days on).")
    rule: Rule
    problems: list[Problem] = Field(description="The day's check against the brand's rule.")
    posts: list[PlannedPostOut]


class MoveIn(Schema):
    day: date
    confirm: bool = Field(
        False, description="Move even though the day would break the brand's posting rule."
    )


def _checked_day(day: date | None, today: date) -> date:
    """A day the planner can show, checked as the page's day field checks it."""
    if day is None:
        return today
    try:
        return DateField().clean(day.isoformat())
    except forms.ValidationError as exc:
        raise ApiError(
            " ".join(exc.messages),
            code="invalid_input",
            status=422,
            field="day",
        ) from exc


@router.get("/planner", response={200: DayPlanOut, **ERRORS})
def planner_day(request, query: Annotated[DayQuery, Query()]):
    """His posts planned for a day with the day's check against the brand's posting cadence."""
    today = timezone.localdate()
    plan = planner.day_plan(request.distributor, _checked_day(query.day, today), today)
    return {
        "day": plan.day,
        "today": today,
        "plannable": plan.plannable,
        "rule": vars(plan.rule),
        "problems": [
            {"code": problem.code, "message": problem.message, "breaks_rule": problem.breaks_rule}
            for problem in plan.problems
        ],
        "posts": [vars(post) for post in plan.posts],
    }


@router.put("/planner/posts/{key}", response={200: PlannedPostOut, **ERRORS})
def move_post(request, key: PathKey, payload: MoveIn):
    """Moves one of his posts planned from today on to another day from today on. A move that
    would break the brand's posting rule saves nothing and is refused with code ``cadence``
    and the problems as its message; the same move with ``confirm`` saves it anyway."""
    today = timezone.localdate()
    post = planner.move_post(
        distributor=request.distributor,
        key=key,
        day=payload.day,
        today=today,
        confirm=payload.confirm,
    )
    moved = planner.day_plan(request.distributor, post.planned_on, today)
    return next(vars(row) for row in moved.posts if row.key == post.key)


# The care list -----------------------------------------------------------------------------------


class CareTaskOut(Schema):
    id: int
    name: str = Field(description="The customer's name, masked.")
    mobile: str = Field(description="The customer's mobile, masked.")
    reason: str
    reason_label: str
    product: str = Field(description="The product coming due, if any.")
    message: str = Field(description="A suggested message to copy.")
    done: bool


@router.get("/care", response={200: list[CareTaskOut], **ERRORS})
def care_list(request):
    """Today's customers to greet, masked, with why, the product due and a message to copy."""
    now = timezone.now()
    tasks = care.todays_care_list(request.distributor, today=timezone.localdate(now), now=now)
    return [care.masked_row(task) for task in tasks]


@router.post("/care/{task_id}/done", response={204: None, **ERRORS})
def care_done(request, task_id: Id):
    """Marks one of his customers greeted; marking again changes nothing."""
    care.mark_done(distributor=request.distributor, task_id=task_id, now=timezone.now())
    return Status(204, None)
