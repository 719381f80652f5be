"""The creative group (创意群) in a real browser: a customer on his phone submits an idea with a
picture; an operator accepts it in the console with points; the customer sees it accepted on
his ideas page and the points, with the idea named, in his points history."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from PIL import Image

from weishang.content.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13912340801"
PASSWORD = "pw-idea-customer-1"
TITLE = "秋天的枣茶"


@pytest.fixture
def people(settings, tmp_path, brand, make_customer, django_user_model):
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = make_customer(MOBILE)
    customer.user.set_password(PASSWORD)
    customer.user.save()
    operator = django_user_model.objects.create_user(
        username="yunying", password="pw-operator-idea-1", is_staff=True
    )
    operator.groups.add(Group.objects.get_or_create(name="operator")[0])
    picture = tmp_path / "tea.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 60, 40)).save(buffer, format="PNG")
    picture.write_bytes(buffer.getvalue())
    return picture


def test_a_customers_idea_is_accepted_and_the_points_reach_his_history(
    people, live_server, new_page, screenshot, picture_width
):
    store = live_server.url

    # The customer signs in on his phone and submits an idea with a picture.
    customer = new_page(phone=True)
    customer.goto(store + "/login/")
    customer.click("details summary")
    customer.fill("#pw-mobile", MOBILE)
    customer.fill("#password", PASSWORD)
    customer.click("button[name=action][value=password]")
    customer.wait_for_url(re.compile(r"/$|/account/"))
    customer.goto(store + "/account/")
    customer.click("[data-testid=ideas-link]")
    customer.fill("#idea-title", TITLE)
    customer.fill("#idea-text", "红枣切片，加桂圆和枸杞，泡一壶暖暖的枣茶。")
    customer.set_input_files("#idea-pictures", str(people))
    customer.click("[data-testid=idea-form] button[type=submit]")
    customer.wait_for_selector("[data-testid=idea-status]")
    assert customer.inner_text("[data-testid=idea-status]") == "待审核"
    screenshot(customer, "store-creative-group")
    idea = Submission.objects.get(title=TITLE)
    assert idea.images.count() == 1

    # The operator opens the review queue, sees the picture, accepts with 300 points.
    operator = new_page(phone=False)
    operator.goto(store + "/console/")
    operator.fill("#id_username", "yunying")
    operator.fill("#id_password", "pw-operator-idea-1")
    operator.click("form button[type=submit]")
    operator.wait_for_url(re.compile(r"/console/$"))
    operator.goto(store + "/console/ideas/")
    operator.click(f"[data-testid=idea-row] a:has-text('{TITLE}')")
    assert operator.locator("[data-testid=idea-picture]").count() == 1
    assert picture_width(operator, "[data-testid=idea-picture]") == 320
    operator.fill("#id_points", "300")
    operator.click("[data-testid=accept-form] button[type=submit]")
    operator.wait_for_selector("[data-testid=idea-review]")
    screenshot(operator, "console-creative-group-idea")
    idea.refresh_from_db()
    assert idea.status == "accepted" and idea.points == 300

    # The customer sees his idea accepted and the points in his history.
    customer.goto(store + "/account/ideas/")
    assert customer.inner_text("[data-testid=idea-status]") == "已采纳"
    assert "300" in customer.inner_text("[data-testid=idea-points]")
    customer.click("[data-testid=idea-points] a")
    customer.wait_for_url(re.compile(r"/account/points/$"))
    row = customer.inner_text("[data-testid=points-row]")
    assert "+300" in row and f"创意被采纳：{TITLE}" in row
    assert customer.inner_text("[data-testid=points-balance]") == "300"
