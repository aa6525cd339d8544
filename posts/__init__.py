"""Post templates of the shipped campaign: content a comms officer edits, not code.

`campaign init` copies this folder to start a new campaign. See README.md here for the
variables a template can use.
"""
