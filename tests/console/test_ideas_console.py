"""The creative group in the brand console: the review queue (waiting ideas first, by status, a
fixed number of queries), an idea with its pictures and its author masked for roles that need
no personal data, accepting with points (perhaps as a draft theme) and rejecting with a reason;
a reviewed idea is refused a second review; markup in an idea stays inert."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import png_upload
from weishang.compliance.models import AuditEntry
from weishang.content import ideas
from weishang.content.models import Submission, Theme
from weishang.loyalty.models import PointsLot

from .conftest import messages_of
from .test_roles import member, signed_in

pytestmark = pytest.mark.django_db

QUEUE = "/console/ideas/"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def author(make_customer):
    customer = make_customer("13912345678")
    customer.nickname = "王小明"
    customer.save(update_fields=["nickname"])
    return customer


def submit(author, *, title="枣夹核桃", text="下午茶。", pictures=(), now=None):
    return ideas.submit_idea(
        author=author,
        request_key=uuid.uuid4().hex,
        title=title,
        text=text,
        pictures=pictures,
        now=now,
    )


def test_the_queue_is_in_the_content_menu_and_lists_waiting_ideas_first(
    console, author, staff, make_customer
):
    now = timezone.now()
    reviewed = submit(make_customer(), title="已看过", now=now - timedelta(days=2))
    ideas.reject_idea(actor=staff, submission_id=reviewed.pk, reason="不合适")
    submit(author, title="后来的", now=now - timedelta(hours=1))
    submit(author, title="先来的", now=now - timedelta(hours=5))
    dashboard = console.get("/console/").content.decode()
    assert f'href="{QUEUE}"' in dashboard and "Creative group" in dashboard
    html = console.get(QUEUE).content.decode()
    assert html.index("先来的") < html.index("后来的") and "已看过" not in html
    everything = console.get(QUEUE + "?status=all").content.decode()
    assert everything.index("后来的") < everything.index("已看过")
    rejected = console.get(QUEUE + "?status=rejected").content.decode()
    assert "已看过" in rejected and "先来的" not in rejected
    assert console.get(QUEUE + "?status=nonsense").status_code == 200


def test_the_queue_takes_a_fixed_number_of_queries(
    console, make_customer, django_assert_max_num_queries
):
    submit(make_customer())
    with django_assert_max_num_queries(6):
        console.get(QUEUE + "?status=all")
    for _ in range(6):
        submit(make_customer(), pictures=[png_upload()])
    with django_assert_max_num_queries(6):
        response = console.get(QUEUE + "?status=all")
    assert response.content.decode().count('data-testid="idea-row"') == 7


@pytest.mark.parametrize(("role", "full"), [("operator", True), ("finance", False)])
def test_the_idea_shows_its_pictures_and_the_author_masked_unless_the_role_needs_him(
    client, django_user_model, author, role, full
):
    idea = submit(author, pictures=[png_upload(), png_upload()])
    signed_in(client, member(django_user_model, role))
    for url in (QUEUE, f"{QUEUE}{idea.pk}/"):
        html = client.get(url).content.decode()
        assert ("13912345678" in html) is full and ("王小明" in html) is full
        if not full:
            assert "139****5678" in html and "王*" in html
    assert html.count('data-testid="idea-picture"') == 2
    for picture in idea.images.all():
        assert f'src="{picture.image.url}"' in html
        assert client.get(picture.image.url).status_code == 200
    assert ('data-testid="accept-form"' in html) is (role == "operator")


def test_staff_accept_with_the_default_points_and_make_a_draft_theme(console, author, staff):
    idea = submit(author, pictures=[png_upload()])
    form = console.get(f"{QUEUE}{idea.pk}/").content.decode()
    assert 'name="points" inputmode="numeric" value="100"' in form
    response = console.post(
        f"{QUEUE}{idea.pk}/accept/", {"points": "100", "make_theme": "on"}, follow=True
    )
    assert "The idea is accepted" in " ".join(messages_of(response))
    idea.refresh_from_db()
    theme = Theme.objects.get()
    assert (idea.status, idea.points, idea.theme, idea.reviewed_by) == (
        "accepted",
        100,
        theme,
        staff,
    )
    assert theme.status == "draft" and theme.credited_to == author and theme.images.count() == 1
    html = response.content.decode()
    assert "Made a draft official theme: “枣夹核桃”" in html
    assert PointsLot.objects.get(customer=author).points == 100
    assert AuditEntry.objects.filter(action="idea.accept", actor=staff).count() == 1


def test_staff_reject_with_a_reason_and_a_second_review_is_refused(console, author):
    idea = submit(author)
    response = console.post(f"{QUEUE}{idea.pk}/reject/", {"reason": ""}, follow=True)
    assert any("This field is required" in m for m in messages_of(response))
    assert Submission.objects.get().status == "pending"
    response = console.post(f"{QUEUE}{idea.pk}/reject/", {"reason": "图片太暗"}, follow=True)
    assert "the author sees your reason" in " ".join(messages_of(response))
    assert "图片太暗" in response.content.decode()
    response = console.post(f"{QUEUE}{idea.pk}/accept/", {"points": "100"}, follow=True)
    assert messages_of(response) == [
        "This idea was already reviewed (not accepted); it cannot be reviewed again."
    ]
    assert Submission.objects.get().status == "rejected" and not PointsLot.objects.exists()
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize("points", ["", "-1", "100001", "1.5", "１００", "²"])
def test_bad_points_are_a_message_and_nothing_changes(console, author, points):
    idea = submit(author)
    response = console.post(f"{QUEUE}{idea.pk}/accept/", {"points": points}, follow=True)
    assert response.status_code == 200
    assert any(m.startswith("Points for the author: ") for m in messages_of(response))
    assert Submission.objects.get().status == "pending" and not AuditEntry.objects.exists()


def test_an_idea_that_does_not_exist_is_not_found(console):
    assert console.get(f"{QUEUE}999999/").status_code == 404
    response = console.post(f"{QUEUE}999999/accept/", {"points": "100"}, follow=True)
    assert response.status_code == 404 and not AuditEntry.objects.exists()


def test_customer_service_reads_ideas_but_cannot_review_them(client, django_user_model, author):
    idea = submit(author)
    signed_in(client, member(django_user_model, "customer_service"))
    assert client.get(f"{QUEUE}{idea.pk}/").status_code == 200
    assert client.post(f"{QUEUE}{idea.pk}/accept/", {"points": "100"}).status_code == 403
    assert client.post(f"{QUEUE}{idea.pk}/reject/", {"reason": "不"}).status_code == 403
    assert Submission.objects.get().status == "pending"


def test_markup_in_an_idea_and_its_theme_is_inert_for_staff(console, author, staff):
    idea = submit(author, title=HOSTILE[:60], text=HOSTILE)
    for url in (QUEUE, f"{QUEUE}{idea.pk}/"):
        html = console.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)" in html
    ideas.accept_idea(actor=staff, submission_id=idea.pk, points=100, make_theme=True)
    assert Theme.objects.get().copy == HOSTILE
    html = console.get(f"{QUEUE}{idea.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
