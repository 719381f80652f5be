"""Every article we cite is one checked against the law's text (docs/citations.md), every citation
names its law, and no internal document is cited as if it were law."""

import re
from pathlib import Path

from weishang.commissions import rules as plan_rules
from weishang.orders.rules import return_window_closes

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "citations.md"

# How each law is named in English prose and in Chinese; the key is the table's first column.
LAWS = {
    "E-commerce Law": [r"E-[Cc]ommerce Law", r"电子商务法"],
    "Civil Code": [r"Civil Code", r"民法典"],
    "Consumer Protection Law": [r"Consumer Protection Law", r"消费者权益保护法"],
    "Online 7-day Returns Measures": [r"Online 7-day Returns Measures", r"七日无理由退货暂行办法"],
    "PIPL": [r"PIPL", r"Personal Information Protection Law", r"个人信息保护法"],
    "Food Safety Law": [r"Food Safety Law", r"食品安全法"],
    "Regulations on Prohibition of Pyramid Selling": [
        r"Regulations on Prohibition of Pyramid Selling",
        r"禁止传销条例",
    ],
    "Regulations on Direct Selling Administration": [
        r"Regulations on Direct Selling Administration",
        r"直销管理条例",
    ],
    "Individual Income Tax Withholding Measures": [r"个人所得税扣缴申报管理办法"],
    "Individual Income Tax Law Implementing Regulations": [r"个人所得税法实施条例"],
    "Prosecution Standards (II)": [r"prosecution standards \(II\)", r"立案追诉标准的规定（二）"],
    # The platform's terms, cited by section (2.1.2), not by article: see SECTIONS below.
    "WeChat External Link Content Rules": [
        r"WeChat External Link Content Rules",
        r"微信外部链接内容管理规范",
    ],
}
# Sections of a platform's rules cited right after its name, as 《微信外部链接内容管理规范》2.1.2.
SECTIONS = re.compile(r"微信外部链接内容管理规范》\s*(?:第)?(?P<section>\d+(?:\.\d+)+)")
ALIAS = re.compile(
    "|".join(
        f"(?P<k{i}>{'|'.join(name.replace(' ', r'\s+') for name in names)})"
        for i, names in enumerate(LAWS.values())
    ),
    re.IGNORECASE,
)
KEYS = list(LAWS)
ENGLISH_ARTICLES = re.compile(
    r"\bArts?\.\s*(?P<list>\d+(?:\(\d+\))?(?:\s*[–,-]\s*\d+(?:\(\d+\))?)*)"
)
CHINESE_ARTICLE = re.compile(r"第(?P<n>[一二三四五六七八九十百零]+)条")
NUMERALS = dict(zip("零一二三四五六七八九", range(10), strict=True))
# A law's name counts for the articles after it until a blank line or this many characters.
REACH = 220


def chinese_number(text: str) -> int:
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif char == "十":
            total, digit = total + (digit or 1) * 10, 0
        else:
            digit = NUMERALS[char]
    return total + digit


def articles(listed: str) -> list[int]:
    numbers = []
    for part in re.split(r"\s*,\s*", listed):
        bounds = [int(re.match(r"\d+", n).group()) for n in re.split(r"\s*[–-]\s*", part)]
        numbers.extend(range(bounds[0], bounds[-1] + 1))
    return numbers


def verified() -> set[tuple[str, int]]:
    rows = re.findall(r"^\| ([^|]+?) \| (\d+) \|", TABLE.read_text(encoding="utf-8"), re.M)
    return {(law, int(article)) for law, article in rows}


def cited_files() -> list[Path]:
    source = ROOT / "src" / "weishang"
    files = [
        path
        for pattern in ("**/*.py", "**/*.html", "**/*.po")
        for path in source.glob(pattern)
        if "migrations" not in path.parts
    ]
    return files + sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


def citations(text: str):
    """(law or None, article, offset) for each article cited in the text."""
    names = [
        (m.end(), KEYS[int(next(k for k, v in m.groupdict().items() if v)[1:])])
        for m in ALIAS.finditer(text)
    ]

    def law_before(offset: int) -> str | None:
        for end, key in reversed(names):
            if end <= offset:
                between = text[end:offset]
                if offset - end > REACH or "\n\n" in between or "\n#:" in between:
                    return None
                return key
        return None

    for match in ENGLISH_ARTICLES.finditer(text):
        for number in articles(match["list"]):
            yield law_before(match.start()), number, match.start()
    for match in CHINESE_ARTICLE.finditer(text):
        yield law_before(match.start()), chinese_number(match["n"]), match.start()


def test_every_cited_article_names_its_law_and_is_checked_against_its_text():
    table = verified()
    assert len(table) > 30
    problems = []
    for path in cited_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".po":
            text = re.sub(r'"\n"', "", text)  # a message's wrapped lines, joined
        for law, number, offset in citations(text):
            line = text.count("\n", 0, offset) + 1
            where = f"{path.relative_to(ROOT)}:{line}"
            if law is None:
                problems.append(f"{where}: Art. {number} without the law's name")
            elif (law, number) not in table:
                problems.append(f"{where}: {law} Art. {number} is not in docs/citations.md")
    assert not problems, "\n".join(problems)


def test_every_cited_section_of_the_wechat_rules_is_checked_against_its_text():
    rows = re.findall(
        r"^\| WeChat External Link Content Rules \| ([\d.]+) \|",
        TABLE.read_text(encoding="utf-8"),
        re.M,
    )
    cited = {
        (str(path.relative_to(ROOT)), match["section"])
        for path in cited_files()
        for match in SECTIONS.finditer(path.read_text(encoding="utf-8"))
    }
    assert cited, "the share reward check cites the rules it applies"
    assert {section for _, section in cited} <= set(rows), cited


def test_the_product_brief_is_never_cited():
    citing = [
        str(path.relative_to(ROOT))
        for path in cited_files()
        if re.search(r"\bBRIEF\b", path.read_text(encoding="utf-8"))
    ]
    assert citing == []


def test_the_return_window_cites_the_article_that_starts_it_the_day_after_sign_for():
    assert "Online 7-day Returns Measures Art. 10" in " ".join(return_window_closes.__doc__.split())


def test_no_stock_loading_is_cited_as_the_brands_policy_not_as_law():
    assert plan_rules.NO_STOCK_LOADING.startswith("品牌政策")


def test_the_parser_reads_ranges_lists_and_chinese_numbers():
    assert articles("9–10, 31") == [9, 10, 31]
    assert articles("7(2)") == [7]
    assert chinese_number("七十八") == 78
    assert chinese_number("二十四") == 24
    assert chinese_number("四百六十五") == 465
    assert chinese_number("十") == 10
    found = list(citations("see PIPL Art. 44–47.\n\nArt. 3 alone"))
    assert [(law, n) for law, n, _ in found] == [
        ("PIPL", 44),
        ("PIPL", 45),
        ("PIPL", 46),
        ("PIPL", 47),
        (None, 3),
    ]
