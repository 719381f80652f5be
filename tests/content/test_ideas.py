"""The creative group's services: an idea is submitted once per form, its pictures checked; the
brand accepts it (points in the author's history, perhaps a draft theme credited to him) or
rejects it with a reason; a reviewed idea is never reviewed again; every review is audited."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import png_upload
from weishang.commissions.models import Account
from weishang.compliance.models import AuditEntry
from weishang.content import ideas
from weishang.content.errors import ContentError
from weishang.content.models import Submission, SubmissionImage, Theme, ThemeImage
from weishang.loyalty import selectors
from weishang.loyalty.models import PointsLot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def submit(author, *, key=None, title="枣夹核桃", text="红枣夹核桃，下午茶。", pictures=()):
    return ideas.submit_idea(
        author=author,
        request_key=key or uuid.uuid4().hex,
        title=title,
        text=text,
        pictures=pictures,
    )


def test_an_idea_is_waiting_with_its_pictures_stored_under_new_names(customer):
    idea = submit(customer, pictures=[png_upload("my holiday.png"), png_upload()])
    assert idea.status == Submission.Status.PENDING and idea.author == customer
    names = [picture.image.name for picture in idea.images.all()]
    assert len(names) == 2 and all(name.startswith("content/ideas/") for name in names)
    assert not any("holiday" in name for name in names)
    assert all(picture.image.storage.exists(picture.image.name) for picture in idea.images.all())


def test_the_same_form_sent_twice_makes_one_idea(customer):
    key = uuid.uuid4().hex
    first = submit(customer, key=key, pictures=[png_upload()])
    again = submit(customer, key=key, pictures=[png_upload()])
    assert again.pk == first.pk
    assert Submission.objects.count() == 1 and SubmissionImage.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "Give your idea a title."),
        ({"title": "枣" * 61}, "A title can be at most 60 characters."),
        ({"text": ""}, "Describe your idea."),
        ({"text": "枣" * 1001}, "An idea can be at most 1000 characters."),
        ({"pictures": [png_upload() for _ in range(7)]}, "You can add at most 6 pictures."),
        (
            {"pictures": [SimpleUploadedFile("a.png", b"<svg onload=alert(1)>")]},
            "Upload a JPEG, PNG or WebP picture.",
        ),
        (
            {"pictures": [SimpleUploadedFile("big.png", b"x" * (5 * 1024 * 1024 + 1))]},
            "A picture can be at most 5 MB.",
        ),
    ],
)
def test_a_bad_idea_is_refused_with_a_message_and_nothing_is_stored(customer, fields, message):
    with pytest.raises(ContentError) as refused:
        submit(customer, **fields)
    assert refused.value.message == message
    assert not Submission.objects.exists() and not SubmissionImage.objects.exists()


def test_an_author_submits_at_most_ten_ideas_a_day(customer, make_customer):
    for _ in range(ideas.IDEAS_PER_AUTHOR.hits):
        submit(customer)
    with pytest.raises(ContentError, match="you can submit more in 24 hours"):
        submit(customer)
    assert Submission.objects.filter(author=customer).count() == 10
    assert submit(make_customer()).status == Submission.Status.PENDING  # others still can


def test_accepting_grants_the_points_once_with_the_ideas_title_and_audits(customer, staff):
    idea = submit(customer)
    now = timezone.now()
    accepted = ideas.accept_idea(actor=staff, submission_id=idea.pk, points=300, now=now)
    assert accepted.status == Submission.Status.ACCEPTED and accepted.points == 300
    assert (accepted.reviewed_by, accepted.reviewed_at, accepted.theme) == (staff, now, None)
    lot = PointsLot.objects.get(customer=customer)
    assert (lot.points, lot.key, lot.reason) == (300, f"idea:{idea.pk}", "Idea accepted: 枣夹核桃")
    history = selectors.describe(selectors.history(customer.pk, Account.Kind.CUSTOMER_POINTS))
    assert [(row.change, row.reason) for row in history] == [
        (300, "Reward: Idea accepted: 枣夹核桃")
    ]
    entry = AuditEntry.objects.get(action="idea.accept")
    assert entry.actor == staff and entry.object_id == str(idea.pk)
    assert entry.after == {"status": "accepted", "points": 300, "theme": None}


def test_accepting_with_no_points_grants_none(customer, staff):
    idea = submit(customer)
    ideas.accept_idea(actor=staff, submission_id=idea.pk, points=0)
    assert not PointsLot.objects.exists()
    assert Submission.objects.get().status == Submission.Status.ACCEPTED


@pytest.mark.parametrize("points", [-1, 100_001, True, "100"])
def test_points_out_of_range_are_refused_and_nothing_changes(customer, staff, points):
    idea = submit(customer)
    with pytest.raises(ContentError, match="Award from 0 to 100,000 points."):
        ideas.accept_idea(actor=staff, submission_id=idea.pk, points=points)
    assert Submission.objects.get().status == Submission.Status.PENDING
    assert not PointsLot.objects.exists() and not AuditEntry.objects.exists()


def test_an_accepted_idea_becomes_a_draft_theme_credited_to_the_author(customer, staff):
    idea = submit(customer, pictures=[png_upload(), png_upload()])
    accepted = ideas.accept_idea(actor=staff, submission_id=idea.pk, points=100, make_theme=True)
    theme = Theme.objects.get()
    assert accepted.theme == theme
    assert (theme.title, theme.copy, theme.status, theme.credited_to) == (
        "枣夹核桃",
        "红枣夹核桃，下午茶。",
        Theme.Status.DRAFT,
        customer,
    )
    copies = list(ThemeImage.objects.filter(theme=theme))
    originals = list(idea.images.all())
    assert [c.position for c in copies] == [o.position for o in originals] == [0, 1]
    for copy, original in zip(copies, originals, strict=True):
        assert copy.image.name.startswith("content/themes/")
        with copy.image.open("rb") as a, original.image.open("rb") as b:
            assert a.read() == b.read()
    assert AuditEntry.objects.get().after["theme"] == theme.pk


def test_rejecting_needs_a_reason_the_author_reads_and_is_audited(customer, staff):
    idea = submit(customer)
    with pytest.raises(ContentError, match="Say why the idea is not accepted"):
        ideas.reject_idea(actor=staff, submission_id=idea.pk, reason="   ")
    assert not AuditEntry.objects.exists()
    rejected = ideas.reject_idea(actor=staff, submission_id=idea.pk, reason="与品牌调性不符")
    assert (rejected.status, rejected.reason, rejected.reviewed_by) == (
        Submission.Status.REJECTED,
        "与品牌调性不符",
        staff,
    )
    entry = AuditEntry.objects.get(action="idea.reject")
    assert entry.reason == "与品牌调性不符" and entry.actor == staff
    assert not PointsLot.objects.exists()


@pytest.mark.parametrize("first", ["accept", "reject"])
def test_a_reviewed_idea_cannot_be_reviewed_again(customer, staff, first):
    idea = submit(customer)
    if first == "accept":
        ideas.accept_idea(actor=staff, submission_id=idea.pk, points=100)
    else:
        ideas.reject_idea(actor=staff, submission_id=idea.pk, reason="重复")
    for again in (
        lambda: ideas.accept_idea(actor=staff, submission_id=idea.pk, points=500),
        lambda: ideas.reject_idea(actor=staff, submission_id=idea.pk, reason="改主意"),
    ):
        with pytest.raises(ContentError, match="already reviewed"):
            again()
    assert AuditEntry.objects.count() == 1
    assert sum(PointsLot.objects.values_list("points", flat=True)) == (
        100 if first == "accept" else 0
    )


def test_reviewing_an_idea_that_does_not_exist_is_refused(staff):
    with pytest.raises(ContentError, match="There is no such idea."):
        ideas.accept_idea(actor=staff, submission_id=999_999, points=100)


def test_the_queue_shows_waiting_ideas_first_longest_waiting_at_the_top(make_customer, staff):
    now = timezone.now()
    made = {}
    for name, hours_ago in (("old", 5), ("new", 1), ("reviewed", 9), ("middle", 3)):
        made[name] = ideas.submit_idea(
            author=make_customer(),
            request_key=uuid.uuid4().hex,
            title=name,
            text="想法",
            now=now - timedelta(hours=hours_ago),
        )
    ideas.reject_idea(actor=staff, submission_id=made["reviewed"].pk, reason="不合适")
    assert [idea.title for idea in ideas.review_queue()] == ["old", "middle", "new", "reviewed"]
    assert [idea.title for idea in ideas.review_queue(status="rejected")] == ["reviewed"]


@pytest.mark.postgres
def test_two_staff_reviewing_at_once_make_one_review(postgres_only, customer, staff):
    idea = submit(customer)

    def review(i):
        if i % 2:
            return ideas.reject_idea(actor=staff, submission_id=idea.pk, reason="不合适")
        return ideas.accept_idea(actor=staff, submission_id=idea.pk, points=100)

    results = run_in_parallel(review, 4)
    done = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if isinstance(r, ContentError)]
    assert len(done) == 1 and len(refused) == 3, results
    assert AuditEntry.objects.filter(action__startswith="idea.").count() == 1
    assert PointsLot.objects.count() == (1 if done[0].status == "accepted" else 0)


@pytest.mark.postgres
def test_the_same_form_sent_four_times_at_once_makes_one_idea(postgres_only, customer):
    key = uuid.uuid4().hex
    results = run_in_parallel(lambda i: submit(customer, key=key), 4)
    assert all(isinstance(r, Submission) for r in results), results
    assert len({r.pk for r in results}) == 1 and Submission.objects.count() == 1
