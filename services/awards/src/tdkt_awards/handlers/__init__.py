"""Awards' command handlers, one module per aggregate (docs/architecture.md).

- `nominations`: the workflow's steps, cluster-ranking drafts, reopening after a revocation;
- `decisions`: decisions and imported batches with their grants, revocation;
- `persons`, `councils`: read models of the registry's events (organisations are the kit's `Directory`);
- `congresses`, `movements`: read models of reporting's events.
"""
