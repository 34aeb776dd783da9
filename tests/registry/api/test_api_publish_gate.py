"""The publish gate of `POST /v1/skills`: the security scanner rejects, warns and records."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.registry.api._api import Api

CORPUS = Path(__file__).resolve().parents[2] / "data" / "security"


def corpus(relative: str) -> str:
    return (CORPUS / relative).read_text(encoding="utf-8")


async def test_a_rejected_skill_gets_a_400_with_every_finding(api: Api) -> None:
    key = await api.key("kp:agent:publisher", tier="enterprise")
    content = corpus("malicious/dev/encoded-payload/config-string.md")
    response = await api.request("POST", "/v1/skills", key, json={"skill_md_content": content})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Sanitization failed"
    assert body["message"].startswith("Content rejected by the security scanner (score: ")
    assert body["findings"]
    assert {"rule_id", "severity", "line", "message"} <= set(body["findings"][0])
    assert (await api.client.get("/v1/skills")).json()["total"] == 0


async def test_a_suspicious_skill_is_stored_with_a_warning_and_kept_for_review(api: Api) -> None:
    key = await api.key("kp:agent:publisher", tier="enterprise")
    admin = await api.key("kp:agent:admin", "admin")
    content = corpus("malicious/dev/instruction-override/seo-writer.md")
    response = await api.request("POST", "/v1/skills", key, json={"skill_md_content": content})
    assert response.status_code == 201, response.text
    warnings = response.json()["warnings"]
    assert any(w.startswith("Security scan: suspicious (score: ") for w in warnings)
    skill_id = response.json()["data"]["id"]
    review = await api.request("GET", "/v1/admin/skills/flagged", admin)
    assert review.status_code == 200
    entry = review.json()["data"][0]
    assert (entry["id"], entry["verdict"], entry["contributor_id"]) == (
        skill_id,
        "suspicious",
        "kp:agent:publisher",
    )
    assert entry["findings"]
    assert (await api.request("GET", "/v1/admin/skills/flagged", key)).status_code == 403


@pytest.mark.parametrize("half", ["dev"])
async def test_honest_skills_pass_the_gate_without_scanner_warnings(api: Api, half: str) -> None:
    key = await api.key("kp:agent:honest", tier="enterprise")
    flagged = []
    for path in sorted((CORPUS / "benign" / half).glob("*.md")):
        response = await api.request(
            "POST", "/v1/skills", key, json={"skill_md_content": path.read_text(encoding="utf-8")}
        )
        body = response.json()
        # The spec's own sanitizer refuses any invisible character, even an honest ZWJ in
        # an emoji sequence ([FIX-F12]); only the scanner's verdicts are judged here.
        if "security scanner" in body.get("message", ""):
            flagged.append((path.name, body["message"]))
        if any(w.startswith("Security scan") for w in body.get("warnings", [])):
            flagged.append((path.name, body["warnings"]))
    assert flagged == []
