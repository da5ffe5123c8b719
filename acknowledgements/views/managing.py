"""Acting on others' acknowledgements and setting them up: a line manager's reminder, a
record on someone's behalf, comprehension questions, acknowledging from a link alone."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import may_nudge, requires
from acknowledgements import selectors, services
from acknowledgements.forms import NudgeForm, OnBehalfForm, QuestionForm, TokenOnlyForm
from acknowledgements.models import Method, Question
from core.errors import shown
from policies.models import Policy, PolicyVersion


@require_POST
@requires("compliance.team")
def nudge(request, pk: int):
    assignment = selectors.get_assignment_for_manager(request.user, pk, may_nudge)
    form = NudgeForm(request.POST)
    if form.is_valid():
        with shown(request) as attempt:
            services.nudge_send(assignment=assignment, sender=request.user,
                                message=form.cleaned_data["message"], request=request)
        if attempt:
            messages.success(request, f"Reminder sent to {assignment.person.full_name}.")
    back = request.POST.get("next", "")
    if back.startswith("/acknowledgements/") and "//" not in back:
        return redirect(back)
    return redirect("acknowledgements:person_history", assignment.person_id)


@requires("acknowledgements.record_on_behalf")
def on_behalf(request, pk: int):
    assignment = selectors.get_assignment_for_manager(request.user, pk)
    version = assignment.version
    if assignment.is_done:
        messages.info(request, f"{assignment.person.full_name} has already acknowledged it.")
        return redirect("acknowledgements:person_history", assignment.person_id)
    person = assignment.person
    attestation = (
        f"I, {request.user.full_name}, confirm that {person.full_name} has read the "
        f"{version.policy.title} (version {version.label}) or had it read to them by me, "
        f"that I answered their questions, and that they told me they understood it and "
        f"will comply with it. They have no computer access to acknowledge it themselves."
    )
    form = OnBehalfForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"].strip()
        with shown(request) as attempt:
            outcome = services.acknowledgement_record(
                assignment=assignment, method=Method.ON_BEHALF, request=request,
                recorded_by=request.user,
                attestation=attestation + (f"\nNote: {note}" if note else ""),
            )
        if attempt:
            if outcome.created:
                messages.success(request, f"Recorded {person.full_name}'s acknowledgement.")
            else:
                messages.info(request, f"{person.full_name} had already acknowledged it.")
            return redirect("acknowledgements:person_history", person.pk)
    return render(request, "acknowledgements/on_behalf.html", {
        "assignment": assignment, "person": person, "version": version, "form": form,
        "attestation": attestation,
        "statement": services.reading_for(version, person).statement,
    })


def _question_saved(request, form, version, question=None) -> bool:
    """Save a valid QuestionForm (a new question, or `question` changed); a refusal goes on the
    form."""
    data = form.cleaned_data
    with shown(request, form) as attempt:
        services.question_save(version=version, actor=request.user, text=data["text"],
                               choices=data["choice_list"], correct_choice=data["correct"] - 1,
                               clause=data["clause"], order=data["order"], question=question,
                               request=request)
    return bool(attempt)


@requires("policies.manage")
def questions(request, version_pk: int):
    version = get_object_or_404(PolicyVersion.objects.select_related("policy"), pk=version_pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid() and _question_saved(request, form, version):
        messages.success(request, "Question added.")
        return redirect("acknowledgements:questions", version.pk)
    return render(request, "acknowledgements/questions.html", {
        "version": version, "questions": version.ack_questions.select_related("clause"),
        "form": form,
    })


@requires("policies.manage")
def question_edit(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("version", "version__policy",
                                                                 "clause"), pk=pk)
    version = question.version
    initial = {"text": question.text, "choices": "\n".join(question.choices),
               "correct": question.correct_choice + 1, "clause": question.clause_id,
               "order": question.order}
    form = QuestionForm(request.POST if request.method == "POST" else None, version=version,
                        initial=initial)
    if (request.method == "POST" and form.is_valid()
            and _question_saved(request, form, version, question)):
        messages.success(request, "Question saved.")
        return redirect("acknowledgements:questions", version.pk)
    return render(request, "acknowledgements/question_edit.html", {
        "version": version, "question": question, "form": form,
    })


@require_POST
@requires("policies.manage")
def question_delete(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("version"), pk=pk)
    version_pk = question.version_id
    services.question_delete(question=question, actor=request.user, request=request)
    messages.success(request, "Question removed.")
    return redirect("acknowledgements:questions", version_pk)


@requires("acknowledgements.token_only")
def token_only_settings(request, policy_pk: int):
    policy = get_object_or_404(Policy, pk=policy_pk)
    form = TokenOnlyForm(request.POST if request.method == "POST" else None,
                         initial={"allow": policy.allow_token_only})
    if request.method == "POST" and form.is_valid():
        services.policy_token_only_set(policy=policy, allowed=form.cleaned_data["allow"],
                                       actor=request.user, request=request)
        messages.success(request, "Saved.")
        return redirect("acknowledgements:token_only", policy.pk)
    return render(request, "acknowledgements/token_only.html", {"policy": policy, "form": form})
