"""The history's compare view (django-reversion-compare), made readable for staff.

The library shows each changed field as a character diff of its raw value in a <pre> that does
not wrap: a rich-text body is one truncated line of HTML source, and with
django-modeltranslation every translated field appears twice (`title`, a copy of the English,
and `title [en]`). Here:

- rich text (the sanitised HTML of core/html.py) is shown as text, block by block (paragraphs,
  headings, list items, quotes; a link's address after its words), with the words removed in
  <del> and the words added in <ins>;
- every other text is a word diff;
- each field appears once, and a translated one once per language ("Title (French)");
- fields staff do not edit (sizes, the text read from a PDF, `updated_at`) are left out.

Everything the diff shows is escaped: the only markup on the page is our own (<p>, <del>,
<ins>). The page works without JavaScript and its CSS is editorial/static/css/admin-compare.css.
"""

import difflib
import re
from html.parser import HTMLParser

from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_prose_editor.fields import ProseEditorField
from modeltranslation.fields import TranslationField
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from reversion_compare.compare import DOES_NOT_EXIST

from core.html import clean_html
from core.translated import language_name

# A word (Khmer, written without spaces, counts its letters and signs as word characters), a run
# of spaces, or any other single character (punctuation, a zero-width space).
TOKEN = re.compile(r"\s+|[\w\u1780-\u17ff\u19e0-\u19ff\u200c\u200d]+|.", re.S)


def tokens(text):
    return TOKEN.findall(text)


def word_changes(old, new):
    """[(tag, old_text, new_text)], tag "equal" or "change", from a diff of the words. Changes
    separated only by spaces are joined into one, so that a rewritten phrase reads as one
    deletion and one addition instead of alternating words."""
    a, b = tokens(old), tokens(new)
    chunks = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_text, new_text = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            chunks.append(["equal", old_text, new_text])
            continue
        if (
            len(chunks) >= 2
            and chunks[-1][0] == "equal"
            and not chunks[-1][1].strip()
            and chunks[-2][0] == "change"
        ):
            spaces = chunks.pop()[1]
            chunks[-1][1] += spaces + old_text
            chunks[-1][2] += spaces + new_text
        else:
            chunks.append(["change", old_text, new_text])
    return chunks


def join(parts):
    """Pieces of HTML, each already safe or escaped here."""
    return format_html_join("", "{}", ((part,) for part in parts))


def outer_spaces(old, new):
    """The spaces at the start and at the end that both sides of a change share (all of them
    when one side is empty): shown outside the marks, so no bare space is struck through or
    underlined."""
    texts = [text for text in (old, new) if text]
    lead = min(len(text) - len(text.lstrip()) for text in texts)
    trail = min(len(text) - len(text.rstrip()) for text in texts)
    lead_text = texts[0][:lead]
    trail_text = texts[0][len(texts[0]) - trail :] if trail else ""
    if any(text[:lead] != lead_text or not text.endswith(trail_text) for text in texts):
        return "", ""
    return lead_text, trail_text


def changes_html(chunks):
    parts = []
    for tag, old, new in chunks:
        if tag == "equal":
            parts.append(escape(old))
            continue
        lead, trail = outer_spaces(old, new)
        old, new = old[len(lead) : len(old) - len(trail)], new[len(lead) : len(new) - len(trail)]
        parts.append(escape(lead))
        if old:
            parts.append(format_html("<del>{}</del>", old))
        if new:
            parts.append(format_html("<ins>{}</ins>", new))
        parts.append(escape(trail))
    return join(parts)


def word_diff(old, new):
    """The words of `new`, with those removed from `old` in <del> and those added in <ins>."""
    return changes_html(word_changes(old, new))


# Rich text -------------------------------------------------------------------------------------

BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class TextBlocks(HTMLParser):
    """The text of sanitised HTML as blocks (kind, text): what a reader sees of it, with the
    addresses of links written after their words and the list items numbered or bulleted."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.text = ""
        # The next block's kind and list marker; they wait for its text (<li><p>…</p></li>).
        self.kind = None
        self.marker = ""
        self.lists = []  # for each open list: [tag, number of items so far]
        self.links = []  # for each open link: its address
        self.quotes = 0

    def flush(self):
        text = re.sub(r"[^\S\n]*\n[^\S\n]*", "\n", self.text).strip()
        self.text = ""
        if not text:
            return
        kind = self.kind or ("quote" if self.quotes else "paragraph")
        self.blocks.append((kind, self.marker + text))
        self.kind, self.marker = None, ""

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS or tag in {"ul", "ol", "blockquote"}:
            self.flush()
        if tag in {"ul", "ol"}:
            self.lists.append([tag, 0])
        elif tag == "blockquote":
            self.quotes += 1
        elif tag in HEADINGS:
            self.kind = "heading"
        elif tag == "li":
            self.kind = "item"
            self.marker = "• "
            if self.lists:
                self.lists[-1][1] += 1
                if self.lists[-1][0] == "ol":
                    self.marker = f"{self.lists[-1][1]}. "
        elif tag == "br":
            self.text += "\n"
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and href not in self.text:
                self.text += f" ({href})"
        elif tag in {"ul", "ol"}:
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self.flush()
            self.quotes = max(self.quotes - 1, 0)
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        self.text += re.sub(r"\s+", " ", data)

    def close(self):
        super().close()
        self.flush()


def text_blocks(value):
    """The blocks of a rich-text value, sanitised first: an old version may predate a rule."""
    parser = TextBlocks()
    parser.feed(clean_html(value or ""))
    parser.close()
    return parser.blocks


def similar(old, new):
    """Whether two blocks share at least half their words (one is an edit of the other)."""
    matcher = difflib.SequenceMatcher(None, old[1].split(), new[1].split(), autojunk=False)
    # The quick upper bounds first: a rewritten body compares many pairs of blocks.
    return (
        matcher.real_quick_ratio() >= 0.5
        and matcher.quick_ratio() >= 0.5
        and matcher.ratio() >= 0.5
    )


# How far ahead a block's match is looked for before it counts as rewritten.
LOOKAHEAD = 5


def paired_blocks(old, new):
    """Pairs (old block or None, new block or None) in order: a block matched with the one it
    became, the others on their own (removed or added)."""
    i = j = 0
    while i < len(old) and j < len(new):
        if similar(old[i], new[j]):
            yield old[i], new[j]
            i, j = i + 1, j + 1
        elif any(similar(old[i], later) for later in new[j + 1 : j + 1 + LOOKAHEAD]):
            yield None, new[j]
            j += 1
        elif any(similar(earlier, new[j]) for earlier in old[i + 1 : i + 1 + LOOKAHEAD]):
            yield old[i], None
            i += 1
        else:
            yield old[i], new[j]
            i, j = i + 1, j + 1
    for block in old[i:]:
        yield block, None
    for block in new[j:]:
        yield None, block


def block_html(kind, content):
    return format_html('<p class="compare-{}">{}</p>', kind, content)


def rich_text_diff(old, new):
    """The text of two rich-text values, block by block, with the words removed and added."""
    old_blocks, new_blocks = text_blocks(old), text_blocks(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts += [block_html(kind, text) for kind, text in new_blocks[j1:j2]]
            continue
        for before, after in paired_blocks(old_blocks[i1:i2], new_blocks[j1:j2]):
            if after is None:
                parts.append(block_html(before[0], format_html("<del>{}</del>", before[1])))
            elif before is None:
                parts.append(block_html(after[0], format_html("<ins>{}</ins>", after[1])))
            else:
                parts.append(block_html(after[0], word_diff(before[1], after[1])))
    html = join(parts)
    if "<del>" not in html and "<ins>" not in html:  # the text is escaped: these are ours
        html += format_html(
            '<p class="compare-note">{}</p>',
            _("Only the formatting changed (bold, italic, headings, lists or links)."),
        )
    return html


# The admin ---------------------------------------------------------------------------------------


def is_rich_text(field):
    return isinstance(field, ProseEditorField)


def translated_names(model):
    """The fields django-modeltranslation keeps a column per language for (`title` for
    `title_en`, `title_fr`, `title_km`)."""
    return {
        field.translated_field.name
        for field in model._meta.fields
        if isinstance(field, TranslationField)
    }


def field_label(field):
    if isinstance(field, TranslationField):
        return _("%(field)s (%(language)s)") % {
            "field": capfirst(field.translated_field.verbose_name),
            "language": language_name(field.language),
        }
    if field.is_relation and not field.concrete:  # the rows of an inline
        return capfirst(field.related_model._meta.verbose_name_plural)
    return capfirst(field.verbose_name)


def text_value(value):
    if value is None or value is DOES_NOT_EXIST:
        return ""
    return str(value)


class VersionChoice(forms.Form):
    version_id1 = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    version_id2 = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class ReadableCompareAdmin(CompareVersionAdmin):
    """CompareVersionAdmin with the diffs above; the history, restore and recover views are
    django-reversion's."""

    compare_template = "reversion-compare/compare.html"

    def compare(self, obj, version1, version2):
        diff, _unfollowed_anywhere = super().compare(obj, version1, version2)
        shown = [entry for entry in diff if entry["diff"] is not None]
        for entry in shown:
            entry["label"] = field_label(entry["field"])
        # The note on fields outside the history, only when one of them is shown.
        unfollowed = any(entry["is_related"] and not entry["follow"] for entry in shown)
        return shown, unfollowed

    def _get_compare(self, obj_compare):
        field = obj_compare.field
        if field.name in translated_names(self.model):
            return None  # a copy of one language: that language's own field is shown
        if field.concrete and not field.editable:
            return None
        if field.concrete and field.is_relation and not field.many_to_many:
            # The library counts a relation as changed when any other field changed.
            before, after = (
                compared.version_record.field_dict.get(field.attname)
                for compared in (obj_compare.compare_obj1, obj_compare.compare_obj2)
            )
            if before == after:
                return None
        return super()._get_compare(obj_compare)

    def compare_TextField(self, obj_compare):
        old, new = text_value(obj_compare.value1), text_value(obj_compare.value2)
        if is_rich_text(obj_compare.field):
            return format_html('<div class="compare-rich-text">{}</div>', rich_text_diff(old, new))
        return self.fallback_compare(obj_compare)

    def compare_ForeignKey(self, obj_compare):
        """The one it was and the one it is, whole: a partner's name is not edited word by
        word."""
        before, after = (text_value(related) for related in obj_compare.get_related())
        parts = []
        if before:
            parts.append(format_html("<del>{}</del>", before))
        if after:
            parts.append(format_html("<ins>{}</ins>", after))
        return format_html('<div class="compare-text">{}</div>', join(parts))

    def fallback_compare(self, obj_compare):
        if obj_compare.field.choices:
            old, new = obj_compare.to_string()
        else:
            old, new = text_value(obj_compare.value1), text_value(obj_compare.value2)
        return format_html('<div class="compare-text">{}</div>', word_diff(old, new))

    def compare_view(self, request, object_id, extra_context=None):
        """The library's view answers a bad address with a 500 (an object id that is not a
        number) or a bare 404, and lets any staff member read any item's versions: here the
        item must exist and be theirs to see, and a bad choice of versions is a page that
        says so (400, or 404 for versions not in this item's history)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("This item does not exist (it may have been deleted)."))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        choice = VersionChoice(request.GET)
        if not choice.is_valid():
            return self.bad_compare(
                request, obj, _("Choose two versions in the item's history to compare them.")
            )
        ids = {choice.cleaned_data["version_id1"], choice.cleaned_data["version_id2"]}
        if Version.objects.get_for_object(obj).filter(pk__in=ids).count() != len(ids):
            return self.bad_compare(
                request,
                obj,
                _("These versions are not in this item's history: choose two from the list."),
                status=404,
            )
        return super().compare_view(request, object_id, extra_context)

    def bad_compare(self, request, obj, message, status=400):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("These versions cannot be compared"),
            "message": message,
            "history_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[quote(obj.pk)],
            ),
        }
        return render(request, "reversion-compare/bad_compare.html", context, status=status)
