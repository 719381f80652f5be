"""Bulk data for benchmarks and for trying the pages at scale: customers, distributors who brought
most of them, and years of orders with their payments, refunds, returns, commission and ledger
transfers, share-link visits and bindings.

This bypasses the services on purpose (they lock and write row by row) and writes rows straight
into the tables (``bulkload``: COPY on PostgreSQL). What it writes still satisfies every
constraint and tells the story the services would have told:

- an order's timestamps follow its status, and its status follows its age (an order placed a
  month ago has long been completed, one placed this morning is still on its way); its total is
  the sum of its lines; every paid order has one succeeded payment; an order cancelled after
  payment, or returned in part or in full, has a succeeded refund of what came back (a return also
  has its ``ReturnRequest``, refunded, and its lines);
- about 80% of orders come through a distributor's links (a few distributors bring many
  customers, most bring a handful): the buyer is bound to him, the order is attributed to him, his
  links were opened about twice per order, and each line earns him commission in the state the
  services would have left it (awaiting payment, void, pending while the return window is open,
  available once settled, reversed when the line came back), with exactly the ledger transfers
  they write (``paid:``, ``settle:``, ``reverse:`` keys), so every balance is what the services
  would show;
- distributors invite distributors, two levels deep at most;
- orders still awaiting payment or shipment hold a stock reservation, as placed orders do, so the
  housekeeping commands and shipping can run on a generated database.

Orders and lines are made in Python and copied in; the rows that follow from them (payments,
refunds, commission, transfers, visits) are made by ``INSERT … SELECT`` over the new orders.
"""

import math
import random
import secrets
import time
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from weishang.catalog.models import Product, Sku
from weishang.catalog.selectors import sku_price
from weishang.commissions import ledger
from weishang.commissions.models import Account, Commission
from weishang.commissions.plans import active_plan, rates_for
from weishang.community.models import Station, StationMembership
from weishang.customers.models import Address, Customer
from weishang.distribution.models import Binding, BindingEvent, Distributor
from weishang.inventory.models import Stock
from weishang.orders.models import Order, OrderLine, OrderStatus, ReturnLine, ReturnRequest
from weishang.orders.rules import line_is_returnable, return_window_closes

from .bulkload import BackgroundLoader, Loader, bulk_session, next_id, reset_sequences

BATCH = 20_000
DAYS = 730
MIN_DAYS = 30
# Of all orders: placed and never paid (expired), paid then cancelled before shipment (refunded),
# and of delivered orders, returned within the 7-day window.
CANCELLED_SHARE = 0.08
REFUNDED_SHARE = 0.02
RETURNED_SHARE = 0.04
# Every PENDING_EVERY-th order is still awaiting payment, placed minutes ago.
PENDING_EVERY = 200
# The brand's orders grow over the period: the last day sees GROWTH times the first day's.
GROWTH = 3.0
ATTRIBUTED_SHARE = 0.8
FAKE_IDS = [
    ("李四", "11010519491231002X"),
    ("王芳", "310104198802143628"),
    ("张伟", "440305199003078315"),
    ("刘洋", "510107198511262417"),
    ("陈静", "330106199208153021"),
]

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


PAID_STATUSES = {
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUNDED,
    OrderStatus.PARTIALLY_REFUNDED,
}
CANCEL_REASONS = ["不想要了", "拍错规格", "地址填错了", "重复下单"]
RETURN_REASONS = ["不喜欢", "买多了", "口味不合适", ""]
# How many different SKUs an order has, and how many of each: picked uniformly from these.
LINES_WANTED = (1, 1, 1, 2, 2, 3)
QUANTITIES = (1, 1, 1, 1, 2, 2, 3, 5)
SHARE_SOURCES = ["store_link", "product_link", "qr", "poster", "post"]


@dataclass
class Counts:
    users: int = 0
    customers: int = 0
    addresses: int = 0
    station_members: int = 0
    distributors: int = 0
    bindings: int = 0
    orders: int = 0
    order_lines: int = 0
    returns: int = 0
    payments: int = 0
    refunds: int = 0
    commissions: int = 0
    transfers: int = 0
    share_visits: int = 0

    @property
    def rows(self) -> int:
        return sum(vars(self).values())


@dataclass
class Timings:
    """Seconds per phase; ``orders`` is the order and order-line rows only."""

    people: float = 0.0
    orders: float = 0.0
    follow_up: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


