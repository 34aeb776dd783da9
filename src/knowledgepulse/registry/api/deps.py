"""Annotated dependency aliases for the routes: the caller, the body, one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request

from knowledgepulse.registry.auth.models import ANONYMOUS, AuthContext
from knowledgepulse.registry.bodies import parse_json_body
from knowledgepulse.registry.container import Container, Services

__all__ = ["Body", "Caller", "QueryParams", "Registry", "Tx"]


# Every dependency is `async def`: FastAPI runs plain `def` ones in a worker thread.
async def _caller(request: Request) -> AuthContext:
    return request.scope.get("state", {}).get("auth", ANONYMOUS)


async def _body(request: Request) -> Any:
    return parse_json_body(await request.body())


async def _params(request: Request) -> dict[str, list[str]]:
    params = request.query_params
    return {key: params.getlist(key) for key in params}


async def _services(request: Request) -> AsyncIterator[Services]:
    # scope="function": the transaction commits before the response is sent, so a 2xx
    # is only ever seen for work that is durable.
    container = request.app.state.container
    async with container.unit_of_work(write=request.method not in ("GET", "HEAD")) as services:
        yield services


Caller = Annotated[AuthContext, Depends(_caller)]
Body = Annotated[Any, Depends(_body)]
QueryParams = Annotated[dict[str, list[str]], Depends(_params)]
Tx = Annotated[Services, Depends(_services, scope="function")]


async def _container(request: Request) -> Container:
    return request.app.state.container


Registry = Annotated[Container, Depends(_container)]
