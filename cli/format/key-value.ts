// "Key: value" lines with the values aligned, indented like `docker version`.

export function keyValueBlock(pairs: Array<[string, string]>, indent = 0): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  const pad = ' '.repeat(indent);
  return pairs.map(([k, v]) => `${pad}${`${k}:`.padEnd(width)}${v}\n`).join('');
}
