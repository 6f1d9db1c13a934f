"""Sign-in, sign-out, password change and invitations."""
