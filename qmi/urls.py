from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from qmi import views as pages
from qmi.health import health
from qmi.security import admin_login

admin.site.site_header = _("QMI — Paris&Co administration")
admin.site.site_title = _("QMI administration")
admin.site.index_title = _("Quartiers Métropolitains d'Innovation")

urlpatterns = [
    path("", include("calls.root_urls")),
    path("mentions-legales/", pages.legal, name="legal"),
    path("donnees-personnelles/", pages.privacy, name="privacy"),
    path("accessibilite/", pages.accessibility, name="accessibility"),
    path("accessibilite/schema-pluriannuel/", pages.accessibility_plan, name="accessibility_plan"),
    path("plan-du-site/", pages.sitemap, name="sitemap"),
    path("contact/", pages.contact, name="contact"),
    path("sante/", health, name="health"),
    path("", include("calls.urls")),
    path("", include("municipalities.urls")),
    path("", include("experimenters.urls")),
    path("", include("evaluation.urls")),
    path("", include("qmi.member_urls")),
    path("admin/login/", admin_login),  # the admin signs in through allauth (limits, 2 steps)
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Last: an address with a language prefix (/en/..., /fr/...) goes to the page without it.
    re_path(r"^(?P<language>en|fr)(?:/(?P<rest>.*))?$", pages.language_prefix),
]

handler403 = "qmi.views.permission_denied"
handler404 = "qmi.views.page_not_found"
handler500 = "qmi.views.server_error"
