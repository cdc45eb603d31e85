"""The dashboard's "Sent back to you" (issue 16): an editor is told on the dashboard, as
publishers are of a submission, that a publisher sent an item back, as well as by email.

It lists the items the user submitted that a publisher sent back and that they have not
submitted again (Draft.state SENT_BACK: resubmitting puts it back in review), the last sent back
first, each with the publisher's comment, who sent it back and when, and a link to the item's
form. A count, a list, the publishers who sent them back, and one query per model listed: the
same number of queries however many items came back."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from .dashboard import LIMIT, Line, Section, admin_url, kind_label
from .models import Draft, DraftState, EventAction, WorkflowEvent
from .moderation import person, with_items


def last_sent_back():
    """The latest SENT_BACK step of the draft's item (for an annotation)."""
    return WorkflowEvent.objects.filter(
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
        action=EventAction.SENT_BACK,
    ).order_by("-at", "-pk")


def is_editor(request, models):
    """Whether the user may not publish some of the models they see: an editor."""
    return any(
        hasattr(model_admin, "has_publish_permission")
        and not model_admin.has_publish_permission(request)
        for model_admin in models.values()
    )


def sent_back_section(request, models):
    """The section for this user, among `models` (model → its admin, those they may view); None
    for a publisher to whom nothing was sent back."""
    types = ContentType.objects.get_for_models(*models) if models else {}
    models_by_type = {content_type.pk: model for model, content_type in types.items()}
    returned = Draft.objects.filter(
        state=DraftState.SENT_BACK,
        submitted_by=request.user,
        content_type_id__in=list(models_by_type),
    )
    count = returned.count() if models_by_type else 0
    if not count and not is_editor(request, models):
        return None
    drafts = list(
        returned.annotate(
            sent_at=Subquery(last_sent_back().values("at")[:1]),
            sent_by_id=Subquery(last_sent_back().values("user")[:1]),
        ).order_by("-sent_at", "-pk")[:LIMIT]
        if count
        else []
    )
    senders = get_user_model().objects.in_bulk(
        {draft.sent_by_id for draft in drafts if draft.sent_by_id}
    )
    lines = []
    # The row (a live item's draft says what changed; the list names the item as it is).
    for draft, obj in with_items(drafts, models_by_type):
        lines.append(
            Line(
                title=str(obj),
                kind=kind_label(obj),
                admin_url=admin_url(obj),
                when=draft.sent_at or draft.updated_at,
                when_label=_("Sent back"),
                who=person(senders.get(draft.sent_by_id)),
                status=_("Change to a live item") if draft.data is not None else _("New item"),
                message=draft.message,
            )
        )
    return Section(
        "sent-back",
        _("Sent back to you"),
        _(
            "Items you submitted that a publisher sent back, with their comment, the last sent "
            "back first. Open one, make the changes, and submit it for review again."
        ),
        _("Nothing you submitted was sent back."),
        [],
        count=count,
        lines=lines,
    )
