"""Two clerks editing the same thing: detect the stale form and show both versions side by side."""
from __future__ import annotations

from typing import Any

from starlette.responses import Response

from kiosk.admin import draft as drafts
from kiosk.admin import edits
from kiosk.admin.accounts import audit
from kiosk.admin.web import Ctx, render


def stale(ctx: Ctx, current: Any, target: str) -> edits.Conflict | None:
    """The form's ``base`` fingerprint no longer matches the draft: someone saved in between."""
    base = ctx.form.get("base") if ctx.form is not None else None
    if base is None:  # a form from before fingerprints (or a script): nothing to compare with
        return None
    if str(base) == edits.fingerprint(drafts.as_published(current) if current is not None else None):
        return None
    by, at = edits.last_change(ctx.db, target)
    return edits.Conflict(target, current, by, at)


def conflict_page(ctx: Ctx, conflict: edits.Conflict, mine: Any, back: str) -> Response:
    """Side by side: what is in the draft now (someone else's newer save) and what this clerk sent."""
    audit(ctx.db, ctx.user, "edit-conflict", conflict.target, {"by": conflict.by}, ctx.ip)
    return render(ctx, "conflict.html", status=409, **conflict_values(conflict, mine, ctx.form, back))


def conflict_values(conflict: edits.Conflict, mine: Any, form: Any, back: str) -> dict[str, Any]:
    """What conflict.html shows (the ward admin's and the province hub's): the fields that differ,
    side by side, and the clerk's own form values kept to post again on the newer base."""
    theirs = drafts.as_published(conflict.current) if conflict.current is not None else {}
    ours = drafts.as_published(mine) if mine is not None else {}
    if isinstance(theirs, dict) and isinstance(ours, dict):
        keys = [k for k in dict.fromkeys([*theirs, *ours]) if theirs.get(k) != ours.get(k) and k != "code"]
        rows = [(drafts.field_label(k), show(theirs.get(k)), show(ours.get(k))) for k in keys]
    else:
        rows = [("Thông báo", show(theirs), show(ours))]
    keep = [(k, v) for k, v in form.multi_items() if k not in ("csrf", "base") and isinstance(v, str)]
    base = edits.fingerprint(drafts.as_published(conflict.current) if conflict.current is not None else None)
    return {"conflict": conflict, "rows": rows, "back": back, "keep": keep, "base": base}


def show(v: Any) -> str:
    """A draft value as one cell of the side-by-side table (lists one entry a line, "—" when empty)."""
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, list):
        return "\n".join(" | ".join(str(x) for x in d.values() if x not in (None, "")) if isinstance(d, dict) else str(d)
                         for d in v)
    if isinstance(v, bool):
        return "có" if v else "không"
    return str(v)

