"""The fixed questions the assistant asks inside its forms, in one place so the wording can be
reviewed (and scored for readability) with the domain's responses."""

from __future__ import annotations

from routing.answers import Button, Reply

ASK_SERVICE = Reply(
    "What is the problem you want to report? For example, a pothole, a missed bin or fly-tipping.",
    (
        Button("Pothole", '/inform{"service": "pothole"}'),
        Button("Missed bin", '/inform{"service": "missed_bin"}'),
        Button("Fly-tipping", '/inform{"service": "fly_tipping"}'),
        Button("Street light", '/inform{"service": "street_light"}'),
        Button("Something else", "/request_human"),
    ),
)
ASK_LOCATION = Reply("Where is it? Please give a street name, a postcode, or a landmark near it.")
ASK_POSTCODE = Reply("What is your postcode? For example, SO14 7LY.")
ASK_REFERENCE = Reply("What is your reference? It starts with SCC- and has 6 letters and numbers after it.")

# What each task asks when the resident has not said which service they mean.
TOPIC_QUESTIONS = {
    "make_payment": "What would you like to pay?",
    "apply_for_service": "What would you like to apply for?",
    "get_information": "What would you like to know about?",
}

# When an answer to a form's question will not do: what was wrong, and what is needed instead.
LOCATION_HELP = (
    "Please give a street name, a postcode, or a landmark near it. "
    "For example, 'outside 12 Portswood Road' or 'SO17 2FW'."
)
UNKNOWN_PROBLEM = Reply("Sorry, I could not tell what the problem is.")
ASK_DESCRIPTION = Reply("Tell me a bit about the problem.")  # when the service has no question of its own
NO_DESCRIPTION = Reply("Please tell me a little about the problem.")
ASK_AGAIN = Reply("No problem. Let's put it right. I will ask for the place and the details again.")
CARRYING_ON = Reply("OK. Let's carry on with your report.")
PLACE_AS_WRITTEN = Reply("Thank you. I will send the place as you wrote it, and the team will check it.")
NOT_A_POSTCODE = Reply("That does not look like a postcode. A postcode looks like SO14 7LY.")
NO_REFERENCE_FOUND = Reply("Sorry, I could not find a reference in that.")


def location_problem(problem: str) -> Reply:
    """Why a place will not do (``routing.locations``), then what would."""
    return Reply(f"{problem} {LOCATION_HELP}")


def not_a_reference(attempt: str) -> Reply:
    """Something that looks like a reference but has the wrong shape."""
    return Reply(
        f"{attempt} does not look like one of our references. "
        "Our references start with SCC- and have 6 letters and numbers, like SCC-7KQ4XH."
    )
