/**
 * The bench's NFT collection: for each token a JSON metadata file of about 1 KiB and an image of
 * 10–60 KiB (PNG or JPEG magic, then deterministic pseudo-random bytes, as incompressible as real
 * image data), so every run stores the same bytes. Identifiers are `metadata/<i>.json` and
 * `images/<i>.png|jpg`, tagged with their content type.
 */

export const IMAGE_BYTES_MIN = 10 * 1024;
export const IMAGE_BYTES_MAX = 60 * 1024;
/** The JSON is padded with a hex `dna` field to about this size. */
const JSON_BYTES_TARGET = 1024;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff, 0xe0];

export interface CollectionFile {
  readonly identifier: string;
  readonly data: Uint8Array;
  readonly tags: Readonly<Record<string, string>>;
  readonly kind: 'json' | 'image';
}

/** xorshift32 from a seed: fast, deterministic, not for anything that needs real randomness. */
function seeded(seed: number): () => number {
  let x = (seed * 0x9e3779b9) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function image(token: number): CollectionFile {
  const next = seeded(token + 1);
  const size = IMAGE_BYTES_MIN + (next() % (IMAGE_BYTES_MAX - IMAGE_BYTES_MIN + 1));
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = next() & 0xff;
  const jpeg = token % 3 === 0;
  data.set(jpeg ? JPEG_MAGIC : PNG_MAGIC);
  return {
    identifier: `images/${token}.${jpeg ? 'jpg' : 'png'}`,
    data,
    tags: { 'content-type': jpeg ? 'image/jpeg' : 'image/png' },
    kind: 'image',
  };
}

function metadata(token: number, imageIdentifier: string): CollectionFile {
  const next = seeded(100_000 + token);
  const base = {
    name: `Walrus Edge #${token}`,
    description: 'A bench token of the walrus-edge quilt bench.',
    image: imageIdentifier,
    attributes: [
      { trait_type: 'background', value: ['sea', 'ice', 'sand', 'night'][next() % 4] },
      { trait_type: 'tusks', value: next() % 3 },
      { trait_type: 'rarity', value: next() % 100 < 5 ? 'rare' : 'common' },
    ],
    dna: '',
  };
  const padding = Math.max(0, JSON_BYTES_TARGET - JSON.stringify(base).length);
  let dna = '';
  while (dna.length < padding) dna += next().toString(16).padStart(8, '0');
  const data = new TextEncoder().encode(JSON.stringify({ ...base, dna: dna.slice(0, padding) }));
  return {
    identifier: `metadata/${token}.json`,
    data,
    tags: { 'content-type': 'application/json' },
    kind: 'json',
  };
}

/** `files` files (even): a JSON and an image per token. */
export function nftCollection(files: number): CollectionFile[] {
  const out: CollectionFile[] = [];
  for (let token = 0; token < files / 2; token++) {
    const picture = image(token);
    out.push(metadata(token, picture.identifier), picture);
  }
  return out;
}
