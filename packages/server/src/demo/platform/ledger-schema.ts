/**
 * The ledger file's tables. `accounts.balance` can never go negative (a CHECK, besides the code's own test);
 * `entries.idem_key` is unique, so no key can move money twice whatever the code does; `idempotency` keeps the
 * first answer of every successful keyed request, which is what a repeated key gets back.
 */
export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  player_id TEXT PRIMARY KEY,
  balance INTEGER NOT NULL CHECK (balance >= 0)
);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  player_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  idem_key TEXT NOT NULL UNIQUE,
  ref TEXT,
  psp TEXT,
  version TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_player ON entries (player_id);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  op TEXT NOT NULL,
  request TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bets (
  id TEXT PRIMARY KEY,
  player_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  game TEXT NOT NULL,
  win INTEGER,
  version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS promo_claims (
  player_id TEXT NOT NULL,
  promo_id TEXT NOT NULL,
  claim_key TEXT NOT NULL UNIQUE,
  bonus INTEGER NOT NULL,
  PRIMARY KEY (player_id, promo_id)
);
`;
