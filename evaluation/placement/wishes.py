"""The ranked wishes of districts of applications, read through their kind's registration
(``KindSpec.wishes_lookup``): the selection knows no kind's models."""

from collections import defaultdict

from calls.domain.kinds import spec_for
from calls.models import Application


def takes_placement(call):
    """True for a call whose applications wish districts (a call for experimenters)."""
    return bool(spec_for(call.kind).wishes_lookup)


def wishes_of(call, application_ids):
    """``{application id: {district id: rank}}``, in one query."""
    lookup = spec_for(call.kind).wishes_lookup
    result = defaultdict(dict)
    if not lookup:
        return result
    rows = Application.objects.filter(pk__in=list(application_ids)).values_list(
        "pk", f"{lookup}__district_id", f"{lookup}__rank"
    )
    for application_id, district_id, rank in rows:
        if district_id is not None:
            result[application_id][district_id] = rank
    return result
