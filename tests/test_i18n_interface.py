"""The interface in French and Khmer: every public page and the account pages leave no English
interface string in the other languages, the catalogues are complete and sound, and dates and
numbers follow the language.

How "no English left" is checked: a page is rendered in English and in the other language. Every
msgid of the catalogues (ours, and django-allauth's and Django's for the strings of theirs our
pages show) whose English text is in the English page's visible text is an interface string of
that page; none of those English texts may appear in the other language's page, unless the
catalogues translate it by the same text on purpose (PDF, Canada, Alberta). Content is not the
interface: what the page marks as English (`lang="en"`, content not yet translated, the language
switcher's "English") is left out, as are scripts and the head's metadata.
"""

import ast
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from news.models import Kind

from .helpers import make_member, make_municipality, make_news, make_partnership

LANGUAGES = ("fr", "km")
OUR_CATALOGUES = [Path(path) for path in settings.LOCALE_PATHS]
DJANGO_DIR = Path(django.__file__).parent
# Catalogues of other packages whose strings show on our pages (the account pages are
# django-allauth's; forms and password rules Django's), in the order gettext looks them up.
PACKAGE_CATALOGUES = [
    Path(allauth.__file__).parent / "locale",
    DJANGO_DIR / "contrib" / "auth" / "locale",
    DJANGO_DIR / "conf" / "locale",
]
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "km": "nplurals=1; plural=0;"}


# --- Reading .po files (the format is small; Python's standard library has no reader) ---


def read_po(path):
    """The entries of a .po file: dicts with msgctxt, msgid, msgid_plural (or None), msgstr (a
    list: one form, or one per plural form), flags and whether it is obsolete."""
    entries, entry, field = [], None, None

    def close():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False, "msgctxt": None, "msgid_plural": None}
        if line.startswith("#~"):
            entry["obsolete"] = True
            line = line[2:].strip()
            if not line.startswith(("msg", '"')):
                continue
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, text = match.groups()
            field = keyword if not keyword.startswith("msgstr") else ("msgstr", int(index or 0))
            value = ast.literal_eval(text)
        else:
            value = ast.literal_eval(line)
        if isinstance(field, tuple):
            forms = entry.setdefault("msgstr", [])
            while len(forms) <= field[1]:
                forms.append("")
            forms[field[1]] += value
        else:
            entry[field] = (entry.get(field) or "") + value
    close()
    return entries


def catalogue(locale_dir, lang):
    path = Path(locale_dir) / lang / "LC_MESSAGES" / "django.po"
    return [entry for entry in read_po(path) if not entry["obsolete"]] if path.exists() else []


def our_po_files():
    return sorted(path for root in OUR_CATALOGUES for path in root.glob("*/LC_MESSAGES/django.po"))


PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{(\w*)\}")
HTML_TAG = re.compile(r"<[^>]+>")


def placeholders(text):
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


# --- The catalogues themselves ---


def test_our_catalogues_cover_french_and_khmer():
    files = {str(path.relative_to(settings.BASE_DIR)) for path in our_po_files()}
    assert {"locale/fr/LC_MESSAGES/django.po", "locale/km/LC_MESSAGES/django.po"} <= files
    assert "locale_vendor/km/LC_MESSAGES/django.po" in files
    assert {code for code, _name in settings.LANGUAGES} == {"en", *LANGUAGES}


