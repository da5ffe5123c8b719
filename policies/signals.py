from django.dispatch import Signal

#: Sent inside the publishing transaction, after the version is marked published and the
#: previous one superseded. kwargs: version (PolicyVersion), previous (PolicyVersion | None),
#: actor (User), material (bool: everyone must re-acknowledge).
version_published = Signal()
#: Sent when a published version is withdrawn. kwargs: version, actor.
version_withdrawn = Signal()
