-- Daily-report compliance for a past day still expects a firm whose approval was revoked later:
-- it finds when by the application's revoked certificate, through this index (covering), so the
-- compliance query keeps reading applications from its covering index.
CREATE INDEX certificates_app ON certificates(application_id, state, closed_at);
