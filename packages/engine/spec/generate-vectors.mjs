// Generates bucketing.json and rollouts.json with a reference MurmurHash3 written here, independently of the
// engine's streaming implementation, so the engine's tests check it against something it did not produce.
// Run: node packages/engine/spec/generate-vectors.mjs  (deterministic; the output is committed)
import { writeFileSync } from 'node:fs';

function murmur3Reference(bytes) {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = 0;
  const blocks = bytes.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = bytes[i * 4] | (bytes[i * 4 + 1] << 8) | (bytes[i * 4 + 2] << 16) | (bytes[i * 4 + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  switch (bytes.length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the MurmurHash3 tail deliberately falls through.
    case 3:
      k ^= bytes[tail + 2] << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: see above.
    case 2:
      k ^= bytes[tail + 1] << 8;
    case 1:
      k ^= bytes[tail];
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const bucket = (salt, value) => {
  const hash = murmur3Reference(Buffer.from(`${salt}:${value}`, 'utf8'));
  return { hash, bucket: Number((BigInt(hash) * 1_000_000n) >> 32n) };
};

const pairs = [
  ['payments_v2', 'p-0'],
  ['payments_v2', 'p-1'],
  ['payments_v2', 'user-123456789'],
  ['', ''],
  ['', 'a'],
  ['a', ''],
  ['codec', 's-1'],
  ['salt-with-dash', '42'],
  ['payments_v2', 'Ünïcödé-Spieler'],
  ['payments_v2', 'игрок-7'],
  ['payments_v2', '玩家'],
  ['payments_v2', '🎰🎲'],
  ['ümlaut-salt', 'x'],
  ['k', 'x'.repeat(1000)],
  ...Array.from({ length: 36 }, (_, i) => [`flag_${i % 3}`, `player-${i * 7919}`]),
];
const bucketing = {
  description:
    'Bucketing v1 vectors: hash = MurmurHash3_x86_32(seed 0, UTF-8 bytes of salt + ":" + value); bucket = floor(hash * 1000000 / 2^32). A unit is inside rollout f when bucket < round(f * 1000000).',
  version: 1,
  vectors: pairs.map(([salt, value]) => ({ salt, value, ...bucket(salt, value) })),
};
const here = new URL('.', import.meta.url);
writeFileSync(new URL('bucketing.json', here), `${JSON.stringify(bucketing, null, 2)}\n`);

// Bucketed evaluation cases against evaluation.json's config.
const cases = [];
for (let i = 0; i < 24; i++) {
  const id = `p-${i}`;
  const inside = bucket('payments_v2', id).bucket < 250_000;
  cases.push({
    name: `DE player ${id}: ${inside ? 'inside' : 'outside'} the 25 % rollout`,
    flag: 'payments_v2',
    env: 'prod',
    context: { user: { id }, market: 'DE', brand: 'Y' },
    expected: inside
      ? { value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 }
      : { value: false, variant: 'off', reason: 'DEFAULT' },
  });
}
for (let i = 0; i < 12; i++) {
  const id = `n-${i}`;
  const variant = bucket('lobby_layout', id).bucket < 500_000 ? 'classic' : 'grid';
  cases.push({
    name: `nordic player ${id} split to ${variant}`,
    flag: 'lobby_layout',
    env: 'prod',
    context: { user: { id }, market: 'SE' },
    expected: { value: variant, variant, reason: 'SPLIT', ruleIndex: 1 },
  });
}
for (let i = 0; i < 12; i++) {
  const sid = `s-${i}`;
  const inside = bucket('codec', sid).bucket < 500_000;
  cases.push({
    name: `session ${sid} with salt 'codec': ${inside ? 'inside' : 'outside'} 50 %`,
    flag: 'ws_codec_v2',
    env: 'dev',
    context: { appVersion: '2.4.0', session: { id: sid }, user: { id: 'same-user' } },
    expected: inside
      ? { value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 }
      : { value: false, variant: 'off', reason: 'DEFAULT' },
  });
}
cases.push({
  name: 'numeric stickiness value buckets as its decimal text',
  flag: 'payments_v2',
  env: 'prod',
  context: { user: { id: 7 }, market: 'SE' },
  expected:
    bucket('payments_v2', '7').bucket < 250_000
      ? { value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 }
      : { value: false, variant: 'off', reason: 'DEFAULT' },
});
writeFileSync(
  new URL('rollouts.json', here),
  `${JSON.stringify({ description: 'Bucketed evaluation cases over the config of evaluation.json, computed with a reference hash.', cases }, null, 2)}\n`,
);
console.log(`bucketing.json: ${bucketing.vectors.length} vectors; rollouts.json: ${cases.length} cases`);
