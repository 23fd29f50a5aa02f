/**
 * A small Dockerfile reader for the deployment tests: joins continuation lines, drops comments
 * and parser directives, and groups instructions into stages. It understands the subset our
 * Dockerfile uses (FROM … AS, WORKDIR, ENV, COPY [--from], RUN, USER, …); anything it cannot
 * read is reported as an error rather than guessed.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly line: number;
  readonly instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const start = index + 1;
    let logical = lines[index] as string;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (logical.endsWith('\\')) {
      logical = logical.slice(0, -1);
      index++;
      if (index >= lines.length) throw new Error(`line ${start}: continuation at end of file`);
      const next = lines[index] as string;
      if (!/^\s*#/.test(next)) logical += ' ' + next.trim();
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (!match) throw new Error(`line ${start}: cannot read "${logical}"`);
    const instruction = {
      keyword: (match[1] as string).toUpperCase(),
      args: (match[2] as string).trim(),
      line: start,
    };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`line ${start}: cannot read FROM "${instruction.args}"`);
      stages.push({ image: from[1] as string, name: from[2], line: start, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${start}: ${instruction.keyword} before FROM`);
    } else {
      (stages[stages.length - 1] as Stage).instructions.push(instruction);
    }
  }
  return stages;
}

export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** The JSON (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) return undefined;
  return parsed as string[];
}

export interface CopySpec {
  readonly from: string | undefined;
  readonly sources: string[];
  readonly dest: string;
}

export function parseCopy(args: string): CopySpec {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() as string;
    const fromMatch = /^--from=(.+)$/.exec(flag);
    if (fromMatch) from = fromMatch[1];
    else if (!/^--(chown|chmod|link)/.test(flag)) throw new Error(`unsupported COPY flag ${flag}`);
  }
  if (words.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: words.slice(0, -1), dest: words[words.length - 1] as string };
}

/** ENV in either the `KEY=value …` or the legacy `KEY value` form. */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!args.includes('=')) {
    const [key, ...rest] = args.split(/\s+/);
    env[key as string] = rest.join(' ');
    return env;
  }
  for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
    const at = pair.indexOf('=');
    env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, '$1');
  }
  return env;
}
