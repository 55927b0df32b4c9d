"""The registry's commands, one module per aggregate (docs/architecture.md): each loads once, checks the policy on
what it loaded, calls the pure domain and saves through the kit's `Repository`.

- `organizations`: register an organisation, give it a new version (and the `Workspace` lineage operations plan on);
- `reorganizations`: merger, split, dissolution and bulk reorganisation, resumable per organisation;
- `persons`, `clusters`, `councils`, `role_assignments`, `contact_points`.
"""

from tdkt_registry.handlers.organizations import register_organization

__all__ = ["register_organization"]
"""`register_organization` is also the registry's own writer in the fault-injection tests."""
