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
    elif getattr(version, "reader_has_addendum", False) and user.academy_id:
        # The reading page already knows this person's academy has an approved addendum:
        # no query for staff.
        addenda = [SimpleNamespace(academy=user.academy, status="approved")]
    else:
        addenda = []
    return {"policy": version.policy, "version": version, "addenda": addenda}
