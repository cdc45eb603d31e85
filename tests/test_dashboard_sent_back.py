"""The editor's "Sent back to you" on the dashboard (issue 16): the items they submitted that a
publisher sent back and that they have not submitted again, with the publisher's comment, the
last sent back first, a count and a link to each item; the same number of queries however many
came back."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from .helpers import change_url, make_news, make_page, review, submit
from .helpers import visible_text as text_of

INDEX = "/admin/"


def section_html(response, key="sent-back"):
    page = response.content.decode()
    found = re.search(rf'<section[^>]*id="dashboard-{key}".*?</section>', page, re.S)
    return found.group(0) if found else None


def test_an_editor_sees_what_was_sent_back_to_them_with_the_comment(people):
    editor, publisher = people["editor"], people["publisher_fr"]
    section = section_html(editor.get(INDEX))
    assert section is not None
    assert "0 in all" in text_of(section)
    assert "Nothing you submitted was sent back." in text_of(section)

    report = make_news("Water report", published=False)
    page = make_page("The LED framework")  # live: the change is a draft of it
    submit(editor, report, "Please publish.")
    submit(editor, page, "Shorter summary.", summary_en="Short.")
    review(publisher, report, "send_back", "Add the figures for 2025.")
    review(publisher, page, "send_back", "Keep the old summary.")

    response = editor.get(INDEX)
    keys = re.findall(r'<section[^>]*id="dashboard-([a-z-]+)"', response.content.decode())
    assert keys[:2] == ["review", "sent-back"]
    section = section_html(response)
    text = text_of(section)
    assert "2 in all" in text
    assert "Add the figures for 2025." in text and "Keep the old summary." in text
    assert "Paul" in text  # who sent it back
    # The last sent back first, each linking to its form.
    assert text.index("The LED framework") < text.index("Water report")
    assert f'href="{change_url(report)}"' in section and f'href="{change_url(page)}"' in section
    # The sent-back drafts of live items say so among the drafts of live items.
    assert "Sent back" in text_of(section_html(editor.get(INDEX), "live-drafts"))

    # Submitted again: no longer sent back to them, waiting for the publishers instead.
    submit(editor, report, "Figures added.")
    text = text_of(section_html(editor.get(INDEX)))
    assert "1 in all" in text and "Water report" not in text
    assert "Water report" in text_of(section_html(publisher.get(INDEX), "review"))


def test_only_what_you_submitted_comes_back_to_you(people):
    editor, other, publisher = people["editor"], people["other_editor"], people["publisher_en"]
    item = make_news("A story by someone else", published=False)
    submit(other, item)
    review(publisher, item, "send_back", "Not yet.")
    assert "0 in all" in text_of(section_html(editor.get(INDEX)))
    assert "Not yet." in text_of(section_html(other.get(INDEX)))
    # A publisher to whom nothing came back is not shown an empty section.
    assert section_html(publisher.get(INDEX)) is None


def test_the_section_costs_the_same_queries_with_more_items(people):
    editor, publisher = people["editor"], people["publisher_en"]
    # One query per kind of item listed: one of each kind to begin with.
    for item in (make_news("First back", published=False), make_page("A page", published=False)):
        submit(editor, item)
        review(publisher, item, "send_back", "Again.")
    editor.get(INDEX)
    with CaptureQueriesContext(connection) as few:
        response = editor.get(INDEX)
    assert "2 in all" in text_of(section_html(response))
    for number in range(12):
        for item in (
            make_news(f"Story {number}", published=False),
            make_page(f"Page {number}", published=False),
        ):
            submit(editor, item)
            review(publisher, item, "send_back", f"Fix {number}.")
    editor.get(INDEX)  # caches that expired meanwhile filled again, as before `few`
    with CaptureQueriesContext(connection) as many:
        response = editor.get(INDEX)
    text = text_of(section_html(response))
    assert "26 in all" in text and "the first 10 below" in text
    assert "Page 11" in text and "First back" not in text
    assert len(many) == len(few)
