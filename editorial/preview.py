"""Preview before saving: the Preview button of a content item's change form shows the form's
unsaved data in the public layout, in a new tab, in each language, at desktop and phone width.

The form is posted (with its CSRF token) to `<id>/preview/` or `add/preview/`, where the
admin's own form and inlines for this user check it: errors are listed, or the posted fields
(not the files) are kept in the cache for a while under a random key, and the browser is sent on
to `<id>/preview/<key>/`. That page is a toolbar (language, width) around an iframe of
`<key>/?lang=fr&frame=1`, the item's public page rendered from the same data, so switching
needs neither JavaScript nor another post. Nothing is ever saved: the item is built with
`form.save(commit=False)`, and the whole preview runs in a transaction that is rolled back."""

import copy
import re
import secrets
from dataclasses import dataclass, field

from csp.constants import SELF
from django import forms
from django.conf import settings
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.forms.forms import NON_FIELD_ERRORS
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import Resolver404, path, resolve, reverse
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.publishing import Status

CACHE_PREFIX = "mped:admin-preview:"
# How long a preview's toolbar can still switch language or width.
PREVIEW_SECONDS = 60 * 60
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
WIDTHS = ("desktop", "phone", "both")
# A new item has no primary key, and Django refuses to read the relations of an object
# without one (the points of a page, the partners of a news item): its preview stands in this
# key, which no row has. The object is never saved.
UNSAVED_PK = 0


def _refuse_save(*args, **kwargs):
    raise RuntimeError("A preview is never saved.")


def never_saved(instance):
    instance.save = instance.delete = _refuse_save
    return instance


@dataclass
class LanguageLink:
    code: str
    name: str
    url: str
    is_current: bool


@dataclass
class CheckedForm:
    """The admin form and inlines filled with the posted data, and what is wrong with them."""

    form: object
    formsets: list
    inlines: list
    errors: list = field(default_factory=list)


def ordered(objects, model):
    """Unsaved rows in the model's Meta.ordering, as the database would give them (rows
    without a value, a new row's id, last)."""
    rows = list(objects)
    for name in reversed(model._meta.ordering or []):
        descending = name.startswith("-")
        name = name.lstrip("-")
        if name == "pk":
            name = model._meta.pk.attname
        rows.sort(
            key=lambda row, name=name: (getattr(row, name, None) is None, getattr(row, name, 0)),
            reverse=descending,
        )
    return rows


def cached_rows(model, rows):
    """A queryset that holds `rows` without asking the database: what a prefetch leaves in an
    object's cache, so that `item.articles.all` in a template gives the form's rows."""
    queryset = model._default_manager.none()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


def public_request(request, url):
    """The request as the public page at `url` would see it (its path, no query string, its
    view), for the language switcher, canonical links and menus of the public templates."""
    public = copy.copy(request)
    public.path = public.path_info = url
    public.META = {**request.META, "PATH_INFO": url, "QUERY_STRING": ""}
    public.GET = QueryDict()
    public.LANGUAGE_CODE = translation.get_language()
    # The admin's messages waiting for its next page stay there, not shown in the preview.
    public._messages = []
    try:
        public.resolver_match = resolve(url)
    except Resolver404:
        public.resolver_match = None
    return public


