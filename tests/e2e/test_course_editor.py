"""Training in a real browser: the brand writes a lesson in the rich-text editor (bold, a heading,
a picture uploaded from the toolbar), publishes the course, and a new distributor reads the lesson
on his phone and marks it done — with the Content Security Policy refusing nothing."""

import io
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from PIL import Image

from weishang.content import courses
from weishang.content.models import Lesson, LessonProgress

pytestmark = pytest.mark.django_db(transaction=True)


def picture_file(tmp_path):
    path = tmp_path / "wechat.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 140, 60)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_the_brand_writes_a_lesson_and_a_new_distributor_completes_it(
    live_server,
    new_page,
    screenshot,
    picture_width,
    settings,
    tmp_path,
    brand,
    django_user_model,
    make_distributor,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = django_user_model.objects.create_user(
        username="trainer", password="pw-trainer-2025", is_staff=True
    )
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    course = courses.create_course(
        actor=user, title="新人上手", is_onboarding=True, now=timezone.now()
    )
    store = live_server.url

    console = new_page(phone=False)
    console.goto(store + "/console/login/")
    console.fill("#id_username", "trainer")
    console.fill("#id_password", "pw-trainer-2025")
    console.click("form button[type=submit]")
    console.wait_for_url(re.compile(r"/console/$"))
    console.goto(f"{store}/console/content/courses/{course.pk}/lessons/new/")
    assert console.is_hidden("textarea[name=body]")  # the editor replaced it
    console.fill("#id_title", "加好友")
    editor = console.locator(".richtext-area")
    editor.click()
    console.keyboard.type("先问候")
    console.click("[data-command=heading]")
    console.keyboard.press("End")
    console.keyboard.press("Enter")
    console.click("[data-command=bold]")
    console.keyboard.type("真诚")
    with console.expect_response(re.compile(r"/console/content/lesson-pictures/$")):
        console.set_input_files(".richtext-toolbar ~ input[type=file]", picture_file(tmp_path))
    console.wait_for_selector(".richtext-area img")
    screenshot(console, "course-editor")
    console.click(".lesson-form button[type=submit]")
    console.wait_for_url(re.compile(rf"/console/content/courses/{course.pk}/$"))
    lesson = Lesson.objects.get(course=course)
    assert "<h2>先问候</h2>" in lesson.body and "<p><strong>真诚" in lesson.body
    assert re.search(r'<img src="/media/content/lessons/lesson-[0-9a-f]+\.png"', lesson.body)
    console.click("form[action$='/publish/'] button")
    console.wait_for_selector("form[action$='/unpublish/']")

    newcomer = make_distributor()
    client = Client()
    client.force_login(newcomer.customer.user)
    phone = new_page(phone=True)
    phone.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": store,
            }
        ]
    )
    phone.goto(store + "/d/")
    phone.click("[data-testid=onboarding] a")
    phone.click("[data-testid=lesson] a")
    assert phone.locator("[data-testid=lesson-body] strong").inner_text() == "真诚"
    assert picture_width(phone, "[data-testid=lesson-body] img") == 40
    screenshot(phone, "course-lesson-phone")
    phone.click("[data-testid=mark-done]")
    phone.wait_for_selector("[data-testid=lesson][data-done]")
    assert LessonProgress.objects.filter(distributor=newcomer).count() == 1
