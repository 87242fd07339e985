from mediane.directory.sanitize import clean_text, html_to_text, sanitize_html


def test_script_tags_and_their_content_are_removed():
    cleaned = sanitize_html('<p>Bonjour<script>alert("x")</script></p><img src=x onerror=alert(1)>')
    assert "script" not in cleaned
    assert "alert" not in cleaned
    assert "onerror" not in cleaned
    assert cleaned == "<p>Bonjour</p>"


def test_allowed_tags_are_kept_and_links_get_rel():
    cleaned = sanitize_html(
        "<h3>Titre</h3><p><strong>gras</strong> <em>it</em></p><ul><li>a</li></ul>"
        '<a href="https://example.org" onclick="x()">lien</a>'
    )
    assert "<h3>Titre</h3>" in cleaned
    assert "<strong>gras</strong>" in cleaned
    assert 'href="https://example.org"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned
    assert "onclick" not in cleaned


def test_javascript_urls_are_dropped():
    assert "javascript" not in sanitize_html('<a href="javascript:alert(1)">x</a>')


def test_disallowed_tags_keep_their_text():
    assert sanitize_html("<div><span>texte</span></div>") == "texte"


def test_plain_text_helpers():
    assert clean_text("  a\x00b \n c ") == "ab c"
    assert html_to_text("<p>Laine &amp; textile</p>") == "Laine & textile"


def test_html_to_text_keeps_words_of_adjacent_blocks_apart():
    text = html_to_text("<ul><li>tourisme ;</li><li>artisanat</li></ul><p>santé</p>a<br>b")
    assert text == "tourisme ; artisanat santé a b"
