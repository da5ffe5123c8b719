from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.permissions import academy_scope


def people_visible_to(user) -> QuerySet[User]:
    """People this user may list: everyone for trust-wide roles, one academy for a Principal."""
    scope = academy_scope(user)
    people = User.objects.select_related("academy", "line_manager")
    if scope is None:
        return people
    return people.filter(Q(academy_id__in=scope) | Q(line_manager=user))


def people_search(queryset: QuerySet[User], *, q: str = "", academy: str = "",
                  category: str = "", include_leavers: bool = False) -> QuerySet[User]:
    if q:
        queryset = queryset.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if academy:
        queryset = queryset.filter(academy__code=academy)
    if category:
        queryset = queryset.filter(category=category)
    if not include_leavers:
        queryset = queryset & User.objects.current()
    return queryset
