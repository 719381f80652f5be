"""The compliance centre in a real browser: a customer files a complaint on his order; customer
service answers and resolves it; the auditor sees the complaint and the audit entries, and
cannot change anything."""

import re

import pytest
from django.core.management import call_command

from weishang.compliance.models import AuditEntry, Complaint
from weishang.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def console_as(new_page, store, username):
    page = new_page(phone=False)
    page.goto(store + "/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", "weishang-demo")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    return page


def test_complaint_is_resolved_by_service_and_read_only_for_the_auditor(
    demo, live_server, new_page, screenshot
):
    store = live_server.url
    order = Order.objects.filter(customer__mobile="13800138000", status="shipped").get()

    # The customer files a complaint about his shipped order.
    customer = new_page(phone=True)
    customer.goto(store + "/login/")
    customer.click("details summary")
    customer.fill("#pw-mobile", "13800138000")
    customer.fill("#password", "weishang-demo")
    customer.click("button[name=action][value=password]")
    customer.wait_for_url(re.compile(r"/$|/account/"))
    customer.goto(f"{store}/orders/{order.number}/")
    customer.click("[data-testid=file-complaint]")
    customer.select_option("#category", "delivery")
    customer.fill("#text", "快递三天没有更新物流，请帮忙查一下。")
    customer.click("[data-testid=complaint-form] button[type=submit]")
    customer.wait_for_selector("[data-testid=complaint-status]")
    complaint = Complaint.objects.get(order=order)
    assert complaint.status == "received"

    # Customer service answers, then resolves it with an outcome.
    service = console_as(new_page, store, "service")
    service.goto(store + "/console/complaints/")
    assert complaint.number in service.inner_text("[data-testid=complaint-row]")
    service.goto(f"{store}/console/complaints/{complaint.number}/")
    service.fill("#answer", "已联系中通快递，包裹明天派送。")
    service.click("form[action$='/answer/'] button[type=submit]")
    service.fill("#outcome", "包裹已于次日签收，补偿 10 元优惠券。")
    service.click("form[action$='/resolve/'] button[type=submit]:not(.secondary)")
    service.wait_for_load_state()
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and complaint.first_answered_at

    # The customer reads the answer and the outcome.
    customer.goto(f"{store}/complaints/{complaint.number}/")
    assert "补偿 10 元优惠券" in customer.inner_text("[data-testid=outcome]")

    # The auditor reads the complaint and the audit log, and has nothing to press.
    auditor = console_as(new_page, store, "auditor")
    auditor.goto(f"{store}/console/complaints/{complaint.number}/")
    assert "补偿 10 元优惠券" in auditor.content()
    assert auditor.locator("form[action$='/answer/'], form[action$='/resolve/']").count() == 0
    auditor.goto(store + "/console/audit/?action=complaint")
    audit_text = auditor.inner_text("main")
    assert "投诉已解决" in audit_text and "service" in audit_text
    assert "complaint.resolve" not in audit_text
    screenshot(auditor, "console-audit-log")

    # Even a hand-made request changes nothing: the role check refuses it.
    before = (AuditEntry.objects.count(), Complaint.objects.get().status)
    token = next(c["value"] for c in auditor.context.cookies() if c["name"] == "csrftoken")
    response = auditor.request.post(
        f"{store}/console/complaints/{complaint.number}/reject/",
        form={"text": "审计员不应能改"},
        headers={"X-CSRFToken": token, "Referer": store + "/console/"},
    )
    assert response.status == 403
    assert (AuditEntry.objects.count(), Complaint.objects.get().status) == before
