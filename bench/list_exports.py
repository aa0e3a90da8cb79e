"""Benchmark of the staff lists' exports (``calls.admin.exporting``) at two sizes: the queries
(the same at both) and the time of the CSV and XLSX of

* the registrations to sessions (``/admin/calls/registration/export/…``): N registrations;
* the organisations (``/admin/experimenters/organisation/export/…``): N organisations;

then the queries of the CSV of every other staff list with the mechanism, at 3 and 9 rows
made by the test factories (the same count at both is the target).

    .venv/bin/python bench/list_exports.py [--sizes 200 2000] [--repeat 3]

Up to ``LIST_EXPORT_INLINE_MAX`` (2,000) rows the file comes back at once: that is what is
timed here. A fresh SQLite database in a temporary folder (bench/settings.py), removed at the
end; the rows are made by the test factories.
"""

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)
from bench.measure import measure  # noqa: E402

# isort: split

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from calls.domain import offers  # noqa: E402
from calls.models import Contact, Registration  # noqa: E402
from evaluation import services  # noqa: E402
from experimenters import experimentation as flow  # noqa: E402
from experimenters.models import Organisation  # noqa: E402
from tests.factories import (  # noqa: E402
    AssessmentCampaignFactory,
    CallFactory,
    CriterionFactory,
    DistrictFactory,
    EditionFactory,
    JuryMemberFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    an_experimentation,
    assessed,
    assigned,
    pdf_upload,
    scored,
    take,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[200, 2000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def seed(n, session):
    missing = n - Registration.objects.count()
    Registration.objects.bulk_create(
        RegistrationFactory.build(session=session, email=f"r{k}-{n}@bench.example")
        for k in range(missing)
    )
    for _ in range(n - Organisation.objects.count()):
        OrganisationFactory()


# --- Every other list: how to make n of its rows (as in tests/test_list_exports.py) ----------


def _reviews(n, staff):
    member = JuryMemberFactory()
    CriterionFactory(call=member.call)
    for _ in range(n):
        scored(assigned(member, SubmittedApplicationFactory(call=member.call), conflict=False), [3])


def _assignments(n, staff, *, conflict=None):
    member = JuryMemberFactory()
    for _ in range(n):
        assigned(member, SubmittedApplicationFactory(call=member.call), conflict=conflict)


def _decisions(n, staff):
    call = CallFactory(max_selected=99)
    for _ in range(n):
        application = take(SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist")
        services.record_decision(application, outcome="waitlisted", by=staff)


def _documents(n, staff):
    for _ in range(n):
        experimentation = an_experimentation(staff)
        owner = experimentation.application.applicant.organisation.owner()
        flow.upload_document(experimentation, "agreement", pdf_upload(), by=owner)


def _assessments(n, staff):
    campaign = AssessmentCampaignFactory()
    for _ in range(n):
        assessed(an_experimentation(staff), campaign)


def _contacts(n, staff):
    start = Contact.objects.count()
    for k in range(start, start + n):
        Contact.objects.create(
            email=f"c{k}@bench.example", profile="startup", consent="Oui", language="fr"
        )


OTHER_LISTS = [
    (
        "innovation districts",
        "municipalities_innovationdistrict",
        lambda n, staff: DistrictFactory.create_batch(n),
    ),
    ("member communes", "municipalities_commune", lambda n, staff: None),
    ("jury members", "evaluation_jurymember", lambda n, staff: JuryMemberFactory.create_batch(n)),
    ("assignments", "evaluation_assignment", _assignments),
    (
        "declarations",
        "evaluation_conflictdeclaration",
        lambda n, staff: _assignments(n, staff, conflict=True),
    ),
    ("reviews and scores", "evaluation_review", _reviews),
    ("decisions", "evaluation_decision", _decisions),
    (
        "offers of a place",
        "calls_offer",
        lambda n, staff: [offers.open_offer(SubmittedApplicationFactory()) for _ in range(n)],
    ),
    ("sessions", "calls_session", lambda n, staff: SessionFactory.create_batch(n)),
    ("contacts", "calls_contact", _contacts),
    (
        "experimentations",
        "experimenters_experimentation",
        lambda n, staff: [an_experimentation(staff) for _ in range(n)],
    ),
    ("agreement documents", "experimenters_agreementdocument", _documents),
    (
        "reports",
        "experimenters_report",
        lambda n, staff: [an_experimentation(staff) for _ in range(n)],
    ),
    ("assessments", "evaluation_assessment", _assessments),
]


def other_lists(admin, staff, counts):
    """The queries of each list's CSV at 3 rows, then 9 (the communes: always the 130)."""
    print("  every other list, CSV at 3 and 9 rows:")
    for who, name, make in OTHER_LISTS:
        url = reverse(f"admin:{name}_list_export", kwargs={"format": "csv"})
        seen = []
        for n in (3, 6):  # 3 rows, then 9
            make(n, staff)
            seen.append(measure(who, n, admin, url, 1).queries)
        counts[(who, "csv")] = set(seen)
        print(f"    {who:<22} queries {seen[0]:>3} and {seen[1]:>3}")


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)
    edition = EditionFactory(number=9, title="Bench")
    session = SessionFactory(edition=edition, starts_at=timezone.now() + timedelta(days=3))
    staff = StaffFactory(email="bench@parisandco.example")
    counts = {}
    print("Staff lists' exports, in-process test client")
    for n in args.sizes:
        seed(n, session)
        admin = Client()
        admin.force_login(staff, backend=MODEL_BACKEND)
        for who, name in [
            ("registrations", "calls_registration"),
            ("organisations", "experimenters_organisation"),
        ]:
            for format in ("csv", "xlsx"):
                url = reverse(f"admin:{name}_list_export", kwargs={"format": format})
                result = measure(who, n, admin, url, args.repeat)
                median, queries = result.median_ms, result.queries
                counts.setdefault((who, format), set()).add(queries)
                rows = Registration.objects.count() if who == "registrations" else n
                print(
                    f"  {who:<14} {format:<4} {rows:>5} rows  median {median:7.1f} ms, "
                    f"{queries} queries"
                )
    other_lists(admin, staff, counts)
    equal = all(len(c) == 1 for c in counts.values())
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
