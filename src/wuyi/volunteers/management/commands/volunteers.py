"""`wuyi volunteers notify`: make the due reminders, then deliver the outbox (email, SMS, WeChat).

Meant for cron every few minutes (``*/5 * * * * wuyi volunteers notify``); two overlapping runs neither remind
twice nor send a message twice (see notify.py)."""

from django.core.management.base import BaseCommand

from wuyi.volunteers import notify


class Command(BaseCommand):
    help = "Volunteer platform: reminders and the notification outbox."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("notify", help="make the due reminders, then send every pending notification")

    def handle(self, *args, action, **options):
        if action == "notify":
            reminded = notify.remind()
            sent = notify.send_pending()
            self.stdout.write(f"reminders made: {reminded}, notifications sent: {sent}")
