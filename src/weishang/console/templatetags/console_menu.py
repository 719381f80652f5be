from django import template

from weishang.console.menu import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def console_menu(context):
    """``{% console_menu as groups %}``: the menu groups the signed-in staff member may open."""
    request = context["request"]
    match = request.resolver_match
    return menu_for(
        request.user, nav=context.get("nav") or "", route=match.url_name if match else ""
    )
