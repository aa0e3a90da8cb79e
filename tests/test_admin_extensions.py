"""``calls.extensions``: an upper app extends a page of calls by registration."""

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured

from calls import extensions
from calls.models import Application, Call


class Base:
    def columns(self):
        return ["reference"]


class Extra:
    def columns(self):
        return [*super().columns(), "extra"]


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(extensions, "_registered", {})
    monkeypatch.setattr(extensions, "_built", set())


def test_a_registered_mixin_goes_in_front_of_the_page(registry):
    extensions.extend("test:page", f"{__name__}.Extra")

    page = extensions.extended("test:page", Base)

    assert page().columns() == ["reference", "extra"]
    assert page.__name__ == "Base"


def test_a_page_without_registration_is_left_as_it_is(registry):
    assert extensions.extended("test:page", Base) is Base


def test_a_registration_after_the_page_was_built_is_refused(registry):
    extensions.extended("test:page", Base)

    with pytest.raises(ImproperlyConfigured):
        extensions.extend("test:page", f"{__name__}.Extra")


def test_evaluation_extends_the_call_and_application_admin_pages():
    application_admin = admin.site._registry[Application]
    call_admin = admin.site._registry[Call]

    assert "ApplicationSelectionMixin" in [c.__name__ for c in type(application_admin).__mro__]
    assert "CallSelectionMixin" in [c.__name__ for c in type(call_admin).__mro__]
    assert "ScreeningMixin" in [c.__name__ for c in type(application_admin).__mro__]
