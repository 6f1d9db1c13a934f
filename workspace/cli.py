"""Command-line tasks: flask seed-demo, flask create-admin."""
import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from . import audit, clock
from .accounts.models import Organisation, User
from .accounts.signin import MIN_PASSWORD_LENGTH
from .demo import database_is_empty, demo_emails_taken, demo_exists, seed_demo
from .extensions import db
from .partnerships.models import Partner, Partnership
from .partnerships.service import grant_on_creation, slugify
from .retention import prune_command


def register_cli(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(make_signing_cert_command)
    app.cli.add_command(verify_pdf_command)
    app.cli.add_command(prune_command)      # retention; importing it registers the daily job
    from .jobs.cli import jobs_cli
    app.cli.add_command(jobs_cli)
    from .backup import register_backup_commands
    register_backup_commands(app)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already holds data.")
@click.option("--force", is_flag=True,
              help="Add the demo partnership even though the database holds other data.")
@with_appcontext
def seed_demo_command(if_empty, force):
    """Build the South West Hertfordshire demo partnership."""
    if demo_exists():
        click.echo("The demo partnership is already there; nothing changed.")
        return
    if not database_is_empty() and not force:
        if if_empty:
            click.echo("The database already holds data; the demo was not added.")
            return
        raise click.ClickException(
            "The database already holds data. Use --force to add the demo partnership anyway.")
    taken = demo_emails_taken()
    if taken:
        raise click.ClickException(
            f"These demo accounts already exist: {', '.join(taken[:5])}. The demo was not added.")
    seed_demo(current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    # The published version's PDFs are rendered and signed by jobs: done here, so the demo is
    # whole at once (a worker that also got them finds them done).
    from .jobs.runner import run_pending
    run_pending(ignore_schedule=True)
    click.echo("Demo partnership created. Sign in as admin@swherts.example (partnership "
               "admin), officer@watford.example, member@watford.example or "
               "orgadmin@watford.example (Watford's organisation admin).")


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.option("--name", prompt=True, help="The admin's full name.")
@click.option("--organisation", prompt=True, help="The admin's organisation (created if new).")
@click.option("--partnership", prompt=True, help="The partnership's name (created if new).")
@click.option("--short-name", default="", help="Short partnership name for file names.")
@click.password_option(help="The admin's password (asked for when not given).")
@with_appcontext
def create_admin_command(email, name, organisation, partnership, short_name, password):
    """Create a new partnership and organisation, with a user who is both the organisation's
    admin and the partnership's admin (for a real deployment)."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"A user with the email {email} already exists.")
    org_code = slugify(organisation)
    if db.session.scalar(select(Organisation.id).where(
            (Organisation.code == org_code) | (Organisation.name == organisation.strip()))):
        raise click.ClickException(
            f"The organisation {organisation.strip()!r} already exists: its own admins invite "
            "its users, and a partnership admin invites it to a partnership.")
    slug = slugify(partnership)
    if db.session.scalar(select(Partnership.id).where(
            (Partnership.slug == slug) | (Partnership.name == partnership.strip()))):
        raise click.ClickException(
            f"The partnership {partnership.strip()!r} already exists: its partnership admins "
            "invite organisations and grant admin rights.")
    org = Organisation(code=org_code, name=organisation.strip())
    group = Partnership(slug=slug, name=partnership.strip(),
                        short_name=short_name.strip() or partnership.strip()[:60])
    db.session.add_all([org, group])
    db.session.flush()
    db.session.add(Partner(partnership_id=group.id, organisation_id=org.id))
    user = User(email=email, name=name.strip(), organisation=org, role="admin")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    grant_on_creation(group, user)
    audit.record("user.created_by_cli", user, partnership=group, email=email, role="admin")
    db.session.commit()
    click.echo(f"Admin {email} created: organisation admin of {org.name} and partnership "
               f"admin of {group.name}.")


@click.command("make-signing-cert")
@click.argument("org")
@click.option("--years", default=5, show_default=True, help="How long it is valid.")
@with_appcontext
def make_signing_cert_command(org, years):
    """Create a self-signed trial signing certificate for organisation ORG (its code)."""
    from .export.keys import make_self_signed
    organisation = db.session.scalar(select(Organisation).where(
        (Organisation.code == org) | (Organisation.name == org)))
    if organisation is None:
        raise click.ClickException(f"No organisation with the code {org!r}.")
    row = make_self_signed(organisation, years=years)
    db.session.commit()
    click.echo(f"Trial certificate for {organisation.name}: {row.subject}, valid until "
               f"{row.not_after:%d %B %Y}, SHA-256 {row.fingerprint_sha256}.")


@click.command("verify-pdf")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def verify_pdf_command(file):
    """Check a PDF as the Verify page does and print what it finds.

    Exit status: 0 genuine, complete, current and trusted; 1 not genuine (not made here, not
    recognised, altered, or not a PDF that can be read); 2 incomplete; 3 superseded or
    withdrawn; 4 a draft; 5 a trial or untrusted certificate; 6 certificates not checked (no
    SIGNING_TRUST_ROOTS); 7 agreed, not published yet. The gravest finding sets it."""
    from .export.verify import VerifyError, verify_pdf
    try:
        report = verify_pdf(file.read())
    except VerifyError as exc:
        raise click.ClickException(exc.message) from None
    row, document = report.version_row, report.document
    version = (f"{row.number}, " + (f"published on {clock.display(row.published_at, clock.DATE)}"
                                    if row.published_at else "not published")) if row else \
        "draft" if document else "unknown"
    click.echo(f"Result:            {report.verdict.title}")
    click.echo(f"Document:          {document.title if document else 'unknown'}")
    if document:
        click.echo(f"Partnership:       {document.partnership.name}")
    click.echo(f"Version:           {version}")
    click.echo(f"Content SHA-256:   {report.fingerprint or 'none stated'}")
    click.echo(f"File SHA-256:      {report.file_sha256}")
    for s in report.signatures:
        who = s.organisation.name if s.organisation else s.signer
        by = f" by {s.recorded.signed_name}" if s.recorded else ""
        click.echo(f"Signature:         {who}{by}, {s.when} – {s.state}; "
                   f"{s.certificate_label or 'certificate not checked'}")
    for s in report.missing:
        click.echo(f"Missing:           {s.organisation.name}")
    for s in report.record_only:
        click.echo(f"In the record only: {s.organisation.name} (no signing certificate)")
    click.echo("Findings:")
    for finding in report.findings:
        click.echo(f"  - {finding.title}. {finding.detail}")
    if report.code:
        raise SystemExit(report.code)
