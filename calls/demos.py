"""The demo data of ``calls`` for ``manage.py seed_demo`` (``CallsConfig.demo``): the edition,
its key dates and FAQ first (``calls.demo``); once every app has seeded, what builds on their
accounts and published results — the people who asked to be kept informed
(``calls.demo_outreach``), a later deadline granted to one applicant
(``calls.demo_staff_tools``), the webinars and the training day (``calls.demo_sessions``)."""

from calls import demo, demo_outreach, demo_sessions, demo_staff_tools

ACCOUNTS = demo.ACCOUNTS + demo_sessions.ACCOUNTS
seed = demo.seed


def follow_up():
    demo_outreach.seed()
    demo_staff_tools.seed()
    return demo_sessions.seed()
