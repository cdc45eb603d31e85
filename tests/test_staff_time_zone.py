"""Staff time zones: each staff member enters and reads the admin's dates and times in the zone of
their profile (the site's when they chose none), named beside every field; readers keep seeing
the site's zone."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms import SplitDateTimeField
from django.test import Client, RequestFactory
from django.urls import reverse

from core.time_zones import ZonedSplitDateTime, time_zone_label
from news.models import NewsItem
from reviews.models import ReviewLink

from .helpers import (
    admin_form_data,
    change_url,
    form_errors,
    make_member,
    make_news,
    news_post,
    visible_text,
)

UTC = datetime.UTC
PROFILE = "/en/accounts/profile/"
OUR_APPS = {"accounts", "editorial", "news", "pages", "partners", "redirects", "reviews"}


@pytest.fixture
def site_in_phnom_penh(settings):
    settings.TIME_ZONE = "Asia/Phnom_Penh"


def publisher(django_user_model, name, time_zone):
    """A logged-in client of a publisher who chose `time_zone` in their profile."""
    user = django_user_model.objects.create_user(
        name, f"{name}@example.org", "x", is_staff=True, time_zone=time_zone
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def field_values(response, name):
    """The values the admin page's date and time inputs of field `name` show."""
    page = response.content.decode()
    date = re.search(rf'name="{name}_0"[^>]*value="([^"]*)"', page)
    time = re.search(rf'name="{name}_1"[^>]*value="([^"]*)"', page)
    return date and date.group(1), time and time.group(1)


def zone_label_of(response, name):
    page = response.content.decode()
    found = re.search(rf'<span class="time-zone-label" id="id_{name}_zone">([^<]*)</span>', page)
    return found and found.group(1)


def test_a_time_entered_in_phnom_penh_is_the_same_instant_in_toronto(db, django_user_model):
    sokha = publisher(django_user_model, "sokha", "Asia/Phnom_Penh")
    claire = publisher(django_user_model, "claire", "America/Toronto")

    # Sokha schedules a news item for 15 January 2030, 09:00 in Phnom Penh.
    add = sokha.get(reverse("admin:news_newsitem_add"))
    assert zone_label_of(add, "published_at") == "Phnom Penh time, UTC+7"
    response = sokha.post(
        reverse("admin:news_newsitem_add"),
        news_post(published_at_0="2030-01-15", published_at_1="09:00:00"),
    )
    assert response.status_code == 302, form_errors(response)
    item = NewsItem.objects.get(slug="council-opens-a-farmers-market")
    # Stored in UTC: 09:00 in Phnom Penh (UTC+7) is 02:00 UTC.
    assert item.published_at == datetime.datetime(2030, 1, 15, 2, 0, tzinfo=UTC)

    # Claire, in Toronto (UTC−5 in January), sees the evening before, named as such.
    change = claire.get(change_url(item))
    assert field_values(change, "published_at") == ("2030-01-14", "21:00:00")
    assert zone_label_of(change, "published_at") == "Toronto time, UTC\N{MINUS SIGN}5"
    # and Sokha still sees her own time.
    assert field_values(sokha.get(change_url(item)), "published_at") == ("2030-01-15", "09:00:00")

    # Claire saves the form as it is (the inputs as her page shows them): the instant stays.
    data = admin_form_data(change)
    data["published_at_0"], data["published_at_1"] = field_values(change, "published_at")
    response = claire.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)
    item.refresh_from_db()
    assert item.published_at == datetime.datetime(2030, 1, 15, 2, 0, tzinfo=UTC)


def test_the_label_gives_the_offset_of_the_time_shown(db, django_user_model):
    # Toronto keeps summer time: a July time is UTC−4, whatever the day it is opened on.
    claire = publisher(django_user_model, "claire", "America/Toronto")
    item = make_news(published=False)
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=datetime.datetime(2030, 7, 1, 14, 0, tzinfo=UTC)
    )
    change = claire.get(change_url(item))
    assert field_values(change, "published_at") == ("2030-07-01", "10:00:00")
    assert zone_label_of(change, "published_at") == "Toronto time, UTC\N{MINUS SIGN}4"
    # Screen readers hear the zone with the time input.
    assert re.search(
        r'name="published_at_1"[^>]*aria-describedby="[^"]*id_published_at_zone', change.text
    )


