"""Engagement planning: stakeholder register, engagement activities, charts and live blocks."""
