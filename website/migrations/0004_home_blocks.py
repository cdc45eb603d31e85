"""The home page as blocks, built from what made it until now: the account prompt (the site
settings' signup_prompt and signup_link_text), the latest news (latest_heading, latest_count),
a program section with its full text for each program page shown on the home page
(show_on_home) in their order, and the Canadian partners (partners_heading, partners_intro),
each text in every language. pages 0009 then removes those fields.

Backwards, the site settings and show_on_home get the blocks' values back (the first block of
each kind; a program page is shown when a program block shows it) and the blocks are removed."""

from django.db import migrations

LANGUAGES = ("en", "fr", "km")
HOME_PK = 1

# (block field, site settings field) of each kind's texts.
TEXTS = {
    "account": [("text", "signup_prompt"), ("link_text", "signup_link_text")],
    "news": [("heading", "latest_heading")],
    "partners": [("heading", "partners_heading"), ("text", "partners_intro")],
}
ENGLISH = {
    "signup_prompt": "Don't have an account?",
    "signup_link_text": "Create one now",
    "latest_heading": "The latest",
    "partners_heading": "Canadian partners",
    "partners_intro": "",
}


def texts(site, kind):
    columns = {}
    for block_field, site_field in TEXTS[kind]:
        for lang in LANGUAGES:
            if site is None:
                value = ENGLISH[site_field] if lang == "en" else ""
            else:
                value = getattr(site, f"{site_field}_{lang}", None) or ""
                if lang == "en" and not value:
                    value = getattr(site, site_field, "") or ""
            columns[f"{block_field}_{lang}"] = value
        columns[block_field] = columns[f"{block_field}_en"]
    return columns


def build(apps, schema_editor):
    HomePage = apps.get_model("website", "HomePage")
    HomeBlock = apps.get_model("website", "HomeBlock")
    SiteSettings = apps.get_model("pages", "SiteSettings")
    ProgramPage = apps.get_model("pages", "ProgramPage")
    if HomePage.objects.filter(pk=HOME_PK).exists():
        return
    site = SiteSettings.objects.filter(pk=1).first()
    home = HomePage.objects.create(pk=HOME_PK, is_published=True)
    blocks = [
        HomeBlock(kind="account", **texts(site, "account")),
        HomeBlock(kind="news", news_count=site.latest_count if site else 3, **texts(site, "news")),
        *(
            HomeBlock(kind="program", page=page, display="full", target="page")
            for page in ProgramPage.objects.filter(show_on_home=True).order_by("order", "title")
        ),
        HomeBlock(kind="partners", partners="all", **texts(site, "partners")),
    ]
    for order, block in enumerate(blocks, 1):
        block.home = home
        block.order = order * 10
    HomeBlock.objects.bulk_create(blocks)
    if site is not None:
        # The page changed when its texts last did, not now.
        HomePage.objects.filter(pk=HOME_PK).update(updated_at=site.updated_at)


def unbuild(apps, schema_editor):
    HomePage = apps.get_model("website", "HomePage")
    HomeBlock = apps.get_model("website", "HomeBlock")
    SiteSettings = apps.get_model("pages", "SiteSettings")
    ProgramPage = apps.get_model("pages", "ProgramPage")
    blocks = list(HomeBlock.objects.order_by("order", "id"))
    site = SiteSettings.objects.filter(pk=1).first()
    if site is not None and blocks:
        changes = {}
        for kind, pairs in TEXTS.items():
            block = next((block for block in blocks if block.kind == kind), None)
            if block is None:
                continue
            for block_field, site_field in pairs:
                for lang in LANGUAGES:
                    value = getattr(block, f"{block_field}_{lang}") or ""
                    if lang == "en" and not value:
                        value = ENGLISH[site_field]
                    changes[f"{site_field}_{lang}"] = value or None
                changes[site_field] = changes[f"{site_field}_en"]
            if kind == "news":
                changes["latest_count"] = block.news_count
        SiteSettings.objects.filter(pk=site.pk).update(**changes)
    if blocks:
        shown = {block.page_id for block in blocks if block.kind == "program" and block.page_id}
        ProgramPage.objects.exclude(pk__in=shown).update(show_on_home=False)
        ProgramPage.objects.filter(pk__in=shown).update(show_on_home=True)
    HomePage.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0003_default_menus"),
        ("pages", "0008_images"),
    ]

    operations = [migrations.RunPython(build, unbuild)]
