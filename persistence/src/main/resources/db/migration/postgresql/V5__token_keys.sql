-- What validating a token needs, kept with its row, so that a node that starts loads every token
-- from here (and the journal's last events) and answers every request from memory: the SHA-256
-- of the secret (hex, as the journal already holds it; never returned by the API) and the
-- incarnation of the principal it was issued to. Rows written before this are filled by the
-- token's entity the first time the token is used.
ALTER TABLE token_view ADD COLUMN secret_hash VARCHAR(64);
ALTER TABLE token_view ADD COLUMN principal_incarnation BIGINT;
