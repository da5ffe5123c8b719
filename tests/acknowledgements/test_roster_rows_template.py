"""The dashboard's People rows come from a template: names are escaped, and the "Remind"
button (sending the page's one POST form, with its CSRF token) shows only to the person's line
manager."""

from django.urls import reverse

from acknowledgements.models import Assignment


def test_a_name_with_markup_is_shown_as_text_on_the_dashboard(client_as, org, published):
    org.staff.full_name = '<img src=x onerror="alert(1)"> Staff'
    org.staff.save()

    page = client_as("hr").get(reverse("acknowledgements:trust")).content.decode()

    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Staff" in page
    assert '<img src=x onerror="alert(1)">' not in page


def test_the_line_manager_sees_a_remind_button_sending_the_pages_form_and_its_csrf_token(
        client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    page = client_as("manager").get(reverse("acknowledgements:team")).content.decode()

    action = reverse("acknowledgements:nudge", args=[assignment.pk])
    button = page[page.index(f'formaction="{action}"') - 80:]
    assert 'form="remind-form"' in button[:200]
    assert f"Remind<span class=\"sr-only\"> {org.staff.full_name}</span>" in button[:400]
    form = page[page.index('id="remind-form"'):]
    assert 'name="csrfmiddlewaretoken"' in form[:form.index("</form>")]


def test_someone_who_is_not_the_line_manager_sees_no_remind_button(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    page = client_as("hr").get(reverse("acknowledgements:trust")).content.decode()

    assert reverse("acknowledgements:nudge", args=[assignment.pk]) not in page
