"""Choosing an image or a document from the library in any admin form.

Content admins add LibraryChoosersMixin to their bases (ModelAdmin and inlines alike): every
foreign key to an Image or a Document then gets a chooser widget. Without JavaScript it is a
number field with a link that opens the library in a new tab, whose pages show each item's
number; with JavaScript (library/static/library/chooser.js) the link opens a dialog with the
same pages (thumbnails, search, tags, pages, an upload form), and choosing fills the field and
shows the chosen image's thumbnail or document's title beside it.

The chooser pages are admin views (ImageAdmin.get_urls). They never count the rows (a library
of 100,000 images): a page asks for one row more than it shows to know whether there is a next.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from modeltranslation.utils import get_translation_fields

from .models import Document, Image, Tag
from .renditions import picture

PAGE_SIZE = 24
# Deeper than anyone pages by hand; bounds the OFFSET a crafted address can ask for.
MAX_PAGE = 5000
# A header the chooser's script sends: the answer is the dialog's content, not a whole page.
FRAGMENT_HEADER = "X-Library-Chooser"


def image_thumbnail_url(image):
    """The image's news-card rendition (worked out without a query), else its original file
    (the page scales it down)."""
    shown = picture(image, "card")
    if shown is not None:
        return shown.src
    return image.file.url if image.file else ""


# The widgets ------------------------------------------------------------------------------------


class ChooserWidget(forms.NumberInput):
    """A foreign key typed as a number, with the chosen item shown beside it and the library a
    link (or, with JavaScript, a dialog) away. ModelChoiceField checks the number."""

    template_name = "library/widgets/chooser.html"
    model = None
    kind = ""
    chooser_url_name = ""

    class Media:
        js = ["library/chooser.js"]
        css = {"all": ["library/library.css"]}

    def __init__(self, attrs=None):
        super().__init__({"min": 1, "class": "library-chooser-input", **(attrs or {})})

    def chosen(self, value):
        if isinstance(value, self.model):
            return value
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return self.model._default_manager.filter(pk=pk).first()

    def describe(self, item):
        raise NotImplementedError

    def get_context(self, name, value, attrs):
        if isinstance(value, models.Model):
            value = value.pk
        context = super().get_context(name, value, attrs)
        item = self.chosen(value)
        context["widget"].update(
            {
                "kind": self.kind,
                "chooser_url": reverse(f"admin:{self.chooser_url_name}"),
                "chosen": self.describe(item) if item else None,
                "texts": self.texts,
            }
        )
        return context


class ImageChooserWidget(ChooserWidget):
    model = Image
    kind = "image"
    chooser_url_name = "library_image_chooser"
    texts = {
        "none": _("No image chosen."),
        "choose": _("Choose an image"),
        "change": _("Choose another image"),
        "clear": _("Remove the image"),
        "open": _("Open the library"),
        "open_help": _(
            "Opens in a new tab. Find the image there and type its number in this field."
        ),
    }

    def describe(self, image):
        return {
            "id": image.pk,
            "title": image.title,
            "thumbnail": image_thumbnail_url(image),
            "details": f"{image.width} × {image.height} px" if image.width else "",
        }


class DocumentChooserWidget(ChooserWidget):
    model = Document
    kind = "document"
    chooser_url_name = "library_document_chooser"
    texts = {
        "none": _("No document chosen."),
        "choose": _("Choose a document"),
        "change": _("Choose another document"),
        "clear": _("Remove the document"),
        "open": _("Open the library"),
        "open_help": _(
            "Opens in a new tab. Find the document there and type its number in this field."
        ),
    }

    def describe(self, document):
        return {
            "id": document.pk,
            "title": document.title,
            "thumbnail": "",
            "details": document_details(document),
        }


def document_details(document):
    parts = [document.get_file_type_display(), document.get_language_display()]
    if document.size:
        parts.append(filesizeformat(document.size))
    return ", ".join(str(part) for part in parts)


CHOOSER_WIDGETS = {Image: ImageChooserWidget, Document: DocumentChooserWidget}


class LibraryChoosersMixin:
    """For a ModelAdmin or an InlineModelAdmin: foreign keys to library images and documents
    are chosen with the library's choosers instead of a select of every row."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.ForeignKey):
            widget_class = CHOOSER_WIDGETS.get(db_field.remote_field.model)
            if widget_class is not None:
                # No add/change popups around it (the chooser uploads in place), and no
                # select of 100,000 options.
                kwargs["widget"] = widget_class()
                return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# The chooser pages ------------------------------------------------------------------------------


class ChooserFilterForm(forms.Form):
    """The query string of a chooser page: anything else is a 400 that says what was wrong."""

    q = forms.CharField(
        label=_("Search by title"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=Tag.objects.all(), required=False, empty_label=_("All tags")
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args, **kwargs):
        # Ids of their own: the dialog shares the page with the admin's form.
        super().__init__(*args, auto_id="chooser-%s", **kwargs)

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())


