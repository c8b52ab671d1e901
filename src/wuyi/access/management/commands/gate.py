"""`wuyi gate`: the gate kit (access/kit.py) and its setup.

    wuyi gate provision --gate G [--guard USERNAME]
        On the server: a gate-guard account for the kit (made if missing) and a new API token for it, printed
        once. Revoke it like any token.

    wuyi gate run --gate G --server URL --token T [--db PATH] [--once | --simulate N [--codes FILE]]
        On the kit: downloads the lists and the policy (the first time: its provisioning), then decides each
        line typed on stdin by a handheld scanner: "CODE", or "CODE 36.6" with the temperature; "in" or "out"
        switches the direction. One line per decision on stdout: ALLOW/DENY, reason, next step, masked name,
        what to do. A background thread uploads the queue while the server answers. When the input ends, the
        kit uploads what is left and exits once the queue is empty (Ctrl-C leaves it for the next run).
        --once reads no codes: it uploads the queue until it is empty and exits (from cron, or after an outage).
        --simulate N records N decisions of the codes in --codes (one per line, as a scanner types them; by
        default unreadable codes), in going in on the first round through the file, out on the second…, then
        uploads as above: for tests and benchmarks.
        The token can come from WUYI_GATE_TOKEN instead of the command line. The queue and the lists live in
        --db, by default $WUYI_VAR/gate-<G>.sqlite3.

    wuyi gate status --gate G [--db PATH]
        The queue (pending, uploaded, rejected), the lists' dates and the policy, from the kit's file.
"""

import datetime as dt
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def default_db(gate: str) -> Path:
    return Path(settings.VAR_DIR) / f"gate-{gate}.sqlite3"


class Command(BaseCommand):
    help = "The gate kit: run it at a gate, see its queue, or provision its account on the server."
    requires_system_checks = []  # a kit starts at once; it does not use the server's database

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        provision = sub.add_parser("provision", help="(server) a guard account and an API token for a gate's kit")
        provision.add_argument("--gate", required=True)
        provision.add_argument("--guard", help="the account's user name (default kit-<gate>)")
        run = sub.add_parser("run", help="(kit) decide codes at the gate and upload the decisions")
        run.add_argument("--gate", required=True)
        run.add_argument("--server", required=True, help="e.g. https://wuyi.example.cn")
        run.add_argument("--token", default=os.environ.get("WUYI_GATE_TOKEN"))
        run.add_argument("--db", type=Path)
        run.add_argument("--once", action="store_true", help="read no codes: upload the queue, then exit")
        run.add_argument("--simulate", type=int, default=0, metavar="N", help="record N synthetic decisions")
        run.add_argument("--codes", type=Path, help="codes for --simulate, one per line")
        run.add_argument("--batch-size", type=int, default=500, help="events per upload (at most 5,000)")
        run.add_argument("--timeout", type=float, default=10.0, help="seconds before a request is given up")
        run.add_argument("--device", default="", help="the kit's name in the access log (default kit-<gate>)")
        run.add_argument("--ack-delay", type=float, default=0.0,
                         help="(fault tests) seconds between the server's answer and marking the batch")
        status = sub.add_parser("status", help="(kit) the queue and the lists in the kit's file")
        status.add_argument("--gate", required=True)
        status.add_argument("--db", type=Path)

    def handle(self, *args, action, **options):
        getattr(self, action)(**options)

    def provision(self, *, gate, guard=None, **options):
        from django.db import transaction

        from wuyi.accounts.models import ApiToken, Role, User
        from wuyi.places.models import Gate

        found = Gate.objects.filter(code=gate).first()
        if found is None:
            raise CommandError(f"no gate has the code {gate}")
        with transaction.atomic():
            user = User.objects.filter(username=guard or f"kit-{gate}").first()
            if user is None:
                user = User(username=guard or f"kit-{gate}", role=Role.GATE_GUARD, gate=found)
                user.set_unusable_password()  # a kit's account logs in with its token only
                user.save()
            elif user.role != Role.GATE_GUARD or user.gate_id != found.pk:
                raise CommandError(f"{user.username} is not a guard of gate {gate}")
            _token, key = ApiToken.issue(user, f"gate kit {gate}")
        self.stdout.write(key)

    def run(self, *, gate, server, token, db, once, simulate, codes, batch_size, timeout, device, ack_delay,
            **options):
        from wuyi.access import kit as gate_kit

        if not token:
            raise CommandError("give the kit's token with --token or WUYI_GATE_TOKEN")
        if not 1 <= batch_size <= 5000:
            raise CommandError("--batch-size lies between 1 and 5,000")
        kit = gate_kit.Kit(gate, db or default_db(gate), transport=gate_kit.HttpTransport(server, token, timeout),
                           batch_size=batch_size, ack_delay=ack_delay, device=device)
        try:
            kit.refresh()
            kit.log(f"gate {gate}: lists and policy refreshed from {server}")
        except (gate_kit.Unreachable, gate_kit.Refused, gate_kit.BadList, gate_kit.NotProvisioned) as e:
            if not kit.provisioned and not once:
                raise CommandError(f"the kit was never set up and the server does not answer ({e})") from None
            kit.log(f"gate {gate}: working offline from the lists already here ({e})")
        if once:
            kit.drain()
            kit.log(f"queue empty: {kit.counts()}")
            return
        uploader = gate_kit.Uploader(kit)
        uploader.start()
        try:
            if simulate:
                lines = codes.read_text().splitlines() if codes else []
                ids = kit.simulate(simulate, lines)
                kit.log(f"recorded {len(ids)} decisions")
            else:
                out = self.stdout
                gate_kit.run_lines(kit, sys.stdin, lambda line: (out.write(line), out.flush()))
            uploader.stop()
            kit.drain()
        except KeyboardInterrupt:
            kit.log(f"stopped: {kit.pending()} decisions wait for the next run")
            return
        kit.log(f"queue empty: {kit.counts()}")

    def status(self, *, gate, db, **options):
        from wuyi.access import kit as gate_kit
        from wuyi.health.colour_rules import local_date

        path = db or default_db(gate)
        if not path.exists():
            raise CommandError(f"no kit file at {path}")
        kit = gate_kit.Kit(gate, path)
        lists = kit.lists
        counts = kit.counts()
        self.stdout.write(f"queue: {counts['pending']} pending, {counts['uploaded']} uploaded, "
                          f"{counts['rejected']} rejected")

        def moment(epoch: int) -> str:
            return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat() if epoch else "never"

        self.stdout.write(f"trust list: {len(lists.trust or {})} keys, issued {moment(lists.trust_issued_at)}")
        self.stdout.write(f"revocation list: {len(lists.revoked)} revoked, issued {moment(lists.revoked_issued_at)}")
        self.stdout.write(f"compound: {lists.compound or 'unknown'}; policy today: "
                          f"{kit.policy_on(local_date(dt.datetime.now(dt.UTC)))}")
