// go-units BytesSize (binary units, 4 significant digits: "1.5MiB") and
// HumanSizeWithPrecision (decimal units, as `stats` prints I/O: "1.23kB").

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

function scaled(bytes: number, base: number, units: string[], precision: number): string {
  let size = Math.max(0, bytes);
  let unit = 0;
  while (size >= base && unit < units.length - 1) {
    size /= base;
    unit++;
  }
  return `${Number(size.toPrecision(precision))}${units[unit]}`;
}

export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY, 4);
}

export function humanSizePrecision(bytes: number, precision: number): string {
  return scaled(bytes, 1000, DECIMAL, precision);
}
