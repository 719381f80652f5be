"""The demo brand 枣知道: a fictional jujube grower in Ruoqiang, Xinjiang, selling through its fans.

Plain data; ``loader.py`` turns it into rows through the catalogue and stock services.
"""

from dataclasses import dataclass

from weishang.catalog.models import ReturnClass

BRAND = {
    "name": "枣知道",
    "company_name": "新疆枣知道农业科技有限公司",
    # A unified social credit code with a correct check digit (GB 32100-2015), county 652824 若羌.
    "business_licence_no": "91652824MA78QJ5K1D",
    "food_licence_no": "SC11265282400317",
    "address": "新疆巴音郭楞蒙古自治州若羌县枣乡大道88号",
    "service_phone": "400-820-6688",
    "return_shipping_paid_by_brand": False,
}

# Where the brand's customers send no-reason returns.
RETURN_ADDRESS = {
    "recipient": "枣知道售后组",
    "phone": "0996-7100000",
    "address": "新疆巴音郭楞蒙古自治州若羌县枣乡大道88号 枣知道仓库",
}

# The freight template: province code ("" the default), fee, free from this goods total (fen).
FREIGHT = [
    ("", 800, 9900),
    ("65", 0, None),  # Xinjiang: the warehouse is here
    ("54", 2000, 19900),  # Tibet
]

# Coupon templates (the loyalty service's terms); the first welcomes new members, the second is
# offered in the coupon centre.
COUPONS = [
    {
        "name": "新人券 满59减10",
        "kind": "amount_off",
        "amount_off_fen": 1000,
        "threshold_fen": 5900,
        "scope": "all",
        "valid_days": 30,
        "per_customer_limit": 1,
    },
    {
        "name": "领券中心 全场9折",
        "kind": "percent_off",
        "percent_off_bp": 1000,
        "cap_fen": 3000,
        "threshold_fen": 9900,
        "scope": "all",
        "valid_days": 14,
        "per_customer_limit": 1,
        "quota": 500,
        "stackable": True,
        "claimable": True,
    },
]

# slug, name
CATEGORIES = [
    ("jujube", "红枣"),
    ("snacks", "枣制品零食"),
    ("tea", "养生茶饮"),
    ("gifts", "礼盒与定制"),
    ("reading", "枣乡书房"),
]


@dataclass(frozen=True)
class DemoSku:
    code: str
    name: str
    price_fen: int
    stock: int


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    name: str
    category: str
    description: str
    skus: list[DemoSku]
    shape: str = "pile"
    palette: str = "red"
    is_food: bool = True
    return_class: str = ReturnClass.NORMAL
    exclusion_reason: str = ""
    tagline: str = ""


