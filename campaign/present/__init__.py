"""How the product speaks: times, platform names, health and post cards, written once.

The preview page, the dashboard, the terminal and the reports all show the same facts; the
words and formats for them live here so the faces cannot drift apart. Nothing here prints or
imports a UI library: the faces lay out what these functions return.
"""
