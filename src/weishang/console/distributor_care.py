"""The distributor's care list (/d/care/): today's customers to greet, masked (PIPL Art. 6), with
why, the product due and a suggested message to copy; he marks each one done."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from weishang.content import care
from weishang.content.errors import ContentError

from .distributor_views import _render, distributor_required


@distributor_required
@require_safe
def care_list(request):
    now = timezone.now()
    tasks = care.todays_care_list(request.distributor, today=timezone.localdate(now), now=now)
    rows = [care.masked_row(task) for task in tasks]
    return _render(request, "care.html", {"rows": rows}, "care")


@distributor_required
@require_POST
def care_done(request, task_id: int):
    try:
        care.mark_done(distributor=request.distributor, task_id=task_id, now=timezone.now())
    except ContentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as greeted."))
    return redirect("distributor:care")
