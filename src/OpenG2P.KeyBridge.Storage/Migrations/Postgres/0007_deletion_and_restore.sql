-- Deletion safety: destroying a version, or deleting a whole key, is scheduled for after
-- Keys:DeletionWaitingPeriod and can be cancelled until then. A deleted key stays as a tombstone
-- (all material erased, name reserved) so old ciphertexts report a clear error.
ALTER TABLE key_versions ADD COLUMN destroy_at timestamptz NULL;
ALTER TABLE keys ADD COLUMN delete_at timestamptz NULL;
ALTER TABLE keys ADD COLUMN deleted_at timestamptz NULL;
CREATE INDEX key_versions_destroy_at ON key_versions (destroy_at) WHERE destroy_at IS NOT NULL;
CREATE INDEX keys_delete_at ON keys (delete_at) WHERE delete_at IS NOT NULL;

-- Restoring a backup: the audit chain continues from the bundle's head. Records up to the anchor
-- are not in this database (they are in the old log or its export); audit.verify starts after it.
ALTER TABLE audit_head ADD COLUMN anchor_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN anchor_hash text NOT NULL DEFAULT '';
