"""Defaults shared by the core and its faces, in a module that imports nothing heavy, so an
option's default can be shown in `--help` without loading the database layer.
"""

PAUSE_PATIENCE = 60.0  # seconds a pause keeps trying while the database is busy
