"""The creative group in the store: a customer submits an idea with pictures from his ideas page
(linked from his account, and from the distributor console for distributors), sees each idea's
status, the brand's reason or points, and the theme it became; his points history names it."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import png_upload
from weishang.content import ideas
from weishang.content.models import Submission, SubmissionImage

pytestmark = pytest.mark.django_db

URL = "/account/ideas/"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def key_on(html: str) -> str:
    return re.search(r'name="request_key" value="([0-9a-f]{32})"', html).group(1)


def submit(author, title="枣夹核桃", text="下午茶的好搭档。"):
    return ideas.submit_idea(author=author, request_key=uuid.uuid4().hex, title=title, text=text)


def assert_inert(html: str) -> None:
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_customer_submits_an_idea_with_a_picture_and_sees_it_waiting(shopper, customer):
    account = shopper.get("/account/").content.decode()
    assert f'href="{URL}"' in account
    page = shopper.get(URL).content.decode()
    assert "Creative group" in page and 'enctype="multipart/form-data"' in page
    response = shopper.post(
        URL,
        {
            "request_key": key_on(page),
            "title": "枣夹核桃",
            "text": "红枣夹核桃，配一杯茶。",
            "pictures": [png_upload("tea.png")],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == URL
    html = response.content.decode()
    assert "Thank you! The brand will review your idea" in html
    assert "枣夹核桃" in html and "waiting for review" in html
    idea = Submission.objects.get(author=customer)
    assert f'src="{idea.images.get().image.url}"' in html


def test_sending_the_form_twice_makes_one_idea(shopper, customer):
    key = key_on(shopper.get(URL).content.decode())
    for _ in range(2):
        shopper.post(URL, {"request_key": key, "title": "一次", "text": "只一次"})
    assert Submission.objects.filter(author=customer).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "text": "有文字"}, "Give your idea a title."),
        ({"title": "标题", "text": ""}, "Describe your idea."),
        ({"title": "枣" * 61, "text": "有文字"}, "Title: Ensure this value has at most 60"),
        ({"title": "标题", "text": "枣" * 1001}, "Your idea: Ensure this value has at most 1000"),
        (
            {"title": "标题", "text": "有文字", "pictures": [SimpleUploadedFile("a.png", b"GIF")]},
            "Upload a JPEG, PNG or WebP picture.",
        ),
        ({"title": "标题", "text": "有文字", "request_key": "²"}, "please reload the page"),
    ],
)
def test_bad_input_is_a_message_keeps_the_words_and_stores_nothing(shopper, media, data, message):
    data = {"request_key": uuid.uuid4().hex, **data}
    response = shopper.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if data["text"] and len(data["text"]) < 100:
        assert data["text"] in html
    assert not Submission.objects.exists() and not SubmissionImage.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_the_eleventh_idea_of_the_day_is_refused(shopper, customer):
    for _ in range(ideas.IDEAS_PER_AUTHOR.hits):
        submit(customer)
    response = shopper.post(URL, {"request_key": uuid.uuid4().hex, "title": "又", "text": "又"})
    assert "You have submitted many ideas today; you can submit more in 24 hours." in (
        response.content.decode()
    )
    assert Submission.objects.count() == ideas.IDEAS_PER_AUTHOR.hits


def test_the_author_sees_acceptance_points_and_theme_and_the_points_history(
    shopper, customer, staff
):
    idea = submit(customer)
    ideas.accept_idea(actor=staff, submission_id=idea.pk, points=250, make_theme=True)
    html = shopper.get(URL).content.decode()
    assert "accepted" in html
    assert "The brand accepted your idea: 250 points are in your points history." in html
    assert "It became an official theme: “枣夹核桃”." in html
    points = shopper.get("/account/points/").content.decode()
    assert "+250" in points and "Reward: Idea accepted: 枣夹核桃" in points


def test_the_author_reads_the_rejection_reason_escaped(shopper, customer, staff):
    idea = submit(customer)
    ideas.reject_idea(actor=staff, submission_id=idea.pk, reason=HOSTILE)
    html = shopper.get(URL).content.decode()
    assert "not accepted" in html and "Why the brand did not accept it" in html
    assert_inert(html)


def test_an_accepted_title_with_markup_is_inert_in_the_points_history(shopper, customer, staff):
    idea = submit(customer, title=HOSTILE[:60], text=HOSTILE)
    ideas.accept_idea(actor=staff, submission_id=idea.pk, points=10)
    points = shopper.get("/account/points/").content.decode()
    assert "<script>alert(1)" not in points and "&lt;script&gt;" in points


def test_only_my_ideas_are_listed_with_a_fixed_number_of_queries(
    shopper, customer, make_customer, staff, django_assert_max_num_queries
):
    theirs = submit(make_customer(), title="别人的主意")
    submit(customer)
    with django_assert_max_num_queries(7):
        shopper.get(URL)
    for n in range(4):
        idea = ideas.submit_idea(
            author=customer,
            request_key=uuid.uuid4().hex,
            title=f"主意{n}",
            text="文字",
            pictures=[png_upload(), png_upload()],
        )
        ideas.accept_idea(actor=staff, submission_id=idea.pk, points=10, make_theme=True)
    with django_assert_max_num_queries(7):
        response = shopper.get(URL)
    html = response.content.decode()
    assert html.count('data-testid="idea"') == 5
    assert theirs.title not in html


def test_a_distributor_finds_the_creative_group_in_his_console(client, brand, make_distributor):
    distributor = make_distributor()
    client.force_login(distributor.customer.user)
    html = client.get("/d/").content.decode()
    assert f'href="{URL}"' in html and "Creative group" in html


def test_the_page_needs_a_signed_in_customer(client, brand):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(URL, {"title": "t", "text": "t"})
    assert response.status_code == 302 and not Submission.objects.exists()
