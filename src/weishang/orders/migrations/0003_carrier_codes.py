"""Orders store their carrier's code (``sf``, ``zto`` …) instead of the name typed when shipping,
so every page names it in the reader's language. Names this list does not know are kept as typed
and shown as they are."""

from django.db import migrations

# The names typed or loaded before carriers were chosen from a list, frozen here.
NAMES = {
    "sf": ("顺丰速运", "顺丰", "顺丰快递", "SF", "SF Express"),
    "zto": ("中通快递", "中通", "ZTO", "ZTO Express"),
    "yto": ("圆通速递", "圆通", "圆通快递", "YTO", "YTO Express"),
    "yunda": ("韵达快递", "韵达", "韵达速递", "Yunda", "Yunda Express"),
    "sto": ("申通快递", "申通", "STO", "STO Express"),
    "jt": ("极兔速递", "极兔", "极兔快递", "J&T", "J&T Express"),
    "ems": ("EMS", "中国邮政", "邮政", "邮政EMS"),
    "jd": ("京东物流", "京东", "京东快递", "JD", "JD Logistics"),
}


def names_to_codes(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    for code, names in NAMES.items():
        Order.objects.filter(carrier__in=names).update(carrier=code)


def codes_to_names(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    for code, names in NAMES.items():
        Order.objects.filter(carrier=code).update(carrier=names[0])


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_order_device_id_order_distributor")]

    operations = [migrations.RunPython(names_to_codes, codes_to_names)]
