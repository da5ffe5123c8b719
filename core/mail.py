from django.core.mail.backends.base import BaseEmailBackend


class OutboxEmailBackend(BaseEmailBackend):
    """Keeps every message in the database so developers can read it at /outbox/."""

    def send_messages(self, email_messages) -> int:
        from core.models import OutboxMessage

        sent = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            OutboxMessage.objects.create(
                from_email=message.from_email,
                to=", ".join(message.recipients()),
                subject=message.subject,
                body=message.body,
                html_body=html,
            )
            sent += 1
        return sent


def render_subject(template_name: str, context: dict) -> str:
    """An email subject from a template: plain text, never HTML-escaped (a title holding
    `<img …'` is sent as typed, not as `&lt;img …&#x27;`), on one line, without control
    characters."""
    from django.template import Context
    from django.template.loader import get_template

    from core.text import CONTROL_CHARACTERS

    text = get_template(template_name).template.render(Context(context, autoescape=False))
    return " ".join(CONTROL_CHARACTERS.sub("", text).split())
