"""Mentor Assistant: grounded career and mentoring guidance for mentees."""

__version__ = "0.1.0"