@pytest.mark.parametrize("path", our_po_files(), ids=lambda path: str(path.parent.parent))
def test_every_message_is_translated_with_its_placeholders_and_markup(path):
    entries = read_po(path)
    header = next(entry for entry in entries if entry["msgid"] == "")
    lang = path.parent.parent.name
    assert "fuzzy" not in header["flags"]
    assert f"Language: {lang}\n" in header["msgstr"][0]
    assert f"Plural-Forms: {PLURAL_FORMS[lang]}\n" in header["msgstr"][0]
    nplurals = int(PLURAL_FORMS[lang].split(";")[0].split("=")[1])
    problems = []
    for entry in entries:
        if entry["msgid"] == "" or entry["obsolete"]:
            continue
        name = repr(entry["msgid"])
        forms = entry["msgstr"]
        if "fuzzy" in entry["flags"]:
            problems.append(f"{name} is fuzzy")
        if entry["msgid_plural"] is not None and len(forms) != nplurals:
            problems.append(f"{name} has {len(forms)} plural forms, not {nplurals}")
        if not all(form.strip() for form in forms):
            problems.append(f"{name} is not translated")
            continue
        if entry["msgid_plural"] is None:
            if placeholders(forms[0]) != placeholders(entry["msgid"]):
                problems.append(f"{name}: placeholders {placeholders(forms[0])}")
            if sorted(HTML_TAG.findall(forms[0])) != sorted(HTML_TAG.findall(entry["msgid"])):
                problems.append(f"{name}: the HTML tags differ")
            continue
        singular = set(placeholders(entry["msgid"]))
        plural = set(placeholders(entry["msgid_plural"]))
        for index, form in enumerate(forms):
            found = set(placeholders(form))
            # A form may leave out the count ("One partnership…"), never anything else; the
            # only form of a language without plurals serves every count, so it keeps it.
            needed = plural if nplurals == 1 else singular & plural
            if not needed <= found or not found <= singular | plural:
                problems.append(f"{name} form {index}: placeholders {sorted(found)}")
            if sorted(HTML_TAG.findall(form)) != sorted(HTML_TAG.findall(entry["msgid_plural"])):
                problems.append(f"{name} form {index}: the HTML tags differ")
    assert not problems, "\n".join(problems)


def test_vendor_catalogue_translates_only_strings_the_packages_have():
    """locale_vendor/ is written by hand: each of its msgids must still exist in django-allauth's
    or Django's catalogues (after an upgrade that reworded one, it would silently stop
    applying), and none repeats one of ours (ours would win)."""
    known = {
        (entry["msgctxt"], entry["msgid"])
        for root in PACKAGE_CATALOGUES
        for entry in catalogue(root, "fr")
    }
    ours = {(entry["msgctxt"], entry["msgid"]) for entry in catalogue(OUR_CATALOGUES[0], "km")}
    vendor = [
        (entry["msgctxt"], entry["msgid"])
        for entry in catalogue(OUR_CATALOGUES[1], "km")
        if entry["msgid"]
    ]
    assert len(vendor) > 100
    assert [key for key in vendor if key not in known] == []
    assert [key for key in vendor if key in ours] == []