class PreviewAdminMixin:
    """Adds the Preview button to a content admin's change form, for models with a public page:
    `public_view` is that page's detail view (its template and get_context_data() are used). A
    view may also define `preview_relations(obj, related)` to set what its get_queryset()
    would have prefetched, from `related`: the form's many-to-many values and inline rows, by
    relation name."""

    public_view = None

    # URLs.

    def get_urls(self):
        urls = super().get_urls()
        if self.public_view is None:
            return urls
        name = f"{self.opts.app_label}_{self.opts.model_name}_preview"
        view = self.admin_site.admin_view
        return [
            path("add/preview/", view(self.preview_post), name=f"{name}_add"),
            path("add/preview/<str:key>/", view(self.preview_get), name=f"{name}_add_stored"),
            path("<path:object_id>/preview/", view(self.preview_post), name=name),
            path(
                "<path:object_id>/preview/<str:key>/",
                view(self.preview_get),
                name=f"{name}_stored",
            ),
            *urls,
        ]

    def preview_url(self, object_id=None, key=None, **query):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_preview"
        name += "_add" if object_id is None else ""
        args = [] if object_id is None else [quote(object_id)]
        if key:
            name += "_stored"
            args.append(key)
        url = reverse(name, args=args)
        return f"{url}?{urlencode(query)}" if query else url

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if self.public_view is not None and (
            self.has_add_permission(request) if add else self.has_change_permission(request, obj)
        ):
            context["preview_url"] = self.preview_url(None if add else str(obj.pk))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The views.

    def preview_post(self, request, object_id=None):
        """The change form, posted by its Preview button: its errors, or on to the preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        with self._nothing_saved():
            obj = self._preview_object(request, object_id)
            data = request.POST.copy()
            data.pop("csrfmiddlewaretoken", None)
            checked = self._check_form(request, obj, data, request.FILES)
            if checked.errors:
                return self._errors_response(request, object_id, checked)
        key = secrets.token_urlsafe(24)
        cache.set(
            CACHE_PREFIX + key,
            {
                "user": request.user.pk,
                "model": self.opts.label_lower,
                "object": object_id,
                "data": list(data.lists()),
                # New files cannot wait unsaved: the preview shows the stored ones, and says so.
                "uploads": sorted(name for name, upload in request.FILES.items() if upload),
            },
            PREVIEW_SECONDS,
        )
        # 303: the new tab then asks for the preview with a GET, which reloading repeats.
        response = HttpResponseRedirect(
            self.preview_url(object_id, key, lang=translation.get_language())
        )
        response.status_code = 303
        return self._private(response)

    def preview_get(self, request, key, object_id=None):
        """The preview page (the toolbar and its iframes), or with `frame=1` the public page
        that the iframes show."""
        entry = cache.get(CACHE_PREFIX + key) if KEY_PATTERN.fullmatch(key) else None
        if not entry or (entry["user"], entry["model"], entry["object"]) != (
            request.user.pk,
            self.opts.label_lower,
            object_id,
        ):
            raise Http404(
                _("This preview has expired or was never made. Press Preview on the form again.")
            )
        lang = request.GET.get("lang", "")
        if lang not in dict(settings.LANGUAGES):
            lang = translation.get_language()
        width = request.GET.get("width", "")
        if width not in WIDTHS:
            width = WIDTHS[0]
        is_frame = request.GET.get("frame") == "1"
        data = QueryDict(mutable=True)
        for name, values in entry["data"]:
            data.setlist(name, values)
        with self._nothing_saved():
            obj = self._preview_object(request, object_id)
            checked = self._check_form(request, obj, data, MultiValueDict(), entry["uploads"])
            if checked.errors:
                response = self._errors_response(request, object_id, checked)
            elif is_frame:
                response = self._frame_response(request, checked, entry["uploads"], lang)
            else:
                response = self._toolbar_response(request, object_id, key, checked, lang, width)
        if is_frame:
            response["X-Frame-Options"] = "SAMEORIGIN"
            response._csp_replace = {"frame-ancestors": [SELF]}
        return response

    # Building the preview.

    def _nothing_saved(self):
        """A transaction that is always rolled back: whatever a form's checks or a template
        write (a first load of the site settings makes its row) is undone."""
        return _RolledBack(router.db_for_write(self.model))

    def _preview_object(self, request, object_id):
        """The saved item (None for a new one), for staff who may change it (or add one)."""
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("There is no such item."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _check_form(self, request, obj, data, files, uploads=()):
        """The admin's form and inlines for this user (the change view's fields and read-only
        rules), filled with `data`. Replayed without its files, a form is not refused for the
        files it had (`uploads`): they were checked when it was posted."""
        change = obj is not None
        fieldsets = self.get_fieldsets(request, obj)
        ModelForm = self.get_form(request, obj, change=change, fields=flatten_fieldsets(fieldsets))
        form = ModelForm(data, files, instance=obj)
        formsets, inlines = self._preview_formsets(request, form.instance, change, data, files)
        checked = CheckedForm(form, formsets, inlines)
        uploads = set(uploads)
        checked.errors += form_errors(form, "", uploads)
        for formset, inline in zip(formsets, inlines, strict=True):
            formset.is_valid()
            where = str(inline.verbose_name_plural).capitalize()
            for message in formset.non_form_errors():
                checked.errors.append((where, message))
            for index, row in enumerate(formset.forms, start=1):
                place = _("%(rows)s, row %(number)s") % {"rows": where, "number": index}
                checked.errors += form_errors(row, place, uploads)
        return checked

    def _preview_formsets(self, request, obj, change, data, files):
        """The inlines as the change view makes them from a post (ModelAdmin._create_formsets),
        from `data` and `files` rather than the request's."""
        formsets, inlines, prefixes = [], [], {}
        for FormSet, inline in self.get_formsets_with_inlines(request, *([obj] if change else [])):
            prefix = FormSet.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            formset = FormSet(
                data=data,
                files=files,
                instance=obj,
                prefix=prefix,
                queryset=inline.get_queryset(request),
            )
            if not inline.has_change_permission(request, obj if change else None):
                # View-only rows are not posted: they stay as they are, as in the change view.
                for index, row in enumerate(formset.initial_forms):
                    deleted = f"{formset.prefix}-{index}-DELETE" in data
                    if not (deleted and inline.has_delete_permission(request, obj)):
                        row._errors = {}
                        row.cleaned_data = row.initial
            formsets.append(formset)
            inlines.append(inline)
        return formsets, inlines

    def _unsaved_object(self, checked):
        """The item with the form's values, and its inline rows and many-to-many values by
        relation name, none of it saved."""
        form = checked.form
        # Never saved (commit=False); a replayed form may keep an error on a file it had.
        obj = form.save(commit=False) if form.is_valid() else form.instance
        now = timezone.now()
        for model_field in obj._meta.concrete_fields:
            # What saving would set: the page's "Page Updated" is now.
            if getattr(model_field, "auto_now", False) or (
                getattr(model_field, "auto_now_add", False) and obj._state.adding
            ):
                setattr(obj, model_field.attname, now)
        for model_field in obj._meta.concrete_fields:
            sanitize = getattr(model_field, "sanitize", None)
            if not callable(sanitize):
                continue
            value = getattr(obj, model_field.attname)
            if isinstance(value, str):
                # Rich text is cleaned on save (core/html.py): shown as it will be stored.
                setattr(obj, model_field.attname, sanitize(value))
        if obj.pk is None:
            obj.pk = UNSAVED_PK
        never_saved(obj)
        related = {}
        for model_field in obj._meta.many_to_many:
            if model_field.name in form.cleaned_data:
                related[model_field.name] = list(form.cleaned_data[model_field.name])
        for formset in checked.formsets:
            rows = []
            for row in formset.forms:
                if formset.can_delete and formset._should_delete_form(row):
                    continue
                if row.instance.pk is None and not row.has_changed():
                    continue  # an empty extra row
                setattr(row.instance, formset.fk.name, obj)
                rows.append(never_saved(row.instance))
            related[formset.fk.remote_field.get_accessor_name()] = ordered(rows, formset.model)
        cache_of = obj.__dict__.setdefault("_prefetched_objects_cache", {})
        for model_field in obj._meta.many_to_many:
            if model_field.name in related:
                cache_of[model_field.name] = cached_rows(
                    model_field.related_model, related[model_field.name]
                )
        for formset in checked.formsets:
            rel = formset.fk.remote_field
            cache_of[rel.cache_name] = cached_rows(formset.model, related[rel.get_accessor_name()])
        return obj, related

    def _frame_response(self, request, checked, uploads, lang):
        obj, related = self._unsaved_object(checked)
        view = self.public_view()
        # Readers' dates are in the site's time zone, whatever zone the admin shows.
        with translation.override(lang), timezone.override(timezone.get_default_timezone()):
            public = public_request(request, obj.get_absolute_url())
            view.setup(public, slug=getattr(obj, "slug", ""))
            view.object = obj
            if hasattr(view, "preview_relations"):
                view.preview_relations(obj, related)
            context = view.get_context_data(object=obj)
            status = getattr(obj, "status", None) or (
                Status.PUBLISHED if obj.is_published else Status.DRAFT
            )
            context.update(
                preview_status=PreviewStatus(
                    _("Unsaved changes (%(status)s)") % {"status": status.label}
                ),
                preview_template=select_template(view.get_template_names()).template,
                preview_notes=self._upload_notes(checked.form, uploads),
            )
            response = TemplateResponse(public, "admin/preview/frame.html", context)
            response.render()
        return self._private(response)

    @staticmethod
    def _upload_notes(form, uploads):
        """What the preview cannot show: the files chosen in the form, which are not stored
        until it is saved (the page shows the stored ones)."""
        notes = []
        for name, form_field in form.fields.items():
            if form.add_prefix(name) not in uploads:
                continue
            if isinstance(form_field, forms.ImageField):
                notes.append(_("The new image will show once saved."))
            else:
                notes.append(
                    _("The new file (%(field)s) will show once saved.")
                    % {"field": form[name].label}
                )
        if set(uploads) - {form.add_prefix(name) for name in form.fields}:
            notes.append(_("New files attached in the rows below the form will show once saved."))
        return notes

    def _toolbar_response(self, request, object_id, key, checked, lang, width):
        obj = checked.form.instance
        languages = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                name = str(name)
            languages.append(
                LanguageLink(
                    code,
                    name,
                    self.preview_url(object_id, key, lang=code, width=width),
                    code == lang,
                )
            )
        width_links = [
            (value, label, self.preview_url(object_id, key, lang=lang, width=value), value == width)
            for value, label in [
                ("desktop", _("Desktop")),
                ("phone", _("Phone")),
                ("both", _("Side by side")),
            ]
        ]
        frame_url = self.preview_url(object_id, key, lang=lang, frame=1)
        frames = []
        if width in ("desktop", "both"):
            frames.append(("desktop", _("The page at desktop width"), frame_url))
        if width in ("phone", "both"):
            frames.append(("phone", _("The page at phone width (390 pixels)"), frame_url))
        context = {
            "title": _("Preview — not published"),
            "item": str(obj),
            "opts": self.opts,
            "languages": languages,
            "widths": width_links,
            "frames": frames,
            "width": width,
            "form_url": self._form_url(object_id),
        }
        return self._private(TemplateResponse(request, "admin/preview/page.html", context))

    def _errors_response(self, request, object_id, checked):
        """The form's errors, field by field, with a 400: the posted data cannot be shown."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("The preview cannot be shown"),
            "opts": self.opts,
            "errors": checked.errors,
            "form_url": self._form_url(object_id),
        }
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, "admin/preview/errors.html", context, status=400)
        response.render()
        return self._private(response)

    def _form_url(self, object_id):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        if object_id is None:
            return reverse(f"{name}_add")
        return reverse(f"{name}_change", args=[quote(object_id)])

    @staticmethod
    def _private(response):
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


class PreviewStatus:
    """What the public layout's banner says of the page (core.publishing.Status has a label)."""

    def __init__(self, label):
        self.label = label


class _RolledBack:
    def __init__(self, using):
        self.atomic = transaction.atomic(using=using)
        self.using = using

    def __enter__(self):
        self.atomic.__enter__()

    def __exit__(self, *exc_info):
        transaction.set_rollback(True, using=self.using)
        return self.atomic.__exit__(*exc_info)


def form_errors(form, where, uploads):
    """A form's errors as (where, message) pairs: "Title: This field is required." Without
    those of the files it had when it was posted (`uploads`)."""
    uploaded = {name for name in form.fields if form.add_prefix(name) in uploads}
    found = []
    for name, messages in form.errors.items():
        if name in uploaded or (name == NON_FIELD_ERRORS and uploaded):
            continue
        label = "" if name == NON_FIELD_ERRORS else form[name].label
        place = ", ".join(str(part) for part in (where, label) if part)
        found += [(place, message) for message in messages]
    return found
