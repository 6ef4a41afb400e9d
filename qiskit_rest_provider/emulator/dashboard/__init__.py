"""``/dashboard``: a browser view of the emulator's jobs, sessions and backends.

The page is static (HTML, one script, one style sheet, all served from this package; no CDN) and
signs in as any client does: the API key goes to ``POST /identity/token``, and every request then
carries ``Authorization: Bearer`` and ``Service-CRN``, so a browser sees exactly what its instance
may see. Because credentials travel in a header a script sets, never in a cookie, another site
cannot make the browser send an authenticated request (no CSRF), and the page's
Content-Security-Policy forbids inline script, foreign scripts and framing.
"""

from .routes import make_router

__all__ = ["make_router"]
