"""The home page's admin (issue 18): its blocks, added, removed and reordered in one form.

The home page is one row, made by the migrations (website/blocks.load_home at runtime): no add or
delete, and the list goes straight to its form. It is always published, so a change to its
blocks (a new block, one changed, deleted or moved) is kept as the home page's draft
(editorial/drafts_admin.py) until a publisher publishes it; the Preview button shows the home
page with the form's blocks.

Every block is a row of one table (website.models.HomeBlock): the form shows each row's fields
for its kind only, with JavaScript (website/static/website/home-blocks.js, which also adds
"Move up" and "Move down"); without it every field shows, its help text saying which kinds use
it, and the order is typed."""

import json

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from editorial.admin import PublishingRolesAdmin
from library.choosers import LibraryChoosersMixin
from news.models import Kind
from partners.models import Municipality

from .blocks import MAX_NEWS, create_default_home
from .forms import ExternalAddressField
from .models import BlockKind, HomeBlock, HomePage
from .views import HomeView

K = BlockKind
# The fields each kind of block uses (the others are hidden by the form's script).
FIELDS_BY_KIND = {
    K.ACCOUNT_PROMPT: ["text", "link_text"],
    K.LATEST_NEWS: ["heading", "news_count", "news_kinds"],
    K.PROGRAM: ["page", "display"],
    K.FIGURES: ["heading", "page"],
    K.PARTNERS: ["heading", "text", "partners", "partner_ids"],
    K.TEXT: ["heading", "body"],
    K.IMAGE: ["image", "caption"],
    K.CALL_TO_ACTION: ["heading", "text", "link_text", "target", "page", "news_item", "url"],
}
BLOCK_FIELDS = [
    "kind",
    "order",
    "heading",
    "text",
    "body",
    "link_text",
    "image",
    "caption",
    "news_count",
    "news_kinds",
    "display",
    "page",
    "partners",
    "partner_ids",
    "target",
    "news_item",
    "url",
]


def kinds_using(name):
    return [kind for kind, fields in FIELDS_BY_KIND.items() if name in fields]


def base_name(field_name):
    """`heading_fr` -> `heading` (a language's column of a translated field)."""
    for name in BLOCK_FIELDS:
        if field_name == name or field_name.startswith(f"{name}_"):
            return name
    return field_name


def required_text(form, name, message):
    """The English column of a translated text is required for this kind (field error)."""
    english = f"{name}_en"
    if english in form.fields and not (form.cleaned_data.get(english) or "").strip():
        form.add_error(english, message)


