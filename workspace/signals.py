"""Signals between areas, so a package listens instead of being imported back (blinker).

Senders pass the object the event is about; receivers connect in their own modules.
"""
from blinker import Namespace

_signals = Namespace()

#: An organisation left a partnership (or was removed from it). Sender: the partnership;
#: keyword arguments: organisation_id, by (the user).
partner_left = _signals.signal("partner-left")
