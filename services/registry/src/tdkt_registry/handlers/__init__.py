"""The registry's commands, one module per aggregate (docs/architecture.md): each loads once, checks the policy on
what it loaded, calls the pure domain and saves through the kit's `Repository`.

- `organizations`: register an organisation, give it a new version (and the `Workspace` lineage operations plan on);
- `reorganizations`: merger, split, dissolution and bulk reorganisation, resumable per organisation;
- `persons`, `clusters`, `councils`, `role_assignments`, `contact_points`.
"""
