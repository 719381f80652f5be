"""The customer's complaint pages: file from the order page, follow the thread, reply."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from weishang.compliance import complaints
from weishang.compliance.models import Complaint, ComplaintMessage, ComplaintStatus

from .conftest import place

pytestmark = pytest.mark.django_db


def png(name="p.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


@pytest.fixture
def order(customer, sku):
    return place(customer, {sku.pk: 1})


def file(customer, order, text="枣子发霉了"):
    return complaints.file_complaint(customer=customer, order=order, category="quality", text=text)


def test_a_customer_files_a_complaint_from_the_order_page(shopper, order, media):
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert f'href="/complaints/new/?order={order.number}"' in page

    form = shopper.get(f"/complaints/new/?order={order.number}").content.decode()
    assert "File a complaint" in form and order.number in form and "product quality" in form

    response = shopper.post(
        "/complaints/new/",
        {"order": order.number, "category": "quality", "text": "枣子发霉了", "photos": [png()]},
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == f"/complaints/{complaint.number}/"
    html = response.content.decode()
    assert f"Your complaint {complaint.number} is filed" in html
    assert "枣子发霉了" in html and "received" in html
    assert "We will answer by" in html
    assert complaint.photos.count() == 1
    photo = complaint.photos.get()
    assert f"/complaints/{complaint.number}/photos/{photo.pk}/" in html


def test_bad_input_shows_the_error_keeps_the_text_and_changes_nothing(shopper, order, media):
    response = shopper.post(
        "/complaints/new/",
        {
            "order": order.number,
            "category": "quality",
            "text": "坏了",
            "photos": [SimpleUploadedFile("x.png", b"not an image")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Photos must be JPEG, PNG or WebP images." in html and "坏了" in html
    response = shopper.post("/complaints/new/", {"order": order.number, "category": "quality"})
    assert "Describe what went wrong." in response.content.decode()
    assert not Complaint.objects.exists()
    assert not any(media.rglob("*.*"))


def test_someone_elses_order_and_complaint_are_not_found(shopper, make_customer, sku):
    other = make_customer()
    their_order = place(other, {sku.pk: 1})
    theirs = file(other, their_order)
    assert shopper.get(f"/complaints/new/?order={their_order.number}").status_code == 404
    response = shopper.post(
        "/complaints/new/", {"order": their_order.number, "category": "quality", "text": "x"}
    )
    assert response.status_code == 404
    assert shopper.get("/complaints/new/").status_code == 404
    assert shopper.get(f"/complaints/{theirs.number}/").status_code == 404
    assert shopper.post(f"/complaints/{theirs.number}/", {"text": "hi"}).status_code == 404
    assert Complaint.objects.count() == 1 and not ComplaintMessage.objects.exists()


def test_the_thread_shows_answers_and_takes_replies_until_closed(shopper, customer, order, staff):
    complaint = file(customer, order)
    complaints.answer_complaint(complaint=complaint, staff=staff, text="请拍照")
    html = shopper.get(f"/complaints/{complaint.number}/").content.decode()
    assert "Customer service" in html and "请拍照" in html and "in progress" in html
    assert "We will answer by" not in html

    response = shopper.post(f"/complaints/{complaint.number}/", {"text": "照片如下"}, follow=True)
    assert "Your message is sent." in response.content.decode()
    assert complaint.messages.filter(from_customer=True, text="照片如下").exists()
    response = shopper.post(f"/complaints/{complaint.number}/", {"text": "  "})
    assert "Write a message." in response.content.decode()

    complaints.resolve_complaint(complaint=complaint, staff=staff, outcome="已退款")
    html = shopper.get(f"/complaints/{complaint.number}/").content.decode()
    assert "Outcome" in html and "已退款" in html and 'data-testid="reply-form"' not in html
    response = shopper.post(f"/complaints/{complaint.number}/", {"text": "还有问题"})
    assert "This complaint is closed" in response.content.decode()
    assert complaint.messages.count() == 2
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED


def test_my_complaints_lists_mine_with_a_fixed_number_of_queries(
    shopper, customer, make_customer, order, sku, django_assert_max_num_queries
):
    file(customer, order)
    other = make_customer()
    theirs = file(other, place(other, {sku.pk: 1}), text="别人的投诉")
    with django_assert_max_num_queries(7):
        shopper.get("/complaints/")
    for _ in range(4):
        file(customer, place(customer, {sku.pk: 1}))
    with django_assert_max_num_queries(7):
        response = shopper.get("/complaints/")
    html = response.content.decode()
    assert html.count('data-testid="complaint-card"') == 5
    assert theirs.number not in html


def test_pages_need_a_signed_in_customer(client, brand, order):
    for url in ("/complaints/", f"/complaints/new/?order={order.number}", "/complaints/C1/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_complaint_photos_are_shown_only_to_their_customer_and_staff(
    shopper, order, customer, make_customer, media, client, staff
):
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="发霉", photos=[png()]
    )
    photo = complaint.photos.get()
    url = f"/complaints/{complaint.number}/photos/{photo.pk}/"
    assert url in shopper.get(f"/complaints/{complaint.number}/").content.decode()
    response = shopper.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == photo.image.open("rb").read()
    # Not under the public media URL, not for another customer, not for a visitor.
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    client.force_login(make_customer().user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(staff)
    staff_url = f"/console/complaints/{complaint.number}/photos/{photo.pk}/"
    assert client.get(staff_url).status_code == 200
    assert client.get(f"/console/complaints/{complaint.number}/photos/999999/").status_code == 404


MEDIA_VARIANTS = ["/media/{}", "/media//{}", "/media/./{}", "/media/%2F{}", "/media/a/../{}"]


@pytest.mark.parametrize("variant", MEDIA_VARIANTS)
def test_no_media_path_serves_a_complaint_photo_to_a_visitor(
    variant, customer, order, media, client, settings
):
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="发霉", photos=[png()]
    )
    name = complaint.photos.get().image.name
    assert (settings.PRIVATE_MEDIA_ROOT / name).is_file()
    assert not (settings.MEDIA_ROOT / name).exists()
    assert client.get(variant.format(name)).status_code == 404
    # A photo left under the public root by an older version is refused too.
    (settings.MEDIA_ROOT / name).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"private")
    assert client.get(variant.format(name)).status_code == 404
    (settings.MEDIA_ROOT / "public.txt").write_bytes(b"public")
    assert client.get(variant.format("public.txt")).status_code == 200