def test_staff_without_a_choice_work_in_the_site_zone(db, django_user_model, settings):
    settings.TIME_ZONE = "America/Toronto"
    staff = publisher(django_user_model, "dara", "")
    item = make_news(published=False)
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=datetime.datetime(2030, 1, 15, 2, 0, tzinfo=UTC)
    )
    change = staff.get(change_url(item))
    assert field_values(change, "published_at") == ("2030-01-14", "21:00:00")
    assert zone_label_of(change, "published_at") == "Toronto time, UTC\N{MINUS SIGN}5"


def test_django_admin_is_told_the_staff_members_offset(db, django_user_model):
    # Django's admin script compares this offset with the browser's clock and warns "You are
    # N hours ahead of server time" only when they differ: a browser in Phnom Penh is not
    # warned when its owner works in Phnom Penh time.
    sokha = publisher(django_user_model, "sokha", "Asia/Phnom_Penh")
    page = sokha.get(reverse("admin:news_newsitem_add")).content.decode()
    assert 'data-admin-utc-offset="25200"' in page
    claire = publisher(django_user_model, "claire", "America/Toronto")
    page = claire.get(reverse("admin:news_newsitem_add")).content.decode()
    assert re.search(r'data-admin-utc-offset="-1(8000|4400)"', page)


def test_every_admin_page_names_the_zone_beside_the_users_links(db, django_user_model):
    sokha = publisher(django_user_model, "sokha", "Asia/Phnom_Penh")
    page = sokha.get(reverse("admin:news_newsitem_changelist"))
    link = re.search(r'<a class="time-zone-link" href="([^"]+)"[^>]*>([^<]+)</a>', page.text)
    assert link.groups() == (PROFILE, "Phnom Penh time, UTC+7")


def test_the_dashboard_names_the_zone_of_its_times(db, django_user_model):
    claire = publisher(django_user_model, "claire", "America/Toronto")
    make_news("Coming soon", days_ago=-3)
    text = visible_text(claire.get(reverse("admin:index")))
    assert re.search(r"Times on this page are in Toronto time, UTC−[45]\.", text)
    assert "Coming soon" in text


def test_review_link_expiry_is_named_in_the_staff_zone(db, django_user_model, settings):
    settings.TIME_ZONE = "America/Toronto"
    sokha = publisher(django_user_model, "sokha", "Asia/Phnom_Penh")
    draft = make_news("Draft for partners", published=False)
    link = ReviewLink.make(draft, days=7, note="Kampot", user=sokha.user)
    ReviewLink.objects.filter(pk=link.pk).update(
        expires_at=datetime.datetime(2030, 1, 15, 2, 0, tzinfo=UTC)
    )

    links_page = sokha.get(reverse("admin:reviews_reviewlink_item", args=["newsitem", draft.pk]))
    assert "(Phnom Penh time, UTC+7)" in visible_text(links_page)
    assert "15 January 2030" in visible_text(links_page)
    listing = visible_text(sokha.get(reverse("admin:reviews_reviewlink_changelist")))
    assert "(Phnom Penh time, UTC+7)" in listing

    # The partner who opens the link reads the site's zone, named too.
    link.refresh_from_db()
    banner = visible_text(Client().get(link.get_absolute_url()))
    assert "This review link works until 14 January 2030" in banner, banner
    assert "(Toronto time, UTC−5)" in banner


def test_staff_choose_their_zone_in_their_profile(db, django_user_model, site_in_phnom_penh):
    staff = publisher(django_user_model, "claire", "")
    form = staff.get(PROFILE)
    assert "The site&#x27;s time zone (Phnom Penh time, UTC+7)" in form.text
    assert '<option value="America/Toronto">America/Toronto</option>' in form.text
    response = staff.post(
        PROFILE,
        {"first_name": "Claire", "language": "en", "time_zone": "America/Toronto"},
    )
    assert response.status_code == 302
    staff.user.refresh_from_db()
    assert staff.user.time_zone == "America/Toronto"
    assert re.search(r"Toronto time, UTC−[45]", staff.get(reverse("admin:index")).text)


