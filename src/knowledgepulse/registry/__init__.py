"""The registry service: settings, app, and one package per domain."""
