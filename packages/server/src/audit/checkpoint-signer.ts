import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PitbossError } from '../errors.js';

/** The environment variable holding the Ed25519 signing key: PKCS#8 PEM text, or the path of a PEM file. */
export const SIGNING_KEY_ENV = 'PITBOSS_AUDIT_SIGNING_KEY';

/** What a checkpoint signature covers. */
export interface CheckpointHead {
  readonly size: number;
  /** Hex. */
  readonly rootHash: string;
  readonly at: string;
}

/** Signs checkpoints with one Ed25519 key. */
export interface CheckpointSigner {
  /** SHA-256 of the public key's SPKI DER encoding, hex: `openssl pkey -pubout -outform DER | sha256sum`. */
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** SPKI PEM, as served by GET /api/v1/audit/public-key. */
  readonly publicKeyPem: string;
  /** Base64 Ed25519 signature of `checkpointBody(head)`. */
  sign(head: CheckpointHead): string;
}

/**
 * The exact bytes a checkpoint signature covers: four newline-terminated lines — a fixed origin that keeps a
 * Pitboss signature from being replayed as anything else, the size in decimal, the root hash in lowercase hex,
 * and the time. The layout follows the C2SP tlog-checkpoint note (origin, size, root, extension lines), with hex
 * instead of base64 so it matches every other hash Pitboss shows.
 */
export function checkpointBody(head: CheckpointHead): Buffer {
  return Buffer.from(`pitboss-audit-checkpoint/v1\n${head.size}\n${head.rootHash}\n${head.at}\n`, 'utf8');
}

/** Whether `signature` (base64) is an Ed25519 signature of the head by `publicKey`. Never throws. */
export function verifyCheckpointSignature(
  head: CheckpointHead,
  signature: string,
  publicKey: KeyObject,
): boolean {
  try {
    return verify(null, checkpointBody(head), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The key id of a public key (see `CheckpointSigner.keyId`). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * A signer from a PKCS#8 PEM (its text, or a path to it); `\n` escapes are accepted because environment
 * variables rarely carry real newlines. Refuses anything but an Ed25519 private key.
 */
export function loadSigner(value: string): CheckpointSigner {
  const text = value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : readKeyFile(value);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch (e) {
    throw new PitbossError('BAD_REQUEST', `${SIGNING_KEY_ENV} is not a PKCS#8 PEM private key`, undefined, {
      cause: e,
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new PitbossError(
      'BAD_REQUEST',
      `${SIGNING_KEY_ENV} must be an Ed25519 key, not ${privateKey.asymmetricKeyType ?? 'a symmetric key'} (openssl genpkey -algorithm ed25519)`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (head) => sign(null, checkpointBody(head), privateKey).toString('base64'),
  };
}

let cached: { value: string; signer: CheckpointSigner } | undefined;

/** The signer `PITBOSS_AUDIT_SIGNING_KEY` configures, or undefined (unsigned checkpoints). Loaded once per value. */
export function signerFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointSigner | undefined {
  const value = env[SIGNING_KEY_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  if (cached?.value !== value) cached = { value, signer: loadSigner(value) };
  return cached.signer;
}

/** A public key from SPKI PEM text (what GET /api/v1/audit/public-key serves), for `verifyAudit`. */
export function loadPublicKey(pem: string): KeyObject {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // Reported below, with the one message that says what is expected.
  }
  throw new PitbossError('BAD_REQUEST', 'the public key must be an Ed25519 SPKI PEM');
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new PitbossError(
      'BAD_REQUEST',
      `${SIGNING_KEY_ENV}: cannot read '${path}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}
