"""Headers every response carries: a strict content security policy, no framing, no sniffing."""

from __future__ import annotations

from flask import Flask, Response, g, request

# No inline script or style anywhere: templates load /static files only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

# The browser modeler (bpmn-js and its properties panel) sets style attributes on the elements it
# draws, some through markup the policy sees as inline style. Its page alone admits style
# *attributes*; style elements, stylesheets from elsewhere and every script stay as above. An
# attribute cannot run code nor, without a selector, read the page.
MODELER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY + "; style-src 'self'; style-src-attr 'unsafe-inline'"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        # Once seen over HTTPS, browsers refuse plain HTTP to this site for a year.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Pages of a signed-in user may show personal data: keep them out of shared caches and history.
    if g.get("user") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security_headers(app: Flask) -> None:
    """Add the security headers to every response, errors included."""
    app.after_request(_add_headers)
