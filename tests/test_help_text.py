"""Help texts in the admin show what they say: a placeholder such as <slug> is text, not a tag
the browser swallows ("The item's address: /news//.")."""

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .helpers import add_news_via_admin, change_url, visible_text


@pytest.mark.parametrize(
    ("language", "help_text"),
    [
        ("en", "The item's address: /news/<slug>/."),
        ("fr", "L’adresse de l’élément : /news/<slug>/."),
    ],
)
def test_the_slug_help_shows_its_placeholder_in_the_admin_forms(staff_client, language, help_text):
    item = add_news_via_admin(staff_client)
    for url in [reverse("admin:news_newsitem_add"), change_url(item)]:
        response = staff_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert help_text in visible_text(response), url
        assert "/news/&lt;slug&gt;/" in response.content.decode(), url


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_no_help_text_of_a_model_holds_a_bare_angle_bracket(language):
    # Forms show help texts as HTML: a "<" or ">" must be escaped (django.utils.html.escape).
    bare = []
    with translation.override(language):
        for model in apps.get_models():
            for field in model._meta.get_fields():
                help_text = str(getattr(field, "help_text", "") or "")
                if "<" in help_text or ">" in help_text:
                    bare.append(f"{model._meta.label}.{field.name}: {help_text}")
    assert not bare
