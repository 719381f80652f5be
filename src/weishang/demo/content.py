"""The demo brand's community and content, made through the same services the console and the
distributor console call: two city stations with their opinion leaders, tags and segments, the
brand's poster template, three published themes, the distributor's post of the day, two ideas
from the customer, two courses and the repurchase intervals of the care list. ``loader`` calls
it once, after the brand, its people and their orders exist."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from weishang.catalog.models import Product
from weishang.community import services as community
from weishang.content import courses, ideas, library, posts
from weishang.content.poster_rules import Placement
from weishang.content.settings import set_repurchase_intervals
from weishang.customers.models import Customer
from weishang.distribution.models import Distributor
from weishang.loyalty.models import MemberTier

from . import catalogue
from .images import render_facts, render_origin, render_poster_background, render_product_image

# (name, province, city, intro, the leader's mobile, his title)
STATIONS = [
    (
        "乌鲁木齐站",
        "新疆",
        "乌鲁木齐",
        "离枣园最近的站点：每年十月组团去若羌看打枣。",
        catalogue.DISTRIBUTOR["mobile"],
        "枣园向导",
    ),
    (
        "郑州站",
        "河南",
        "郑州",
        "中原枣友的家：每月一次枣糕、枣茶分享会。",
        catalogue.CUSTOMER["mobile"],
        "分享会召集人",
    ),
]
# Which station each demo person belongs to.
MEMBERS = {catalogue.CUSTOMER["mobile"]: "郑州站", catalogue.DISTRIBUTOR["mobile"]: "乌鲁木齐站"}
TAGS = ["宝妈", "高复购"]
CUSTOMER_TAGS = ["宝妈", "高复购"]

POSTER_TEMPLATE = "枣知道红金"
# Where the poster template's artwork leaves room: the name across the cream card, the price
# under it on the left, the QR code in the card's lower right.
POSTER_PLACEMENT = Placement(
    qr_x=420,
    qr_y=870,
    qr_size=240,
    name_x=90,
    name_y=800,
    name_size=40,
    price_x=90,
    price_y=890,
    price_size=64,
)


def _theme_pictures() -> dict[str, list[bytes]]:
    return {
        "新年送枣": [
            render_product_image(
                "新年送枣", shape="box", palette="red", subtitle="团圆礼盒 · 年货节"
            ),
            render_facts(
                "送枣的讲究",
                [
                    "枣，谐音“早”：早生贵子、",
                    "早早团圆，过年送枣图吉利。",
                    "长辈：若羌灰枣，软糯好嚼",
                    "同事：枣夹核桃，一口一个",
                    "亲家：团圆礼盒，体面大方",
                ],
                palette="red",
            ),
        ],
        "早餐一把枣": [
            render_product_image(
                "早餐一把枣", shape="pile", palette="gold", subtitle="一天的好开始"
            ),
            render_facts(
                "早餐怎么吃枣",
                [
                    "小米粥里放三五颗，",
                    "熬到枣皮微裂最香甜。",
                    "燕麦牛奶配枣片，",
                    "三分钟就能出门。",
                    "枣核硬，给孩子吃前",
                    "记得先去核、切小块。",
                ],
                palette="gold",
            ),
            render_origin(),
        ],
        "枣茶食谱": [
            render_product_image("红枣枸杞茶", shape="cup", palette="tea", subtitle="三步煮一壶"),
            render_facts(
                "枣茶食谱",
                [
                    "1. 红枣六颗剪开，枸杞一小把",
                    "2. 冷水下锅，小火煮十五分钟",
                    "3. 关火焖五分钟，加一片陈皮",
                    "喜欢清香：加两片菊花",
                    "想暖一点：加三片生姜",
                ],
                palette="tea",
            ),
        ],
    }


# title: (copy, product slugs, segment name, on the brand's poster template); made in this order,
# so the library, newest first, opens with the new year's theme.
THEMES = {
    "枣茶食谱": (
        "天冷了，给家里煮一壶红枣枸杞茶。\n"
        "红枣六颗剪开口，枸杞一小把，冷水下锅，小火煮十五分钟，关火再焖五分钟，"
        "加一片陈皮更香。喜欢清香就加两片菊花，想暖一点就加三片生姜。\n"
        "老客户专享：红枣枸杞茶和枣片都能直接买现成的，泡水就能喝。",
        ["jujube-goji-tea", "jujube-slices"],
        "三单以上老客",
        False,
    ),
    "早餐一把枣": (
        "早上来不及？抓一把枣就好。\n"
        "小米粥里放三五颗红枣，熬到枣皮微微裂开，整锅粥都是甜的；"
        "赶时间就用燕麦、牛奶配几片枣片，三分钟出门。\n"
        "小提示：给孩子吃枣，先去核、切小块；一天五六颗刚刚好，吃多了容易胀气。",
        [],
        None,
        False,
    ),
    "新年送枣": (
        "过年走亲戚，拎一盒枣最有心意。\n"
        "若羌灰枣皮薄肉厚，老人孩子都咬得动；枣夹核桃是办公室的抢手货；"
        "团圆礼盒一盒装下三种好枣，送长辈、送亲家都体面。\n"
        "腊月二十前下单，品牌仓新疆直发，年前送到。",
        ["reunion-gift-box", "ruoqiang-grey-jujube", "jujube-walnut"],
        None,
        True,
    ),
}
POST_THEME = "新年送枣"

# (request key, title, text, points when accepted; None: still waiting for review)
IDEAS = [
    (
        "demo-idea-office",
        "办公室下午茶：枣夹核桃配红茶",
        "下午三点拍一张工位照：一杯红茶、一小碟枣夹核桃，配文“今天的下午茶是新疆寄来的”。"
        "同事看到都会问在哪买，很适合分销员发朋友圈。",
        200,
    ),
    (
        "demo-idea-harvest",
        "十月打枣季直播",
        "十月若羌打枣的时候，请枣园的师傅拍一段打枣、晾枣的短视频，"
        "配上采摘日期，让大家看到枣是怎么从树上到箱子里的。",
        None,
    ),
]

LESSONS_ONBOARDING = [
    (
        "第一步：认识你的微店",
        "<h2>你的微店是什么</h2>"
        "<p>审核通过后，你就有了自己的<strong>微店</strong>：商品、价格、发货和售后都由品牌负责，"
        "你只需要把好东西分享给身边的人。</p>"
        "<h3>开店前先做三件事</h3>"
        "<ol><li>在“我的微店”里写一句介绍，说说你为什么推荐这家的枣；</li>"
        "<li>挑选三款主推商品，放在店铺最上面；</li>"
        "<li>绑定收款账户，佣金结算后才能提现。</li></ol>"
        "<p>做完这三件事，你的店铺就可以开门了。</p>",
    ),
    (
        "第二步：每天发一条素材",
        "<h2>从素材库开始</h2>"
        "<p>品牌每周在<strong>素材库</strong>上新官方主题：文案、图片和海报都准备好了。</p>"
        "<ul><li>点“用这个主题”，一键生成你的专属动态；</li>"
        "<li>下载图片，每张图右下角都是你的二维码；</li>"
        "<li>复制文案，可以改成你自己的话再发朋友圈。</li></ul>"
        "<h3>发布节奏</h3>"
        "<p>一天五到八条为宜，其中讲商品的<em>不超过一半</em>，"
        "其余分享生活和知识，朋友才不会觉得被刷屏。</p>",
    ),
    (
        "第三步：照顾好老客户",
        "<h2>老客户是最好的客户</h2>"
        "<p>每天打开<strong>老客户维护</strong>，看看今天该问候谁：</p>"
        "<ul><li>快吃完了：按商品的复购周期提醒他；</li>"
        "<li>生日快到了：送上一句祝福；</li>"
        "<li>好久没联系：分享一条他可能喜欢的素材。</li></ul>"
        "<blockquote>真诚的一句问候，胜过十条广告。</blockquote>"
        "<p>问候完点“已完成”，系统会记住，下次不会重复提醒。</p>",
    ),
]
LESSONS_COPYWRITING = [
    (
        "好文案的三个要素",
        "<h2>真实、具体、有画面</h2>"
        "<ol><li><strong>真实</strong>：写你自己吃过、用过的感受；</li>"
        "<li><strong>具体</strong>：“皮薄肉厚”比“好吃”更打动人；</li>"
        "<li><strong>有画面</strong>：早餐桌上的一碗枣粥，比一张商品图更让人想买。</li></ol>",
    ),
    (
        "这些话不能说",
        "<h2>守住广告法的底线</h2>"
        "<p>枣是食品，不是药品。发朋友圈时请避免：</p>"
        "<ul><li>“治疗”“治愈”“降血糖”等功效说法；</li>"
        "<li>“最好”“第一”“国家级”等绝对化用语；</li>"
        "<li>编造的顾客评价和销量。</li></ul>"
        "<p>拿不准的时候，直接用素材库里的官方文案。</p>",
    ),
]
# (title, summary, onboarding, lessons)
COURSES = [
    ("新人开店七步", "新分销员的必修课：开店、发素材、维护老客户。", True, LESSONS_ONBOARDING),
    ("朋友圈文案技巧", "写出朋友愿意看、愿意问的朋友圈。", False, LESSONS_COPYWRITING),
]
# Product slug: days a customer typically takes to buy it again.
REPURCHASE_DAYS = {"ruoqiang-grey-jujube": 30, "ejiao-jujube": 30, "jujube-goji-tea": 21}


def _upload(name: str, picture: bytes) -> SimpleUploadedFile:
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    return SimpleUploadedFile(name, picture, content_type=content_type)


def load_content() -> None:
    admin = get_user_model().objects.get(username="admin")
    customer = Customer.objects.get(mobile=catalogue.CUSTOMER["mobile"])
    distributor = Distributor.objects.get(customer__mobile=catalogue.DISTRIBUTOR["mobile"])
    segments = create_community(admin=admin, customer=customer)
    template = create_poster_template(admin=admin)
    themes = create_themes(admin=admin, segments=segments, template=template)
    now = timezone.now()
    posts.make_post(
        distributor=distributor,
        theme_id=themes[POST_THEME].pk,
        planned_on=timezone.localdate(now),
        now=now,
    )
    submit_ideas(admin=admin, customer=customer)
    create_courses(admin=admin, distributor=distributor)
    slugs = dict(Product.objects.filter(slug__in=REPURCHASE_DAYS).values_list("slug", "pk"))
    set_repurchase_intervals(
        actor=admin, days_by_product={slugs[slug]: days for slug, days in REPURCHASE_DAYS.items()}
    )


def create_community(*, admin, customer: Customer) -> dict:
    """The stations with their leaders and members, the tags (the customer wears both) and the
    segments; returns the segments by name."""
    now = timezone.now()
    stations = {}
    for name, province, city, intro, leader_mobile, title in STATIONS:
        station = community.create_station(
            actor=admin, name=name, province=province, city=city, intro=intro, now=now
        )
        community.appoint_leader(
            actor=admin, station_id=station.pk, mobile=leader_mobile, title=title, now=now
        )
        stations[name] = station
    community.join_station(
        customer=customer, station_id=stations[MEMBERS[customer.mobile]].pk, now=now
    )
    distributor_mobile = catalogue.DISTRIBUTOR["mobile"]
    community.set_customer_station(
        actor=admin,
        customer_id=Customer.objects.get(mobile=distributor_mobile).pk,
        station_id=stations[MEMBERS[distributor_mobile]].pk,
        now=now,
    )
    tags = {name: community.create_tag(actor=admin, name=name, now=now) for name in TAGS}
    for name in CUSTOMER_TAGS:
        community.tag_customer(actor=admin, customer_id=customer.pk, tag_id=tags[name].pk, now=now)
    gold = MemberTier.objects.get(name="金卡")
    terms = [
        {"name": "三单以上老客", "min_orders": 3},
        {"name": "60天未下单", "no_order_days": 60},
        {"name": "金卡及以上", "min_tier_id": gold.pk},
    ]
    return {
        segment.name: segment
        for segment in (community.save_segment(actor=admin, terms=t, now=now) for t in terms)
    }


def create_poster_template(*, admin):
    """The brand's red and gold artwork, with its places set to fit it; in use, so the
    distributors' store posters are drawn on it."""
    template = library.create_poster_template(
        actor=admin,
        name=POSTER_TEMPLATE,
        background=_upload("poster.png", render_poster_background()),
    )
    return library.edit_poster_template(
        actor=admin,
        template=template,
        name=POSTER_TEMPLATE,
        placement=POSTER_PLACEMENT,
        text_color="#5c281c",
        price_color="#c8242c",
    )


