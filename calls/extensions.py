"""How an upper app extends a page of ``calls`` without ``calls`` importing it — and how an
app shows a section on another app's page (``add_section``), neither importing the other.

An app registers, from its ``AppConfig.ready``, the dotted path of a mixin for a page —
``extend("admin:application", "evaluation.admin_selection.ApplicationSelectionMixin")`` — and
``calls`` builds the page's class with every registered mixin in front of its own when the
page's module loads (``extended``). The admin modules load after every app's ``ready``
(``django.contrib.admin`` comes after the portal's apps in ``INSTALLED_APPS``); a registration
that comes after the page was built is refused rather than silently ignored.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

_registered = {}
_built = set()


def extend(page, mixin_path):
    """Put the mixin at ``mixin_path`` in front of the class of ``page``."""
    if page in _built:
        raise ImproperlyConfigured(f"{page} is already built: extend it from AppConfig.ready.")
    paths = _registered.setdefault(page, [])
    if mixin_path not in paths:
        paths.append(mixin_path)


def extensions(page):
    return [import_string(path) for path in _registered.get(page, ())]


def extended(page, base):
    """``base`` with every mixin registered for ``page`` in front, in registration order."""
    _built.add(page)
    mixins = tuple(extensions(page))
    if not mixins:
        return base
    return type(
        base.__name__,
        (*mixins, base),
        {"__module__": base.__module__, "__qualname__": base.__qualname__, "__doc__": base.__doc__},
    )


# --- Sections a page shows from other apps ------------------------------------------------------

_sections = {}


def add_section(page, function_path):
    """Show on ``page`` (e.g. ``"public:district"``) what the function at ``function_path``
    renders: ``function(obj, request)`` returns HTML, or "" for nothing."""
    paths = _sections.setdefault(page, [])
    if function_path not in paths:
        paths.append(function_path)


def sections(page, obj, request):
    """The HTML of every section registered for ``page``, in registration order."""
    rendered = (import_string(path)(obj, request) for path in _sections.get(page, ()))
    return [html for html in rendered if html]


# --- What an app provides to the others ----------------------------------------------------------

_providers = {}


def provide(name, function_path):
    """Offer under ``name`` what the function at ``function_path`` answers (e.g.
    ``"experimentation:indicators"``: the indicators an experimentation declared), for an app
    that may not import the provider."""
    _providers[name] = function_path


def provided(name, *args, default=None):
    """What the provider of ``name`` answers for ``args``, or ``default`` when none is
    registered."""
    path = _providers.get(name)
    return import_string(path)(*args) if path else default
