"""`{% fragment %}` keeps a template part per language and given variables, never anything
that depends on the request: two visitors get their own CSRF token and path."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.utils import translation

from mediane.core.templatetags import fragments


@pytest.fixture(autouse=True)
def _empty():
    fragments.forget_fragments()
    yield
    fragments.forget_fragments()


TEMPLATE = (
    '{% load fragments i18n %}{% fragment "part" section %}'
    "{% translate 'Annuaire' %}|{{ section }}|{{ other }}{% endfragment %}"
)


def test_kept_per_language_and_variable(settings):
    settings.DEBUG = False
    template = Template(TEMPLATE)
    with translation.override("fr"):
        assert template.render(Context({"section": "a", "other": 1})) == "Annuaire|a|1"
        # Not a variable of the fragment: the kept part is served (that is the point).
        assert template.render(Context({"section": "a", "other": 2})) == "Annuaire|a|1"
        assert template.render(Context({"section": "b", "other": 2})) == "Annuaire|b|2"
    with translation.override("en"):
        assert template.render(Context({"section": "a", "other": 3})) == "Directory|a|3"


def test_nothing_kept_with_debug(settings):
    settings.DEBUG = True
    template = Template(TEMPLATE)
    with translation.override("fr"):
        assert template.render(Context({"section": "a", "other": 1})) == "Annuaire|a|1"
        assert template.render(Context({"section": "a", "other": 2})) == "Annuaire|a|2"


def test_a_name_is_required():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load fragments %}{% fragment section %}x{% endfragment %}")


def test_bounded(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(fragments, "MAX_FRAGMENTS", 3)
    template = Template(TEMPLATE)
    for n in range(10):
        template.render(Context({"section": n}))
        assert len(fragments._kept) <= 3


@pytest.mark.django_db
def test_pages_keep_their_own_token_path_and_menu_entry():
    first, second = Client(), Client()
    a = first.get("/annuaire/?q=laine").content.decode()
    b = second.get("/territoires/").content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(a).group(1) != token.search(b).group(1)  # type: ignore[union-attr]
    assert 'name="next" value="/annuaire/?q=laine"' in a
    assert 'name="next" value="/territoires/"' in b
    assert re.search(r'href="/annuaire/" aria-current="page"', a)
    assert not re.search(r'href="/annuaire/" aria-current="page"', b)
    assert re.search(r'href="/territoires/" aria-current="page"', b)
