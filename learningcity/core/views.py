from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import system_health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with JSON when the database and a background worker answer, 503 otherwise."""
    health = system_health()
    return JsonResponse(health, status=200 if health["ok"] else 503)
