"""A customer whose every personal string is unique in the database, for the data-rights tests
(corrections in tests/customers, the copy and closing in tests/privacy)."""

from django.utils import timezone

from weishang.customers.models import Device
from weishang.customers.services import add_address
from weishang.distribution.rules import id_check_char

MOBILE = "13912345678"
NICKNAME = "小明同学"
RECIPIENT = "王小明"
STREET = "幸福路7号甲"
DEVICE = "device-of-xiaoming-0001"
ID17 = "11010519900307123"
ID_NUMBER = ID17 + id_check_char(ID17)


def make_xiaoming(make_customer):
    customer = make_customer(MOBILE)
    customer.addresses.all().delete()
    customer.nickname = NICKNAME
    customer.save()
    add_address(
        customer=customer,
        recipient=RECIPIENT,
        phone=MOBILE,
        province="浙江省",
        city="杭州市",
        district="西湖区",
        detail=STREET,
    )
    Device.objects.create(
        customer=customer, device_id=DEVICE, first_seen=timezone.now(), last_seen=timezone.now()
    )
    return customer