class HomeBlockForm(forms.ModelForm):
    news_kinds = forms.MultipleChoiceField(
        label=capfirst(HomeBlock._meta.get_field("news_kinds").verbose_name),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    news_count = forms.IntegerField(
        label=capfirst(HomeBlock._meta.get_field("news_count").verbose_name),
        min_value=1,
        max_value=MAX_NEWS,
        initial=3,
    )
    # Choices: the Canadian municipalities (HomeBlockInline.get_formset, one query per formset).
    partner_ids = forms.TypedMultipleChoiceField(
        label=capfirst(HomeBlock._meta.get_field("partner_ids").verbose_name),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "home-block-partners"}),
        help_text=_(
            "When “The partners chosen below” is selected: shown in the order they were ticked."
        ),
    )
    url = ExternalAddressField(label=capfirst(HomeBlock._meta.get_field("url").verbose_name))

    partner_choices = ()
    # The program pages' choices, read once for the whole formset (HomeBlockInline.get_formset):
    # without them each block's form would read the pages again to draw its list.
    page_choices = None

    class Meta:
        model = HomeBlock
        fields = BLOCK_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "partner_ids" in self.fields:
            self.fields["partner_ids"].choices = self.partner_choices
        if "page" in self.fields and self.page_choices is not None:
            self.fields["page"].choices = self.page_choices
        if "page" in self.fields:
            self.fields["page"].help_text = _(
                "Program section and figures: the page shown. Call to action: the page the "
                "button goes to, when it goes to a program page."
            )
        if "kind" in self.fields:
            self.fields["kind"].widget.attrs.update(
                {
                    "class": "home-block-kind",
                    "data-text-up": _("Move up"),
                    "data-text-down": _("Move down"),
                    "data-fields": json.dumps(
                        {str(kind): fields for kind, fields in FIELDS_BY_KIND.items()}
                    ),
                }
            )
        if "order" in self.fields:
            self.fields["order"].widget.attrs["class"] = "home-block-order"
            self.fields["order"].help_text = _("Lower numbers come first.")
        for name, field in self.fields.items():
            if base_name(name) == "text" and isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3  # a sentence or two
        labels = dict(BlockKind.choices)
        for name, field in self.fields.items():
            kinds = kinds_using(base_name(name))
            if not kinds or name == "kind":
                continue
            # Hidden when the form's script shows each kind's fields only.
            used_by = format_html(
                '<span class="home-block-used-by">{} {}</span>',
                _("Used by:"),
                ", ".join(str(labels[kind]) for kind in kinds),
            )
            field.help_text = (
                format_html("{} {}", field.help_text, used_by) if field.help_text else used_by
            )
            field.widget.attrs["data-block-field"] = base_name(name)

    def clean_partner_ids(self):
        chosen = self.cleaned_data.get("partner_ids") or []
        before = [pk for pk in (self.instance.partner_ids or []) if pk in chosen]
        return before + [pk for pk in chosen if pk not in before]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == K.ACCOUNT_PROMPT:
            required_text(self, "link_text", _("Write the link's words (in English at least)."))
        elif kind in (K.PROGRAM, K.FIGURES) and not cleaned.get("page"):
            self.add_error("page", _("Choose the program page this block shows."))
        elif kind == K.PARTNERS and cleaned.get("partners") == HomeBlock.Partners.CHOSEN:
            if not cleaned.get("partner_ids"):
                self.add_error(
                    "partner_ids",
                    _("Tick the partners to show, or choose “All Canadian partners”."),
                )
        elif kind == K.TEXT:
            required_text(self, "body", _("Write the block's text (in English at least)."))
        elif kind == K.IMAGE and not cleaned.get("image"):
            self.add_error("image", _("Choose the image from the library."))
        elif kind == K.CALL_TO_ACTION:
            required_text(self, "link_text", _("Write the button's words (in English at least)."))
            if not cleaned.get("target"):
                self.add_error("target", _("Choose where the button goes."))
        return cleaned


class HomeBlockInline(LibraryChoosersMixin, TranslationStackedInline):
    model = HomeBlock
    form = HomeBlockForm
    extra = 0
    fields = BLOCK_FIELDS
    raw_id_fields = ["news_item"]
    classes = ["home-blocks"]

    class Media:
        js = ["website/home-blocks.js"]
        css = {"all": ["website/home-blocks-admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image", "page", "news_item")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        choices = [
            (partner.pk, str(partner) + (f", {partner.region}" if partner.region else ""))
            for partner in Municipality.objects.canadian().only("pk", "name", "region")
        ]
        page = formset.form.base_fields.get("page")
        page_choices = list(page.choices) if page is not None else None
        form = type(
            formset.form.__name__,
            (formset.form,),
            {"partner_choices": choices, "page_choices": page_choices},
        )
        formset.form = form
        return formset


@admin.register(HomePage)
class HomePageAdmin(PublishingRolesAdmin, admin.ModelAdmin):
    # The Preview button shows the home page with the form's blocks (editorial/preview.py).
    public_view = HomeView
    inlines = [HomeBlockInline]
    fields = ["updated_at"]
    readonly_fields = ["updated_at"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """The admin's link to the home page goes straight to its form."""
        home = create_default_home()
        if not self.has_view_or_change_permission(request, home):
            return super().changelist_view(request, extra_context)
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:website_homepage_change", args=[home.pk])
        )

    def get_readonly_fields(self, request, obj=None):
        # `is_published` is not in the form: the home page is always published.
        return ["updated_at"]

    def get_fields(self, request, obj=None):
        return ["updated_at"]
