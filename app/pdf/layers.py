"""Pages printed in two layers (app/pdf/render.py, render_layered): a background that many pages
share, laid out once, and each page's own foreground painted over it. A background's HTML holds FIT
where the laid-out height of its foreground's element id="fit" goes, so one background serves every
foreground whose fitted element has the same height. No WeasyPrint here: callers import it freely."""
from __future__ import annotations

FIT = "__fit_height__"
