"""Lesson rich text: what a brand writes keeps its formatting; whatever could run, load from
elsewhere or restyle the page is removed (OWASP XSS filter evasion vectors among them)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.content import richtext
from weishang.content.errors import ContentError

PICTURE = "/media/content/lessons/lesson-0123456789abcdef.png"


def executable(html: str) -> list[str]:
    """The markup in ``html`` that a browser could run or that loads from outside the lesson."""
    found = []
    found += re.findall(
        r"<\s*(?:script|svg|math|iframe|object|embed|style|form|base|meta)", html, re.I
    )
    found += re.findall(r"\son[a-z]+\s*=", html, re.I)
    found += re.findall(r"(?:javascript|vbscript|data)\s*:", html, re.I)
    found += re.findall(r"\s(?:style|class|target|srcset|formaction)\s*=", html, re.I)
    found += [src for src in re.findall(r'src="([^"]*)"', html) if not src.startswith(PICTURE[:23])]
    return found


VECTORS = [
    "<script>alert(1)</script>",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "<img src=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<img src=//evil.example/x.png>",
    '<img src="https://evil.example/x.png">',
    '<img src="/media/products/a.png">',
    '<img src="/media/content/lessons/../../evil.png">',
    '<img src="/media/content/lessons/a.svg">',
    f'<img src="{PICTURE}?x=1">',
    f'<img src="{PICTURE}" srcset="https://evil.example/x.png 2x">',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    "<input autofocus onfocus=alert(1)>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<div class="admin">x</div>',
    '<a href="https://shop.example" target="_blank" onclick="alert(1)">x</a>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<<script>alert(1);//<</script>",
    '<img """><script>alert(1)</script>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


@pytest.mark.parametrize("vector", VECTORS)
def test_every_vector_is_neutralised(vector):
    cleaned = richtext.clean(vector)
    assert executable(cleaned) == [], cleaned


@pytest.mark.parametrize("vector", VECTORS)
def test_cleaning_twice_changes_nothing(vector):
    once = richtext.clean(vector)
    assert richtext.clean(once) == once


def test_chinese_text_and_the_allowed_formatting_are_kept():
    html = (
        "<h2>第一步：加好友</h2><p>先问候，<strong>再</strong>介绍<em>若羌红枣</em>，"
        "<u>不要</u>刷屏，<s>群发</s>。<br>第二行</p><h3>要点</h3>"
        "<ul><li>真诚</li><li>耐心</li></ul><ol><li>一</li></ol>"
        "<blockquote>顾客是朋友</blockquote>"
    )
    assert richtext.clean(html) == html


def test_a_link_keeps_its_address_gets_rel_and_loses_target():
    cleaned = richtext.clean('<a href="https://shop.example/p/1" target="_blank">看看</a>')
    assert cleaned == (
        '<a href="https://shop.example/p/1" rel="noopener noreferrer nofollow">看看</a>'
    )
    assert 'href="mailto:kefu@example.cn"' in richtext.clean(
        '<a href="mailto:kefu@example.cn">邮件</a>'
    )


def test_a_lesson_picture_is_kept_with_its_alt_and_others_lose_their_address():
    assert richtext.clean(f'<img src="{PICTURE}" alt="话术截图" width="9">') == (
        f'<img src="{PICTURE}" alt="话术截图">'
    )
    assert "src" not in richtext.clean('<img src="https://evil.example/x.png" alt="x">')


def test_script_content_is_dropped_not_shown_as_text():
    assert richtext.clean("<p>好</p><script>alert(1)</script>") == "<p>好</p>"


def test_too_long_after_cleaning_is_refused_and_tags_do_not_count_against_a_lesson():
    with pytest.raises(ContentError):
        richtext.clean("<p>" + "枣" * (richtext.MAX_CLEAN_CHARS + 1) + "</p>")
    with pytest.raises(ContentError):
        richtext.clean("x" * (richtext.MAX_INPUT_CHARS + 1))
    stripped = "<span>" * 5_000 + "短" + "</span>" * 5_000  # 65,000 characters in
    assert richtext.clean(stripped) == "短"


def test_blank_means_no_text_and_no_picture():
    assert richtext.is_blank(richtext.clean("<p> </p><script>x</script>"))
    assert not richtext.is_blank(richtext.clean(f'<p><img src="{PICTURE}"></p>'))
    assert not richtext.is_blank(richtext.clean("<p>好</p>"))


@given(
    st.text(alphabet=st.sampled_from(list("<>\"'=/ :&#;aijvscrptonerlfhg()1xmdi\t")), max_size=80)
)
def test_no_generated_text_yields_executable_markup(text):
    cleaned = richtext.clean(text)
    assert not re.search(r"<\s*script|\son[a-z]+\s*=|javascript\s*:", cleaned, re.I), cleaned
    assert richtext.clean(cleaned) == cleaned
