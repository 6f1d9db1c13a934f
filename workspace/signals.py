"""Signals between areas, so a package listens instead of being imported back (blinker).

Senders pass the object the event is about; receivers connect in their own modules.
"""
from blinker import Namespace

_signals = Namespace()

#: An organisation left a partnership (or was removed from it). Sender: the partnership;
#: keyword arguments: organisation_id, by (the user).
partner_left = _signals.signal("partner-left")

#: A person accepted an invitation and became a user of an organisation. Sender: the new user;
#: keyword argument: invitation (its partnership_id names the partnership a new organisation
#: was created for, when the user is its first admin).
user_joined = _signals.signal("user-joined")

#: Moving to Agreed froze the document's content as a version. Sender: the document;
#: keyword arguments: version (the DocumentVersion), by (the user).
version_frozen = _signals.signal("version-frozen")

#: An authority signed the frozen version. Sender: the document; keyword arguments: user (the
#: Member who signed), signature.
document_signed = _signals.signal("document-signed")

#: A return to Draft voided the signatures on the current version. Sender: the document;
#: keyword arguments: version (the DocumentVersion, or None), by (the user), count.
signatures_voided = _signals.signal("signatures-voided")

#: A background job failed for good (its attempts spent, or a failure no retry mends), and
#: that is committed. Sender: the Job row; keyword argument: reason (what people read).
#: Receivers may write: the runner commits after them.
job_failed = _signals.signal("job-failed")

#: Adding the recorded signatures to a version's PDFs failed for good. Sender: the document;
#: keyword arguments: version (the DocumentVersion), reason.
pdf_signing_failed = _signals.signal("pdf-signing-failed")

#: Asked before a version is published: what stands in the way. Sender: the document;
#: keyword argument: version (the DocumentVersion). Receivers answer with a list of reasons
#: for people ("The signed PDF is still being prepared."), empty when nothing does.
publication_blockers = _signals.signal("publication-blockers")

#: Asked before a document out for agreement is marked agreed: what stands in the way besides
#: the positions. Sender: the document. Receivers answer with a list of reasons for people
#: ("2 suggested changes are still undecided ..."), empty when nothing does.
agreement_blockers = _signals.signal("agreement-blockers")

#: Asked before a user is deactivated: what stands in the way. Sender: the user. Receivers
#: answer with a list of reasons for people (the partnerships they are the only admin of).
deactivation_blockers = _signals.signal("deactivation-blockers")

#: A version was published. Sender: the document; keyword arguments: version, by (the user).
version_published = _signals.signal("version-published")

#: Asked before a change that may unpick recorded positions: an edit of a section's text, or
#: a change of structure, strategic matters or signatories. Sender: the section; keyword
#: argument: new_body (the text about to be saved, or None when the section's positions would
#: be taken off the grid whatever its text). Receivers answer with a list of
#: (authority name, stance label) pairs, one per current position the change would affect;
#: `signal.send(...)` returns (receiver, answer) pairs for the asker to collect.
section_change_impact = _signals.signal("section-change-impact")

#: Draft -> Out for agreement: signatories now owe positions on the strategic matters.
#: Sender: the document; keyword argument: by (the partnership admin).
document_sent_out = _signals.signal("document-sent-out")

#: A section's text was saved as a new revision (an edit, a merge, a restore). Sender: the
#: section; keyword arguments: revision (the new SectionRevision), old_sha256 (the SHA-256 of
#: the text it replaced: positions given on that text are now out of date), by (the user).
section_saved = _signals.signal("section-saved")

#: Someone replied to a comment thread. Sender: the reply (a Comment); keyword arguments:
#: thread (the opening Comment), section, by (the user).
comment_replied = _signals.signal("comment-replied")

#: Asked when sections are drawn with review beside them (the document page, the live feed, a
#: section redrawn after a save, a comment or a position). Sender: the document; keyword
#: arguments: sections (the Section objects drawn), user. Receivers answer a dict whose keys
#: join the page's review context (suggestions answer {"suggestions": ...}).
section_extras = _signals.signal("section-extras")

#: Asked what produced some section revisions (those of kind "suggestion"). Sender: the
#: document; keyword argument: revisions (SectionRevision objects). Receivers answer a dict
#: {revision id: what made it, for "changed by ..."}, e.g. "accepting Dacorum Borough
#: Council’s suggestion of 2 December 2026" (suggestions answers for the ones it accepted).
revision_origins = _signals.signal("revision-origins")

#: Asked when a section's history is drawn. Sender: the section; keyword argument: user.
#: Receivers answer a dict whose keys join the history page's context (suggestions answer
#: {"decided_suggestions": [...]}: the accepted, rejected and withdrawn ones).
section_history_extras = _signals.signal("section-history-extras")

#: Asked when My tasks is drawn. Sender: the user. Receivers answer a dict whose keys join
#: the page's task lists (suggestions answer {"suggestions_to_decide": [...],
#: "suggestion_decisions": [...]}); each list's length counts towards the total.
task_extras = _signals.signal("task-extras")

#: A suggestion was made. Sender: the Suggestion; keyword argument: by (its author).
suggestion_made = _signals.signal("suggestion-made")

#: A suggestion was accepted or rejected (or withdrawn by its author). Sender: the
#: Suggestion (its status says which); keyword argument: by (the user who decided).
suggestion_decided = _signals.signal("suggestion-decided")

#: Someone commented on a suggestion. Sender: the SuggestionComment; keyword argument: by (its
#: author). Notifications tell the suggestion's author.
suggestion_commented = _signals.signal("suggestion-commented")

#: Asked for the header's "My tasks (n)". Sender: the user. Receivers answer how many tasks
#: of their area wait for the user (an int, cheaply: no per-section queries); the header adds
#: them to review's count, so it equals the My tasks page's total.
task_counts = _signals.signal("task-counts")

#: An open agreed action needs a reminder, sent once per state: due within seven days
#: ("due") or past its due date ("overdue"). Sender: the Action (its what, due_on, id,
#: partnership_id, lead_organisation_id and lead are read); keyword arguments: state,
#: partnership (the Partnership). Notifications tell the lead authority's officers.
action_reminder = _signals.signal("action-reminder")
