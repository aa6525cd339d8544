"""Alerts: telling the right people, through the channels they watch, when something needs them.

`messages` words an alert for each kind of channel, `transports` sends it (SMTP, webhooks),
and `delivery.deliver_due` sends what the outbox (`campaign.store.outbox`) holds, from
whichever process is alive, never in the publishing path.
"""