def create_themes(*, admin, segments: dict, template) -> dict:
    """The three themes, published for the next three months; returns them by title."""
    pictures = _theme_pictures()
    now = timezone.now()
    product_pks = dict(Product.objects.values_list("slug", "pk"))
    themes = {}
    for title, (copy, slugs, segment, on_template) in THEMES.items():
        theme = library.create_theme(
            actor=admin,
            title=title,
            copy=copy,
            product_ids=[product_pks[slug] for slug in slugs],
            segment_id=segments[segment].pk if segment else None,
            poster_template_id=template.pk if on_template else None,
            valid_until=now + timedelta(days=90),
            now=now,
        )
        for n, picture in enumerate(pictures[title], start=1):
            library.add_theme_image(
                actor=admin, theme=theme, image_file=_upload(f"theme-{n}.jpg", picture)
            )
        themes[title] = library.publish_theme(actor=admin, theme=theme, now=now)
    return themes


def submit_ideas(*, admin, customer: Customer) -> None:
    """The customer's ideas: the brand accepted one (with points) and has yet to read the other."""
    for request_key, title, text, points in IDEAS:
        idea = ideas.submit_idea(author=customer, request_key=request_key, title=title, text=text)
        if points is not None:
            ideas.accept_idea(actor=admin, submission_id=idea.pk, points=points)


def create_courses(*, admin, distributor: Distributor) -> None:
    """Both courses published; the distributor has done the first lesson of the onboarding one."""
    now = timezone.now()
    for title, summary, onboarding, lessons in COURSES:
        course = courses.create_course(
            actor=admin, title=title, summary=summary, is_onboarding=onboarding, now=now
        )
        added = [
            courses.add_lesson(actor=admin, course=course, title=lesson_title, body=body)
            for lesson_title, body in lessons
        ]
        courses.publish_course(actor=admin, course=course)
        if onboarding:
            courses.complete_lesson(distributor=distributor, lesson=added[0], now=now)
