// Raw tar archives built byte by byte for the native extraction tests: any
// header field, PAX records with binary values, GNU long names, and the
// malformed archives a hostile registry could send.
export interface RawEntry {
  name: string;
  /** tar type flag: '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, 'x' PAX, 'L'/'K' GNU long names */
  type?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** seconds */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  data?: Buffer | string;
  /** ustar prefix field (name is the rest) */
  prefix?: string;
  /** raw 12 bytes for the size field (e.g. base-256) */
  rawSize?: Buffer;
  /** corrupt the checksum */
  badChecksum?: boolean;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function header(e: RawEntry): Buffer {
  const b = Buffer.alloc(512);
  const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data ?? Buffer.alloc(0);
  b.write(e.name, 0, 100, 'utf8');
  b.write(octal(e.mode ?? 0o644, 8), 100, 'ascii');
  b.write(octal(e.uid ?? 0, 8), 108, 'ascii');
  b.write(octal(e.gid ?? 0, 8), 116, 'ascii');
  if (e.rawSize) e.rawSize.copy(b, 124);
  else b.write(octal(e.size ?? data.length, 12), 124, 'ascii');
  b.write(octal(e.mtime ?? 1_600_000_000, 12), 136, 'ascii');
  b.write(e.type ?? '0', 156, 'ascii');
  b.write(e.linkname ?? '', 157, 100, 'utf8');
  b.write('ustar\0', 257, 'ascii');
  b.write('00', 263, 'ascii');
  b.write(octal(e.devmajor ?? 0, 8), 329, 'ascii');
  b.write(octal(e.devminor ?? 0, 8), 337, 'ascii');
  if (e.prefix) b.write(e.prefix, 345, 155, 'utf8');
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const c of b) sum += c;
  if (e.badChecksum) sum += 1;
  b.write(octal(sum, 7) + ' ', 148, 'ascii');
  return b;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** One entry: header and padded data. */
export function entry(e: RawEntry): Buffer {
  const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data ?? Buffer.alloc(0);
  return Buffer.concat([header(e), padded(data)]);
}

/** A PAX extended header entry from records (values may be binary). */
export function pax(records: [string, string | Buffer][]): Buffer {
  const body = Buffer.concat(records.map(([k, v]) => {
    const rest = Buffer.concat([Buffer.from(` ${k}=`), Buffer.from(v), Buffer.from('\n')]);
    let len = rest.length + 1;
    while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
    return Buffer.concat([Buffer.from(String(len)), rest]);
  }));
  return entry({ name: 'PaxHeader', type: 'x', data: body });
}

/** A GNU long name ('L') or long link ('K') entry. */
export function gnuLong(type: 'L' | 'K', value: string): Buffer {
  return entry({ name: '././@LongLink', type, data: Buffer.concat([Buffer.from(value), Buffer.from([0])]) });
}

export const END = Buffer.alloc(1024);

export function archive(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, END]);
}
