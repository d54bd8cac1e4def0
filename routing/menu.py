"""The main menu (the resident's tasks as buttons, and a person) and the replies that offer it:
after a task is stopped, after a misunderstanding, and when a live chat hands back.

The greeting in ``domain.yml`` shows the same buttons; a test keeps it in step with ``MENU``.
"""

from __future__ import annotations

from routing.answers import Button, Reply
from routing.tasks import MENU_TASKS, TASK_NAMES

TALK_TO_A_PERSON = Button("Talk to a person", "/request_human")
MENU = (*(Button(TASK_NAMES[intent], f"/{intent}") for intent in MENU_TASKS), TALK_TO_A_PERSON)

STOPPED = Reply("OK, I have stopped. I have not sent anything.")
WHAT_NOW = Reply("What would you like to do now?", MENU)
NOT_UNDERSTOOD = Reply("Sorry, I did not understand that. Could you say it another way? Or choose one of these.", MENU)
STILL_NOT_UNDERSTOOD = Reply("Sorry, I am still not understanding. A person can help you instead.")
OFFER_A_PERSON = Reply("Would you like to talk to a person?", (TALK_TO_A_PERSON,))


def menu_buttons() -> list[dict[str, str]]:
    """The menu as the chat channels send buttons: title and payload."""
    return [{"title": button.title, "payload": button.payload} for button in MENU]
