-- Resident contact core: parties, actors, conversations and their contacts,
-- modelled on the VNG Klantinteracties information model (names in the
-- comments are the standard's) and extended with what a contact centre needs.
--
-- Conventions: `id` is the public UUID (the standard's uuid); tables that are
-- paged or full-text indexed also have an INTEGER `seq` (SQLite's rowid) for
-- cursors and FTS.  Times are Unix milliseconds; calendar dates are
-- 'YYYY-MM-DD' text.  Groups of fields the standard nests and nobody filters
-- on (addresses, names, identificators) are JSON object text.  Invariants the
-- standard states are enforced here, so every path that writes obeys them.

-- Actoren: staff (medewerker), teams (organisatorische_eenheid) and systems
-- (geautomatiseerde_actor).  A staff account has at most one medewerker.
CREATE TABLE actors (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  kind           TEXT NOT NULL CHECK (kind IN
                 ('medewerker', 'organisatorische_eenheid',
                  'geautomatiseerde_actor')),
  name           TEXT NOT NULL,                 -- naam
  active         INTEGER NOT NULL DEFAULT 1,    -- indicatieActief
  identificator  TEXT NOT NULL DEFAULT '{}',    -- actoridentificator
  identification TEXT NOT NULL DEFAULT '{}',    -- actorIdentificatie
  user_id        TEXT UNIQUE REFERENCES staff_users (id),
  -- assignment (medewerker only)
  presence       TEXT NOT NULL DEFAULT 'offline' CHECK (presence IN
                 ('available', 'busy', 'away', 'offline')),
  capacity       INTEGER NOT NULL DEFAULT 5,    -- open conversations at most
  last_offered_at BIGINT NOT NULL DEFAULT 0,    -- round-robin order
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX actors_kind ON actors (kind, name);

-- A medewerker's membership of a team (organisatorische_eenheid).
CREATE TABLE team_members (
  team_id  TEXT NOT NULL REFERENCES actors (id),
  actor_id TEXT NOT NULL REFERENCES actors (id),
  PRIMARY KEY (team_id, actor_id)
);
CREATE INDEX team_members_actor ON team_members (actor_id);

-- Partijen: persons, organisations and contact persons.
CREATE TABLE parties (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  nummer         TEXT NOT NULL UNIQUE,          -- nummer (10 digits)
  kind           TEXT NOT NULL CHECK (kind IN
                 ('persoon', 'organisatie', 'contactpersoon')), -- soortPartij
  display_name   TEXT NOT NULL DEFAULT '',      -- volledigeNaam / naam
  identification TEXT NOT NULL DEFAULT '{}',    -- partijIdentificatie
  works_for      TEXT REFERENCES parties (id),  -- contactpersoon: werkteVoorPartij
  internal_note  TEXT NOT NULL DEFAULT '',      -- interneNotitie
  confidential   INTEGER NOT NULL DEFAULT 0,    -- indicatieGeheimhouding
  language       TEXT NOT NULL DEFAULT 'nld',   -- voorkeurstaal
  active         INTEGER NOT NULL DEFAULT 1,    -- indicatieActief
  preferred_address_id TEXT,                    -- voorkeursDigitaalAdres
  preferred_account_id TEXT,                    -- voorkeursRekeningnummer
  visiting_address TEXT,                        -- bezoekadres
  postal_address   TEXT,                        -- correspondentieadres
  merged_into    TEXT REFERENCES parties (id),  -- set when merged away
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX parties_name ON parties (display_name);
CREATE INDEX parties_merged ON parties (merged_into);

-- Partij-identificatoren: BSN, KVK number, vestigingsnummer, RSIN.  One
-- object id of one kind identifies one party.
CREATE TABLE party_identifiers (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  party_id     TEXT REFERENCES parties (id),  -- identificeerdePartij
  object_type  TEXT NOT NULL,                 -- codeObjecttype
  register     TEXT NOT NULL,                 -- codeRegister
  id_type      TEXT NOT NULL,                 -- codeSoortObjectId
  object_id    TEXT NOT NULL,                 -- objectId
  other        TEXT NOT NULL DEFAULT '',      -- anderePartijIdentificator
  sub_of       TEXT REFERENCES party_identifiers (id), -- subIdentificatorVan
  created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX party_identifiers_unique
  ON party_identifiers (id_type, object_id, COALESCE(sub_of, ''));
CREATE INDEX party_identifiers_party ON party_identifiers (party_id);

-- Digitale adressen of a party (or given by a betrokkene for one contact).
-- `address_key` is the normalised address (lower-case e-mail, digits-only
-- phone) used for identity linking.
CREATE TABLE digital_addresses (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  party_id     TEXT REFERENCES parties (id),  -- verstrektDoorPartij
  betrokkene_id TEXT,                         -- verstrektDoorBetrokkene
  kind         TEXT NOT NULL CHECK (kind IN
               ('email', 'telefoonnummer', 'overig')), -- soortDigitaalAdres
  address      TEXT NOT NULL,                 -- adres
  address_key  TEXT NOT NULL,
  is_default   INTEGER NOT NULL DEFAULT 0,    -- isStandaardAdres
  description  TEXT NOT NULL DEFAULT '',      -- omschrijving
  reference    TEXT NOT NULL DEFAULT '',      -- referentie
  verified_on  TEXT,                          -- verificatieDatum
  created_at   BIGINT NOT NULL
);
CREATE INDEX digital_addresses_party ON digital_addresses (party_id);
CREATE INDEX digital_addresses_key ON digital_addresses (kind, address_key);
-- No two parties share one verified address.
CREATE UNIQUE INDEX digital_addresses_verified
  ON digital_addresses (kind, address_key)
  WHERE verified_on IS NOT NULL AND party_id IS NOT NULL;
-- One default per party and kind.
CREATE UNIQUE INDEX digital_addresses_default
  ON digital_addresses (party_id, kind) WHERE is_default = 1;

-- Rekeningnummers.
CREATE TABLE bank_accounts (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  party_id   TEXT REFERENCES parties (id),
  iban       TEXT NOT NULL,
  bic        TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX bank_accounts_party ON bank_accounts (party_id);

-- Vertegenwoordigingen: one party acts for another.
CREATE TABLE representations (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  representing_id TEXT NOT NULL REFERENCES parties (id),
  represented_id  TEXT NOT NULL REFERENCES parties (id),
  created_at      BIGINT NOT NULL,
  UNIQUE (representing_id, represented_id)
);

-- Categorieën and their relation to parties (categorie-relaties).
CREATE TABLE categories (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL UNIQUE,            -- naam
  created_at BIGINT NOT NULL
);

CREATE TABLE category_relations (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  party_id    TEXT REFERENCES parties (id),
  category_id TEXT REFERENCES categories (id),
  begin_date  TEXT,
  end_date    TEXT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX category_relations_party ON category_relations (party_id);

-- Conversations (Loket's, not the standard's): a thread of contacts between
-- the municipality and its parties, the unit the contact centre works on.
CREATE TABLE conversations (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  reference       TEXT NOT NULL UNIQUE,        -- shown to residents
  party_id        TEXT REFERENCES parties (id),
  subject         TEXT NOT NULL DEFAULT '',
  channel         TEXT NOT NULL,               -- of the first contact
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN
                  ('open', 'pending', 'snoozed', 'resolved')),
  snoozed_until   BIGINT,
  priority        INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
  team_id         TEXT REFERENCES actors (id),
  assignee_id     TEXT REFERENCES actors (id),
  confidential    INTEGER NOT NULL DEFAULT 0,
  language        TEXT NOT NULL DEFAULT 'nld',
  version         INTEGER NOT NULL DEFAULT 1,  -- bumped by every change
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  last_message_at BIGINT NOT NULL,
  first_response_at BIGINT,
  resolved_at     BIGINT,
  waiting_since   BIGINT                       -- queued for assignment
);
CREATE INDEX conversations_team ON conversations
  (team_id, status, last_message_at);
CREATE INDEX conversations_assignee ON conversations
  (assignee_id, status, last_message_at);
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_party ON conversations (party_id, created_at);
CREATE INDEX conversations_queue ON conversations (waiting_since)
  WHERE waiting_since IS NOT NULL;

CREATE TABLE conversation_categories (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  category_id     TEXT NOT NULL REFERENCES categories (id),
  PRIMARY KEY (conversation_id, category_id)
);
CREATE INDEX conversation_categories_category
  ON conversation_categories (category_id);

-- Klantcontacten: every inbound or outbound message, and internal notes
-- (kind 'note', never shown to residents nor served as a klantcontact).
CREATE TABLE contacts (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  conversation_id TEXT REFERENCES conversations (id),
  kind            TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'note')),
  nummer          TEXT UNIQUE,                 -- nummer
  reference       TEXT NOT NULL DEFAULT '',    -- referentienummer
  channel         TEXT NOT NULL,               -- kanaal
  subject         TEXT NOT NULL DEFAULT '',    -- onderwerp
  content         TEXT NOT NULL DEFAULT '',    -- inhoud
  reply           TEXT NOT NULL DEFAULT '',    -- reactie
  language        TEXT NOT NULL DEFAULT 'nld', -- taal
  confidential    INTEGER NOT NULL DEFAULT 0,  -- vertrouwelijk
  succeeded       INTEGER,                     -- indicatieContactGelukt
  main_topic_type TEXT NOT NULL DEFAULT '',    -- hoofdOnderwerpType
  further_action  INTEGER NOT NULL DEFAULT 0,  -- verdereActieOndernomen
  occurred_at     BIGINT NOT NULL,             -- plaatsgevondenOp
  metadata        TEXT NOT NULL DEFAULT '{}',  -- metadata
  author_id       TEXT REFERENCES actors (id), -- who wrote an outbound/note
  client_key      TEXT UNIQUE,                 -- idempotency key
  external_id     TEXT,                        -- e.g. Message-ID
  delivery        TEXT NOT NULL DEFAULT '' CHECK (delivery IN
                  ('', 'queued', 'sent', 'failed')),
  created_at      BIGINT NOT NULL
);
CREATE INDEX contacts_conversation ON contacts (conversation_id, occurred_at);
CREATE UNIQUE INDEX contacts_external ON contacts (channel, external_id)
  WHERE external_id IS NOT NULL;

-- Full text over contacts (subject, content) and the party's name.
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
  subject, content, party_name,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- The index follows the contacts table whatever path writes it.  The party
-- name is the conversation's party at the time the contact was written.
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts
BEGIN
  INSERT INTO contacts_fts (rowid, subject, content, party_name)
  VALUES (new.seq, new.subject, new.content,
          COALESCE((SELECT p.display_name FROM conversations c
                    JOIN parties p ON p.id = c.party_id
                    WHERE c.id = new.conversation_id), ''));
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF subject, content ON contacts
BEGIN
  UPDATE contacts_fts SET subject = new.subject, content = new.content
  WHERE rowid = new.seq;
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts
BEGIN
  DELETE FROM contacts_fts WHERE rowid = old.seq;
END;

-- Betrokkenen: a party (or someone not known as a party) involved in one
-- contact, with the details given for that contact.
CREATE TABLE involved (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  contact_id     TEXT NOT NULL REFERENCES contacts (id), -- hadKlantcontact
  party_id       TEXT REFERENCES parties (id),           -- wasPartij
  role           TEXT NOT NULL CHECK (role IN ('klant', 'vertegenwoordiger')),
  initiator      INTEGER NOT NULL DEFAULT 0,
  organisation   TEXT NOT NULL DEFAULT '',    -- organisatienaam
  contact_name   TEXT,                        -- contactnaam
  visiting_address TEXT,                      -- bezoekadres
  postal_address TEXT,                        -- correspondentieadres
  created_at     BIGINT NOT NULL
);
CREATE INDEX involved_contact ON involved (contact_id);
CREATE INDEX involved_party ON involved (party_id);

-- Actoren that took part in a contact (actorklantcontacten).
CREATE TABLE contact_actors (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  actor_id   TEXT NOT NULL REFERENCES actors (id),
  contact_id TEXT NOT NULL REFERENCES contacts (id),
  created_at BIGINT NOT NULL,
  UNIQUE (actor_id, contact_id)
);
CREATE INDEX contact_actors_contact ON contact_actors (contact_id);

-- Bijlagen.  The bytes live once per content hash in blobs/ of the data
-- directory; `sha256` names them.  `identificator` is the standard's
-- bijlageidentificator for documents held elsewhere.
CREATE TABLE attachments (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  contact_id    TEXT REFERENCES contacts (id), -- wasBijlageVanKlantcontact
  identificator TEXT NOT NULL DEFAULT '{}',
  sha256        TEXT,
  filename      TEXT NOT NULL DEFAULT '',
  media_type    TEXT NOT NULL DEFAULT '',
  size          BIGINT NOT NULL DEFAULT 0,
  created_at    BIGINT NOT NULL
);
CREATE INDEX attachments_contact ON attachments (contact_id);

-- Onderwerpobjecten: what a contact was about (a zaak ...), and the
-- wasKlantcontact link from a contact that continues an earlier one.
CREATE TABLE subject_objects (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  contact_id       TEXT REFERENCES contacts (id),  -- klantcontact
  was_contact_id   TEXT REFERENCES contacts (id),  -- wasKlantcontact
  object_id        TEXT NOT NULL DEFAULT '',
  object_type      TEXT NOT NULL DEFAULT '',       -- codeObjecttype
  register         TEXT NOT NULL DEFAULT '',       -- codeRegister
  id_type          TEXT NOT NULL DEFAULT '',       -- codeSoortObjectId
  created_at       BIGINT NOT NULL
);
CREATE INDEX subject_objects_contact ON subject_objects (contact_id);
CREATE INDEX subject_objects_was ON subject_objects (was_contact_id);

-- Interne taken: callbacks, questions for the back office.
CREATE TABLE tasks (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  nummer       TEXT UNIQUE,
  reference    TEXT NOT NULL DEFAULT '',     -- referentienummer
  contact_id   TEXT NOT NULL REFERENCES contacts (id), -- aanleidinggevend...
  kind         TEXT NOT NULL DEFAULT 'other' CHECK (kind IN
               ('callback', 'backoffice', 'other')),
  action       TEXT NOT NULL,                -- gevraagdeHandeling
  explanation  TEXT NOT NULL DEFAULT '',     -- toelichting
  status       TEXT NOT NULL DEFAULT 'te_verwerken' CHECK (status IN
               ('te_verwerken', 'verwerkt')),
  deadline     BIGINT,
  assigned_at  BIGINT NOT NULL,              -- toegewezenOp
  done_at      BIGINT,                       -- afgehandeldOp
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX tasks_contact ON tasks (contact_id);
CREATE INDEX tasks_status ON tasks (status, deadline);

-- toegewezenAanActoren; `position` keeps their order.
CREATE TABLE task_assignees (
  task_id  TEXT NOT NULL REFERENCES tasks (id),
  actor_id TEXT NOT NULL REFERENCES actors (id),
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (task_id, actor_id)
);
CREATE INDEX task_assignees_actor ON task_assignees (actor_id);

-- Merges of two parties: the merged party's rows now point at the
-- survivor; `moved` records which rows moved so the merge can be inspected.
CREATE TABLE party_merges (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  survivor_id TEXT NOT NULL REFERENCES parties (id),
  merged_id   TEXT NOT NULL REFERENCES parties (id),
  actor       TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  moved       TEXT NOT NULL DEFAULT '{}',
  created_at  BIGINT NOT NULL
);
CREATE INDEX party_merges_survivor ON party_merges (survivor_id);

-- Counters behind the human-readable numbers (parties, contacts, tasks,
-- conversation references).
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

-- Processing log (in the spirit of Logboek Dataverwerkingen): every read or
-- change of a resident's data by a person or a system.  Append-only: the
-- triggers refuse any change to a row once written.
CREATE TABLE processing_log (
  seq        INTEGER PRIMARY KEY,
  time       BIGINT NOT NULL,
  actor      TEXT NOT NULL,             -- "user:usr_..." or "token:tok_..."
  party_id   TEXT NOT NULL DEFAULT '',  -- the resident whose data it was
  operation  TEXT NOT NULL,             -- read, create, update, delete ...
  activity   TEXT NOT NULL,             -- the processing activity
  resource   TEXT NOT NULL DEFAULT '',  -- what was touched (a path, an id)
  reason     TEXT NOT NULL DEFAULT '',  -- why, when the user gave one
  request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX processing_log_party ON processing_log (party_id, time);
CREATE INDEX processing_log_actor ON processing_log (actor, time);
CREATE TRIGGER processing_log_no_update BEFORE UPDATE ON processing_log
BEGIN
  SELECT RAISE(ABORT, 'processing_log is append-only');
END;
CREATE TRIGGER processing_log_no_delete BEFORE DELETE ON processing_log
BEGIN
  SELECT RAISE(ABORT, 'processing_log is append-only');
END;
