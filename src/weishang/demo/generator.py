"""Bulk data for benchmarks: customers and their order history, written with bulk_create in batches.

This bypasses the services on purpose (they lock and write row by row); what it writes still
satisfies every constraint and tells a consistent story: an order's timestamps follow its status,
its total is the sum of its lines, and every paid order has one succeeded payment. Orders still
awaiting payment or shipment hold a stock reservation, as placed orders do, so the housekeeping
commands and shipping can run on a generated database.
"""

import random
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from weishang.catalog.models import Product, Sku
from weishang.catalog.selectors import sku_price
from weishang.customers.models import Address, Customer
from weishang.inventory.models import Stock
from weishang.orders.models import Order, OrderLine, OrderStatus
from weishang.orders.rules import line_is_returnable, return_window_closes
from weishang.payments.models import Payment, Refund

BATCH = 2000
HISTORY_DAYS = 180

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅琳雪婷欣怡子涵浩宇晨阳佳"
NICK = ["枣粉", "吃货", "养生达人", "宝妈", "小馋猫", "老饕", "茶友", "打工人"]
# province, city, districts
CITIES = [
    ("上海市", "上海市", ["浦东新区", "徐汇区", "静安区", "闵行区"]),
    ("北京市", "北京市", ["朝阳区", "海淀区", "东城区", "丰台区"]),
    ("广东省", "广州市", ["天河区", "越秀区", "海珠区"]),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区"]),
    ("浙江省", "杭州市", ["西湖区", "滨江区", "余杭区"]),
    ("江苏省", "南京市", ["鼓楼区", "玄武区", "江宁区"]),
    ("四川省", "成都市", ["武侯区", "锦江区", "高新区"]),
    ("湖北省", "武汉市", ["洪山区", "江汉区", "武昌区"]),
    ("河南省", "郑州市", ["金水区", "中原区", "郑东新区"]),
    ("新疆维吾尔自治区", "乌鲁木齐市", ["天山区", "沙依巴克区"]),
    ("陕西省", "西安市", ["雁塔区", "碑林区", "未央区"]),
    ("山东省", "济南市", ["历下区", "市中区", "槐荫区"]),
]
STREETS = [
    "人民路",
    "中山路",
    "解放大道",
    "建设路",
    "和平街",
    "新华路",
    "长江路",
    "幸福里",
    "文化路",
]
# Each carrier's code with the prefix and digit count of its domestic waybill numbers
# (``orders.carriers`` checks the shape).
WAYBILL_SHAPES = [
    ("sf", "SF", 13),
    ("zto", "", 14),
    ("yto", "YT", 13),
    ("yunda", "", 13),
    ("sto", "", 13),
    ("jt", "JT", 13),
    ("ems", "", 13),
    ("jd", "JD", 13),
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "177",
    "180",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]

# status: weight in the mix
STATUS_MIX = {
    OrderStatus.COMPLETED: 62,
    OrderStatus.CANCELLED: 10,
    OrderStatus.DELIVERED: 8,
    OrderStatus.SHIPPED: 7,
    OrderStatus.PAID: 5,
    OrderStatus.REFUNDED: 4,
    OrderStatus.PENDING_PAYMENT: 4,
}
PAID_STATUSES = {
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUNDED,
}


@dataclass
class Counts:
    users: int = 0
    customers: int = 0
    addresses: int = 0
    orders: int = 0
    order_lines: int = 0
    payments: int = 0
    refunds: int = 0

    @property
    def rows(self) -> int:
        return sum(vars(self).values())


@contextmanager
def _keep_created_at(model):
    """Lets bulk_create store our back-dated ``created_at`` instead of auto_now_add's "now"."""
    field = model._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


