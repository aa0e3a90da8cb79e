"""Public programme pages: home, calendar, FAQ and the page of a call.

Thin and with a constant number of queries whatever the data: the current edition with its
key dates and published calls comes in three queries, a call page in one; the upcoming public
sessions (webinars) in one more.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from calls.domain import sessions
from calls.domain.kinds import hook
from calls.extensions import sections
from calls.models import Call, Edition, FaqEntry, KeyArea, UrbanChallenge


def _current_edition(*prefetches):
    return Edition.objects.filter(is_current=True).prefetch_related(*prefetches).first()


def _published_calls():
    return Prefetch(
        "calls",
        queryset=Call.objects.published().order_by("opens_at", "pk"),
        to_attr="published_calls",
    )


def timeline_entries(key_dates, today):
    """The key dates with their state (``past``, ``current``, ``future``) and a ``now``
    marker placed in date order: after the steps that have started, before the first step
    still to come."""
    entries = []
    for key_date in key_dates:
        ends_on = key_date.ends_on or key_date.starts_on
        if ends_on < today:
            state = "past"
        elif key_date.starts_on <= today:
            state = "current"
        else:
            state = "future"
        entries.append({"key_date": key_date, "state": state, "now_before": False})
    for entry in entries:
        if entry["state"] == "future":
            entry["now_before"] = True
            break
    return entries


def home(request):
    edition = _current_edition("key_dates", _published_calls())
    now = timezone.now()
    calls = edition.published_calls if edition else []
    entries = timeline_entries(edition.key_dates.all(), timezone.localdate(now)) if edition else []
    return render(
        request,
        "calls/public/home.html",
        {
            "edition": edition,
            "open_calls": [call for call in calls if call.is_open(now)],
            "other_calls": [call for call in calls if not call.is_open(now)],
            "entries": entries,
            "now_at_end": bool(entries) and all(e["state"] != "future" for e in entries),
            "key_areas": KeyArea.choices,
            "urban_challenges": UrbanChallenge.Code.choices,
            "now": now,
            "sessions": sessions.upcoming_public(limit=3),
            "sections": sections("public:home", edition, request),
        },
    )


def timeline(request):
    edition = _current_edition("key_dates")
    today = timezone.localdate()
    entries = timeline_entries(edition.key_dates.all(), today) if edition else []
    return render(
        request,
        "calls/public/timeline.html",
        {
            "edition": edition,
            "entries": entries,
            "now_at_end": bool(entries) and all(e["state"] != "future" for e in entries),
            "today": today,
        },
    )


def faq(request):
    entries = FaqEntry.objects.filter(is_published=True).order_by("position", "pk")
    return render(request, "calls/public/faq.html", {"entries": entries})


def call_detail(request, slug):
    call = get_object_or_404(Call.objects.published().select_related("edition"), slug=slug)
    # What the kind lists on its call's page (a call for experimenters: its districts).
    public_context = hook(call.kind, "public_context")
    return render(
        request,
        "calls/public/call_detail.html",
        {
            "call": call,
            "now": timezone.now(),
            "sessions": sessions.upcoming_public(call=call),
            **(public_context(call) if public_context else {}),
        },
    )
