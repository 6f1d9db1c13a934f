"""A real SMTP server for the notification tests (aiosmtpd on 127.0.0.1, a free port) that
records what it receives and can be told to refuse a recipient for good (550), for now (450),
or to be down; and a Statement of Common Ground with signatories to notify about."""
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from workspace.accounts.models import User
from workspace.documents import service
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review.models import Signatory, SignatoryMatter


class Recorder:
    """aiosmtpd handler: keeps every message; refuses the addresses it is told to."""

    def __init__(self):
        self.messages = []
        self.refuse = {}        # address -> SMTP reply, e.g. "550 5.1.1 No such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default)
        message.recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """The running server: `messages`, `to(address)`, `refuse(address, permanent)`,
    `down()` and `up()`."""

    def __init__(self):
        self.handler = Recorder()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = None
        self.up()

    @property
    def messages(self):
        return self.handler.messages

    def to(self, address):
        return [m for m in self.messages if address in m.recipients]

    def refuse(self, address, permanent=True):
        self.handler.refuse[address] = ("550 5.1.1 No such user here" if permanent
                                        else "450 4.2.1 Mailbox busy, try later")

    def down(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def up(self):
        if self.controller is None:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()


@pytest.fixture
def smtp(app):
    """A real SMTP server the app sends to (MAIL_SERVER set for this test only)."""
    server = SmtpServer()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
    yield server
    app.config.update(saved)
    server.down()


@pytest.fixture
def scg(app, factory, world):
    """A draft Statement in `own`: Watford signs for both strategic matters (Housing, Green
    Belt), Dacorum for Green Belt only. Besides world's users: Members of Watford and Dacorum,
    a deactivated Watford Member, and a Member of Luton (another partnership)."""
    users = dict(world["users"])
    orgs = world["orgs"]
    users["dacorum_member"] = factory.user(orgs["dacorum"], "member",
                                           email="member@dacorum.example", name="Dana Member")
    users["gone_member"] = factory.user(orgs["watford"], "member", email="gone@watford.example",
                                        active=False)
    users["luton_member"] = factory.user(orgs["luton"], "member", email="member@luton.example")
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        officer = db.session.get(User, users["officer"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        sections = [service.append_section(document, "Context", "Context.\n"),
                    service.append_section(document, "Housing", "Housing.\n", user=officer),
                    service.append_section(document, "Green Belt", "Green Belt.\n")]
        sections[1].strategic_matter = sections[2].strategic_matter = True
        db.session.add(Signatory(document_id=document.id, organisation_id=orgs["watford"],
                                 all_matters=True))
        dacorum = Signatory(document_id=document.id, organisation_id=orgs["dacorum"],
                            all_matters=False)
        dacorum.matters.append(SignatoryMatter(section_id=sections[2].id))
        db.session.add(dacorum)
        db.session.commit()
        return {"id": document.id, "sections": [s.id for s in sections], "users": users,
                "partnership": partnership.id, "base": f"/p/own/d/{document.id}"}