PRODUCTS = [
    DemoProduct(
        slug="ruoqiang-grey-jujube",
        name="若羌灰枣",
        category="jujube",
        tagline="枣知道 · 若羌产区直发",
        description=(
            "产自新疆若羌的灰枣，沙漠边缘日照充足、昼夜温差大，自然挂树风干。"
            "果肉紧实，甜而不腻，可直接吃，也可煲汤、煮粥、泡水。\n"
            "规格：500g 袋装 / 1kg 袋装 / 2.5kg 礼盒装。开袋后请密封冷藏。"
        ),
        skus=[
            DemoSku("ZZD-HZ-500", "500g 袋装", 3990, 800),
            DemoSku("ZZD-HZ-1000", "1kg 袋装", 6990, 500),
            DemoSku("ZZD-HZ-GIFT", "2.5kg 礼盒装", 15800, 120),
        ],
    ),
    DemoProduct(
        slug="hotan-junzao",
        name="和田骏枣",
        category="jujube",
        tagline="枣知道 · 大颗粒一级果",
        description=(
            "和田骏枣个大肉厚，皮薄核小，每颗约 8–10 克。人工逐颗挑选一级果，适合送长辈、煲汤炖品。"
        ),
        skus=[
            DemoSku("ZZD-JZ-500", "500g 袋装", 4590, 600),
            DemoSku("ZZD-JZ-1000", "1kg 袋装", 8490, 300),
        ],
    ),
    DemoProduct(
        slug="aksu-winter-jujube",
        name="阿克苏鲜冬枣",
        category="jujube",
        palette="green",
        tagline="鲜果 · 顺丰冷链",
        description=(
            "当季采摘的鲜冬枣，脆甜多汁，顺丰冷链发货。"
            "鲜活易腐商品，依法不适用七天无理由退货；收货时如有坏果请拍照联系客服，坏果包赔。"
        ),
        return_class=ReturnClass.PERISHABLE,
        skus=[
            DemoSku("ZZD-DZ-1500", "1.5kg 装", 5980, 200),
            DemoSku("ZZD-DZ-3000", "3kg 家庭装", 9980, 80),
        ],
    ),
    DemoProduct(
        slug="jujube-walnut",
        name="枣夹核桃",
        category="snacks",
        palette="gold",
        tagline="灰枣 + 纸皮核桃",
        description=(
            "若羌灰枣去核，夹入阿克苏纸皮核桃仁，一口香甜一口脆。独立小包装，办公室、出游随手一包。"
        ),
        skus=[
            DemoSku("ZZD-JH-250", "250g 袋装", 2990, 700),
            DemoSku("ZZD-JH-500", "500g 罐装", 5290, 400),
        ],
    ),
    DemoProduct(
        slug="ejiao-jujube",
        name="阿胶枣",
        category="snacks",
        palette="gold",
        shape="jar",
        tagline="蜜制 · 独立真空小包",
        description=(
            "精选灰枣以阿胶、蜂蜜慢火蜜制，软糯香甜。每颗独立真空包装。\n"
            "注意：拆封后影响二次销售，下单时需确认不适用七天无理由退货；未拆封仍可退。"
        ),
        return_class=ReturnClass.EXCLUDABLE,
        exclusion_reason="独立真空包装食品，拆封后影响卫生与二次销售，不适用七天无理由退货。",
        skus=[DemoSku("ZZD-EJ-500", "500g 罐装", 4980, 350)],
    ),
    DemoProduct(
        slug="jujube-crisps",
        name="红枣脆片",
        category="snacks",
        palette="gold",
        tagline="低温烘焙 · 无添加蔗糖",
        description="新鲜红枣低温真空烘焙成脆片，保留枣香，无添加蔗糖，孩子也爱吃。",
        skus=[
            DemoSku("ZZD-CP-60", "60g 袋装", 1290, 900),
            DemoSku("ZZD-CP-6X60", "60g × 6 袋", 6990, 200),
        ],
    ),
    DemoProduct(
        slug="fresh-jujube-cake",
        name="现蒸红枣糕",
        category="snacks",
        palette="tea",
        shape="box",
        tagline="当日现蒸 · 冷链直达",
        description=(
            "枣泥与糯米粉当日现蒸，不加防腐剂，保质期 3 天，冷链发货。"
            "属于易腐食品，依法不适用七天无理由退货。"
        ),
        return_class=ReturnClass.PERISHABLE,
        skus=[DemoSku("ZZD-ZG-8", "8 块装", 3880, 150)],
    ),
    DemoProduct(
        slug="jujube-goji-tea",
        name="红枣枸杞茶",
        category="tea",
        palette="tea",
        shape="cup",
        tagline="三角茶包 · 冲泡即饮",
        description="若羌红枣片、宁夏枸杞、桂圆肉配比成三角茶包，热水冲泡 5 分钟，一天一杯暖身。",
        skus=[
            DemoSku("ZZD-GQ-15", "15 包装", 3590, 600),
            DemoSku("ZZD-GQ-30", "30 包装", 6280, 300),
        ],
    ),
    DemoProduct(
        slug="jujube-slices",
        name="红枣片泡水",
        category="tea",
        palette="tea",
        shape="cup",
        tagline="去核切片 · 一泡出味",
        description="去核烘干切片，开水一泡就出枣香，可搭配菊花、桂圆、枸杞。",
        skus=[DemoSku("ZZD-ZP-250", "250g 罐装", 2680, 500)],
    ),
    DemoProduct(
        slug="jujube-blossom-honey",
        name="枣花蜂蜜",
        category="tea",
        palette="gold",
        shape="jar",
        tagline="枣园自养蜂 · 成熟蜜",
        description="枣花盛开时节采集的成熟蜜，琥珀色，味浓微辛，冲水、抹面包皆宜。一岁以下婴儿不宜食用。",
        skus=[DemoSku("ZZD-FM-500", "500g 玻璃瓶", 6800, 240)],
    ),
    DemoProduct(
        slug="custom-engraved-gift-box",
        name="定制刻字礼盒",
        category="gifts",
        palette="gold",
        shape="box",
        tagline="木盒激光刻字 · 企业 / 婚庆 / 寿宴",
        description=(
            "胡杨木礼盒内装若羌灰枣 1kg、枣夹核桃 500g，盒盖按您提供的文字激光刻字。"
            "按消费者要求定作的商品，依法不适用七天无理由退货。下单后请在备注或联系客服提供刻字内容。"
        ),
        return_class=ReturnClass.CUSTOM_MADE,
        skus=[
            DemoSku("ZZD-KZ-STD", "标准刻字款", 19800, 60),
            DemoSku("ZZD-KZ-LOGO", "企业 LOGO 款", 25800, 40),
        ],
    ),
    DemoProduct(
        slug="reunion-gift-box",
        name="枣知道团圆礼盒",
        category="gifts",
        shape="box",
        tagline="中秋 · 春节 送礼首选",
        description="灰枣、骏枣、枣夹核桃、红枣枸杞茶四味组合，红色礼盒配手提袋，节日送亲友。",
        skus=[DemoSku("ZZD-TY-4", "四味组合", 16800, 180)],
    ),
    DemoProduct(
        slug="jujube-recipe-ebook",
        name="红枣养生食谱电子版",
        category="reading",
        palette="blue",
        shape="book",
        is_food=False,
        tagline="PDF · 付款后即可下载",
        description=(
            "收录 60 道红枣家常菜、糕点与茶饮做法，附图文步骤。"
            "付款后在订单页下载 PDF。在线交付的数字化商品，下载后依法不适用七天无理由退货。"
        ),
        return_class=ReturnClass.DIGITAL,
        skus=[DemoSku("ZZD-EB-PDF", "PDF 电子版", 990, 9999)],
    ),
    DemoProduct(
        slug="jujube-village-quarterly",
        name="《枣乡》季刊",
        category="reading",
        palette="blue",
        shape="book",
        is_food=False,
        tagline="枣农故事 · 全年 4 期",
        description=(
            "讲述若羌枣农一年四季的图文季刊，全年 4 期按季寄送。"
            "报纸、期刊依法不适用七天无理由退货。"
        ),
        return_class=ReturnClass.PERIODICAL,
        skus=[
            DemoSku("ZZD-JK-1", "单期", 1800, 400),
            DemoSku("ZZD-JK-4", "全年 4 期", 6000, 300),
        ],
    ),
]