def test_catalogues_hold_every_string_of_the_code_and_templates(tmp_path, settings, monkeypatch):
    """makemessages, run over a copy of our code and templates, finds no string that the
    committed catalogues lack: a string added without its French and Khmer fails here."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext (GNU gettext) is missing: apt-get install gettext")
    base = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns("__pycache__", "migrations", "static", "data", "*.pyc")
    # Every app of ours (a folder with an apps.py), the project (settings) and the templates.
    apps = sorted(path.name for path in base.iterdir() if (path / "apps.py").exists())
    assert {"core", "news", "redirects", "reviews"} <= set(apps)
    for name in [*apps, "mped", "templates"]:
        shutil.copytree(base / name, tmp_path / name, ignore=skip)
    shutil.copytree(base / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=list(LANGUAGES), verbosity=0, no_obsolete=True)
    for lang in LANGUAGES:
        fresh = {
            (entry["msgctxt"], entry["msgid"])
            for entry in catalogue(tmp_path / "locale", lang)
            if entry["msgid"]
        }
        committed = {
            (entry["msgctxt"], entry["msgid"])
            for entry in catalogue(base / "locale", lang)
            if entry["msgid"]
        }
        assert sorted(fresh - committed) == [], f"run makemessages and translate ({lang})"
        assert sorted(committed - fresh) == [], f"unused strings: run makemessages ({lang})"


# --- Pages: no English left in the French and Khmer interface ---

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "label", "legend", "li", "main", "nav", "ol", "option", "p", "section",
    "select", "table", "td", "th", "title", "tr", "ul", "desc", "text", "textarea",
}  # fmt: skip
VOID_TAGS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SKIPPED_TAGS = {"script", "style", "template", "noscript"}
ANNOUNCED_ATTRIBUTES = {"aria-label", "placeholder", "alt", "title"}


def squash(text):
    """Runs of spaces and line breaks as one space; no-break spaces (1 621, « … ») are kept."""
    return re.sub(r"[ \t\n\r\f\v]+", " ", text or "").strip(" ")


class VisibleText(HTMLParser):
    """What a reader sees or hears of a page in `lang`, two ways: `segments`, each piece of
    text between two tags and each label in an attribute; and `lines`, the text with inline
    elements run together and block elements on lines of their own. What is marked as being in
    another language, scripts, styles and the head's metadata are left out."""

    def __init__(self, lang):
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.segments, self.lines, self.current, self.stack = [], [], [], []

    def skipping(self):
        return any(skip for _tag, skip in self.stack)

    def break_line(self):
        text = squash("".join(self.current))
        if text:
            self.lines.append(text)
        self.current = []

    def add_label(self, text):
        text = squash(text)
        if text:
            self.segments.append(text)
            self.lines.append(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skip = tag in SKIPPED_TAGS or (lang is not None and lang.split("-")[0] != self.lang)
        if tag in BLOCK_TAGS:
            self.break_line()
        if not (skip or self.skipping()) and tag not in {"link", "meta"}:
            for name in sorted(ANNOUNCED_ATTRIBUTES & attrs.keys()):
                self.add_label(attrs[name])
            if tag == "input" and attrs.get("type") in {"submit", "button"}:
                self.add_label(attrs.get("value"))
        if tag not in VOID_TAGS:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.break_line()
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self.skipping() or not self.stack or self.stack[-1][0] == "head":
            return
        self.current.append(data)
        text = squash(data)
        if text:
            self.segments.append(text)

    def read(self, html):
        self.feed(html)
        self.close()
        self.break_line()
        return self


def visible_text(response, lang):
    html = response.content.decode()
    assert re.search(rf'<html lang="{lang}"', html), f"the page is not in {lang}"
    return VisibleText(lang).read(html)


def text_of(page):
    return "\n".join(page.lines)


def page_text(client, lang, name, *args, query=""):
    return text_of(visible_text(get(client, lang, name, *args, query=query), lang))


# A short string (a label, a button, a heading) counts where it is a whole piece of text of
# its own, give or take the brackets and punctuation a template puts around it: so a place's
# name in a sentence of content ("City of Chilliwack, British Columbia") is not taken for the
# map's label. A longer one counts anywhere in a line.
SHORT_WORDS = 4
LEADING = r"[\s(\[«“\"'–—·-]*"
TRAILING = r"[\s)\].,;:!?»”\"'·–—-]*"


def english_pattern(text):
    """A regex for a msgid's English text as a reader sees it: tags left out, placeholders
    standing for a number or any text, spaces as in the page."""
    text = " ".join(HTML_TAG.sub("", text).split())
    pattern, position = "", 0
    for match in PLACEHOLDER.finditer(text):
        pattern += re.escape(text[position : match.start()])
        number = match.group(0).endswith("d")
        pattern += r"[\d\s.,\u00a0\u202f]+" if number else ".+?"
        position = match.end()
    pattern += re.escape(text[position:])
    literal = PLACEHOLDER.sub(" ", text)
    if len(re.findall(r"\w+", literal)) < SHORT_WORDS:
        return "segment", re.compile(LEADING + pattern + TRAILING)
    if re.match(r"\w", text):
        pattern = r"(?<!\w)" + pattern
    if re.search(r"\w$", text):
        pattern += r"(?!\w)"
    return "line", re.compile(pattern)


def shows(page, kind_and_pattern):
    kind, pattern = kind_and_pattern
    if kind == "segment":
        return any(pattern.fullmatch(segment) for segment in page.segments)
    return any(pattern.search(line) for line in page.lines)


def interface_strings(lang):
    """Every msgid's English forms, with the translations the catalogues give it in `lang`:
    the first catalogue that translates it wins, as for gettext. A package without a
    catalogue for `lang` (django-allauth has no Khmer) gives its msgids untranslated."""
    strings = {}
    for root in OUR_CATALOGUES + PACKAGE_CATALOGUES:
        entries = catalogue(root, lang)
        translated = bool(entries)
        for entry in entries or catalogue(root, "en"):
            if not re.search(r"[A-Za-z]{2}", entry["msgid"]):
                continue  # the header, ":" and the like
            string = strings.setdefault(
                (entry["msgctxt"], entry["msgid"]),
                {
                    "english": [entry["msgid"]] + [entry["msgid_plural"] or entry["msgid"]],
                    "translations": set(),
                },
            )
            if translated and not string["translations"]:
                string["translations"] = {form for form in entry.get("msgstr", []) if form}
    return strings


@pytest.fixture(scope="module")
def catalogues():
    return {lang: interface_strings(lang) for lang in LANGUAGES}


def url(lang, name, *args):
    with translation.override(lang):
        return reverse(name, args=args)


def get(client, lang, name, *args, query=""):
    """The page in `lang`: its address in that language and the browser asking for it."""
    response = client.get(url(lang, name, *args) + query, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, (lang, name, response.status_code)
    return response


def untranslated(english, other, strings):
    """The interface strings of the English page left in English in the other page."""
    found, left = 0, []
    # Texts some catalogue keeps as they are on purpose ("%(size)s KB" in Khmer is also
    # Django's "%s KB", which Django does not translate into Khmer).
    same = {
        PLACEHOLDER.sub("%s", form)
        for string in strings.values()
        for form in string["english"]
        if form in string["translations"]
    }
    for string in strings.values():
        patterns = [english_pattern(form) for form in string["english"]]
        if not any(shows(english, pattern) for pattern in patterns):
            continue
        found += 1
        for form, pattern in zip(string["english"], patterns, strict=True):
            if form in string["translations"] or PLACEHOLDER.sub("%s", form) in same:
                continue  # the same text on purpose: PDF, Canada, Alberta
            if shows(other, pattern):
                left.append(form)
    return found, sorted(set(left))


PUBLIC_PAGES = [
    ("home", (), ""),
    ("news:list", (), ""),
    ("news:detail", ("new-report-womens-participation-in-local-politics",), ""),
    ("news:detail", ("canada-in-the-spotlight",), ""),
    ("pages:list", (), ""),
    ("pages:detail", ("about-the-league",), ""),
    ("partners:list", (), ""),
    ("partners:detail", ("county-of-newell",), ""),
    ("search:results", (), "?q=women"),
    ("search:results", (), ""),
    ("account_login", (), ""),
    ("account_signup", (), ""),
    ("account_reset_password", (), ""),
    ("account_reset_password_done", (), ""),
    ("account_email_verification_sent", (), ""),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("name", "args", "query"), PUBLIC_PAGES, ids=[f"{n}{q}" for n, _a, q in PUBLIC_PAGES]
)
def test_public_page_has_no_english_interface_left(
    client, demo, uncached, catalogues, lang, name, args, query
):
    english = visible_text(get(client, "en", name, *args, query=query), "en")
    other = visible_text(get(client, lang, name, *args, query=query), lang)
    found, left = untranslated(english, other, catalogues[lang])
    assert found >= 8, f"only {found} interface strings recognised in the English page"
    assert left == [], f"English left in the {lang} page: {left}"


ACCOUNT_PAGES = [
    "accounts:overview",
    "accounts:profile",
    "accounts:alerts",
    "accounts:delete",
    "account_email",
    "account_change_password",
    "mfa_index",
    "account_logout",
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_page_has_no_english_interface_left(client, demo, catalogues, lang, name):
    client.force_login(make_member(first_name="Sokha", last_name="Chan"))
    english = visible_text(get(client, "en", name), "en")
    other = visible_text(get(client, lang, name), lang)
    found, left = untranslated(english, other, catalogues[lang])
    assert found >= 8, f"only {found} interface strings recognised in the English page"
    assert left == [], f"English left in the {lang} page: {left}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_errors_are_in_the_readers_language(client, db, catalogues, lang):
    """A sign-up with every mistake (allauth's and Django's messages) and a failed login."""
    bad_signup = {"email": "not-an-address", "password1": "123", "password2": "456"}
    pages = {}
    for code in ("en", lang):
        with translation.override(code):
            signup = client.post(reverse("account_signup"), bad_signup, HTTP_ACCEPT_LANGUAGE=code)
            login = client.post(
                reverse("account_login"),
                {"login": "nobody@example.org", "password": "wrong-password-1"},
                HTTP_ACCEPT_LANGUAGE=code,
            )
        pages[code] = visible_text(signup, code)
        more = visible_text(login, code)
        pages[code].segments += more.segments
        pages[code].lines += more.lines
    assert "Enter a valid email address." in text_of(pages["en"])
    assert "The email address and/or password you specified are not correct." in text_of(
        pages["en"]
    )
    found, left = untranslated(pages["en"], pages[lang], catalogues[lang])
    assert found >= 10
    assert left == [], f"English left in the {lang} pages: {left}"


def test_french_and_khmer_pages_say_what_the_catalogues_say(client, demo, uncached):
    french = page_text(client, "fr", "news:list")
    assert "Passer au contenu principal" in french
    assert "Actualités" in french
    assert "Page mise à jour\xa0: 18 mai 2016" in french
    khmer = page_text(client, "km", "news:list")
    assert "រំលងទៅមាតិកាចម្បង" in khmer
    assert "ទំព័របានធ្វើបច្ចុប្បន្នភាព៖ 18 ខែ ឧសភា ឆ្នាំ 2016" in khmer
    login = page_text(client, "km", "account_login")
    # django-allauth has no Khmer: these come from locale_vendor/.
    assert "ចូលគណនី" in login and "ភ្លេចពាក្យសម្ងាត់?" in login


@pytest.mark.parametrize(
    ("lang", "subject", "greeting"),
    [
        (
            "fr",
            "[MPED] Confirmez votre adresse e-mail",
            "Bonjour, c'est Municipal Partners for Economic Development",
        ),
        ("km", "[MPED] សូមបញ្ជាក់អាសយដ្ឋានអ៊ីមែលរបស់អ្នក", "សួស្តីពី"),
    ],
)
def test_sign_up_email_is_in_the_language_of_the_sign_up_page(
    client, db, mailoutbox, lang, subject, greeting
):
    response = client.post(
        url(lang, "account_signup"),
        {
            "email": "sokha@example.org",
            "password1": "Rice-fields-at-dawn-42",
            "password2": "Rice-fields-at-dawn-42",
            "first_name": "Sokha",
        },
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert "/" + lang + "/accounts/confirm-email/" in message.body


def test_alert_email_templates_are_translated(db):
    """Alerts go out in English (members have no language of their own yet, news/alerts.py);
    their templates are translated for the day they do."""
    member = make_member(first_name="Dara")
    item = make_news("A report", kind=Kind.REPORT)
    context = {
        "item": item,
        "user": member,
        "item_url": "https://example.org/item",
        "unsubscribe_url": "https://example.org/stop",
        "preferences_url": "https://example.org/alerts",
    }
    with translation.override("fr"):
        text = render_to_string("news/email/alert.txt", context)
        html = render_to_string("news/email/alert.html", context)
    assert text.startswith("Bonjour Dara,")
    assert "Arrêter ces alertes (sans connexion)\xa0: https://example.org/stop" in text
    assert '<html lang="fr">' in html
    assert "Vous recevez ce courriel parce que vous avez demandé des alertes." in html


# --- Dates and numbers ---


def test_figures_are_grouped_as_each_language_writes_numbers(client, demo, uncached):
    # The league's figures, on its program page (the home page shows it as a card).
    league = ("pages:detail", "about-the-league")
    assert "1,621" in page_text(client, "en", *league)
    assert "1\xa0621" in page_text(client, "fr", *league)
    assert "1.621" in page_text(client, "km", *league)


def test_dates_follow_the_language(client, demo, uncached):
    slug = "new-report-womens-participation-in-local-politics"
    expected = {
        "en": ("Page Updated: 18 May 2016", "18 May 2016"),
        "fr": ("Page mise à jour\xa0: 18 mai 2016", "18 mai 2016"),
        "km": ("ទំព័របានធ្វើបច្ចុប្បន្នភាព៖ 18 ខែ ឧសភា ឆ្នាំ 2016", "18 ខែ ឧសភា ឆ្នាំ 2016"),
    }
    for lang, (updated, published) in expected.items():
        text = page_text(client, lang, "news:detail", slug)
        assert updated in text, lang
        assert published in text, lang


def test_file_sizes_use_the_languages_units_and_decimal_mark(client, demo, uncached):
    slug = "new-report-womens-participation-in-local-politics"
    english = page_text(client, "en", "news:detail", slug)
    french = page_text(client, "fr", "news:detail", slug)
    assert re.search(r"\(PDF, 1 page, \d+ KB\)", english)
    assert re.search(r"\(PDF, 1 page, \d+ ko\)", french)


def test_years_and_sizes_are_never_grouped(client, db, uncached):
    """With USE_THOUSAND_SEPARATOR on, a year must not read "2,011", nor an SVG's size
    "1,000": those numbers are unlocalized in the templates."""
    canadian = make_municipality("Town of Example")
    cambodian = make_municipality("Example District", country="KH")
    make_partnership(canadian, cambodian, since=2011, focus="Roads")
    for lang in ("en", "fr", "km"):
        html = get(client, lang, "partners:list").content.decode()
        assert '<td data-label="' in html and '">2011</td>' in html, lang
        assert 'viewBox="500 0 500 470"' in html, lang  # the map's second panel
        news = get(client, lang, "news:list", query="?year=2016").content.decode()
        assert "(2016)</h1>" in news, lang
