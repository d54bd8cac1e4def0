"""The web app's shared state: one typed key for each thing the app holds, opened and closed in its
lifecycle (``bot.web.app``) and read by the handlers."""

from __future__ import annotations

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot.web.cases import CaseService
from bot.web.live_signals import LiveSignals
from bot.web.rasa_client import RasaClient
from monitoring.recorder import Outcomes
from monitoring.thresholds import Thresholds
from routing.live_chat import QueueShares
from storage.handoffs import HandoffStore
from storage.live_chat import LiveChats
from storage.open311_outbox import Open311Outbox
from storage.reports import ReportStore
from storage.staff import StaffAccounts, StaffSessions
from storage.webhook_deliveries import DeliveryQueue
from storage.webhooks import WebhookSubscribers

TEMPLATES = web.AppKey("templates", jinja2.Environment)
SECURE_COOKIES = web.AppKey("secure_cookies", bool)
ACCOUNTS = web.AppKey("staff_accounts", StaffAccounts)
SESSIONS = web.AppKey("staff_sessions", StaffSessions)
HANDOFFS = web.AppKey("handoffs", HandoffStore)
LIVE = web.AppKey("live_chats", LiveChats)
CASES = web.AppKey("cases", CaseService)
RASA = web.AppKey("rasa", RasaClient)
OUTCOMES = web.AppKey("outcomes", Outcomes)
ENGINE = web.AppKey("engine", Engine)  # the database holding the monitoring tables
THRESHOLDS = web.AppKey("thresholds", Thresholds)
QUEUE_SHARES = web.AppKey("queue_shares", QueueShares)  # live chats waiting, per client address
SIGNALS = web.AppKey("live_signals", LiveSignals)  # wakes live chat streams (bot/web/live_signals.py)
OUTAGE = web.AppKey("outage", str)  # the safe answer when part of the assistant is down
WEBHOOKS = web.AppKey("webhooks", WebhookSubscribers)  # signed outgoing webhooks' subscribers
DELIVERIES = web.AppKey("webhook_deliveries", DeliveryQueue)  # and their delivery log
REPORTS = web.AppKey("reports", ReportStore)  # the reports queue (bot/web/report_pages.py)
# Each report's delivery to the council's back office, shown on the reports queue (Open311).
BACK_OFFICE = web.AppKey("back_office", Open311Outbox)
