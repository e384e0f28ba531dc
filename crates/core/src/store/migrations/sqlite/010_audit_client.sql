-- The client address of an event done through `reopen serve` (NULL on this PC): the server
-- records where each request came from, and the address is part of the event's hash.
ALTER TABLE audit_events ADD COLUMN client TEXT;
