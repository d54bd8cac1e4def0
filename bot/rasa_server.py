"""Rasa's server, as the launcher starts it: on the internal interface, with its HTTP API behind a token.

``rasa run --auth-token`` would put the token on the command line, where any local user can read
it; this starts the same server with the token from the environment instead. The REST webhook,
which every resident message comes through (from the web app), needs no token; the HTTP API
(reading or adding to a conversation, parsing, replacing the model) does.
"""

from __future__ import annotations

import logging

from rasa.core.constants import COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME, DEFAULT_COMPRESS_ACTION_SERVER_REQUEST
from rasa.core.run import serve_application
from rasa.core.utils import AvailableEndpoints
from rasa.utils.common import configure_logging_and_warnings, get_bool_env_variable
from rasa.utils.log_utils import configure_structlog

from bot.action_calls import use_conversation_deltas, use_fast_json
from bot.action_results import use_built_validator
from bot.applied_events import use_carried_on_applied_events
from bot.incremental_states import use_incremental_states
from bot.scaled import endpoints_file
from wiring.kept_secrets import internal_tokens
from wiring.settings import PROJECT_ROOT, load_settings


def main() -> None:
    """Serve the trained model until stopped."""
    settings = load_settings()
    configure_logging_and_warnings(logging.INFO)
    # As ``rasa run`` does: without it Rasa's structured log prints every debug line, among them the
    # policies' whole conversation state at each step, a cost that grows with the conversation.
    configure_structlog(logging.INFO)
    use_built_validator()
    use_incremental_states()
    use_carried_on_applied_events()
    use_fast_json()
    if not get_bool_env_variable(COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME, DEFAULT_COMPRESS_ACTION_SERVER_REQUEST):
        # The action server puts back only uncompressed calls. In the scale-out each Rasa process
        # calls an action server of its own while it is up (bot/scaled.py, actions_balancing).
        use_conversation_deltas()
    serve_application(
        model_path=str(settings.model_path),
        interface=settings.internal_host,
        port=settings.rasa_port,
        credentials=str(PROJECT_ROOT / "credentials.yml"),
        # The scale-out's file (PostgreSQL tracker store, Redis lock store) is written by the launcher.
        endpoints=AvailableEndpoints.read_endpoints(str(endpoints_file(settings))),
        auth_token=internal_tokens(settings).rasa,
        enable_api=True,
    )


if __name__ == "__main__":
    main()
