"""Messages from templates: one template gives the HTML (styles inlined) and the plain text, with the
organisation's name, absolute links from LECTERN_BASE_URL, and everything escaped."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.outbox import kinds, render
from app.outbox.models import OutboxMessage
from tests.mail.conftest import parts

HOSTILE = "Eve <script>alert(1)</script> & Co"


def test_html_and_text_come_from_one_template():
    out = render.render(kinds.kind("invitation"), {"name": HOSTILE, "url": "https://learn.example.org/invite/T0K",
                                                   "expires_at": "2026-12-27 09:00"}, org="Acme <Training>")
    assert out.subject == "Your Lectern invitation from Acme <Training>"
    # HTML: styles inlined (no <style> left), the name escaped, the link absolute
    assert "<style" not in out.html and re.search(r'<p style="[^"]*font-size: 16px', out.html)
    assert 'class="button" href="https://learn.example.org/invite/T0K" style="' in out.html
    assert "<script>" not in out.html and "Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in out.html
    assert "Acme &lt;Training&gt;" in out.html
    # text: readable paragraphs, the link on a line of its own, nothing escaped, no tags
    assert out.text.startswith(f"Hello {HOSTILE},\n\nAcme <Training> has opened a Lectern account for you.")
    assert "\nSet your password:\nhttps://learn.example.org/invite/T0K\n" in out.text
    assert "<p" not in out.text and "&lt;" not in out.text
    assert max(len(line) for line in out.text.splitlines() if "http" not in line) <= 72


def test_every_kind_renders():
    context = {"name": "Ann", "url": "https://x/a", "expires_at": "2026-12-27 09:00", "course": "Safety",
               "code": "ABCD-EFGH", "verify_url": "https://x/verify/ABCD-EFGH", "pdf_url": "https://x/c.pdf",
               "sent_at": "2026-12-20 09:00", "server": "smtp:25", "progress_url": "https://x/progress"}
    context |= {"existing": False, "cohort": "Spring", "sign_in_url": "https://x/login", "starts_on": "Monday 1 March 2027",
                "ends_on": "Friday 5 March 2027", "schedule": [], "has_password": True, "course_url": "https://x/",
                "invited_on": "Monday 1 March 2027", "days": 8, "lesson": "Hazards", "days_left": 3,
                "missing": ["Pass the Day 1 assessment"], "week": "2027-W09", "today": "Monday 1 March 2027",
                "stalled_days": 7, "cohorts": [{"name": "Spring", "url": "https://x/t", "enrolled": 3, "finished": ["Bo"],
                                                "in_progress": 1, "not_started": 1, "stalled": ["Cy (not back for 9 days)"]}]}
    # the session-* kinds (app/schedule/mails.py)
    context |= {"cohort": "Autumn", "day_label": "Day 1: Opening", "when": "Mon 11 Jan 2027, 09:00–17:00 (UTC)",
                "when_there": "", "short_when": "Mon 11 Jan 2027, 09:00 UTC", "place": "Room 2", "link": "",
                "home_url": "https://x/", "account_url": "https://x/account/calendar", "reader_zone": "UTC", "before": ""}
    for kind in kinds.KINDS:
        out = render.render(kind, context, org="Acme")
        assert out.subject and "Acme" in out.text and "Acme" in out.html and "<style" not in out.html


def test_an_invitation_from_the_admin_page_has_absolute_links_and_the_org(app, client, make_user, sign_in, smtpd):
    sign_in(make_user(roles=("admin",)))
    page = client.post("/admin/users/new", data={"email": "ann@example.org", "display_name": HOSTILE,
                                                 "roles": ["trainee"]}).get_data(as_text=True)
    assert "has been emailed to ann@example.org" in page
    [mail] = smtpd.messages
    assert mail["Subject"] == "Your Lectern invitation from Acme Training" and "List-Unsubscribe" not in mail
    text, html = parts(mail)
    assert re.search(r"^https://learn\.example\.org/invite/\S+$", text, re.M)
    assert 'href="https://learn.example.org/invite/' in html and "Acme Training" in html and "Acme Training" in text
    assert "<script>" not in html and HOSTILE in text
    stored = db.session.scalar(sa.select(OutboxMessage))
    assert stored.status == "sent" and stored.kind == "invitation" and stored.attempts == 1


def test_a_reset_link_is_mailed_as_a_password_reset(app, client, make_user, sign_in, smtpd):
    sign_in(make_user(roles=("admin",)))
    person = make_user(display_name="Bo")
    client.post(f"/admin/users/{person.id}/link", data={"purpose": "reset"})
    [mail] = smtpd.messages
    text, _html = parts(mail)
    assert mail["Subject"] == "Reset your Lectern password" and "https://learn.example.org/reset/" in text


def test_mails_write_dates_in_words():
    from datetime import date

    assert render.long_date(date(2027, 3, 1)) == "Monday 1 March 2027" and render.long_date(None) is None
