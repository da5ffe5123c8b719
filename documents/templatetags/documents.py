"""``{% version_downloads version %}``: the Word and PDF download links of a version page."""

from types import SimpleNamespace

from django import template

from documents import selectors
from policies.selectors import is_backstage

register = template.Library()


@register.inclusion_tag("documents/_downloads.html", takes_context=True)
def version_downloads(context, version):
    user = context["request"].user
    if is_backstage(user):
        addenda = list(selectors.addenda_for_download(user, version))
    elif context.get("addendum") is not None and user.academy_id:
        # The reading page already has this person's academy's approved addendum: no query.
        addenda = [SimpleNamespace(academy=user.academy, status="approved")]
    else:
        addenda = []
    return {"policy": version.policy, "version": version, "addenda": addenda}
