"""Pure helpers with no I/O, shared by the SDK, the registry and the CLI."""
