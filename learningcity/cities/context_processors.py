from django.http import HttpRequest


def current_city(request: HttpRequest) -> dict[str, object]:
    """The city whose pages are being shown, set by the city-scoped views (or ``None``)."""
    return {"current_city": getattr(request, "city", None)}
