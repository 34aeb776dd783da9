"""A valid ReasoningTrace for tests, with a fresh id; every part can be overridden."""

from __future__ import annotations

import uuid
from typing import Any

CREATED_AT = "2026-11-24T18:07:14.485Z"


def reasoning_trace(
    *,
    objective: str = "Restart a stuck deployment",
    step: str = "Check the rollout status",
    summary: str = "Restarted",
    **metadata: Any,
) -> dict[str, Any]:
    """A ReasoningTrace the registry accepts; `metadata` overrides or adds metadata fields."""
    return {
        "@context": "https://openknowledgepulse.org/schema/v1",
        "@type": "ReasoningTrace",
        "id": f"kp:trace:{uuid.uuid4()}",
        "metadata": {
            "created_at": CREATED_AT,
            "task_domain": "devops",
            "success": True,
            "quality_score": 0.8,
            "visibility": "network",
            "privacy_level": "aggregated",
            **metadata,
        },
        "task": {"objective": objective},
        "steps": [{"step_id": 0, "type": "thought", "content": step}],
        "outcome": {"result_summary": summary, "confidence": 0.9},
    }