# Reseller bands the brand opens: (SKU code, supply price, ceiling), in fen.
RESELLER_BANDS = [("ZZD-HZ-500", 3000, 4990), ("ZZD-JZ-500", 3400, 5590)]

# (sku code, days from now it starts, days it runs, price in fen, label)
PRICE_PERIODS = [
    ("ZZD-HZ-500", 0, 14, 3490, "限时特惠"),
    ("ZZD-JH-500", 0, 7, 4790, "新品尝鲜价"),
    ("ZZD-TY-4", 30, 20, 14800, "中秋预售价"),
]

# username, password, superuser?
# username, password, superuser, console role (weishang.console.roles)
STAFF = [
    ("admin", "weishang-demo", True, "owner"),
    ("operator", "weishang-demo", False, "operator"),
    ("finance", "weishang-demo", False, "finance"),
    ("service", "weishang-demo", False, "customer_service"),
    ("auditor", "weishang-demo", False, "auditor"),
]
PASSWORD = "weishang-demo"

CUSTOMER = {
    "mobile": "13800138000",
    "nickname": "枣粉小王",
    "address": {
        "recipient": "王小枣",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "detail": "世纪大道100号环球金融中心18楼",
    },
}

# A distributor (小B) who shares the brand's products, and the commission plan that pays him.
DISTRIBUTOR = {
    "mobile": "13900139000",
    "real_name": "李小枣",
    "id_number": "11010519491231002X",
    "store_name": "小枣的红枣铺",
    "intro": "新疆长大的枣农女儿，只分享自己家里天天吃的枣。",
    "featured": ["ruoqiang-grey-jujube", "jujube-walnut", "jujube-goji-tea"],
    "address": {
        "recipient": "李小枣",
        "province": "新疆维吾尔自治区",
        "city": "乌鲁木齐市",
        "district": "沙依巴克区",
        "detail": "友好南路 668 号",
    },
}
PLAN_DEFAULT_RATE_BP = 500  # 5 % of what the customer paid (seed 001)

