/** Pure formatting shared by the commands' human output. */

/** 1 SUI = 10^9 MIST. */
export const MIST_PER_SUI = 1_000_000_000n;
const SUI_DECIMALS = 9;
const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** MIST as SUI with up to 9 decimals, trailing zeros dropped: `1234n` → `0.000001234 SUI`. */
export function formatMist(mist: bigint): string {
  const sign = mist < 0n ? '-' : '';
  const magnitude = mist < 0n ? -mist : mist;
  const whole = magnitude / MIST_PER_SUI;
  const fraction = (magnitude % MIST_PER_SUI)
    .toString()
    .padStart(SUI_DECIMALS, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`} SUI`;
}

/** Bytes in binary units with two decimals (`1.50 KiB`); below 1 KiB in bytes (`512 B`). */
export function formatBytes(bytes: number | bigint): string {
  let value = Number(bytes);
  if (value < 1024) return `${value} B`;
  let unit = -1;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/** `label: value` lines with the values aligned. */
export function alignedLines(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`);
}

/** A plain text table: columns padded to their widest cell, two spaces apart. */
export function tableLines(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ');
  return [line(header), ...rows.map(line)];
}
