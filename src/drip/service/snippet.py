"""`drip form-snippet`: the sign-up form as plain HTML for a clinic's own site (HubSpot,
WordPress): no script, no styles beyond a few inline ones, the public field names, a signed
form token, and the honeypot field. It posts to the web app's `/subscribe`, which accepts it
only from the origins listed in DRIP_ALLOWED_ORIGINS."""

from __future__ import annotations

import html
from datetime import datetime

from drip.service import patients
from drip.service.app import App


def form_html(app: App, *, now: datetime) -> str:
    page = patients.sign_up_page(app, now=now)
    token = patients.form_token(app, patients.EMBED_SCOPE, now=now)
    e = html.escape
    causes = "\n".join(
        f'    <label><input type="radio" name="cause" value="{e(c.slug)}" required> '
        f"{e(c.label)}</label><br>"
        for c in page.causes
    )
    return f"""<!-- drip sign-up form: paste it into your page. It posts to
     {e(app.base_url)}/subscribe: add your page's origin to DRIP_ALLOWED_ORIGINS.
     The field names are drip's public interface. -->
<form method="post" action="{e(app.base_url)}/subscribe" class="drip-signup">
  <input type="hidden" name="form_token" value="{e(token)}">
  <p><label>Your email address<br>
    <input type="email" name="email" autocomplete="email" required maxlength="320"></label></p>
  <p><label>Your first name (optional)<br>
    <input type="text" name="first_name" autocomplete="given-name" maxlength="80"></label></p>
  <fieldset>
    <legend>What do you think causes your {e(page.topic)}?</legend>
{causes}
  </fieldset>
  <p><label>Your time zone (we send in the daytime, your time)<br>
    <input type="text" name="timezone" value="{e(page.timezone)}" maxlength="64"></label></p>
  <p><label><input type="checkbox" name="consent" value="yes" required>
    {e(page.consent_text)}</label></p>
  <p style="position:absolute;left:-10000px" aria-hidden="true"><label>Leave this empty
    <input type="text" name="website" tabindex="-1" autocomplete="off"></label></p>
  <p><button type="submit">Send me the tips</button></p>
</form>
"""
