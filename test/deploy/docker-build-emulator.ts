/**
 * Emulates `docker build` of our Dockerfile without a Docker engine: each stage gets a directory
 * standing for its WORKDIR (/app), COPY copies from the build context (honouring .dockerignore)
 * or from an earlier stage's directory, and RUN runs its `&&`-joined commands there.
 *
 * Invariants and the two documented departures from a real build:
 * - A plain `npm ci` (the build stage's, with dev dependencies) is replaced by a symlink to the
 *   repository's node_modules, which `npm ci` in .ci/run installed from the same lockfile.
 * - `npm ci --omit=dev` really runs, with `--prefer-offline` added and npm's default cache (warmed by
 *   that same `npm ci`) instead of the image's /tmp/.npm: the registry is asked only for what the
 *   cache lacks (npm 11 records no download URLs in the lockfile).
 * - Only WORKDIR /app is supported, and any instruction it does not understand throws.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

import { type Stage, parseCopy, parseEnv } from './dockerfile-model.js';
import { isIgnored } from './dockerignore.js';

const run = promisify(execFile);
export const WORKDIR = '/app';

export interface BuiltStage {
  readonly name: string;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly commands: string[];
}

export async function emulateBuild(
  stages: readonly Stage[],
  context: string,
  ignore: readonly string[],
  out: string,
): Promise<BuiltStage[]> {
  const built: BuiltStage[] = [];
  for (const [index, stage] of stages.entries()) {
    const name = stage.name ?? String(index);
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    const result: BuiltStage = { name, dir, env: {}, commands: [] };
    for (const { keyword, args, line } of stage.instructions) {
      const where = `Dockerfile line ${line}`;
      switch (keyword) {
        case 'WORKDIR':
          if (args !== WORKDIR) throw new Error(`${where}: only WORKDIR ${WORKDIR} is emulated`);
          break;
        case 'ENV':
          Object.assign(result.env, parseEnv(args));
          break;
        case 'COPY': {
          const copy = parseCopy(args);
          const from = copy.from === undefined ? undefined : built.find((s) => s.name === copy.from);
          if (copy.from !== undefined && !from) throw new Error(`${where}: unknown stage ${copy.from}`);
          const dest = join(dir, copy.dest.startsWith('/') ? relative(WORKDIR, copy.dest) : copy.dest);
          for (const source of copy.sources) {
            let path: string;
            if (from) {
              if (!source.startsWith(WORKDIR + '/'))
                throw new Error(`${where}: ${source} is outside ${WORKDIR}`);
              path = join(from.dir, relative(WORKDIR, source));
            } else {
              if (isIgnored(source, ignore))
                throw new Error(`${where}: ${source} is excluded by .dockerignore`);
              path = join(context, source);
            }
            if (!existsSync(path)) throw new Error(`${where}: COPY source ${source} does not exist`);
            const target =
              copy.sources.length > 1 || copy.dest.endsWith('/')
                ? join(dest, source.split('/').pop() as string)
                : dest;
            cpSync(path, target, { recursive: true, verbatimSymlinks: true });
          }
          break;
        }
        case 'RUN':
          for (const command of args.split('&&').map((part) => part.trim())) {
            result.commands.push(command);
            await runStep(command, dir, context, result.env, where);
          }
          break;
        case 'USER':
        case 'EXPOSE':
        case 'HEALTHCHECK':
        case 'ENTRYPOINT':
        case 'CMD':
        case 'LABEL':
          break;
        default:
          throw new Error(`${where}: ${keyword} is not emulated`);
      }
    }
    built.push(result);
  }
  return built;
}

async function runStep(
  command: string,
  dir: string,
  context: string,
  env: Record<string, string>,
  where: string,
): Promise<void> {
  const words = command.split(/\s+/);
  if (words[0] === 'npm' && words[1] === 'ci') {
    if (!words.includes('--omit=dev')) {
      symlinkSync(join(context, 'node_modules'), join(dir, 'node_modules'), 'dir');
      return;
    }
    const { npm_config_cache: _imageCache, ...rest } = env;
    await exec('npm', [...words.slice(1), '--prefer-offline'], dir, rest, where);
    return;
  }
  await exec('sh', ['-c', command], dir, env, where);
}

async function exec(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  where: string,
): Promise<void> {
  try {
    await run(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${where}: ${file} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, {
      cause: error,
    });
  }
}
