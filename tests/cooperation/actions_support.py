"""What the agreed actions' tests share: a partnership's record to add actions to, and the
service calls as a request makes them."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.cooperation import actions
from workspace.cooperation.errors import CooperationError
from workspace.cooperation.models import Action, Meeting
from workspace.documents import service as documents
from workspace.extensions import db
from workspace.partnerships.models import Partnership, StrategicMatter


@pytest.fixture
def record(app, factory, world):
    """In `own` (Watford, Dacorum; Hertsmere invited, not yet a partner): a workshop on
    23 January 2018, two strategic matters (one retired), a document; in `foreign`, a matter,
    a document and a meeting of its own."""
    orgs = dict(world["orgs"])
    orgs["hertsmere"] = factory.organisation("hertsmere", "Hertsmere Borough Council")
    factory.invite(world["partnerships"]["own"], orgs["hertsmere"])
    with app.app_context():
        own = db.session.get(Partnership, world["partnerships"]["own"])
        foreign = db.session.get(Partnership, world["partnerships"]["foreign"])
        officer = world["users"]["officer"]
        rows = {
            "workshop": Meeting(partnership_id=own.id, held_on=date(2018, 1, 23),
                                kind="workshop", title="JSP workshop", recorded_by_id=officer),
            "foreign_meeting": Meeting(partnership_id=foreign.id, held_on=date(2018, 1, 1),
                                       kind="workshop", title="Luton's",
                                       recorded_by_id=world["users"]["foreign_admin"]),
            "housing": StrategicMatter(partnership_id=own.id, reference="SM1",
                                       title="Housing need"),
            "green_belt": StrategicMatter(partnership_id=own.id, reference="SM2",
                                          title="Green Belt"),
            "retired": StrategicMatter(partnership_id=own.id, reference="SM3", title="Old",
                                       retired_at=datetime(2020, 1, 1)),
            "foreign_matter": StrategicMatter(partnership_id=foreign.id, reference="SM1",
                                              title="Luton housing"),
        }
        db.session.add_all(rows.values())
        rows["scg"] = documents.create_document(own, "Statement of Common Ground", "scg")
        rows["foreign_doc"] = documents.create_document(foreign, "Luton SCG", "scg")
        db.session.commit()
        ids = {name: row.id for name, row in rows.items()}
    return {"orgs": orgs, "users": world["users"], "own": world["partnerships"]["own"],
            "foreign": world["partnerships"]["foreign"], **ids}


def _do(app, fn):
    """Run fn() as a request would (commit on success, roll back on an error)."""
    with app.test_request_context():
        try:
            result = fn()
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise


def _own():
    return db.session.scalar(select(Partnership).where(Partnership.slug == "own"))


def _user(record, role="officer"):
    return db.session.get(User, record["users"][role])


def add(app, record, **kwargs):
    """add_action in `own` by the Watford officer; Watford leads unless told; its id."""
    values = {"what": "Set up a meeting with Government",
              "lead_organisation_id": record["orgs"]["watford"]}
    values.update(kwargs)

    def _add():
        if "meeting_id" in values:
            values["meeting"] = db.session.get(Meeting, values.pop("meeting_id"))
        return actions.add_action(_own(), _user(record), **values).id
    return _do(app, _add)


def refused(app, record, fn):
    """The CooperationError fn raised; no action was written."""
    with app.app_context():
        before = db.session.scalar(select(func.count(Action.id)))
    with pytest.raises(CooperationError) as caught:
        _do(app, fn)
    with app.app_context():
        assert db.session.scalar(select(func.count(Action.id))) == before
    return caught.value


def refused_add(app, record, **kwargs):
    return refused(app, record, lambda: add(app, record, **kwargs))
