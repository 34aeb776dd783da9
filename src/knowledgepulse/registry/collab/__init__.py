"""Real-time SOP collaboration: room presence now, the WebSocket protocol later (§8.8)."""
