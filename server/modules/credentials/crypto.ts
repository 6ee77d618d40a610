import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

/**
 * AES-256-GCM with a random 96-bit nonce per value. The key is derived from ENCRYPTION_KEY with HKDF; its id
 * (a short hash of the derived key) is stored beside each ciphertext, so values sealed under an older key can be
 * found and re-sealed when the key is rotated.
 */
export interface SealingKey {
  id: string;
  key: Buffer;
}

export function deriveSealingKey(secret: string): SealingKey {
  const key = Buffer.from(hkdfSync("sha256", secret, "echos", "echos/credentials/aes-256-gcm", 32));
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 12), key };
}

export function seal(plaintext: string, { key }: SealingKey, associatedData: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [nonce, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
}

export function open(sealed: string, { key }: SealingKey, associatedData: string): string {
  const [nonce, ciphertext, tag] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
  if (!nonce || !ciphertext || !tag) throw new Error("Malformed sealed value");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
}
