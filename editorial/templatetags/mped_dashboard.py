from django import template

from editorial.dashboard import dashboard

register = template.Library()


@register.inclusion_tag("admin/dashboard/dashboard.html", takes_context=True)
def editorial_dashboard(context):
    """The editorial dashboard on the admin's first page (templates/admin/index.html)."""
    return {"sections": dashboard(context["request"])}
