/**
 * Where the deployment tests find the repository and the optional linters that
 * scripts/setup-lint.sh installs (terraform: the one on PATH, else the one it built into the
 * cache). A missing linter skips its test locally and fails it under CI=true, so a broken install
 * step cannot turn into a silent green run.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/deploy). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const CACHE = process.env.ECS_ACL_CACHE ?? join(homedir(), '.cache', 'ecs-acl-controller');

export const LINT_VENV = join(CACHE, 'lint-venv');

/** The path of a linter from the lint venv; skips (or, with CI=true, fails) when it is absent. */
export function lintTool(context: Mocha.Context, name: string): string {
  return found(context, join(LINT_VENV, 'bin', name), name);
}

/** terraform from PATH, else the one scripts/setup-lint.sh built; skips (or fails under CI). */
export function terraformTool(context: Mocha.Context): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'terraform'))) return join(dir, 'terraform');
  }
  return found(context, join(CACHE, 'terraform', 'bin', 'terraform'), 'terraform');
}

function found(context: Mocha.Context, path: string, name: string): string {
  if (existsSync(path)) return path;
  if (process.env.CI === 'true') {
    throw new Error(`${name} (${path}) is missing: scripts/setup-lint.sh must run before the tests under CI`);
  }
  context.skip();
}
