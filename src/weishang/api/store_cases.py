"""What a customer raises with the brand over JSON (the mini-program's): complaints on his orders
with their thread, quality claims on a delivered order, and his ideas for the creative group.
Photos and pictures come as multipart/form-data, the other fields as form fields beside them.
Each endpoint calls the service or selector the store's page calls (``storefront.complaints``,
``storefront.views`` file_claim/send_claim_goods, ``storefront.ideas``)."""

from datetime import datetime

from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import Field

from weishang.compliance import complaints as complaint_services
from weishang.compliance import selectors as compliance
from weishang.compliance.models import Complaint, ComplaintCategory
from weishang.content import ideas
from weishang.orders import claims
from weishang.orders.models import ClaimRemedy
from weishang.storefront.forms import ClaimGoodsSentForm

from . import store
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["store"])

Photos = File[list[UploadedFile]]


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


# Complaints --------------------------------------------------------------------------------------


class ComplaintSummary(Schema):
    number: str
    order: str = Field(description="The order's number.")
    category: str
    category_label: str
    status: str
    status_label: str
    filed_at: datetime
    due_at: datetime = Field(description="When the brand's first answer is due.")


class ComplaintMessageOut(Schema):
    from_customer: bool
    text: str
    at: datetime


class ComplaintDetail(ComplaintSummary):
    text: str
    outcome: str
    resolved_at: datetime | None
    photos: list[int] = Field(
        description="The ids of the photos he attached, for /complaints/{number}/photos/{id}."
    )
    can_reply: bool
    messages: list[ComplaintMessageOut]


class ComplaintPage(Schema):
    items: list[ComplaintSummary]
    next_cursor: str | None


class NewComplaint(Schema):
    order: PathKey = Field(description="The number of his order it is about.")
    category: Text(16, min_length=1) = Field(
        description="What it is about: " + ", ".join(ComplaintCategory.values) + "."
    )
    text: Text(complaint_services.TEXT_MAX)


class Reply(Schema):
    text: Text(complaint_services.TEXT_MAX)


def _complaint_summary(complaint: Complaint) -> dict:
    return {
        "number": complaint.number,
        "order": complaint.order.number,
        "category": complaint.category,
        "category_label": str(complaint.get_category_display()),
        "status": complaint.status,
        "status_label": str(complaint.get_status_display()),
        "filed_at": complaint.filed_at,
        "due_at": complaint.due_at,
    }


def _complaint_detail(complaint: Complaint) -> dict:
    return {
        **_complaint_summary(complaint),
        "text": complaint.text,
        "outcome": complaint.outcome,
        "resolved_at": complaint.resolved_at,
        "photos": [photo.pk for photo in complaint.photos.all()],
        "can_reply": complaint.is_open,
        "messages": [
            {"from_customer": message.from_customer, "text": message.text, "at": message.at}
            for message in complaint.messages.all()
        ],
    }


def _own_complaint(request, number: str) -> Complaint:
    try:
        return compliance.complaint_for_customer(request.customer, number)
    except Complaint.DoesNotExist as exc:
        raise not_found() from exc


@router.get("/complaints", response={200: ComplaintPage, **ERRORS})
def complaint_list(request, params: PageParams):
    return page(
        compliance.complaints_for_customer(request.customer),
        params,
        ordering=("-filed_at", "-pk"),
        row=_complaint_summary,
    )


@router.post("/complaints", response={201: ComplaintDetail, **ERRORS})
def file_complaint(request, payload: Form[NewComplaint], photos: Photos = None):
    """Files a complaint on one of his orders (multipart/form-data, up to 5 photos); the brand
    answers by ``due_at``."""
    order = store._own_order(request, payload.order)
    complaint = complaint_services.file_complaint(
        customer=request.customer,
        order=order,
        category=payload.category,
        text=payload.text,
        photos=photos or (),
    )
    return Status(201, _complaint_detail(_own_complaint(request, complaint.number)))


@router.get("/complaints/{number}", response={200: ComplaintDetail, **ERRORS})
def complaint_detail(request, number: PathKey):
    return _complaint_detail(_own_complaint(request, number))


@router.post("/complaints/{number}/messages", response={201: ComplaintDetail, **ERRORS})
def reply(request, number: PathKey, payload: Reply):
    """Adds his message to the thread of an open complaint."""
    complaint_services.customer_reply(
        complaint=_own_complaint(request, number), customer=request.customer, text=payload.text
    )
    return Status(201, _complaint_detail(_own_complaint(request, number)))


