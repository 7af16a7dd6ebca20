-- A neutralized copy of the database must never talk to the production KeyBridge.
UPDATE keybridge_backend
   SET url = NULL,
       client_secret = NULL;
