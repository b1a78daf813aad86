-- A user's mobile number: SM4 ciphertext, SM3 blind index for exact lookup, masked display.
ALTER TABLE app_user ADD COLUMN phone_cipher TEXT;
ALTER TABLE app_user ADD COLUMN phone_index TEXT;
ALTER TABLE app_user ADD COLUMN phone_masked TEXT;
CREATE INDEX app_user_phone_index ON app_user(phone_index);
