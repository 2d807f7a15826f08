"""The admin's pages, one module per area; each module's ``ROUTES`` lists its URLs.

Handlers take a ``kiosk.admin.web.Ctx`` (request, database, session, form) through the
``page`` wrapper, which checks the session, the role and the CSRF token first.
"""
