"""The publishing side: the daemon, the channels to X and Facebook, and the local platform sandbox.

It may import `campaign`'s core; the core never imports this package.
"""
