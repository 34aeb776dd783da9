"""A stored document reads back with the key order it was written in, on every backend.

Found by the durability audit: on PostgreSQL, `GET /v1/knowledge/{id}` returned the unit
with its object keys re-ordered (JSONB normalises them), while the `POST` answer and the
SQLite backend kept the writer's order: equal as data, not as bytes, and the two backends
disagreed on the wire. Skill `files` had the same problem. In-process app, so it is cheap
on both backends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledgepulse.registry.app import create_app
from knowledgepulse.sdk.models.examples import full_tool_call_pattern
from tests.registry.api._api import settings_for


@pytest.fixture
async def client(db_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(db_url, tmp_path))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


def in_order(value: Any) -> str:
    """The document as text with its keys in their current order (no sorting)."""
    return json.dumps(value, ensure_ascii=False)


async def test_documents_read_back_in_the_key_order_they_were_written(
    client: httpx.AsyncClient,
) -> None:
    body = {"agent_id": "kp:agent:order", "scopes": ["read", "write"], "tier": "enterprise"}
    key = (await client.post("/v1/auth/register", json=body)).json()["data"]["api_key"]
    headers = {"Authorization": f"Bearer {key}"}

    unit = full_tool_call_pattern()
    unit["id"] = f"kp:pattern:{uuid.uuid4()}"
    created = await client.post("/v1/knowledge", json=unit, headers=headers)
    assert created.status_code == 201, created.text
    fetched = await client.get(f"/v1/knowledge/{unit['id']}", headers=headers)
    assert fetched.json() == {"data": created.json()["data"]}  # equal as data …
    out_of_order = []
    if in_order(fetched.json()["data"]["unit"]) != in_order(created.json()["data"]["unit"]):
        out_of_order.append(("unit", list(fetched.json()["data"]["unit"])))

    files = {"zeta.md": "z", "alpha/long-name.md": "a", "b.md": "b"}
    skill = {"skill_md_content": "---\nname: order\ndescription: Key order\n---\nBody\n"}
    made = await client.post("/v1/skills", json={**skill, "files": files}, headers=headers)
    assert made.status_code == 201, made.text
    got = await client.get(f"/v1/skills/{made.json()['data']['id']}", headers=headers)
    if list(got.json()["data"]["files"]) != list(files):
        out_of_order.append(("skill files", list(got.json()["data"]["files"])))
    assert not out_of_order  # … and equal as text
