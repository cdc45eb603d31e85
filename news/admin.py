from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Article, NewsItem


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0
    fields = ["title", "publication", "url", "file", "note", "order"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published_at", "is_published", "has_pdf", "updated_at"]
    list_editable = ["is_published"]
    list_filter = ["kind", "is_published", "published_at"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["partners"]
    inlines = [ArticleInline]
    readonly_fields = ["pdf_size_display", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "summary", "body"]}),
        (_("Report"), {"fields": ["pdf", "pdf_size_display"]}),
        (_("Image"), {"fields": ["image", "image_alt"]}),
        (_("Press feature"), {"fields": ["partners"]}),
        (_("Publishing"), {"fields": ["is_published", "published_at", "updated_at"]}),
    ]

    @admin.display(boolean=True, description=_("PDF"))
    def has_pdf(self, obj):
        return bool(obj.pdf)

    @admin.display(description=_("PDF size"))
    def pdf_size_display(self, obj):
        return filesizeformat(obj.pdf_size) if obj.pdf else "—"
