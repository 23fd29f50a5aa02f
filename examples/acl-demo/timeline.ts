/**
 * The demo's timeline printer: story lines and the controller's own log records, as readable
 * lines stamped with the time since the demo started. Only changes are shown, not debug noise.
 */
const startedAt = performance.now();

function stamp(): string {
  return `+${((performance.now() - startedAt) / 1000).toFixed(2)}s`.padStart(8);
}

export function say(text: string): void {
  console.log(`${stamp()}  ${text}`);
}

const SHOWN_FIELDS = [
  'controller',
  'service',
  'accessorId',
  'reason',
  'error',
  'absentForMs',
  'policy',
  'secretName',
];

/** A log sink that turns the controller's JSON lines into timeline lines. */
export function timelineSink(line: string): void {
  const record = JSON.parse(line) as Record<string, unknown>;
  if (record.level === 'debug') return;
  const details = SHOWN_FIELDS.filter((field) => record[field] !== undefined)
    .map((field) => {
      const value = record[field];
      return `${field}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
    })
    .join(' ');
  console.log(`${stamp()}    controller: ${String(record.msg)}${details ? `  (${details})` : ''}`);
}
