"""`{% include_next "admin/includes/fieldset.html" %}`: the template of that name that this one
overrides (Django's own), for templates/admin/includes/fieldset.html, which draws the change
forms' language sections (editorial/language_tabs.py) and hands every other fieldset to Django's
template unchanged. Takes `with name=value` like `{% include %}`."""

from django import template
from django.template.loader_tags import IncludeNode, do_include

register = template.Library()


class IncludeNextNode(IncludeNode):
    def render(self, context):
        name = self.template.resolve(context)
        found, _origin = context.template.engine.find_template(name, skip=[self.origin])
        values = {key: value.resolve(context) for key, value in self.extra_context.items()}
        with context.push(**values):
            return found.render(context)


@register.tag
def include_next(parser, token):
    node = do_include(parser, token)
    return IncludeNextNode(node.template, extra_context=node.extra_context)
