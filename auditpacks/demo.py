"""Demo data: one finished audit pack of the published Social Media Policy, built by HR."""

from django.conf import settings

from accounts.models import Role, User
from auditpacks import services
from auditpacks.models import Pack
from policies.models import PolicyVersion


def seed(stdout=None) -> None:
    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"  auditpacks: {message}")

    version = (PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED)
               .select_related("policy").order_by("policy__title").first())
    hr = User.objects.filter(role=Role.HR, is_active=True).order_by("pk").first()
    if version is None or hr is None:
        say("no published policy or HR person yet; nothing to build")
        return
    if Pack.objects.filter(policy_version=version, kind=Pack.Kind.POLICY).exists():
        say(f"a pack of {version} already exists")
        return
    if getattr(settings, "TESTING", False):
        say("skipped while testing (a PDF takes seconds to lay out)")
        return
    pack = services.pack_request_policy(actor=hr, version=version, queue=False)
    pack = services.pack_build(pack_id=pack.pk)
    say(f"built {pack.document_id} of {version} ({pack.page_count} pages) for {hr.full_name}")
