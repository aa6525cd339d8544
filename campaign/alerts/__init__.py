"""Alerts: what is worth a message (watch.py), and the loop that raises and delivers them."""
