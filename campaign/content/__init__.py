"""Posts as sources: what an officer writes (template text, channel, time, images), kept with
its revisions in the database, rendered and checked by the same code as `campaign check`."""
