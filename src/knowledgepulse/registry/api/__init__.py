"""The HTTP transport of the registry: routes, request pipeline, error mapping."""
