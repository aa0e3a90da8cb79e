"""Whether WeasyPrint can make the portal's PDFs on this machine.

WeasyPrint is a Python package, but it needs Pango (and fonts) from the system, which pip does
not install: without them the dossier PDFs, the reports and the assessment report fail. ``make
run`` asks first (``manage.py check_pdf``) and says what to install.
"""

from django.utils.translation import gettext as _

DEBIAN_PACKAGES = (
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation"
)


def install_hint():
    return _(
        "Install Pango and fonts, then run the command again.\n"
        "  Debian/Ubuntu: sudo apt-get install %(packages)s\n"
        "  macOS (Homebrew): brew install pango\n"
        "  Other systems: https://doc.courtbouillon.org/weasyprint/stable/first_steps.html"
    ) % {"packages": DEBIAN_PACKAGES}


def render_test_pdf():
    """A one-line PDF, as the portal makes its documents: raises if WeasyPrint cannot."""
    import weasyprint  # only here: without Pango, importing it raises (OSError)

    return weasyprint.HTML(string="<p>QMI</p>").write_pdf()


def pdf_problem():
    """None if WeasyPrint makes a PDF here, else the message saying what to install."""
    try:
        pdf = render_test_pdf()
    except Exception as error:  # OSError without Pango; ImportError without the package
        reason = f"{type(error).__name__}: {error}"
    else:
        if pdf.startswith(b"%PDF"):
            return None
        reason = _("the output is not a PDF")
    return _(
        "WeasyPrint cannot make PDFs on this machine (%(reason)s). The portal runs, but its "
        "PDFs (dossiers, reports, the assessment report) will fail.\n%(hint)s"
    ) % {"reason": reason, "hint": install_hint()}
