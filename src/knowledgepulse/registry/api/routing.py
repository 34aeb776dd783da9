"""`DirectRoute`: the registry's routes, with their few dependencies resolved directly.

Every route takes only path strings, the `Request`, and the aliases of `api/deps.py`
(`Caller`, `Body`, `QueryParams`, `Registry`, `Tx`). FastAPI's general dependency solver
handles each of them as a sub-dependant with its own parameter analysis at every request;
for POST /v1/knowledge that was ~300 µs of a 1.7 ms request (`bench/registry_core.py`: 570
→ 692 req/s at concurrency 16 without it). `DirectRoute` keeps FastAPI for matching, the
OpenAPI document and error handling, and builds the arguments itself with the same
dependency functions, in declaration order, the transaction last, so it commits before the
response is sent exactly as before. A route with any other kind of parameter keeps FastAPI's
handler.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from fastapi.params import Depends
from fastapi.routing import APIRoute
from starlette.responses import Response

from knowledgepulse.registry.api import deps

__all__ = ["DirectRoute"]

# The dependency functions of api/deps.py that take only the request; `Tx` is the other one.
_PROVIDERS = frozenset((deps._caller, deps._body, deps._params, deps._container))
_TRANSACTION = asynccontextmanager(deps._services)

Plan = list[tuple[str, str, Callable[[Request], Awaitable[Any]] | None]]


class DirectRoute(APIRoute):
    """An `APIRoute` whose handler resolves the registry's parameters without the solver."""

    def get_route_handler(self) -> Callable[[Request], typing.Coroutine[Any, Any, Response]]:
        """The direct handler when every parameter is one the registry knows; else FastAPI's."""
        plan = _plan(self.endpoint, set(self.param_convertors))
        if plan is None:
            return super().get_route_handler()
        endpoint = self.endpoint
        tx_name = next((name for name, kind, _ in plan if kind == "tx"), None)

        async def handler(request: Request) -> Response:
            kwargs: dict[str, Any] = {}
            for name, kind, provide in plan:
                if kind == "path":
                    kwargs[name] = request.path_params[name]
                elif kind == "request":
                    kwargs[name] = request
                elif provide is not None:
                    kwargs[name] = await provide(request)
            if tx_name is None:
                response = await endpoint(**kwargs)
            else:
                async with _TRANSACTION(request) as services:
                    kwargs[tx_name] = services
                    response = await endpoint(**kwargs)
            if not isinstance(response, Response):
                raise TypeError(f"{endpoint.__qualname__} must return a Response")
            return response

        return handler


def _plan(endpoint: Callable[..., Any], path_names: set[str]) -> Plan | None:
    """(name, kind, provider) per parameter, or None if one is of another kind."""
    if not inspect.iscoroutinefunction(endpoint):
        return None
    try:
        hints = typing.get_type_hints(endpoint, include_extras=True)
    except (NameError, TypeError):
        return None
    plan: Plan = []
    for name in inspect.signature(endpoint).parameters:
        hint = hints.get(name)
        if hint is Request:
            plan.append((name, "request", None))
            continue
        if hint is str and name in path_names:
            plan.append((name, "path", None))
            continue
        dependency = _dependency(hint)
        if dependency is deps._services:
            plan.append((name, "tx", None))
        elif dependency in _PROVIDERS:
            plan.append((name, "dependency", dependency))
        else:
            return None
    return plan


def _dependency(hint: Any) -> Callable[..., Any] | None:
    if typing.get_origin(hint) is not typing.Annotated:
        return None
    for meta in typing.get_args(hint)[1:]:
        if isinstance(meta, Depends):
            return meta.dependency
    return None
