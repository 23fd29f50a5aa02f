/**
 * LogScan: what controller output (log lines, /metrics pages) is checked for.
 *
 * Invariants:
 * - Every UUID-shaped string in every line given to `line()` or `text()` is remembered with where
 *   it was first seen (source and line number, never the line itself), so SecretIDs learnt only
 *   later (a token created after the line was written) are still caught at the end.
 * - A line reporting an unhandled promise rejection or an uncaught exception is a crash.
 * - Memory is bounded by the number of distinct UUIDs, not by the number of lines.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const CRASH = /unhandled promise rejection|uncaught exception|unhandledRejection|uncaughtException/i;

export class LogScan {
  readonly uuids = new Map<string, string>();
  readonly crashes: string[] = [];
  private readonly lineNumbers = new Map<string, number>();
  lines = 0;

  line(source: string, line: string): void {
    const number = (this.lineNumbers.get(source) ?? 0) + 1;
    this.lineNumbers.set(source, number);
    this.lines += 1;
    for (const match of line.matchAll(UUID)) {
      const uuid = match[0].toLowerCase();
      if (!this.uuids.has(uuid)) this.uuids.set(uuid, `${source} line ${number}`);
    }
    if (CRASH.test(line)) this.crashes.push(`${source} line ${number}: ${line.slice(0, 300)}`);
  }

  /** A whole page (a /metrics scrape), line by line. */
  text(source: string, text: string): void {
    for (const line of text.split('\n')) this.line(source, line);
  }
}
