"""Small steps the notification tests take through the areas' own service functions."""
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.documents import editing
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.notifications.models import Notification
from workspace.review import comments, lifecycle
from workspace.review.positions import record_position


def act(app, fn, *args, **kwargs):
    """Run a service function as a request would: in a request context, then commit."""
    with app.test_request_context():
        result = fn(*args, **kwargs)
        db.session.commit()
        return result


def user(user_id):
    return db.session.get(User, user_id)


def send_out(app, scg):
    act(app, lambda: lifecycle.send_out(db.session.get(Document, scg["id"]),
                                        user(scg["users"]["admin"]), reason="Testing"))


def give_position(app, scg, index, who, stance="agreed"):
    act(app, lambda: record_position(db.session.get(Section, scg["sections"][index]),
                                     user(scg["users"][who]), stance,
                                     "" if stance == "agreed" else "A reason."))


def edit(app, scg, index, body, who="officer"):
    def _save():
        section = db.session.get(Section, scg["sections"][index])
        editing.save_section(section, body, section.version, user(scg["users"][who]),
                             confirm_stale=True)
    act(app, _save)


def comment(app, scg, index, who, body="A comment."):
    return act(app, lambda: comments.add_comment(
        db.session.get(Section, scg["sections"][index]), body, user(scg["users"][who])).id)


def reply(app, scg, index, comment_id, who, body="A reply."):
    from workspace.review.models import Comment

    def _reply():
        return comments.add_reply(db.session.get(Comment, comment_id),
                                  db.session.get(Section, scg["sections"][index]), body,
                                  user(scg["users"][who])).id
    return act(app, _reply)


def notifications_of(app, user_id):
    """The user's notifications as committed, oldest first."""
    with app.app_context():
        db.session.rollback()
        rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                  .order_by(Notification.id)).all()
        db.session.expunge_all()
        return rows
