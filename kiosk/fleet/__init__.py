"""A ward kiosk following a province content hub (docs/fleet.md, "Ward kiosks").

- ``layer``: the ward's own edits kept on top of the province content (SQLite) and the merge;
- ``sync``: poll the hub's signed bundles and apply a newer one as a local content version;
- ``stats``: the daily question aggregates sent to the hub (no personal data);
- ``http``: the few urllib calls both need (timeouts, size caps, one-line errors).
"""
