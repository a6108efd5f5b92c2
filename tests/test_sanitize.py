"""The article HTML sanitiser: what it removes, what it keeps."""
import pytest

from webui.sanitize import clean_html


@pytest.mark.parametrize("dirty,gone", [
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href="  javascript:alert(1)">x</a>', "javascript"),
    ('<a href="data:text/html,<script>">x</a>', "data:"),
    ('<a href="/relative">x</a>', "/relative"),
    ('<a href="//evil.example/x">x</a>', "evil"),
    ('<img src="mailto:a@b.c">', "mailto"),
    ('<img src="data:image/png;base64,AAAA">', "data:"),
    ('<img src="javascript:alert(1)">', "javascript"),
    ('<p style="color:red">x</p>', "style"),
    ('<table><tr><td onclick="x()">x</td></tr></table>', "onclick"),
    ("<iframe src='https://example.com'></iframe>", "iframe"),
    ("<math><mi xlink:href='javascript:alert(1)'>x</mi></math>", "javascript"),
    ("<p class=hidden id=q>x</p>", "hidden"),
])
def test_sanitiser_removes(dirty, gone):
    assert gone not in clean_html(dirty)


def test_sanitiser_keeps_the_allow_list():
    html = ('<h2>标题</h2><p><strong>粗</strong><em>斜</em><b>b</b><i>i</i><br>'
            '<a href="mailto:a@b.c">信</a><a href="https://a.example/">链</a></p>'
            '<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引</blockquote>'
            '<pre><code>{x}</code></pre><figure><img src="http://a.example/p.png" alt="图">'
            '<figcaption>说明</figcaption></figure><table><thead><tr><th>头</th></tr></thead>'
            '<tbody><tr><td colspan="2">格</td></tr></tbody></table><span>s</span><div>d</div>')
    out = clean_html(html)
    for tag in ("h2", "strong", "em", "b", "i", "br", "ul", "ol", "li", "blockquote", "pre",
                "code", "figure", "img", "figcaption", "table", "thead", "tbody", "tr", "th",
                "td", "span", "div", "a"):
        assert f"<{tag}" in out, tag
    assert 'href="mailto:a@b.c"' in out and 'colspan="2"' in out
    assert 'referrerpolicy="no-referrer"' in out and 'loading="lazy"' in out