def test_a_zone_that_does_not_exist_is_refused_with_a_clear_message(db, django_user_model):
    staff = publisher(django_user_model, "claire", "America/Toronto")
    response = staff.post(
        PROFILE, {"first_name": "Claire", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "“Mars/Olympus” is not a time zone we know" in visible_text(response)
    staff.user.refresh_from_db()
    assert staff.user.time_zone == "America/Toronto"


def test_members_have_no_time_zone_to_choose(client, db):
    member = make_member("ana@example.org", first_name="Ana")
    client.force_login(member)
    assert 'name="time_zone"' not in client.get(PROFILE).text
    response = client.post(
        PROFILE, {"first_name": "Ana", "language": "en", "time_zone": "America/Toronto"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.time_zone == ""


def test_admins_set_a_staff_members_zone_in_the_user_admin(staff_client, django_user_model):
    dara = django_user_model.objects.create_user("dara", "dara@example.org", "x", is_staff=True)
    page = staff_client.get(change_url(dara))
    data = admin_form_data(page)
    data["time_zone"] = "Asia/Phnom_Penh"
    response = staff_client.post(change_url(dara), data)
    assert response.status_code == 302, form_errors(response)
    dara.refresh_from_db()
    assert dara.time_zone == "Asia/Phnom_Penh"
    # A value outside the list is refused, not stored.
    data["time_zone"] = "Mars/Olympus"
    response = staff_client.post(change_url(dara), data)
    assert response.status_code == 200
    assert "Mars/Olympus is not one of the available choices" in visible_text(response)
    dara.refresh_from_db()
    assert dara.time_zone == "Asia/Phnom_Penh"


def test_readers_see_the_site_zone_whoever_is_logged_in(db, django_user_model, settings):
    settings.TIME_ZONE = "Asia/Phnom_Penh"
    # 20:00 UTC on 10 March is already 11 March in Phnom Penh, still 10 March in Toronto.
    item = make_news("Market day")
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=datetime.datetime(2024, 3, 10, 20, 0, tzinfo=UTC)
    )
    claire = publisher(django_user_model, "claire", "America/Toronto")
    for reader in [Client(), claire]:
        detail = visible_text(reader.get(item.get_absolute_url()))
        assert "11 March 2024" in detail and "10 March 2024" not in detail
        listing = visible_text(reader.get(reverse("news:list")))
        assert "11 March 2024" in listing


def test_every_date_and_time_field_of_the_admin_names_its_zone(db, django_user_model):
    """A guard for admins to come: each date-and-time input of every admin of ours, and of its
    inlines, is the widget that names the zone."""
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    request = RequestFactory().get("/admin/")
    request.user = boss
    checked = []
    for model, model_admin in admin.site._registry.items():
        if type(model_admin).__module__.split(".")[0] not in OUR_APPS:
            continue
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue  # read-only pages: no inputs
        obj = boss if model is django_user_model else None
        forms = [model_admin.get_form(request, obj, change=obj is not None)]
        forms += [
            inline.get_formset(request, obj).form
            for inline in model_admin.get_inline_instances(request, obj)
        ]
        for form in forms:
            for name, field in form.base_fields.items():
                if isinstance(field, SplitDateTimeField):
                    checked.append(f"{model.__name__}.{name}")
                    assert isinstance(field.widget, ZonedSplitDateTime), checked[-1]
    assert {"NewsItem.published_at", "ProgramPage.unpublish_at", "User.date_joined"} <= set(checked)


def test_labels_name_the_city_and_the_offset():
    assert time_zone_label("Asia/Phnom_Penh") == "Phnom Penh time, UTC+7"
    assert time_zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires time, UTC−3"
    assert time_zone_label("Asia/Kolkata") == "Kolkata time, UTC+5:30"
    assert time_zone_label("UTC") == "UTC"
    winter = datetime.datetime(2030, 1, 15, tzinfo=UTC)
    assert time_zone_label("America/Toronto", winter) == "Toronto time, UTC−5"
