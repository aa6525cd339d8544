"""Alerts: telling the right people, through the channels they watch, when something needs them.

`watch` finds what is worth a message that no event raises by itself (the dead man's switch,
the morning messages, the end-of-campaign summary); `messages` words an alert for each kind of
channel, `transports` sends it (SMTP, webhooks), and `delivery.deliver_due` sends what the
outbox (`campaign.store.outbox`) holds; `service.tick` does both, from whichever process is
alive, never in the publishing path.
"""
