"""``/sante/``: the web process answers and reaches its database and cache — what the compose
stack's healthcheck and a load balancer ask. It says nothing else."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    cache.get("qmi-health")
    return HttpResponse("ok", content_type="text/plain")