# The sections every product page of the demo carries after its own introduction, by category:
# (title, text); "{name}" and "{specs}" are the product's name and its SKUs.
SECTIONS = {
    "jujube": [
        (
            "产品参数",
            "品名：{name}\n产地：新疆若羌、和田、阿克苏枣区\n规格：{specs}\n"
            "保质期：干枣 12 个月，鲜枣 7 天\n执行标准：GB/T 5835 干制红枣",
        ),
        ("食用方法", "洗净后直接食用；煲汤、煮粥时去核切半更易出味；泡水时掰开，每次 3–5 颗。"),
        ("储存方法", "干枣开袋后密封，置于阴凉干燥处或冷藏；鲜枣收到后请冷藏并尽快食用。"),
    ],
    "snacks": [
        (
            "产品参数",
            "品名：{name}\n配料：若羌灰枣及产品名所示原料\n规格：{specs}\n"
            "保质期：9 个月\n生产许可证：见页面下方食品经营许可",
        ),
        ("食用方法", "开袋即食。每日 30–50 克为宜，糖尿病人请遵医嘱。"),
        ("储存方法", "常温避光保存，开封后请密封并尽快食用，避免受潮。"),
    ],
    "tea": [
        ("产品参数", "品名：{name}\n规格：{specs}\n保质期：18 个月\n冲泡：80–95 ℃ 热水"),
        (
            "食用方法",
            "取一份放入杯中，注入热水闷泡 5 分钟，可续泡 2–3 次；蜂蜜请用 60 ℃ 以下温水冲调。",
        ),
        ("储存方法", "密封、避光、防潮，远离异味；蜂蜜低温结晶属正常现象。"),
    ],
    "gifts": [
        ("产品参数", "品名：{name}\n规格：{specs}\n内含：礼盒所列各款枣制品\n包装：礼盒 + 手提袋"),
        ("食用方法", "盒内各款按其小包装上的说明食用。"),
        ("储存方法", "收货后请拆去外箱，礼盒置于阴凉干燥处。"),
    ],
    "reading": [
        ("产品参数", "品名：{name}\n规格：{specs}\n语言：简体中文"),
        ("阅读方法", "电子版付款后在订单页下载；季刊按季度寄出，发货后可在订单页查看物流。"),
        ("保存方法", "纸质刊物请避免受潮、暴晒。"),
    ],
}
BRAND_STORY = (
    "品牌故事",
    "枣知道扎根新疆若羌，与 300 多户枣农签约种植，从挂树风干到分拣包装全程在产区完成，"
    "每一单都由品牌仓一件代发。",
)
AFTER_SALES = (
    "售后说明",
    "收货时请当面检查，如有破损、错发请在 48 小时内拍照联系客服；是否适用七天无理由退货，"
    "以本页“退货”一栏为准。",
)


def long_description(item: DemoProduct) -> str:
    """The product's own text, then sections headed 【产品参数】, 【食用方法】, 【储存方法】 and
    the like: as long as a real product page's."""
    specs = " / ".join(sku.name for sku in item.skus)
    sections = [
        ("产品介绍", item.description),
        *(
            (title, text.format(name=item.name, specs=specs))
            for title, text in SECTIONS[item.category]
        ),
        BRAND_STORY,
        AFTER_SALES,
    ]
    return "\n\n".join(f"【{title}】\n{text}" for title, text in sections)


# Member tiers: (name, spend to reach it in fen, member discount bp, points multiplier bp).
MEMBER_TIERS = [
    ("普通", 0, 0, 10_000),
    ("银卡", 50_000, 200, 12_000),
    ("金卡", 200_000, 500, 15_000),
    ("钻石", 500_000, 800, 20_000),
]
# Red packets in the redeem centre: (name, points, cash-back in fen).
RED_PACKETS = [("5元红包", 500, 500), ("20元红包", 1900, 2000)]
# Products offered for points in the redeem centre: (SKU code, points, cash in fen per unit); one
# for points alone, one for points and cash.
REDEMPTIONS = [("ZZD-CP-60", 100, 0), ("ZZD-GQ-15", 300, 1990)]
# The share reward (分享有礼): points for each friend's order through a customer's link that
# completes without any return or refund (COMPLIANCE.md §2).
SHARE_REWARD_POINTS = 200
