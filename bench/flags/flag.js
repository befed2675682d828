// The seed article's flag, verbatim. Pitboss compiles exactly this; every peer adapter hand-translates it
// into its own flag model (see impls/*.js) and must produce the same ON fraction.
export const FLAG_KEY = 'payments_v2';

export const ARTICLE_FLAG_JSON = `{"feature": "payments_v2", "rules": [{"if": "market in ['DE','SE']", "rollout": 0.25}, {"if": "brand == 'X' && user.isEmployee", "rollout": 1.0}], "kill_switch": false}`;

/** Parsed fresh on each call so no adapter can mutate another's copy. */
export function articleFlag() {
  return JSON.parse(ARTICLE_FLAG_JSON);
}
