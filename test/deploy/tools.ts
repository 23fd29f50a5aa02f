/**
 * Where the deployment tests find the repository and the optional linters that
 * scripts/setup-lint.sh installs. A missing linter skips its test locally and fails it under
 * CI=true, so a broken install step cannot turn into a silent green run.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/deploy). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export const LINT_VENV = join(
  process.env.ECS_ACL_CACHE ?? join(homedir(), '.cache', 'ecs-acl-controller'),
  'lint-venv',
);

/** The path of a linter from the lint venv; skips (or, with CI=true, fails) when it is absent. */
export function lintTool(context: Mocha.Context, name: string): string {
  const path = join(LINT_VENV, 'bin', name);
  if (existsSync(path)) return path;
  if (process.env.CI === 'true') {
    throw new Error(`${path} is missing: scripts/setup-lint.sh must run before the tests under CI`);
  }
  context.skip();
}
