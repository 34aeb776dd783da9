"""`/v1/skills` (registry-api.md §8.3 with [FIX-S10], R7)."""

from __future__ import annotations

import pytest

from tests.registry.api._api import Api


def skill_md(name: str, description: str = "Does a useful thing", tags: str = "") -> str:
    tag_line = f"tags: [{tags}]\n" if tags else ""
    return f"---\nname: {name}\ndescription: {description}\n{tag_line}---\n# {name}\n\nBody.\n"


async def contribute(api: Api, key: str, content: str, **extra: object) -> dict:
    response = await api.request(
        "POST", "/v1/skills", key, json={"skill_md_content": content, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_contribute_then_get_returns_the_stored_skill_with_files(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    created = await contribute(
        api, key, skill_md("deploy-helper", tags="devops, k8s"), files={"run.sh": "echo hi"}
    )
    data = created["data"]
    assert data["id"].startswith("kp:skill:")
    assert data["name"] == "deploy-helper"
    assert data["tags"] == ["devops", "k8s"]
    assert data["visibility"] == "network"
    assert data["quality_score"] == 0.5
    assert data["files"] == {"run.sh": "echo hi"}
    assert "warnings" not in created
    fetched = await api.client.get(f"/v1/skills/{data['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == {"data": data}


async def test_the_sanitizer_strips_html_and_reports_warnings(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    content = skill_md("tidy") + "Body <b>bold</b> <!-- hidden -->\n"
    created = await contribute(api, key, content)
    assert created["warnings"] == ["Removed HTML comments", "Removed HTML tags"]
    assert "<b>" not in created["data"]["content"]
    assert "hidden" not in created["data"]["content"]


async def test_search_lists_without_files_in_quality_order(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    await contribute(api, admin, skill_md("low"), quality_score=0.2, files={"a": "b"})
    await contribute(api, admin, skill_md("high"), quality_score=0.9)
    await contribute(api, admin, skill_md("clamped"), quality_score=7)
    response = await api.client.get("/v1/skills")
    body = response.json()
    assert [s["name"] for s in body["data"]] == ["clamped", "high", "low"]
    assert [s["quality_score"] for s in body["data"]] == [1, 0.9, 0.2]
    assert all("files" not in s for s in body["data"])
    assert (body["total"], body["offset"], body["limit"]) == (3, 0, 20)


async def test_search_filters_by_q_tags_and_min_quality(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    await contribute(
        api, admin, skill_md("Kubernetes Rollout", tags="k8s, DevOps"), quality_score=0.8
    )
    await contribute(
        api, admin, skill_md("pdf-reader", "Reads PDF files", tags="docs"), quality_score=0.6
    )
    await contribute(api, admin, skill_md("odd_name%", "percent"), quality_score=0.4)

    async def names(query: str) -> list[str]:
        return [s["name"] for s in (await api.client.get(f"/v1/skills?{query}")).json()["data"]]

    assert await names("q=ROLLOUT") == ["Kubernetes Rollout"]
    # §9.12: any query term matches (KP_SEARCH=sql keeps the reference's one-field substring
    # rule, under which this finds nothing; tests/registry/search covers that mode).
    assert await names("q=reader reads") == ["pdf-reader"]
    assert await names("q=reads pdf") == ["pdf-reader"]
    assert await names("tags=devops,docs") == ["Kubernetes Rollout", "pdf-reader"]
    assert await names("min_quality=0.7") == ["Kubernetes Rollout"]
    assert await names("min_quality=abc") == ["Kubernetes Rollout", "pdf-reader", "odd_name%"]
    assert await names("q=%25") == ["odd_name%"]
    assert await names("q=_") == ["odd_name%"]


@pytest.mark.parametrize(
    ("query", "offset", "limit"),
    [
        ("limit=abc", 0, 20),
        ("limit=0", 0, 1),
        ("limit=1000", 0, 100),
        ("limit=1.5", 0, 20),
        ("offset=-3", 0, 20),
        ("offset=2&limit=2", 2, 2),
        ("limit=5&limit=7", 0, 5),
    ],
)
async def test_pagination_is_parsed_and_clamped(
    api: Api, query: str, offset: int, limit: int
) -> None:
    body = (await api.client.get(f"/v1/skills?{query}")).json()
    assert (body["offset"], body["limit"]) == (offset, limit)


async def test_get_unknown_skill_is_404(api: Api) -> None:
    response = await api.client.get("/v1/skills/kp:skill:nope")
    assert response.status_code == 404
    assert response.json() == {"error": "Skill not found"}


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 400, {"error": "skill_md_content is required"}),
        ({"skill_md_content": 5}, 400, {"error": "skill_md_content is required"}),
        (
            {"skill_md_content": skill_md("x"), "visibility": "bogus"},
            400,
            {"error": "visibility must be one of private, org, network"},
        ),
        (
            {"skill_md_content": skill_md("x"), "files": ["a"]},
            400,
            {"error": "files must be an object mapping paths to strings"},
        ),
        (
            {"skill_md_content": skill_md("x"), "files": {"a": 1}},
            400,
            {"error": "files must be an object mapping paths to strings"},
        ),
        (
            {"skill_md_content": "no frontmatter"},
            400,
            {
                "error": "Invalid SKILL.md format",
                "details": "Invalid SKILL.md: missing YAML frontmatter delimiters (---)",
            },
        ),
    ],
)
async def test_contribute_error_rows(api: Api, body: dict, status: int, expected: dict) -> None:
    key = await api.key("kp:agent:alice")
    response = await api.request("POST", "/v1/skills", key, json=body)
    assert response.status_code == status
    assert response.json() == expected


async def test_a_read_only_key_may_not_contribute(api: Api) -> None:
    key = await api.key("kp:agent:reader", "read")
    response = await api.request(
        "POST", "/v1/skills", key, json={"skill_md_content": skill_md("x")}
    )
    assert response.status_code == 403
    assert response.json() == {"error": "Write scope required"}


async def test_sanitizer_errors_come_before_the_scope_check(api: Api) -> None:
    key = await api.key("kp:agent:reader", "read")
    response = await api.request(
        "POST", "/v1/skills", key, json={"skill_md_content": skill_md("x") + "a\u200bb"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Sanitization failed"
    malformed = await api.request("POST", "/v1/skills", key, content=b"{nope")
    assert malformed.status_code == 400
    assert malformed.json()["error"] == "Sanitization failed"


async def test_invisible_characters_are_rejected_every_time(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    for _ in range(3):
        response = await api.request(
            "POST", "/v1/skills", key, json={"skill_md_content": skill_md("x") + "zero\u200bwidth"}
        )
        assert response.status_code == 400


async def test_contributing_a_skill_earns_reputation(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    await contribute(api, key, skill_md("x"))
    async with api.app.state.container.unit_of_work(write=False) as tx:
        record = await tx.reputation.get("kp:agent:alice")
    assert record is not None
    assert record.score == pytest.approx(0.2)
