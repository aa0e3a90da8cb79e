"""URLs of the contacts pages (included by calls/urls.py)."""

urlpatterns = []
