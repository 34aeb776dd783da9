"""One APIRouter per domain; handlers parse, call one service method, shape the response."""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api.routes import (
    admin,
    auth,
    collab,
    export,
    health,
    importer,
    knowledge,
    marketplace,
    providers,
    reputation,
    skills,
    sop,
)

__all__ = ["ROUTERS"]

# In registration order: static paths before parameterised ones (§13), since FastAPI matches
# in that order; /v1/sop/collaborate/rooms therefore comes before /v1/sop/{id}.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    skills.router,
    knowledge.router,
    admin.router,
    reputation.router,
    export.router,
    providers.router,
    collab.router,
    sop.router,
    marketplace.router,
    importer.router,
)
