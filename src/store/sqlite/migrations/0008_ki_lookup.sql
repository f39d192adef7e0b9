-- Lookups the Klantinteracties API serves often: a party by its BSN (or
-- another object id: partijen?partijIdentificator__objectId=...) and a
-- digital address by its exact text (digitaleadressen?adres=...).
CREATE INDEX party_identifiers_object ON party_identifiers (object_id);
CREATE INDEX digital_addresses_address ON digital_addresses (address);