@router.get(
    "/complaints/{number}/photos/{photo_id}",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo, private and uncached.",
                "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def complaint_photo(request, number: PathKey, photo_id: Id):
    """One of the photos he attached to his complaint."""
    return compliance.photo_response(_own_complaint(request, number), photo_id)


# Quality claims ----------------------------------------------------------------------------------


class ClaimOut(Schema):
    number: str
    product_name: str
    sku_name: str
    quantity: int
    remedy: str
    remedy_label: str
    decided_remedy: str
    decided_remedy_label: str
    status: str
    status_label: str
    description: str
    refund_fen: int
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str
    return_carrier: str = Field(description="How he sent the goods to the brand.")
    return_tracking_no: str
    returned_sent_at: datetime | None
    carrier: str = Field(description="How the brand shipped the goods back.")
    tracking_no: str
    shipped_at: datetime | None


class OrderClaims(Schema):
    can_claim: bool = Field(description="He may file a claim now.")
    claim_period_end: datetime | None
    claims: list[ClaimOut]


class NewClaim(Schema):
    order_line_id: Id
    quantity: int = Field(ge=1, le=99)
    remedy: Text(16, min_length=1) = Field(
        description="What he asks for: " + ", ".join(ClaimRemedy.values) + "."
    )
    description: Text(claims.DESCRIPTION_MAX, min_length=1)


class ClaimGoodsSent(Schema):
    carrier: Text(16, min_length=1) = Field(description="A carrier code, as the store lists them.")
    tracking_no: Text(40, min_length=1)


def _claim(claim) -> dict:
    line = claim.order_line
    return {
        "number": claim.number,
        "product_name": line.product_name if line else "",
        "sku_name": line.sku_name if line else "",
        "quantity": claim.quantity,
        "remedy": claim.remedy,
        "remedy_label": str(claim.get_remedy_display()),
        "decided_remedy": claim.decided_remedy,
        "decided_remedy_label": _label(ClaimRemedy.choices, claim.decided_remedy),
        "status": claim.status,
        "status_label": str(claim.get_status_display()),
        **{
            name: getattr(claim, name)
            for name in (
                "description",
                "refund_fen",
                "requested_at",
                "decided_at",
                "decision_reason",
                "return_carrier",
                "return_tracking_no",
                "returned_sent_at",
                "carrier",
                "tracking_no",
                "shipped_at",
            )
        },
    }


def _order_claims(order) -> dict:
    period_end = claims.claim_period_end(order)
    return {
        "can_claim": claims.claims_open(order, timezone.now(), period_end),
        "claim_period_end": period_end,
        "claims": [_claim(claim) for claim in order.claims.select_related("order_line")],
    }


@router.get("/orders/{number}/claims", response={200: OrderClaims, **ERRORS})
def order_claims(request, number: PathKey):
    """His quality claims on the order, and whether he may file one now."""
    return _order_claims(store._own_order(request, number))


@router.post("/orders/{number}/claims", response={201: OrderClaims, **ERRORS})
def file_claim(request, number: PathKey, payload: Form[NewClaim], photos: Photos = None):
    """A quality claim on some units of one line (multipart/form-data, 1 to 5 photos of the
    problem): a return and refund, an exchange or a repair, decided by customer service."""
    order = store._own_order(request, number)
    claims.file_claim(order=order, customer=request.customer, photos=photos or (), **payload.dict())
    return Status(201, _order_claims(store._own_order(request, number)))


@router.post("/orders/{number}/claims/{claim_number}/sent", response={200: OrderClaims, **ERRORS})
def send_claim_goods(request, number: PathKey, claim_number: PathKey, payload: ClaimGoodsSent):
    """How he sent the goods of an approved exchange or repair to the brand, checked as the
    store checks it; he may correct it until the brand ships back."""
    order = store._own_order(request, number)
    claim = order.claims.filter(number=claim_number).first()
    if claim is None:
        raise not_found()
    form = ClaimGoodsSentForm({**payload.dict(), "claim": claim_number})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(errors[0], code="invalid_input", status=422, field=field)
    claims.send_claim_goods(
        claim=claim,
        customer=request.customer,
        carrier=form.cleaned_data["carrier"],
        tracking_no=form.cleaned_data["tracking_no"],
    )
    return _order_claims(store._own_order(request, number))


# Ideas for the creative group --------------------------------------------------------------------


class IdeaOut(Schema):
    id: int
    title: str
    text: str
    status: str
    status_label: str
    reason: str = Field(description="Why the brand did not accept it.")
    points: int = Field(description="Points the brand awarded for it.")
    pictures: list[str]
    submitted_at: datetime
    reviewed_at: datetime | None


class IdeaPage(Schema):
    items: list[IdeaOut]
    next_cursor: str | None


class NewIdea(Schema):
    request_key: str = Field(
        pattern=r"^[0-9a-f]{32}$",
        description="32 hex digits the client makes per idea; the same key again is one idea.",
    )
    title: Text(ideas.TITLE_MAX)
    text: Text(ideas.TEXT_MAX) = ""


def _idea(submission) -> dict:
    return {
        "id": submission.pk,
        "title": submission.title,
        "text": submission.text,
        "status": submission.status,
        "status_label": str(submission.get_status_display()),
        "reason": submission.reason,
        "points": submission.points,
        "pictures": [image.image.url for image in submission.images.all()],
        "submitted_at": submission.submitted_at,
        "reviewed_at": submission.reviewed_at,
    }


@router.get("/ideas", response={200: IdeaPage, **ERRORS})
def my_ideas(request, params: PageParams):
    """His ideas, newest first, with what the brand made of each."""
    return page(
        ideas.ideas_of(request.customer), params, ordering=("-submitted_at", "-pk"), row=_idea
    )


@router.post("/ideas", response={201: IdeaOut, **ERRORS})
def submit_idea(request, payload: Form[NewIdea], pictures: Photos = None):
    """Submits an idea (multipart/form-data, up to 6 pictures) for the brand's review."""
    submission = ideas.submit_idea(
        author=request.customer, pictures=pictures or (), **payload.dict()
    )
    return Status(201, _idea(ideas.ideas_of(request.customer).get(pk=submission.pk)))
