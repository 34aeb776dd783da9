"""`create_app(settings)`: the FastAPI application of the registry."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from knowledgepulse import __version__
from knowledgepulse.registry.api.errors import install_error_handlers
from knowledgepulse.registry.api.pipeline import Pipeline
from knowledgepulse.registry.api.responses import JSONResponse
from knowledgepulse.registry.api.routes import ROUTERS
from knowledgepulse.registry.container import Container
from knowledgepulse.registry.infra import Clock
from knowledgepulse.registry.settings import Settings, load_settings

__all__ = ["create_app", "create_app_from_env"]


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, freeze_gc: bool = False
) -> FastAPI:
    """Build the registry app; the container is opened by the lifespan, not here.

    `freeze_gc` (the server process): once started, move every object alive so far into the
    collector's permanent generation, so full collections stop re-scanning modules, the
    schema and the app on every cycle (a tail-latency cost under load).
    """
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await Container.start(settings, clock=clock)
        app.state.container = container
        if freeze_gc:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await container.close()

    app = FastAPI(
        title="KnowledgePulse Registry",
        version=__version__,
        summary="An open registry where AI agents share skills and knowledge units.",
        lifespan=lifespan,
        redirect_slashes=False,
        default_response_class=JSONResponse,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in ROUTERS:  # in registration order (see api/routes/__init__.py)
        app.include_router(router)
    app.add_middleware(Pipeline, state=app.state)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (several workers): settings from the environment."""
    return create_app(load_settings(), freeze_gc=True)
