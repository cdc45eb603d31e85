"""Review links: a publisher sends a draft to a partner without an account; the link works
until it expires or is revoked, every opening is recorded, and a bad link never shows the
item."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Kind
from reviews.models import ReviewLink, ReviewLinkUse, signer

from .helpers import PDF_BYTES, make_document, make_member, make_news, make_page, visible_text


def pdf_name(item):
    """The stored name of the report's document (in the media library)."""
    return item.documents.get().document.file.name


SECRET_BODY = "The council budget line for the market hall is 42,000 dollars."


@pytest.fixture
def draft(db):
    return make_news(
        "Draft report on market halls",
        kind=Kind.REPORT,
        published=False,
        body=f"<p>{SECRET_BODY}</p>",
        is_members_only=True,
    )


@pytest.fixture
def link(draft):
    return ReviewLink.make(draft, note="Chilliwack council staff")


def review_url(link_or_token, lang="en"):
    token = link_or_token if isinstance(link_or_token, str) else link_or_token.token
    return f"/{lang}/review/{token}/"


def assert_private(response):
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"


def assert_nothing_of_the_item(response, item):
    html = response.content.decode()
    assert item.title not in html
    assert SECRET_BODY not in html
    assert item.summary not in html
    assert pdf_name(item) not in html


# The review page ------------------------------------------------------------------------------


def test_a_valid_link_shows_the_draft_with_its_banner_to_an_anonymous_partner(link, draft):
    response = Client().get(review_url(link))
    assert response.status_code == 200
    text = visible_text(response)
    assert "Draft for review" in text
    assert "Not published: only people with this link can see it." in text
    assert draft.title in text
    # Members-only text in full: the partner has no account.
    assert SECRET_BODY in text
    assert "Log in" not in text.split("Draft for review", 1)[1].split("All news")[0]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    # No canonical address or sharing card carrying the token.
    assert 'rel="canonical"' not in html
    assert "og:url" not in html
    assert_private(response)


def test_the_banner_says_when_the_link_expires_and_when_a_scheduled_item_goes_out(db):
    goes_out = timezone.now() + datetime.timedelta(days=3)
    item = make_news("Scheduled story", published=True, days_ago=-3)
    item.published_at = goes_out
    item.save()
    link = ReviewLink.make(item, days=5)
    text = visible_text(Client().get(review_url(link)))
    local = timezone.localtime(goes_out)
    assert "Scheduled for publication on" in text
    assert str(local.year) in text
    assert "This review link works until" in text
    assert "Please do not pass it on." in text


def test_a_logged_in_member_who_is_not_staff_opens_it_too(client, link, draft):
    client.force_login(make_member())
    response = client.get(review_url(link))
    assert response.status_code == 200
    assert SECRET_BODY in visible_text(response)
    assert_private(response)


def test_a_program_page_draft_can_be_reviewed(db):
    page = make_page("Draft initiative page", published=False)
    link = ReviewLink.make(page)
    response = Client().get(review_url(link))
    assert response.status_code == 200
    text = visible_text(response)
    assert "Draft for review" in text
    assert "Body of Draft initiative page." in text


def test_the_language_switcher_keeps_the_reviewer_on_the_review_page(link, draft):
    response = Client().get(review_url(link))
    html = response.content.decode()
    assert f'href="{review_url(link, "fr")}"' in html
    assert f'href="{review_url(link, "km")}"' in html
    french = Client().get(review_url(link, "fr"))
    assert french.status_code == 200
    assert '<html lang="fr"' in french.content.decode()
    assert draft.title in visible_text(french)


def test_the_review_page_is_never_served_from_the_page_cache(link, draft):
    visitor = Client()
    assert visitor.get(review_url(link)).status_code == 200
    link.revoke(None)
    assert visitor.get(review_url(link)).status_code == 410


