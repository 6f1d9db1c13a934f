"""An organisation governing itself: its users, their roles, invitations and memberships."""
