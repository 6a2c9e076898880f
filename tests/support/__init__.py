"""Builders and helpers shared by several test packages (never tests themselves)."""
