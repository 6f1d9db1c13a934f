"""Partnerships, organisations, users and roles."""