def test_the_review_page_queries_do_not_grow_with_articles(
    link, draft, django_assert_max_num_queries, uncached
):
    Client().get(review_url(link))  # site settings and the like, loaded once
    with django_assert_max_num_queries(12) as few:
        Client().get(review_url(link))
    for number in range(5):
        Article.objects.create(news_item=draft, title=f"Article {number}", url="https://e.org/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = Client().get(review_url(link))
    assert "Article 4" in visible_text(response)


# Bad links --------------------------------------------------------------------------------------


def test_an_expired_link_is_gone_and_shows_nothing_of_the_item(link, draft):
    link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    link.save()
    response = Client().get(review_url(link))
    assert response.status_code == 410
    assert "This review link has expired" in visible_text(response)
    assert_nothing_of_the_item(response, draft)
    assert_private(response)


def test_a_revoked_link_is_withdrawn_and_shows_nothing_of_the_item(link, draft):
    link.revoke(None)
    response = Client().get(review_url(link))
    assert response.status_code == 410
    assert "This review link has been withdrawn" in visible_text(response)
    assert_nothing_of_the_item(response, draft)


def change_one_character(token, index):
    swapped = "A" if token[index] != "A" else "B"
    return token[:index] + swapped + token[index + 1 :]


@pytest.mark.parametrize("where", [0, 5, -1])
def test_a_link_with_one_character_changed_is_refused(link, draft, where):
    token = change_one_character(link.token, where if where >= 0 else len(link.token) - 1)
    response = Client().get(review_url(token))
    assert response.status_code == 403
    assert "This review link is not valid" in visible_text(response)
    assert_nothing_of_the_item(response, draft)
    assert_private(response)


def test_another_links_id_with_this_links_key_is_refused(link, draft):
    other = ReviewLink.make(make_news("Another draft", published=False))
    pk, key, signature = link.token.split(".")
    swapped_id = f"{other.pk}.{key}.{signature}"
    # Even correctly signed, another link's id with this key does not open either.
    signed_mix = signer().sign(f"{other.pk}.{key}")
    for token in (swapped_id, signed_mix):
        response = Client().get(review_url(token))
        assert response.status_code == 403
        assert_nothing_of_the_item(response, draft)
        assert "Another draft" not in response.content.decode()


@pytest.mark.parametrize("token", ["garbage", "1", "1.abc", "..", "%00", "x" * 500])
def test_a_made_up_link_is_refused(db, draft, token):
    ReviewLink.make(draft)
    response = Client().get(review_url(token))
    # A NUL can be in no address at all: a 404 before any view (ops/bad_addresses.py).
    assert response.status_code == (404 if token == "%00" else 403)
    assert_nothing_of_the_item(response, draft)


def test_a_link_to_a_deleted_item_is_gone(link, draft):
    url = review_url(link)
    name = pdf_name(draft)
    draft.delete()
    response = Client().get(url)
    assert response.status_code == 410
    assert "This review link is no longer available" in visible_text(response)
    assert draft.title not in response.content.decode()
    assert name not in response.content.decode()


def test_a_link_to_an_item_published_since_leads_to_its_public_page(link, draft):
    draft.is_published = True
    draft.published_at = timezone.now() - datetime.timedelta(minutes=1)
    draft.save()
    response = Client().get(review_url(link))
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_the_link_expires_when_staff_shorten_it(link, draft):
    assert Client().get(review_url(link)).status_code == 200
    ReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert Client().get(review_url(link)).status_code == 410


# What is recorded -------------------------------------------------------------------------------


def test_every_use_is_recorded_with_its_link_and_time(link, draft):
    before = timezone.now()
    Client().get(review_url(link))
    Client().get(review_url(link, "fr"))
    after = timezone.now()
    uses = list(ReviewLinkUse.objects.order_by("used_at"))
    assert [(use.link, use.document, use.language) for use in uses] == [
        (link, "", "en"),
        (link, "", "fr"),
    ]
    assert all(before <= use.used_at <= after for use in uses)


def test_bad_links_record_nothing(link, draft):
    token = link.token
    Client().get(review_url(change_one_character(token, 3)))
    Client().get(review_url("garbage"))
    link.revoke(None)
    Client().get(review_url(link))
    Client().get(f"{review_url(link)}documents/{pdf_name(draft)}")
    assert not ReviewLinkUse.objects.exists()


# Documents --------------------------------------------------------------------------------------


def test_the_items_pdf_is_linked_and_served_through_the_review_link(link, draft):
    response = Client().get(review_url(link))
    document_url = f"{review_url(link)}documents/{pdf_name(draft)}"
    assert f'href="{document_url}"' in response.content.decode()
    # The public document address would refuse an anonymous reader a draft's PDF.
    assert draft.documents.get().document.get_absolute_url() not in response.content.decode()
    pdf = Client().get(document_url)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content) == PDF_BYTES
    assert pdf["Content-Type"] == "application/pdf"
    assert_private(pdf)
    use = ReviewLinkUse.objects.get(document=pdf_name(draft))
    assert use.link == link
    # The picture of the first page comes with the page: served, not counted as a use.
    thumbnail_url = f"{review_url(link)}documents/{draft.documents.get().document.thumbnail.name}"
    assert f'src="{thumbnail_url}"' in response.content.decode()
    assert Client().get(thumbnail_url).status_code == 200
    assert ReviewLinkUse.objects.count() == 2


