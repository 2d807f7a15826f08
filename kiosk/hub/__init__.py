"""The province content hub: PostgreSQL storage, the province staff admin, signed bundles, roll-up statistics.

Optional: a single ward with no hub works exactly as before (docs/fleet.md).
"""
