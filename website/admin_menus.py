"""The header and footer menus' admin (issue 18).

The two menus are made by the migrations (website/menus.py): staff change their links, never add
or delete a menu. A menu is always published, so an editor's change to its links (a new one,
one changed, one deleted) is kept as the menu's draft (editorial/drafts_admin.py) until a
publisher publishes it ("Publish changes"). Each link says whether readers see it and, if not,
why (website/links.resolve: its target is unpublished or deleted), in the form and in the list.
The Preview button shows the home page with the form's links."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import Prefetch
from django.urls import resolve, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from editorial.admin import PublishingRolesAdmin

from .forms import ExternalAddressField
from .links import label
from .links import resolve as resolve_link
from .menus import ensure_menus
from .models import Menu, MenuLink, Target

# What hidden_reason() reads of a link: its target, and its parent's.
TARGETS = ["page", "news_item", "parent__page", "parent__news_item"]


def hidden_reason(link):
    """Why readers do not see `link` ("" when they do): its target, or the link it is under."""
    problem = resolve_link(link).problem
    if problem:
        return problem
    parent = link.parent if link.parent_id else None
    if parent is not None and resolve_link(parent).problem:
        return gettext("The link it is under is hidden from readers.")
    return ""


class ParentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return label(obj).text or str(obj)


class MenuLinkForm(forms.ModelForm):
    url = ExternalAddressField(widget=forms.URLInput(attrs={"size": 12}))

    class Meta:
        model = MenuLink
        fields = ["label", "target", "page", "news_item", "url", "parent", "order"]


class MenuLinkFormSet(forms.BaseInlineFormSet):
    """The menu's links, checked together: a sub-link's parent must stay a top-level link of
    this menu (not given a parent itself, nor deleted, in the same form)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # A table's cells have no <label>: each field is named for screen readers (inside
            # the admin's wrapper of a foreign key's widget).
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label))
        if "parent" in form.fields:
            choices = MenuLink.objects.filter(menu=self.instance, parent__isnull=True)
            if form.instance.pk is not None:
                choices = choices.exclude(pk=form.instance.pk)
            form.fields["parent"].queryset = choices.select_related("page", "news_item")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept, deleted = [], set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk is not None:
                    deleted.add(form.instance.pk)
                continue
            kept.append(form)
        # The parent each kept row asks for, read before any error below takes it out.
        chosen = {id(form): form.cleaned_data.get("parent") for form in kept}
        stored = {form.instance.pk: form for form in kept if form.instance.pk is not None}
        parents = {parent.pk for parent in chosen.values() if parent is not None}
        for form in kept:
            pk, parent = form.instance.pk, chosen[id(form)]
            if parent is not None and parent.pk in deleted:
                form.add_error(
                    "parent",
                    _("The link chosen here is being deleted: choose another, or none."),
                )
            elif parent is not None and parent.pk in stored and chosen[id(stored[parent.pk])]:
                form.add_error(
                    "parent", _("Menus have one level of sub-menu: choose a top-level link.")
                )
            if pk is not None and pk in parents and parent is not None:
                form.add_error(
                    "parent",
                    _(
                        "Other links are shown under this one: it cannot be under another link "
                        "itself. Move them first."
                    ),
                )
        for form in self.forms:
            pk = form.instance.pk
            if pk in deleted and pk in parents:
                raise forms.ValidationError(
                    _(
                        "“%(link)s” has links shown under it: move or delete them before "
                        "deleting it."
                    )
                    % {"link": label(form.instance).text or form.instance}
                )


class MenuLinkInline(TranslationTabularInline):
    model = MenuLink
    form = MenuLinkForm
    formset = MenuLinkFormSet
    fk_name = "menu"
    extra = 1
    fields = ["label", "target", "page", "news_item", "url", "parent", "order", "readers_see"]
    readonly_fields = ["readers_see"]
    # A box for the item's number with a search pop-up, not a list of every news item.
    raw_id_fields = ["news_item"]

    class Media:
        css = {"all": ["css/admin-menus.css"]}

    def get_queryset(self, request):
        # "Readers see it" resolves each link's target and its parent's: with the rows.
        return super().get_queryset(request).select_related(*TARGETS)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None:
            return None
        widget = formfield.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            # No "add", "change", "delete" or "view" icons beside each link's choices: the
            # links stay short enough to read.
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        if db_field.name.startswith("label"):
            classes = widget.attrs.get("class", "").replace("vTextField", "").split()
            widget.attrs.update({"class": " ".join(classes), "size": 9})
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["form_class"] = ParentChoice
            kwargs["queryset"] = MenuLink.objects.none()  # the menu's own: MenuLinkFormSet
            kwargs["error_messages"] = {
                "invalid_choice": _("Choose a top-level link of this menu.")
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("readers see it"))
    def readers_see(self, obj):
        if obj is None or (obj.pk is None and obj.target == Target.PAGE and not obj.page_id):
            return "—"  # a blank row
        reason = hidden_reason(obj)
        if reason:
            return format_html(
                '<strong class="menu-link-hidden">{}</strong> {}', gettext("No:"), reason
            )
        return gettext("Yes")


class HomeWithDraftMenu:
    """The Preview of a menu's form: the home page (whatever view serves it), its header or
    footer with the form's links (website/menus.py reads `request.menu_preview`)."""

    def __init__(self):
        self.view = resolve(reverse("home")).func.view_class()

    def setup(self, request, *args, **kwargs):
        self.request = request
        self.view.setup(request)

    def preview_relations(self, obj, related):
        self.request.menu_preview = (obj.place, related.get("links", []))

    def get_context_data(self, **kwargs):
        kwargs.pop("object", None)
        return self.view.get_context_data(**kwargs)

    def get_template_names(self):
        return self.view.get_template_names()


@admin.register(Menu)
class MenuAdmin(PublishingRolesAdmin, admin.ModelAdmin):
    public_view = HomeWithDraftMenu
    fields = ["place"]
    readonly_fields = ["place"]
    inlines = [MenuLinkInline]
    list_display = ["place", "links_count", "hidden_links", "updated_at"]
    list_display_links = ["place"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ensure_menus()  # a database without them (see website/menus.py)
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        links = MenuLink.objects.select_related(*TARGETS)
        return super().get_queryset(request).prefetch_related(Prefetch("links", queryset=links))

    @admin.display(description=_("links"))
    def links_count(self, obj):
        return len(obj.links.all())

    @admin.display(description=_("hidden from readers"))
    def hidden_links(self, obj):
        hidden = [(label(link).text or link, hidden_reason(link)) for link in obj.links.all()]
        hidden = [(name, reason) for name, reason in hidden if reason]
        if not hidden:
            return "—"
        return format_html(
            '<ul class="menu-hidden-links">{}</ul>',
            format_html_join("", "<li><strong>{}</strong>: {}</li>", hidden),
        )