def test_an_article_copy_is_served_through_the_review_link(link, draft):
    article = Article.objects.create(
        news_item=draft, title="Press copy", document=make_document("Press copy", name="copy.pdf")
    )
    response = Client().get(review_url(link))
    url = f"{review_url(link)}documents/{article.document.file.name}"
    assert f'href="{url}"' in response.content.decode()
    assert Client().get(url).status_code == 200


def test_the_link_serves_no_other_items_documents(link, draft):
    other = make_news("Other draft report", kind=Kind.REPORT, published=False)
    for name in (pdf_name(other), "news/reports/nothing.pdf", "../settings.py"):
        response = Client().get(f"{review_url(link)}documents/{name}")
        assert response.status_code == 404
    assert not ReviewLinkUse.objects.exists()


def test_a_program_page_link_serves_no_documents(draft):
    link = ReviewLink.make(make_page("Draft page", published=False))
    response = Client().get(f"{review_url(link)}documents/{pdf_name(draft)}")
    assert response.status_code == 404


def test_documents_through_a_bad_link_are_refused(link, draft):
    tampered = change_one_character(link.token, 2)
    response = Client().get(f"{review_url(tampered)}documents/{pdf_name(draft)}")
    assert response.status_code == 403
    link.expires_at = timezone.now()
    link.save()
    response = Client().get(f"{review_url(link)}documents/{pdf_name(draft)}")
    assert response.status_code == 410
    assert PDF_BYTES not in response.content


# The admin --------------------------------------------------------------------------------------


def links_page(item):
    return reverse("admin:reviews_reviewlink_item", args=[item._meta.model_name, item.pk])


def test_a_publisher_makes_a_link_and_gets_its_address(role_client, draft):
    publisher = role_client("Publishers")
    change_form = publisher.get(reverse("admin:news_newsitem_change", args=[draft.pk]))
    assert f'href="{links_page(draft)}"' in change_form.content.decode()

    form = publisher.get(links_page(draft))
    assert form.status_code == 200
    assert 'name="days"' in form.content.decode() and 'value="7"' in form.content.decode()
    before = timezone.now()
    response = publisher.post(links_page(draft), {"days": "14", "note": "Chilliwack staff"})
    assert response.status_code == 302
    link = ReviewLink.objects.get()
    assert (link.news_item, link.note, link.created_by) == (
        draft,
        "Chilliwack staff",
        publisher.user,
    )
    assert (
        before + datetime.timedelta(days=14)
        <= link.expires_at
        <= timezone.now() + datetime.timedelta(days=14)
    )
    page = publisher.get(response["Location"])
    html = page.content.decode()
    assert "Review link made." in html
    assert f'value="http://testserver{review_url(link)}"' in html
    assert "Chilliwack staff" in html
    # The partner opens it without an account.
    assert Client().get(review_url(link)).status_code == 200


def test_the_lifetime_defaults_to_seven_days(role_client, draft):
    form = role_client("Publishers").get(links_page(draft)).content.decode()
    assert 'name="days" value="7"' in form
    link = ReviewLink.make(draft)
    assert link.expires_at - link.created_at == datetime.timedelta(days=7)


