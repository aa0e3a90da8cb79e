"""What an export job may be about: the applications (registered by ``exports``) or another
subject an upper app registers from its ``AppConfig.ready`` (the programme report of an
assessment campaign). ``exports.run`` dispatches on the job's subject; the job's page counts
its items in the subject's words."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    """``items(job)``: the ids in scope, within what the requester may read; ``builders``:
    {format: ``fn(job, ids, fh)`` → file name}; ``count``: how the progress page counts
    (``"{done} of {total} …"``); ``empty``: the message when nothing is in scope; ``filters``:
    the filters a request keeps; ``titles``: the page's title per format; ``again(job)``: where
    to ask for another one."""

    name: str
    items: Callable
    builders: dict
    count: str
    empty: str = ""
    filters: Callable = dict
    titles: dict = field(default_factory=dict)
    again: Callable | None = None


APPLICATIONS = "applications"
SUBJECTS = {}


def register_subject(name, *, items, builders, noun, **options):
    """Let export jobs be about ``name``. ``noun`` is how the progress page counts, with the
    placeholders the page's script fills: ``"{done} of {total} experimentations"``."""
    SUBJECTS[name] = Subject(name, items, builders, noun, **options)
    return SUBJECTS[name]


def subject(name):
    """The ``Subject`` registered as ``name``, or None."""
    return SUBJECTS.get(name)


def job_title(job):
    """How the job's page names it: the subject's title for its format, or the format."""
    spec = subject(job.subject)
    title = spec.titles.get(job.format) if spec else None
    return str(title or job.get_format_display())


def job_count(job):
    """``"{done} of {total} …"`` in the subject's words, for the job's page and its script."""
    spec = subject(job.subject)
    return str(spec.count) if spec else "{done} / {total}"


def job_again(job):
    """Where to ask for another export of the same subject ("" when nowhere)."""
    spec = subject(job.subject)
    return spec.again(job) if spec and spec.again else ""
