// Column layout like Docker's tabwriter (min width 10, padding 3); the last column is not padded.

const MIN_WIDTH = 10;
const PADDING = 3;

export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) =>
    Math.max(MIN_WIDTH, ...all.map((row) => [...(row[col] ?? '')].length + PADDING)));
  const last = header.length - 1;
  return all
    .map((row) => row.map((cell, col) => (col === last ? cell : cell.padEnd(widths[col] + cell.length - [...cell].length))).join(''))
    .map((line) => line.trimEnd() + '\n')
    .join('');
}