def test_a_publisher_makes_a_link_for_a_program_page(role_client, db):
    page = make_page("Draft league page", published=False)
    publisher = role_client("Publishers")
    change_form = publisher.get(reverse("admin:pages_programpage_change", args=[page.pk]))
    assert f'href="{links_page(page)}"' in change_form.content.decode()
    assert publisher.post(links_page(page), {"days": "3"}).status_code == 302
    assert ReviewLink.objects.get().program_page == page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days": "0"}, "greater than or equal to 1"),
        ({"days": "500"}, "less than or equal to 90"),
        ({"days": "abc"}, "Enter a whole number."),
        ({"days": ""}, "This field is required."),
        ({"days": "7", "note": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(role_client, draft, data, message):
    response = role_client("Publishers").post(links_page(draft), data)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert not ReviewLink.objects.exists()


def test_no_link_for_an_item_that_is_live(role_client, db):
    live = make_news("Live story")
    publisher = role_client("Publishers")
    change_form = publisher.get(reverse("admin:news_newsitem_change", args=[live.pk]))
    assert links_page(live) not in change_form.content.decode()
    response = publisher.post(links_page(live), {"days": "7"})
    assert response.status_code == 400
    assert "This item is published: send its public address instead." in visible_text(response)
    assert not ReviewLink.objects.exists()


def test_unknown_items_are_not_found(role_client, draft):
    publisher = role_client("Publishers")
    missing = reverse("admin:reviews_reviewlink_item", args=["newsitem", draft.pk + 1000])
    assert publisher.post(missing, {"days": "7"}).status_code == 404
    other = reverse("admin:reviews_reviewlink_item", args=["municipality", 1])
    assert publisher.get(other).status_code == 404
    assert not ReviewLink.objects.exists()


def test_an_editor_cannot_make_or_revoke_links(role_client, draft, link):
    editor = role_client("Editors")
    change_form = editor.get(reverse("admin:news_newsitem_change", args=[draft.pk]))
    assert change_form.status_code == 200
    assert links_page(draft) not in change_form.content.decode()
    assert editor.get(links_page(draft)).status_code == 403
    assert editor.post(links_page(draft), {"days": "7"}).status_code == 403
    revoke = reverse("admin:reviews_reviewlink_revoke", args=[link.pk])
    assert editor.post(revoke).status_code == 403
    assert ReviewLink.objects.get() == link
    link.refresh_from_db()
    assert link.is_active


def test_visitors_and_members_cannot_reach_the_admin_views(client, link, draft):
    client.force_login(make_member())
    response = client.post(links_page(draft), {"days": "7"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert ReviewLink.objects.count() == 1


def test_a_publisher_revokes_a_link(role_client, link, draft):
    publisher = role_client("Publishers")
    Client().get(review_url(link))
    page = publisher.get(links_page(draft)).content.decode()
    revoke = reverse("admin:reviews_reviewlink_revoke", args=[link.pk])
    assert f'action="{revoke}"' in page
    assert publisher.get(revoke).status_code == 405  # a POST only
    response = publisher.post(revoke)
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == publisher.user and link.revoked_at
    assert Client().get(review_url(link)).status_code == 410
    page = publisher.get(links_page(draft))
    assert "Revoked" in visible_text(page)
    # Its address is no longer offered.
    assert review_url(link) not in page.content.decode()


def test_the_links_page_shows_uses_and_its_queries_do_not_grow(
    role_client, draft, django_assert_max_num_queries
):
    publisher = role_client("Publishers")
    first = ReviewLink.make(draft, note="Partner one")
    Client().get(review_url(first))
    Client().get(review_url(first))
    publisher.get(links_page(draft))
    with django_assert_max_num_queries(20) as few:
        response = publisher.get(links_page(draft))
    row = response.content.decode().split(f'id="link-{first.pk}"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row
    for number in range(5):
        ReviewLink.make(draft, note=f"Partner {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = publisher.get(links_page(draft))
    assert "Partner 4" in visible_text(response)


def test_the_newest_link_comes_first_whatever_its_uses(role_client, draft):
    publisher = role_client("Publishers")
    older = ReviewLink.make(draft, note="Older link")
    Client().get(review_url(older))
    newer = ReviewLink.make(draft, note="Newer link")

    page = visible_text(publisher.get(links_page(draft)))

    assert older.created_at < newer.created_at
    assert page.index("Newer link") < page.index("Older link")


def test_all_links_are_listed_with_status_and_uses_and_can_be_revoked(
    role_client, link, draft, django_assert_max_num_queries
):
    page_link = ReviewLink.make(make_page("Draft page", published=False), note="League")
    Client().get(review_url(link))
    publisher = role_client("Publishers")
    changelist = reverse("admin:reviews_reviewlink_changelist")
    publisher.get(changelist)
    with django_assert_max_num_queries(25) as few:
        response = publisher.get(changelist)
    text = visible_text(response)
    assert "Chilliwack council staff" in text and "League" in text
    assert draft.title in text and "Active" in text
    for number in range(5):
        ReviewLink.make(draft, note=f"Partner {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        publisher.get(changelist)
    detail = publisher.get(reverse("admin:reviews_reviewlink_change", args=[link.pk]))
    assert detail.status_code == 200
    assert "Chilliwack council staff" in visible_text(detail)

    response = publisher.post(
        changelist, {"action": "revoke", "_selected_action": [link.pk, page_link.pk]}
    )
    assert response.status_code == 302
    assert ReviewLink.objects.active().filter(pk__in=[link.pk, page_link.pk]).count() == 0
    assert "Revoked" in visible_text(publisher.get(f"{changelist}?status=revoked"))


def test_editors_do_not_see_the_list_of_links(role_client, link):
    editor = role_client("Editors")
    assert editor.get(reverse("admin:reviews_reviewlink_changelist")).status_code == 403