class Generator:
    def __init__(
        self, *, seed: int | None, now: datetime | None = None, progress: Callable[[int], None]
    ):
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.progress = progress
        # Not from the seeded generator: two runs with one seed must still get different numbers.
        self.run = f"{timezone.localtime(self.now):%y%m%d%H%M%S}{secrets.randbelow(1000):03d}"
        self.timeout = timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES)
        self.tz = timezone.get_default_timezone()
        self.counts = Counts()

    # customers ------------------------------------------------------------------------------------

    def _mobiles(self, n: int) -> list[str]:
        taken = set(Customer.objects.values_list("mobile", flat=True))
        taken |= {
            u[1:]
            for u in get_user_model()
            .objects.filter(username__startswith="m")
            .values_list("username", flat=True)
        }
        mobiles: list[str] = []
        seen = set()
        while len(mobiles) < n:
            mobile = f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if mobile not in taken and mobile not in seen:
                seen.add(mobile)
                mobiles.append(mobile)
        return mobiles

    def _name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def _street(self) -> str:
        rng = self.rng
        building, floor, door = rng.randint(1, 30), rng.randint(1, 30), rng.randint(1, 4)
        return f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{building}栋{floor}0{door}室"

    def customers(self, n: int) -> list[tuple[int, datetime, tuple]]:
        """Creates n customers; returns (customer id, joined at, address snapshot) for each."""
        rng, User = self.rng, get_user_model()
        made = []
        for start in range(0, n, BATCH):
            mobiles = self._mobiles(min(BATCH, n - start))
            # Everyone signed up before the order history begins, so no order predates its buyer.
            joined = [
                self.now - timedelta(days=rng.uniform(HISTORY_DAYS + 10, 2 * HISTORY_DAYS + 40))
                for _ in mobiles
            ]
            with transaction.atomic():
                users = User.objects.bulk_create(
                    User(username=f"m{m}", password=f"!{rng.getrandbits(128):032x}", date_joined=j)
                    for m, j in zip(mobiles, joined, strict=True)
                )
                with _keep_created_at(Customer):
                    customers = Customer.objects.bulk_create(
                        Customer(
                            user_id=u.pk,
                            mobile=m,
                            nickname=f"{rng.choice(NICK)}{m[-4:]}",
                            created_at=j,
                        )
                        for u, m, j in zip(users, mobiles, joined, strict=True)
                    )
                addresses = []
                for customer in customers:
                    for extra in range(1 if rng.random() < 0.8 else 2):
                        province, city, districts = rng.choice(CITIES)
                        addresses.append(
                            Address(
                                customer_id=customer.pk,
                                recipient=self._name(),
                                phone=customer.mobile,
                                province=province,
                                city=city,
                                district=rng.choice(districts),
                                detail=self._street(),
                                is_default=extra == 0,
                            )
                        )
                Address.objects.bulk_create(addresses)
            for customer, address in zip(
                customers, (a for a in addresses if a.is_default), strict=True
            ):
                snapshot = (address.recipient, address.phone, address.one_line(), address.city)
                made.append((customer.pk, customer.created_at, snapshot))
            self.counts.users += len(users)
            self.counts.customers += len(customers)
            self.counts.addresses += len(addresses)
            self.progress(len(customers))
        return made

    # orders ---------------------------------------------------------------------------------------

    def _timeline(self, status: str) -> dict:
        """Back-dated timestamps that fit the status: each step follows the one before."""
        rng, now, day = self.rng, self.now, 86400
        pay = timedelta(seconds=rng.uniform(30, 1200))
        ship = timedelta(seconds=rng.uniform(2 * 3600, 40 * 3600))
        deliver = timedelta(seconds=rng.uniform(20 * 3600, 72 * 3600))

        def ago(low_days, high_days):
            return timedelta(seconds=rng.uniform(low_days * day, high_days * day))

        t: dict = {}
        if status == OrderStatus.PENDING_PAYMENT:
            # Recent enough that none falls due while the generator or a benchmark is running.
            placed = now - timedelta(seconds=rng.uniform(0, self.timeout.total_seconds() / 2))
        elif status == OrderStatus.CANCELLED:
            placed = now - self.timeout - ago(0, HISTORY_DAYS)
            t.update(cancelled_at=placed + self.timeout, cancel_reason="expired")
        elif status == OrderStatus.PAID:
            placed = now - pay - ago(0, 2)
        elif status == OrderStatus.SHIPPED:
            placed = now - pay - ship - ago(0, 2)
        elif status == OrderStatus.DELIVERED:
            placed = now - pay - ship - deliver - ago(0, 6.5)
        elif status == OrderStatus.COMPLETED:
            placed = now - pay - ship - deliver - ago(9, HISTORY_DAYS)
        else:  # refunded: paid, then cancelled by the customer before shipment
            placed = now - pay - ago(0.5, HISTORY_DAYS)
        t["placed_at"], t["expires_at"] = placed, placed + self.timeout
        if status in PAID_STATUSES:
            t["paid_at"] = placed + pay
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            carrier, prefix, digits = rng.choice(WAYBILL_SHAPES)
            t.update(
                shipped_at=t["paid_at"] + ship,
                carrier=carrier,
                tracking_no=f"{prefix}{rng.randrange(10**digits):0{digits}d}",
            )
        if status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            t["delivered_at"] = t["shipped_at"] + deliver
        if status == OrderStatus.COMPLETED:
            closes = return_window_closes(t["delivered_at"], self.tz, settings.RETURN_WINDOW_DAYS)
            t["completed_at"] = closes + timedelta(seconds=rng.uniform(60, 3600))
        if status == OrderStatus.REFUNDED:
            t["cancelled_at"] = min(t["paid_at"] + timedelta(seconds=rng.uniform(600, 43200)), now)
            t["cancel_reason"] = rng.choice(["不想要了", "拍错规格", "地址填错了", "重复下单"])
        return t

    def orders(self, n: int, customers: list[tuple[int, datetime, tuple]]) -> None:
        rng = self.rng
        skus = list(
            Sku.objects.filter(is_active=True, product__status=Product.Status.PUBLISHED)
            .select_related("product")
            .prefetch_related("price_periods")
        )
        # Popular products sell more: a gentle Zipf-like weighting over the catalogue.
        sku_weights = [1 / (i + 1) ** 0.7 for i in range(len(skus))]
        # A few loyal customers buy often, most buy once or twice.
        customer_weights = [rng.paretovariate(1.5) for _ in customers]
        statuses, status_weights = list(STATUS_MIX), list(STATUS_MIX.values())
        sequence = 0
        for start in range(0, n, BATCH):
            size = min(BATCH, n - start)
            buyers = rng.choices(customers, weights=customer_weights, k=size)
            chosen_statuses = rng.choices(statuses, weights=status_weights, k=size)
            orders, lines_per_order, payments_per_order = [], [], []
            for (customer_id, _joined, address), status in zip(
                buyers, chosen_statuses, strict=True
            ):
                sequence += 1
                t = self._timeline(status)
                picked = {}
                while len(picked) < rng.choice((1, 1, 1, 2, 2, 3)):
                    sku = rng.choices(skus, weights=sku_weights)[0]
                    picked[sku.pk] = sku
                confirmed = any(s.product.return_class == "excludable" for s in picked.values())
                lines = []
                for sku in picked.values():
                    quantity = rng.choice((1, 1, 1, 1, 2, 2, 3, 5))
                    price = sku_price(sku, t["placed_at"]).amount_fen
                    lines.append(
                        OrderLine(
                            sku_id=sku.pk,
                            product_id=sku.product_id,
                            product_name=sku.product.name,
                            sku_name=sku.name,
                            sku_code=sku.code,
                            unit_price_fen=price,
                            quantity=quantity,
                            line_total_fen=price * quantity,
                            return_class=sku.product.return_class,
                            returnable=line_is_returnable(sku.product.return_class, confirmed),
                        )
                    )
                total = sum(line.line_total_fen for line in lines)
                recipient, phone, one_line, city = address
                order = Order(
                    number=f"G{self.run}{sequence:08d}",
                    customer_id=customer_id,
                    status=status,
                    recipient=recipient,
                    phone=phone,
                    address=one_line,
                    city=city,
                    total_fen=total,
                    refunded_fen=total if status == OrderStatus.REFUNDED else 0,
                    return_exclusion_confirmed=confirmed,
                    **t,
                )
                payments = []
                if status in PAID_STATUSES:
                    payments.append(
                        Payment(
                            number=f"GP{self.run}{sequence:08d}",
                            provider="sandbox",
                            amount_fen=total,
                            status=Payment.Status.SUCCEEDED,
                            provider_txn_id=f"gen_{self.run}_{sequence}",
                            created_at=t["placed_at"] + timedelta(seconds=5),
                            paid_at=t["paid_at"],
                        )
                    )
                elif status == OrderStatus.PENDING_PAYMENT and rng.random() < 0.5:
                    payments.append(
                        Payment(
                            number=f"GP{self.run}{sequence:08d}",
                            provider="sandbox",
                            amount_fen=total,
                            created_at=t["placed_at"] + timedelta(seconds=5),
                        )
                    )
                orders.append(order)
                lines_per_order.append(lines)
                payments_per_order.append(payments)
            self._write(orders, lines_per_order, payments_per_order)
            self.progress(size)

    @staticmethod
    def _reserve_open_orders(orders, lines_per_order) -> None:
        """Unpaid and unshipped orders reserve their units; the warehouse receives as many, so
        what is available for sale stays as it was."""
        reserved: dict[int, int] = {}
        for order, order_lines in zip(orders, lines_per_order, strict=True):
            if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID):
                for line in order_lines:
                    reserved[line.sku_id] = reserved.get(line.sku_id, 0) + line.quantity
        for sku_id, quantity in sorted(reserved.items()):
            Stock.objects.filter(sku_id=sku_id).update(
                on_hand=F("on_hand") + quantity, reserved=F("reserved") + quantity
            )

    def _write(self, orders, lines_per_order, payments_per_order) -> None:
        with transaction.atomic():
            Order.objects.bulk_create(orders)
            lines, payments = [], []
            for order, order_lines, order_payments in zip(
                orders, lines_per_order, payments_per_order, strict=True
            ):
                for line in order_lines:
                    line.order_id = order.pk
                    lines.append(line)
                for payment in order_payments:
                    payment.order_id = order.pk
                    payments.append(payment)
            OrderLine.objects.bulk_create(lines)
            Payment.objects.bulk_create(payments)
            refunds = [
                Refund(
                    number=f"GF{p.number[2:]}",
                    payment_id=p.pk,
                    amount_fen=p.amount_fen,
                    reason="order cancelled by customer",
                    provider_refund_id=f"genr_{p.provider_txn_id}",
                    status=Refund.Status.SUCCEEDED,
                    idempotency_key=f"GF{p.number[2:]}",
                    attempts=1,
                    created_at=order.cancelled_at,
                    confirmed_at=order.cancelled_at,
                )
                for order, order_payments in zip(orders, payments_per_order, strict=True)
                if order.status == OrderStatus.REFUNDED
                for p in order_payments
            ]
            Refund.objects.bulk_create(refunds)
            self._reserve_open_orders(orders, lines_per_order)
        self.counts.orders += len(orders)
        self.counts.order_lines += len(lines)
        self.counts.payments += len(payments)
        self.counts.refunds += len(refunds)


def generate(
    *,
    customers: int,
    orders: int,
    seed: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> Counts:
    """Adds ``customers`` customers and ``orders`` orders spread over the last six months."""
    generator = Generator(seed=seed, progress=progress)
    made = generator.customers(customers)
    if orders:
        if not made:
            raise ValueError("orders need customers: pass customers > 0")
        generator.orders(orders, made)
    return generator.counts
