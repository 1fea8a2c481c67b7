"""``{% prepared %}…{% endprepared %}``: the part of a dashboard page kept in the cache
(``reports.dashboards.cache``). With a ``prepared`` slot in the context, a hit prints the stored body
and renders nothing inside; a miss renders the inside once and hands it to the slot, which the
view stores. Without a slot (pages not prepared, exports) the inside renders as usual."""
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class PreparedNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        slot = context.get("prepared")
        if slot is None:
            return self.nodelist.render(context)
        if slot.body is None:
            slot.body = str(self.nodelist.render(context))
        return mark_safe(slot.body)


@register.tag("prepared")
def do_prepared(parser: template.base.Parser, token: template.base.Token) -> PreparedNode:
    nodelist = parser.parse(("endprepared",))
    parser.delete_first_token()
    return PreparedNode(nodelist)
