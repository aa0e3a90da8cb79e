"""URLs of the sessions pages (included by calls/urls.py)."""

urlpatterns = []
