"""The console's community pages: stations and their leaders, tags, segments with live sizes,
a customer's tags and station on his page, and coupons issued to a saved segment. Query counts
stay constant as rows grow (segments: one count each); other people's free text is escaped."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from weishang.community import services as community
from weishang.community.models import CustomerTag, StationMembership
from weishang.compliance.models import AuditEntry
from weishang.console import roles
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon

from .conftest import english, messages_of

pytestmark = pytest.mark.django_db
NOW = timezone.now()
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def no_markup(html: str) -> bool:
    return "<script>alert" not in html and "<img src=x" not in html


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def station(name="郑州站", city="郑州", **fields):
    return community.create_station(
        actor=None, name=name, province="河南省", city=city, now=NOW, **fields
    )


def as_role(client, django_user_model, role):
    user = django_user_model.objects.create_user(username=f"{role}-c", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    english(client).force_login(user)
    return client


def test_stations_list_members_and_leaders_in_constant_queries(
    console, make_customer, django_assert_max_num_queries
):
    url = reverse("console:station_list")
    first = station()
    leader = make_customer()
    community.appoint_leader(actor=None, station_id=first.pk, mobile=leader.mobile, now=NOW)
    community.join_station(customer=make_customer(), station_id=first.pk, now=NOW)
    few = queries(console, url)
    for n in range(3):
        more = station(name=f"站{n}", city=f"城{n}")
        community.appoint_leader(
            actor=None, station_id=more.pk, mobile=make_customer().mobile, now=NOW
        )
    with django_assert_max_num_queries(few):
        page = console.get(url).content.decode()
    assert page.count('data-testid="station"') == 4
    assert f"{leader.mobile[:3]}****{leader.mobile[-4:]}" in page and leader.mobile not in page


def test_a_station_is_added_and_a_leader_appointed_from_its_page(console, make_customer):
    response = console.post(
        reverse("console:station_list"),
        {"name": "郑州站", "province": "河南省", "city": "郑州市", "intro": "枣友会"},
        follow=True,
    )
    assert "The station 郑州站 is added." in messages_of(response)
    made = response.context["page"][0]
    customer = make_customer()
    detail = reverse("console:station_detail", args=[made.pk])
    response = console.post(
        reverse("console:leader_appoint", args=[made.pk]),
        {"mobile": customer.mobile, "title": "团长"},
        follow=True,
    )
    assert "The opinion leader is appointed." in messages_of(response)
    page = response.content.decode()
    assert 'data-testid="leader"' in page and "团长" in page
    bad = console.post(
        reverse("console:leader_appoint", args=[made.pk]), {"mobile": "13900009999"}, follow=True
    )
    assert "No customer has the mobile number 13900009999." in messages_of(bad)
    assert console.get(detail).context["station"].leaders.count() == 1


def test_tags_list_in_constant_queries_and_a_tag_in_use_is_kept(
    console, make_customer, django_assert_max_num_queries
):
    url = reverse("console:tag_list")
    tag = community.create_tag(actor=None, name="宝妈", now=NOW)
    community.tag_customer(actor=None, customer_id=make_customer().pk, tag_id=tag.pk, now=NOW)
    few = queries(console, url)
    for n in range(3):
        community.create_tag(actor=None, name=f"标签{n}", now=NOW)
    with django_assert_max_num_queries(few):
        assert console.get(url).content.decode().count('data-testid="tag"') == 4
    community.save_segment(actor=None, terms={"name": "宝妈们", "tag_id": tag.pk}, now=NOW)
    response = console.post(reverse("console:tag_delete", args=[tag.pk]), follow=True)
    assert "The segments 宝妈们 select by this tag; change them first." in messages_of(response)


def test_segments_show_their_live_sizes_one_count_each(
    console, make_customer, django_assert_num_queries
):
    url = reverse("console:segment_list")
    zhengzhou = [make_customer() for _ in range(3)]
    for customer in zhengzhou:
        customer.addresses.update(city="郑州市")
    community.save_segment(actor=None, terms={"name": "郑州人", "city": "郑州"}, now=NOW)
    one = queries(console, url)
    community.save_segment(actor=None, terms={"name": "所有人"}, now=NOW)
    community.save_segment(actor=None, terms={"name": "常客", "min_orders": 3}, now=NOW)
    with django_assert_num_queries(one + 2):
        response = console.get(url)
    sizes = {s.name: s.size for s in response.context["page"]}
    assert sizes == {"郑州人": 3, "所有人": 3, "常客": 0}
    page = response.content.decode()
    assert "default address in 郑州" in page and "at least 3 orders" in page
    regulars = next(s for s in response.context["page"] if s.name == "常客")
    detail = console.get(reverse("console:segment_detail", args=[regulars.pk]))
    assert "0 customers now" in detail.content.decode()


def test_a_segment_page_shows_its_size_and_first_members_masked_to_every_role(
    client, django_user_model, make_customer, django_assert_max_num_queries
):
    members = [make_customer() for _ in range(3)]
    segment = community.save_segment(actor=None, terms={"name": "所有人"}, now=NOW)
    as_role(client, django_user_model, roles.OPERATOR)  # a role that sees full data elsewhere
    with django_assert_max_num_queries(12):
        response = client.get(reverse("console:segment_detail", args=[segment.pk]))
    page = response.content.decode()
    assert "3 customers now" in page
    for customer in members:
        assert f"{customer.mobile[:3]}****{customer.mobile[-4:]}" in page
        assert customer.mobile not in page
    assert not AuditEntry.objects.filter(action="customer.view_personal_data").exists()


def test_a_segment_is_made_from_its_form_and_bad_input_is_refused(console):
    response = console.post(
        reverse("console:segment_new"),
        {"name": "沉睡", "min_orders": "1", "no_order_days": "60", "city": "郑州市"},
        follow=True,
    )
    assert "The segment is saved." in messages_of(response)
    assert response.context["segment"].city == "郑州"
    for data, message in [
        ({"name": "x", "min_orders": "３"}, "At least this many orders"),
        ({"name": "x", "no_order_days": "0"}, "No order in the last (days)"),
        ({"name": "x", "tag": "999999"}, "Tag"),
        ({"name": "沉睡"}, "A segment named 沉睡 already exists."),
    ]:
        response = console.post(reverse("console:segment_new"), data)
        assert response.status_code == 200
        assert any(message in m for m in messages_of(response)), messages_of(response)


def test_an_operator_tags_a_customer_and_sets_his_station_from_his_page(
    client, django_user_model, customer
):
    tag = community.create_tag(actor=None, name="高复购", now=NOW)
    made = station()
    as_role(client, django_user_model, roles.OPERATOR)
    page = reverse("console:customer_detail", args=[customer.pk])
    html = client.get(page).content.decode()
    assert 'data-testid="customer-tag-form"' in html
    response = client.post(
        reverse("console:customer_tag", args=[customer.pk]), {"tag": tag.pk}, follow=True
    )
    assert "The tag is added to the customer." in messages_of(response)
    client.post(reverse("console:customer_station", args=[customer.pk]), {"station": made.pk})
    assert CustomerTag.objects.filter(customer=customer, tag=tag).exists()
    assert StationMembership.objects.get(customer=customer).source == "brand"
    html = client.get(page).content.decode()
    assert "高复购" in html and "郑州站" in html


def test_finance_sees_a_customers_tags_without_the_forms(client, django_user_model, customer):
    tag = community.create_tag(actor=None, name="高复购", now=NOW)
    community.tag_customer(actor=None, customer_id=customer.pk, tag_id=tag.pk, now=NOW)
    station()
    as_role(client, django_user_model, roles.FINANCE)
    html = client.get(reverse("console:customer_detail", args=[customer.pk])).content.decode()
    assert "高复购" in html
    assert 'data-testid="customer-tag-form"' not in html
    assert 'data-testid="customer-station-form"' not in html
    refused = client.post(reverse("console:customer_tag", args=[customer.pk]), {"tag": tag.pk})
    assert refused.status_code == 403


def test_tag_and_segment_names_are_escaped_for_the_other_staff(console, customer):
    tag = community.create_tag(actor=None, name=XSS[:20], now=NOW)
    community.tag_customer(actor=None, customer_id=customer.pk, tag_id=tag.pk, now=NOW)
    community.save_segment(actor=None, terms={"name": XSS[:40]}, now=NOW)
    made = station(name=XSS[:40], intro=XSS)
    community.appoint_leader(
        actor=None, station_id=made.pk, mobile=customer.mobile, title=XSS[:40], now=NOW
    )
    for url in [
        reverse("console:customer_detail", args=[customer.pk]),
        reverse("console:tag_list"),
        reverse("console:segment_list"),
        reverse("console:coupon_segment"),
        reverse("console:station_list"),
        reverse("console:station_detail", args=[made.pk]),
    ]:
        html = console.get(url).content.decode()
        assert "&lt;script&gt;" in html or "&lt;img" in html, url
        assert no_markup(html), url


def test_a_coupon_issued_to_a_community_segment_reaches_exactly_its_members(console, make_customer):
    template = coupons.save_coupon_template(
        actor=None,
        terms={
            "name": "郑州专享",
            "kind": "amount_off",
            "amount_off_fen": 500,
            "scope": "all",
            "valid_days": 30,
        },
        now=NOW,
    )
    made = station()
    inside = [make_customer(), make_customer()]
    outside = make_customer()
    for customer in inside:
        community.join_station(customer=customer, station_id=made.pk, now=NOW)
    segment = community.save_segment(
        actor=None, terms={"name": "郑州站成员", "station_id": made.pk}, now=NOW
    )
    page = console.get(reverse("console:coupon_segment"))
    assert "郑州站成员" in page.content.decode()
    data = {
        "template": template.pk,
        "segment": "saved",
        "saved_segment": segment.pk,
        "key": page.context["form"]["key"].value(),
    }
    missing = console.post(reverse("console:coupon_segment"), data | {"saved_segment": ""})
    assert any("Choose the community segment." in m for m in messages_of(missing))
    response = console.post(reverse("console:coupon_segment"), data, follow=True)
    assert "2 coupons are issued." in messages_of(response)
    assert set(Coupon.objects.values_list("customer_id", flat=True)) == {c.pk for c in inside}
    assert not Coupon.objects.filter(customer=outside).exists()
    entry = AuditEntry.objects.get(action="coupon.issue_segment")
    assert entry.after == {"issued": 2, "audience": "郑州站成员"}
