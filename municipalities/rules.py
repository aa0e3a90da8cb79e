"""The rules of the municipalities' app (the vocabulary is ``qmi.rules``)."""

import rules

from qmi.rules import is_staff_member

RULES = {
    # staff turn a municipality's submitted proposal into an innovation district
    "municipalities.create_district": is_staff_member,
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
