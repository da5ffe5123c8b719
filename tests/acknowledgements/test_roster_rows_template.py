"""The dashboard's People rows come from a template: names are escaped, and the "Remind"
button (a POST form with its CSRF token) shows only to the person's line manager."""

from django.urls import reverse

from acknowledgements.models import Assignment


def test_a_name_with_markup_is_shown_as_text_on_the_dashboard(client_as, org, published):
    org.staff.full_name = '<img src=x onerror="alert(1)"> Staff'
    org.staff.save()

    page = client_as("hr").get(reverse("acknowledgements:trust")).content.decode()

    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Staff" in page
    assert '<img src=x onerror="alert(1)">' not in page


def test_the_line_manager_sees_a_remind_form_with_its_csrf_token(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    page = client_as("manager").get(reverse("acknowledgements:team")).content.decode()

    action = reverse("acknowledgements:nudge", args=[assignment.pk])
    assert f'action="{action}"' in page
    form = page[page.index(f'action="{action}"'):]
    assert 'name="csrfmiddlewaretoken"' in form[:400]
    assert f"Remind<span class=\"sr-only\"> {org.staff.full_name}</span>" in form


def test_someone_who_is_not_the_line_manager_sees_no_remind_button(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    page = client_as("hr").get(reverse("acknowledgements:trust")).content.decode()

    assert reverse("acknowledgements:nudge", args=[assignment.pk]) not in page
