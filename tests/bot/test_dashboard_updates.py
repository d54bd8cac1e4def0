"""The dashboard's automatic-update figures through real HTTP on a real database: the four tables are
on the page and in the CSV exports, with small counts hidden, and the ESIA report has a section for
the automatic-updates commitment."""

from __future__ import annotations

import re

from tests.bot.test_dashboard import JANUARY, app, small_counts  # noqa: F401 - app is the fixture
from tests.bot.test_staff_inbox import sign_in
from tests.databases import MANAGER
from tests.monitoring.conversations import january_updates

UPDATE_TABLES = ("updates_chosen", "updates_sent", "reminders", "status_asked")


async def test_the_dashboard_shows_the_update_figures_with_small_counts_hidden(app):  # noqa: F811
    client, engine = app
    january_updates(engine)
    await sign_in(client, MANAGER)
    page = await (await client.get(f"/dashboard?{JANUARY}")).text()
    assert small_counts(page) == []
    for key in UPDATE_TABLES:
        assert f'id="{key}"' in page
    assert "How residents chose to hear back, by need group" in page
    reminders = re.search(r'id="reminders".*?</table>', page, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r"With a reminder</th>\s*<td[^>]*>40</td>\s*<td[^>]*>\[c\]</td>\s*<td[^>]*>\[c\]</td>", reminders)
    assert re.search(r"Without a reminder</th>\s*<td[^>]*>30</td>\s*<td[^>]*>10</td>\s*<td[^>]*>33%</td>", reminders)
    chosen = await (await client.get(f"/dashboard/export/updates_chosen.csv?{JANUARY}")).text()
    assert "All residents asked,70,40,0,0,30,57%" in chosen
    report = await (await client.get(f"/dashboard/report?{JANUARY}")).text()
    assert 'id="section-automatic_updates"' in report and "No-shows without a reminder" in report
    assert small_counts(report) == []