class Generator:
    def __init__(
        self,
        *,
        seed: int | None,
        days: int = DAYS,
        now: datetime | None = None,
        progress: Callable[[int], None] = lambda n: None,
    ):
        if days < MIN_DAYS:
            raise ValueError(f"days must be at least {MIN_DAYS}")
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.now_ts = self.now.timestamp()
        self.start_ts = self.now_ts - days * 86400
        self.progress = progress
        # Not from the seeded generator: two runs with one seed must still get different numbers.
        self.run = f"{timezone.localtime(self.now):%y%m%d%H%M%S}{secrets.randbelow(1000):03d}"
        self.timeout = settings.ORDER_PAYMENT_TIMEOUT_MINUTES * 60
        self.tz = timezone.get_default_timezone()
        self.counts = Counts()
        self.timings = Timings()
        self.loader = Loader()
        self.buyers: list[tuple] = []
        self.buyer_weights: list[float] = []
        self.first_order_id = self.first_distributor_id = None

    # people ---------------------------------------------------------------------------------------

    def _mobiles(self, n: int) -> list[str]:
        taken = set(Customer.objects.values_list("mobile", flat=True))
        taken |= {
            u[1:]
            for u in get_user_model()
            .objects.filter(username__startswith="m")
            .values_list("username", flat=True)
        }
        rng, prefixes = self.rng, MOBILE_PREFIXES
        mobiles: list[str] = []
        seen = set()
        while len(mobiles) < n:
            mobile = f"{rng.choice(prefixes)}{rng.randrange(10**8):08d}"
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

    def people(self, customers: int, distributors: int) -> None:
        """``customers`` customers, ``distributors`` of them approved distributors who brought
        most of the others; afterwards ``self.buyers`` lists who may order, and through whom."""
        started = time.perf_counter()
        rng, day, now, start = self.rng, 86400.0, self.now_ts, self.start_ts
        User = get_user_model()
        user0, customer0, distributor0 = next_id(User), next_id(Customer), next_id(Distributor)
        self.first_distributor_id = distributor0
        mobiles = self._mobiles(customers)
        # Customers sign up over the period (more of them later), distributors in its first half.
        joined = [
            start - 30 * day + (now - 32 * day - start) * self._grown(rng.random())
            for _ in range(customers)
        ]
        chosen = sorted(rng.sample(range(customers), distributors), key=lambda i: joined[i])
        approved: dict[int, float] = {}
        for i in chosen:
            joined[i] = start - 60 * day + rng.random() * (now - start) / 2
            approved[i] = joined[i] + rng.uniform(1, 10) * day
        chosen.sort(key=approved.__getitem__)
        distributor_of = {i: distributor0 + k for k, i in enumerate(chosen)}
        # Two levels of invitation at most: a tenth found the team, their invitees invite more.
        roots = max(1, len(chosen) // 10)
        first_level = roots + (len(chosen) - roots) * 2 // 5
        inviter: dict[int, int | None] = {}
        for k, i in enumerate(chosen):
            if k < roots or rng.random() < 0.3:
                inviter[i] = None
            elif k < first_level:
                inviter[i] = distributor_of[chosen[rng.randrange(roots)]]
            else:
                inviter[i] = distributor_of[chosen[rng.randrange(roots, first_level)]]
        # A few distributors bring many customers, most a handful (Zipf-like).
        ranks = list(range(len(chosen)))
        rng.shuffle(ranks)
        bring = list(accumulate(1 / (r + 1) ** 1.1 for r in ranks))
        buyers_share = 1 - len(chosen) / customers if customers else 1
        bound_share = min(0.97, ATTRIBUTED_SHARE / buyers_share) if buyers_share else 0
        bound_to: dict[int, int] = {}
        if chosen:
            for i in range(customers):
                if i not in distributor_of and rng.random() < bound_share:
                    k = bisect(bring, rng.random() * bring[-1])
                    bound_to[i] = k
                    joined[i] = max(joined[i], approved[chosen[k]] + rng.uniform(3, 48) * 3600)

        stations: dict[str, list[int]] = {}
        for station_id, city in Station.objects.filter(is_open=True).values_list("pk", "city"):
            stations.setdefault(city, []).append(station_id)

        dt = datetime.fromtimestamp
        users, people, addresses, members, dists, bindings, events = ([] for _ in range(7))
        fake_ids = self._fake_ids()
        for i, mobile in enumerate(mobiles):
            user_id, customer_id, at = user0 + i, customer0 + i, dt(joined[i], UTC)
            users.append(
                (
                    user_id,
                    f"!{rng.getrandbits(128):032x}",
                    False,
                    f"m{mobile}",
                    "",
                    "",
                    "",
                    False,
                    True,
                    at,
                )
            )
            nickname = f"{rng.choice(NICK)}{mobile[-4:]}"
            people.append((customer_id, user_id, mobile, nickname, at))
            province, city, districts = rng.choice(CITIES)
            recipient, district, detail = self._name(), rng.choice(districts), self._street()
            addresses.append(
                (customer_id, recipient, mobile, province, city, district, detail, True)
            )
            if rng.random() < 0.2:
                other = rng.choice(CITIES)
                addresses.append(
                    (
                        customer_id,
                        self._name(),
                        mobile,
                        other[0],
                        other[1],
                        rng.choice(other[2]),
                        self._street(),
                        False,
                    )
                )
            if city in stations and rng.random() < 0.3:
                member_since = min(joined[i] + rng.uniform(0, 30) * day, now - 60)
                members.append(
                    (customer_id, rng.choice(stations[city]), "chosen", dt(member_since, UTC))
                )
            if i in distributor_of:
                real_name, id_number, masked = fake_ids[rng.randrange(len(fake_ids))]
                dists.append(
                    (
                        distributor_of[i],
                        customer_id,
                        f"g{self.run}{i}",
                        f"{nickname}的小店",
                        "",
                        "",
                        "active",
                        "",
                        real_name,
                        id_number,
                        masked,
                        "small_trade",
                        "",
                        inviter[i],
                        dt(approved[i], UTC),
                    )
                )
                self.buyers.append(
                    (
                        customer_id,
                        joined[i],
                        None,
                        recipient,
                        mobile,
                        f"{province}{city}{district}{detail}",
                        city,
                    )
                )
            else:
                seller = distributor0 + bound_to[i] if i in bound_to else None
                if seller is not None:
                    source = rng.choice(SHARE_SOURCES)
                    bindings.append((customer_id, seller, source, at, None))
                    events.append((customer_id, seller, None, source, "", None, at))
                self.buyers.append(
                    (
                        customer_id,
                        joined[i],
                        seller,
                        recipient,
                        mobile,
                        f"{province}{city}{district}{detail}",
                        city,
                    )
                )
            if len(users) >= BATCH or i == customers - 1:
                with transaction.atomic():
                    load = self.loader.load
                    load(
                        User,
                        [
                            "id",
                            "password",
                            "is_superuser",
                            "username",
                            "first_name",
                            "last_name",
                            "email",
                            "is_staff",
                            "is_active",
                            "date_joined",
                        ],
                        users,
                    )
                    load(Customer, ["id", "user", "mobile", "nickname", "created_at"], people)
                    load(
                        Address,
                        [
                            "customer",
                            "recipient",
                            "phone",
                            "province",
                            "city",
                            "district",
                            "detail",
                            "is_default",
                        ],
                        addresses,
                    )
                    load(StationMembership, ["customer", "station", "source", "joined_at"], members)
                self.counts.users += len(users)
                self.counts.customers += len(people)
                self.counts.addresses += len(addresses)
                self.counts.station_members += len(members)
                self.progress(len(people))
                users, people, addresses, members = [], [], [], []
        with transaction.atomic():
            # Inviters come before their invitees (approved earlier), so one COPY keeps every
            # reference to a row already written.
            self.loader.load(
                Distributor,
                [
                    "id",
                    "customer",
                    "slug",
                    "store_name",
                    "avatar",
                    "intro",
                    "status",
                    "status_reason",
                    "real_name",
                    "id_number",
                    "id_number_masked",
                    "business_kind",
                    "credit_code",
                    "invited_by",
                    "approved_at",
                ],
                sorted(dists),
            )
            self.loader.load(
                Binding, ["customer", "distributor", "source", "bound_at", "expires_at"], bindings
            )
            self.loader.load(
                BindingEvent,
                [
                    "customer",
                    "distributor",
                    "previous_distributor",
                    "source",
                    "reason",
                    "actor",
                    "created_at",
                ],
                events,
            )
            self._accounts(distributor0)
        reset_sequences(User, Customer, Distributor)
        self.counts.distributors += len(dists)
        self.counts.bindings += len(bindings)
        # A few loyal customers buy often, most buy once or twice.
        self.buyer_weights = list(accumulate(rng.paretovariate(1.5) for _ in self.buyers))
        self.timings.people = time.perf_counter() - started

    def _fake_ids(self) -> list[tuple[str, str, str]]:
        """Encrypted once each: every distributor needs his real name and ID number stored."""
        name_field = Distributor._meta.get_field("real_name")
        id_field = Distributor._meta.get_field("id_number")
        return [
            (
                name_field.get_prep_value(name),
                id_field.get_prep_value(number),
                f"{number[:3]}{'*' * 11}{number[-4:]}",
            )
            for name, number in FAKE_IDS
        ]

    def _accounts(self, first_distributor: int) -> None:
        kinds = " UNION ALL ".join(f"SELECT '{kind}' AS kind" for kind in ledger.DISTRIBUTOR_KINDS)
        self.loader.execute(
            f"""INSERT INTO {Account._meta.db_table} (distributor_id, customer_id, kind, asset)
            SELECT d.id, NULL, k.kind, 'fen' FROM {Distributor._meta.db_table} d
            CROSS JOIN ({kinds}) k WHERE d.id >= %s ORDER BY d.id, k.kind""",
            [first_distributor],
        )

    @staticmethod
    def _grown(u: float) -> float:
        """Where in the period (0..1) the u-th quantile of a steadily growing volume falls."""
        return math.log1p(u * (GROWTH - 1)) / math.log(GROWTH)

    # orders ---------------------------------------------------------------------------------------

    def _catalogue(self):
        skus = list(
            Sku.objects.filter(is_active=True, product__status=Product.Status.PUBLISHED)
            .select_related("product")
            .prefetch_related("price_periods")
            .order_by("pk")
        )
        # Popular products sell more: a gentle Zipf-like weighting over the catalogue.
        weights = list(accumulate(1 / (i + 1) ** 0.7 for i in range(len(skus))))
        return skus, weights

    def orders(self, n: int) -> None:
        if not self.buyers:
            raise ValueError("orders need customers: pass customers > 0")
        started = time.perf_counter()
        rng, now, start, day, timeout = self.rng, self.now_ts, self.start_ts, 86400.0, self.timeout
        tz, window = self.tz, settings.RETURN_WINDOW_DAYS
        skus, sku_weights = self._catalogue()
        # Each SKU once as plain values: (id, product, product name, name, code, price when it has
        # no price periods else 0, return class, returnable if the customer confirmed the
        # exclusion, returnable if not, excludable, the SKU).
        catalogue = [
            (
                s.pk,
                s.product_id,
                s.product.name,
                s.name,
                s.code,
                0 if s.price_periods.all() else s.list_price_fen,
                s.product.return_class,
                line_is_returnable(s.product.return_class, True),
                line_is_returnable(s.product.return_class, False),
                s.product.return_class == "excludable",
                s,
            )
            for s in skus
        ]
        sku_total = sku_weights[-1]
        order_id, line_id = next_id(Order), next_id(OrderLine)
        return_id = next_id(ReturnRequest)
        self.first_order_id = order_id
        buyers, weights, grown = self.buyers, self.buyer_weights, self._grown
        dt = datetime.fromtimestamp
        reserved: dict[int, int] = {}
        sequence = 0
        # Loading on a second connection needs this one to hold no transaction it would wait for
        # (and a test's transaction would not see its rows).
        background = (
            BackgroundLoader(reindex=[Order, OrderLine])
            if self.loader.postgres and not connection.in_atomic_block
            else None
        )
        random, uniform = rng.random, rng.uniform
        for batch_start in range(0, n, BATCH):
            size = min(BATCH, n - batch_start)
            picked_buyers = rng.choices(buyers, cum_weights=weights, k=size)
            orders, lines, returns, return_lines = [], [], [], []
            for buyer in picked_buyers:
                customer_id, joined, seller, recipient, phone, address, city = buyer
                sequence += 1
                number = f"G{self.run}{sequence:08d}"
                # The lines, priced when placed
                if sequence % PENDING_EVERY == 1:
                    placed = now - random() * timeout / 2
                else:
                    low = max(joined, start)
                    placed = low + (now - low) * grown(random())
                wanted = LINES_WANTED[int(random() * len(LINES_WANTED))]
                chosen = {}
                while len(chosen) < wanted:
                    sku = catalogue[bisect(sku_weights, random() * sku_total)]
                    chosen[sku[0]] = sku
                confirmed = any(sku[9] for sku in chosen.values())
                placed_dt = dt(placed, UTC)
                order_lines = []
                total = 0
                for sku in chosen.values():
                    quantity = QUANTITIES[int(random() * len(QUANTITIES))]
                    price = sku[5] or sku_price(sku[10], placed_dt).amount_fen
                    order_lines.append(
                        [
                            line_id,
                            order_id,
                            sku[0],
                            sku[1],
                            sku[2],
                            sku[3],
                            sku[4],
                            price,
                            quantity,
                            price * quantity,
                            sku[6],
                            sku[7] if confirmed else sku[8],
                            0,
                        ]
                    )
                    line_id += 1
                    total += price * quantity
                # The story: each step taken if its time has come
                status = OrderStatus.PENDING_PAYMENT
                paid = shipped = delivered = completed = cancelled = None
                carrier = tracking = reason = receipt = ""
                refunded = 0
                roll = random()
                if sequence % PENDING_EVERY == 1:
                    pass
                elif roll < CANCELLED_SHARE:
                    cancelled = placed + timeout
                    if cancelled < now:
                        status, reason = OrderStatus.CANCELLED, "expired"
                    else:
                        cancelled = None
                else:
                    paid = placed + uniform(30, 1200)
                    if paid > now:
                        paid = None
                    else:
                        status = OrderStatus.PAID
                        shipped = paid + uniform(2 * 3600, 40 * 3600)
                        if roll < CANCELLED_SHARE + REFUNDED_SHARE:
                            shipped = None
                            cancelled = paid + uniform(600, 43200)
                            if cancelled < now:
                                status, refunded = OrderStatus.REFUNDED, total
                                reason = rng.choice(CANCEL_REASONS)
                            else:
                                cancelled = None
                if shipped is not None:
                    if shipped > now:
                        shipped = None
                    else:
                        status = OrderStatus.SHIPPED
                        carrier, prefix, digits = rng.choice(WAYBILL_SHAPES)
                        tracking = f"{prefix}{rng.randrange(10**digits):0{digits}d}"
                        delivered = shipped + uniform(20 * 3600, 72 * 3600)
                        if delivered > now:
                            delivered = None
                        else:
                            status = OrderStatus.DELIVERED
                            receipt = rng.choice(("courier", "customer", "automatic"))
                            closes = return_window_closes(dt(delivered, UTC), tz, window)
                            closes = closes.timestamp()
                            if closes < now:
                                # Completed by the housekeeping run after the window closed;
                                # never left delivered and due (windows close at local
                                # midnight, so the first hour after it holds many).
                                completed = min(closes + uniform(60, 3600), now)
                                status = OrderStatus.COMPLETED
                if delivered is not None and random() < RETURNED_SHARE:
                    returnable = [line for line in order_lines if line[11]]
                    requested = delivered + uniform(0.1, 4) * day
                    back = requested + uniform(1.5, 3) * day
                    if returnable and back < min(now, delivered + (window + 1) * day):
                        if len(returnable) > 1 and random() < 0.5:
                            returnable = rng.sample(returnable, rng.randrange(1, len(returnable)))
                        for line in returnable:
                            line[12] = line[8]
                            refunded += line[9]
                            return_lines.append((return_id, line[0], line[8]))
                        if refunded == total:
                            status, completed = OrderStatus.REFUNDED, None
                        elif completed is None:
                            status = OrderStatus.PARTIALLY_REFUNDED
                        received = back - uniform(3600, 20000)
                        sent = requested + uniform(20000, 40000)
                        way, prefix, digits = rng.choice(WAYBILL_SHAPES)
                        returns.append(
                            (
                                return_id,
                                f"R{self.run}{sequence:08d}",
                                order_id,
                                "refunded",
                                rng.choice(RETURN_REASONS),
                                refunded,
                                "customer",
                                way,
                                f"{prefix}{rng.randrange(10**digits):0{digits}d}",
                                dt(sent, UTC),
                                "",
                                dt(requested, UTC),
                                dt(requested + uniform(600, 20000), UTC),
                                dt(received, UTC),
                                dt(received, UTC),
                                dt(back, UTC),
                            )
                        )
                        return_id += 1
                if status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID):
                    for line in order_lines:
                        reserved[line[2]] = reserved.get(line[2], 0) + line[8]
                orders.append(
                    (
                        order_id,
                        number,
                        customer_id,
                        status,
                        recipient,
                        phone,
                        address,
                        city,
                        total,
                        refunded,
                        confirmed,
                        placed_dt,
                        dt(placed + timeout, UTC),
                        paid and dt(paid, UTC),
                        shipped and dt(shipped, UTC),
                        carrier,
                        tracking,
                        delivered and dt(delivered, UTC),
                        receipt,
                        completed and dt(completed, UTC),
                        cancelled and dt(cancelled, UTC),
                        reason,
                        seller,
                        "",
                    )
                )
                lines.extend(order_lines)
                order_id += 1
            self._write(orders, lines, returns, return_lines, background)
            self.progress(size)
        if background is not None:
            background.close()
        with transaction.atomic():
            for sku_id, quantity in sorted(reserved.items()):
                # The warehouse receives as many as the open orders hold: what is available for
                # sale stays as it was.
                Stock.objects.filter(sku_id=sku_id).update(
                    on_hand=F("on_hand") + quantity, reserved=F("reserved") + quantity
                )
            reset_sequences(Order, OrderLine, ReturnRequest)
        self.timings.orders = time.perf_counter() - started

    def _write(self, orders, lines, returns, return_lines, background) -> None:
        batch = [
            (
                Order,
                [
                    "id",
                    "number",
                    "customer",
                    "status",
                    "recipient",
                    "phone",
                    "address",
                    "city",
                    "total_fen",
                    "refunded_fen",
                    "return_exclusion_confirmed",
                    "placed_at",
                    "expires_at",
                    "paid_at",
                    "shipped_at",
                    "carrier",
                    "tracking_no",
                    "delivered_at",
                    "receipt_confirmed_by",
                    "completed_at",
                    "cancelled_at",
                    "cancel_reason",
                    "distributor",
                    "device_id",
                ],
                orders,
            ),
            (
                OrderLine,
                [
                    "id",
                    "order",
                    "sku",
                    "product",
                    "product_name",
                    "sku_name",
                    "sku_code",
                    "unit_price_fen",
                    "quantity",
                    "line_total_fen",
                    "return_class",
                    "returnable",
                    "returned_quantity",
                ],
                map(tuple, lines),
            ),
            (
                ReturnRequest,
                [
                    "id",
                    "number",
                    "order",
                    "status",
                    "reason",
                    "refund_fen",
                    "freight_paid_by",
                    "return_carrier",
                    "return_tracking_no",
                    "return_shipped_at",
                    "reject_reason",
                    "requested_at",
                    "approved_at",
                    "received_at",
                    "refund_due_at",
                    "refunded_at",
                ],
                returns,
            ),
            (ReturnLine, ["return_request", "order_line", "quantity"], return_lines),
        ]
        if background is not None:
            background.put(batch)
        else:
            with transaction.atomic():
                for model, fields, rows in batch:
                    self.loader.load(model, fields, rows)
        self.counts.orders += len(orders)
        self.counts.order_lines += len(lines)
        self.counts.returns += len(returns)

    # what follows from the orders -----------------------------------------------------------------

    def follow_up(self) -> None:
        """Payments, refunds, share-link visits, commission and its transfers, for the new orders,
        each one ``INSERT … SELECT``."""
        if self.first_order_id is None:
            return
        started = time.perf_counter()
        for name, step in [
            ("payments", self._payments),
            ("refunds", self._refunds),
            ("share visits", self._visits),
            ("commissions", self._commissions),
            ("transfers", self._transfers),
        ]:
            began = time.perf_counter()
            with transaction.atomic():
                step()
            self.timings.phases[name] = time.perf_counter() - began
        self.timings.follow_up = time.perf_counter() - started

    def _payments(self) -> None:
        first = self.first_order_id
        self.counts.payments += self.loader.execute(
            """INSERT INTO payments_payment (number, order_id, provider, amount_fen, status,
                provider_txn_id, payer_account, created_at, paid_at)
            SELECT 'P' || o.number, o.id, 'sandbox', o.total_fen, 'succeeded',
                'gen_' || o.number, '', o.placed_at, o.paid_at
            FROM orders_order o WHERE o.id >= %s AND o.paid_at IS NOT NULL""",
            [first],
        )
        # Half the orders awaiting payment have opened the payment page.
        self.counts.payments += self.loader.execute(
            """INSERT INTO payments_payment (number, order_id, provider, amount_fen, status,
                provider_txn_id, payer_account, created_at, paid_at)
            SELECT 'P' || o.number, o.id, 'sandbox', o.total_fen, 'created', NULL, '',
                o.placed_at, NULL
            FROM orders_order o
            WHERE o.id >= %s AND o.status = 'pending_payment' AND o.id %% 2 = 0""",
            [first],
        )

    def _refunds(self) -> None:
        """One refund per refunded order: of the whole order when the customer cancelled it after
        paying, of the returned lines when he sent them back."""
        self.counts.refunds += self.loader.execute(
            """INSERT INTO payments_refund (number, payment_id, amount_fen, reason, return_number,
                provider_refund_id, status, idempotency_key, attempts, last_error, created_at,
                confirmed_at)
            SELECT 'F' || o.number, p.id, o.refunded_fen,
                CASE WHEN r.id IS NULL THEN 'order cancelled by customer'
                     ELSE 'no-reason return' END,
                COALESCE(r.number, ''), 'genr_' || o.number, 'succeeded', 'F' || o.number, 1, '',
                COALESCE(r.refunded_at, o.cancelled_at), COALESCE(r.refunded_at, o.cancelled_at)
            FROM orders_order o
            JOIN payments_payment p ON p.order_id = o.id AND p.status = 'succeeded'
            LEFT JOIN orders_returnrequest r ON r.order_id = o.id
            WHERE o.id >= %s AND o.refunded_fen > 0""",
            [self.first_order_id],
        )

    def _visits(self) -> None:
        """About two openings of the distributor's links per order he is credited with: the buyer
        signed in, shortly before he ordered, and the same buyer earlier on a device not yet
        signed in (a person of his own, as ``reach.person_of`` counts him)."""
        sources = " ".join(f"WHEN {k} THEN '{source}'" for k, source in enumerate(SHARE_SOURCES))
        source = f"CASE o.id %% {len(SHARE_SOURCES)} {sources} END"
        before = self.loader.seconds_before
        self.counts.share_visits += self.loader.execute(
            f"""INSERT INTO distribution_sharevisit (distributor_id, source, product_id,
                created_at, person)
            SELECT o.distributor_id, {source}, CAST(NULL AS INTEGER),
                {before("o.placed_at", "o.id %% 1800 + 30")}, o.customer_id
            FROM orders_order o WHERE o.id >= %s AND o.distributor_id IS NOT NULL
            UNION ALL
            SELECT o.distributor_id, {source}, CAST(NULL AS INTEGER),
                {before("o.placed_at", "o.id %% 7200 + 1900")}, -o.id
            FROM orders_order o
            WHERE o.id >= %s AND o.distributor_id IS NOT NULL AND o.id %% 20 <> 0""",
            [self.first_order_id, self.first_order_id],
        )

    def _commissions(self) -> None:
        """Each line of an order a distributor is credited with earns him commission at the rate
        of the plan in force, in the state the services leave it in for the order's state."""
        plan = active_plan()
        if plan is None:
            return
        products = list(Product.objects.all())
        rates = rates_for(plan, products)
        rate = " ".join(f"WHEN {pk} THEN {bp}" for pk, (bp, _rule) in rates.items())
        rule = " ".join(f"WHEN {pk} THEN '{name}'" for pk, (_bp, name) in rates.items())
        self.first_commission_id = next_id(Commission)
        self.counts.commissions += self.loader.execute(
            f"""INSERT INTO commissions_commission (order_id, order_line_id, distributor_id,
                level, plan_id, rule, base_fen, rate_bp, amount_fen, reversed_fen,
                refunded_base_fen, status, hold_reason, review_note, created_at, settled_at)
            SELECT order_id, line_id, distributor_id, 1, %s, rule, base, rate, amount,
                CASE WHEN status = 'reversed' THEN amount ELSE 0 END,
                CASE WHEN status = 'reversed' THEN base ELSE 0 END,
                status, '', '', placed_at,
                CASE WHEN status = 'available' THEN completed_at END
            FROM (
                SELECT o.id AS order_id, l.id AS line_id, o.distributor_id, l.paid_fen AS base,
                    CASE l.product_id {rate} END AS rate,
                    CASE l.product_id {rule} END AS rule,
                    l.paid_fen * (CASE l.product_id {rate} END) / 10000 AS amount,
                    CASE WHEN o.status = 'pending_payment' THEN 'awaiting_payment'
                         WHEN o.status = 'cancelled' THEN 'void'
                         WHEN o.status = 'refunded' OR l.returned_quantity = l.quantity
                             THEN 'reversed'
                         WHEN o.status = 'completed' THEN 'available'
                         ELSE 'pending' END AS status,
                    o.placed_at, o.completed_at
                FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id
                WHERE o.id >= %s AND o.distributor_id IS NOT NULL
            ) AS priced
            WHERE amount > 0 ORDER BY line_id""",
            [plan.pk, self.first_order_id],
        )

    def _transfers(self) -> None:
        """What ``commissions_paid``, ``settle_commissions`` and ``reverse_commissions`` post:
        earned into pending when paid, pending to available when settled, back out of pending
        to the brand's expense when the line was refunded (keyed by the refund, or the return)."""
        if not self.counts.commissions:
            return
        expense = ledger.brand_account(Account.Kind.BRAND_EXPENSE).pk
        first = self.first_commission_id
        execute = self.loader.execute
        moved = execute(
            """INSERT INTO commissions_transfer (idempotency_key, debit_id, credit_id, amount_fen,
                kind, commission_id, withdrawal_id, memo, created_at)
            SELECT 'paid:' || c.id, %s, pa.id, c.amount_fen, 'earn', c.id, NULL, o.number,
                o.paid_at
            FROM commissions_commission c JOIN orders_order o ON o.id = c.order_id
            JOIN commissions_account pa ON pa.distributor_id = c.distributor_id
                AND pa.kind = 'pending'
            WHERE c.id >= %s AND c.status IN ('pending', 'available', 'reversed')""",
            [expense, first],
        )
        moved += execute(
            """INSERT INTO commissions_transfer (idempotency_key, debit_id, credit_id, amount_fen,
                kind, commission_id, withdrawal_id, memo, created_at)
            SELECT 'settle:' || c.id, pa.id, aa.id, c.amount_fen - c.reversed_fen, 'settle', c.id,
                NULL, '', c.settled_at
            FROM commissions_commission c
            JOIN commissions_account pa ON pa.distributor_id = c.distributor_id
                AND pa.kind = 'pending'
            JOIN commissions_account aa ON aa.distributor_id = c.distributor_id
                AND aa.kind = 'available'
            WHERE c.id >= %s AND c.status = 'available' AND c.amount_fen > c.reversed_fen""",
            [first],
        )
        moved += execute(
            """INSERT INTO commissions_transfer (idempotency_key, debit_id, credit_id, amount_fen,
                kind, commission_id, withdrawal_id, memo, created_at)
            SELECT 'reverse:' || c.id || ':' || COALESCE(r.number, f.number), pa.id, %s,
                c.reversed_fen, 'reverse', c.id, NULL, o.number, f.created_at
            FROM commissions_commission c JOIN orders_order o ON o.id = c.order_id
            JOIN payments_payment p ON p.order_id = o.id AND p.status = 'succeeded'
            JOIN payments_refund f ON f.payment_id = p.id
            LEFT JOIN orders_returnrequest r ON r.order_id = o.id
            JOIN commissions_account pa ON pa.distributor_id = c.distributor_id
                AND pa.kind = 'pending'
            WHERE c.id >= %s AND c.status = 'reversed'""",
            [expense, first],
        )
        self.counts.transfers += moved

    def analyse(self) -> None:
        """Fresh planner statistics after millions of new rows (PostgreSQL), so the pages and the
        rollups that read them next get sensible plans."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def generate(
    *,
    customers: int,
    orders: int,
    distributors: int | None = None,
    days: int = DAYS,
    seed: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> Generator:
    """Adds ``customers`` customers (``distributors`` of them distributors; a tenth by default)
    and ``orders`` orders spread over the last ``days`` days. Returns the generator, whose
    ``counts`` and ``timings`` tell what it wrote and how long it took."""
    if distributors is None:
        distributors = customers // 10
    if not 0 <= distributors <= customers:
        raise ValueError("distributors are customers too: 0 ≤ distributors ≤ customers")
    if orders and not customers:
        raise ValueError("orders need customers: pass customers > 0")
    generator = Generator(seed=seed, days=days, progress=progress)
    with bulk_session():
        generator.people(customers, distributors)
        if orders:
            generator.orders(orders)
            generator.follow_up()
    generator.analyse()
    return generator