class ImageUploadForm(forms.ModelForm):
    """The chooser's upload in place: the image checked as in the image's own form, with what
    every image needs (a title, the English description)."""

    class Meta:
        model = Image
        fields = ["file", "title", "alt_en", "credit"]
        labels = {"alt_en": _("Description (alt text) in English")}
        help_texts = {
            "alt_en": _(
                "What the image shows, for readers who cannot see it. Add French and Khmer on "
                "the image's page in the library."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="chooser-upload-%s", **kwargs)
        self.fields["alt_en"].required = True


class DocumentUploadForm(forms.ModelForm):
    """The chooser's upload in place: checked by the Document model's own validators (its
    file field), as in the document's own form."""

    class Meta:
        model = Document
        fields = ["file", "title_en", "language", "is_members_only"]
        labels = {"title_en": _("Title in English")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="chooser-upload-%s", **kwargs)
        self.fields["title_en"].required = True


class ChooserView(View):
    """The library's page of one kind (images or documents) to choose from, with an upload
    form. A whole admin page, or the dialog's content when the chooser's script asks."""

    admin_site = None
    model = None
    upload_form_class = None
    template_name = ""
    fragment_template_name = ""
    title = ""
    search_fields = ()

    def permission(self, action):
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission("view")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(request, upload_form=self.new_upload_form(request))

    def post(self, request):
        if not request.user.has_perm(self.permission("add")):
            raise PermissionDenied
        form = self.upload_form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, upload_form=form, status=400)
        item = form.save(commit=False)
        item.uploaded_by = request.user
        item.save()
        form.save_m2m()
        if self.is_fragment(request):
            return JsonResponse(self.describe(item))
        # Without JavaScript: back to the library's first page, the new item first, its number
        # said in a message.
        url = request.path + "?" + urlencode({"uploaded": item.pk})
        return redirect(url)

    def new_upload_form(self, request):
        if request.user.has_perm(self.permission("add")):
            return self.upload_form_class()
        return None

    def is_fragment(self, request):
        return request.headers.get(FRAGMENT_HEADER) == "1"

    def describe(self, item):
        return CHOOSER_WIDGETS[self.model]().describe(item)

    def filtered(self, data):
        rows = self.model._default_manager.order_by("-created_at", "-pk")
        if data.get("q"):
            query = Q()
            for field in self.search_fields:
                query |= Q(**{f"{field}__icontains": data["q"]})
            rows = rows.filter(query)
        if data.get("tag"):
            rows = rows.filter(tags=data["tag"])
        return rows

    def render(self, request, upload_form, status=200):
        filters = ChooserFilterForm(request.GET)
        page_number = 1
        items, has_next = [], False
        if filters.is_valid():
            page_number = filters.cleaned_data["page"] or 1
            start = (page_number - 1) * PAGE_SIZE
            # One row more than a page shows: is there a next page? No COUNT(*).
            rows = list(self.filtered(filters.cleaned_data)[start : start + PAGE_SIZE + 1])
            has_next = len(rows) > PAGE_SIZE
            items = [self.describe(item) for item in rows[:PAGE_SIZE]]
        else:
            status = 400
        query = {
            key: value
            for key, value in request.GET.items()
            if key in {"q", "tag"} and filters.is_valid() and value
        }
        uploaded = None
        uploaded_pk = request.GET.get("uploaded", "")
        if uploaded_pk.isdigit() and len(uploaded_pk) < 19:
            found = self.model._default_manager.filter(pk=int(uploaded_pk)).first()
            uploaded = self.describe(found) if found else None
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": self.title,
            "kind": opts.model_name,
            "filters": filters,
            "items": items,
            "page_number": page_number,
            "previous_url": self.page_url(request, query, page_number - 1)
            if page_number > 1
            else "",
            "next_url": self.page_url(request, query, page_number + 1) if has_next else "",
            "upload_form": upload_form,
            "uploaded": uploaded,
            "in_dialog": self.is_fragment(request),
            "has_tags": Tag.objects.exists(),
            "media": forms.Media(js=["library/chooser.js"], css={"all": ["library/library.css"]}),
        }
        template = self.fragment_template_name if self.is_fragment(request) else self.template_name
        return TemplateResponse(request, template, context, status=status)

    @staticmethod
    def page_url(request, query, number):
        params = dict(query)
        if number > 1:
            params["page"] = number
        return request.path + ("?" + urlencode(params) if params else "")


class ImageChooserView(ChooserView):
    model = Image
    upload_form_class = ImageUploadForm
    template_name = "library/chooser/page.html"
    fragment_template_name = "library/chooser/dialog.html"
    title = _("Choose an image")
    search_fields = ("title", *get_translation_fields("alt"))


class DocumentChooserView(ChooserView):
    model = Document
    upload_form_class = DocumentUploadForm
    template_name = "library/chooser/page.html"
    fragment_template_name = "library/chooser/dialog.html"
    title = _("Choose a document")
    search_fields = tuple(get_translation_fields("title"))
