"""Every registry route is served by `DirectRoute`'s own handler, never silently by FastAPI's."""

from __future__ import annotations

from fastapi.routing import APIRoute

from knowledgepulse.registry.api.routes import ROUTERS
from knowledgepulse.registry.api.routing import DirectRoute, _plan


def test_every_http_route_resolves_its_parameters_directly() -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 50
    fallbacks = [
        f"{sorted(r.methods)} {r.path}"
        for r in routes
        if not isinstance(r, DirectRoute) or _plan(r.endpoint, set(r.param_convertors)) is None
    ]
    # A parameter of another kind (a query model, a header...) would put the route back on
    # FastAPI's solver: declare it in api/deps.py and teach routing.py, or read it from the
    # request.
    assert fallbacks == []


def test_a_parameter_of_another_kind_falls_back_to_fastapi() -> None:
    async def endpoint(id: str, page: int) -> None: ...

    assert _plan(endpoint, {"id"}) is None  # `page` would be a query parameter
    assert _plan(endpoint, set()) is None  # and `id` too, when it is not in the path
