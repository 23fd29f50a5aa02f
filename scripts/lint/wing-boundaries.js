/**
 * ESLint rule `wings/boundaries`: the import arrows between the three wings of the repository.
 *
 * - `src/` (the framework and generic adapters) imports only `src/`.
 * - `envtest/` (the emulators) imports `envtest/`, and of the framework only `src/time` and
 *   `src/net`.
 * - `controllers/` (the ACL product) imports `controllers/` and `src/`; of `envtest/` only the
 *   one command that starts the emulators (`controllers/cli/envtest-command.ts`) may.
 * - No wing imports `test/` or `examples/`.
 *
 * Each relative import (static, dynamic and `export … from`) is resolved against the importing
 * file, so `../../controllers/x.js` from `src/aws/` is caught however many `..` it takes.
 * Package imports (`rxjs`, `node:fs`) are not this rule's business.
 */
import path from 'node:path';
import { fileURLToPath, URL } from 'node:url';

/** The repository root: this file is scripts/lint/wing-boundaries.js. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const WINGS = ['src', 'controllers', 'envtest', 'test', 'examples'];

const ALLOWED = {
  src: (target) => target.wing === 'src',
  envtest: (target) =>
    target.wing === 'envtest' || (target.wing === 'src' && ['time', 'net'].includes(target.folder)),
  controllers: (target, source) =>
    target.wing === 'controllers' ||
    target.wing === 'src' ||
    (target.wing === 'envtest' && source.rest === 'cli/envtest-command.ts'),
};

const WHY = {
  src: 'src/ is the framework: it imports only src/',
  envtest: 'envtest/ imports only envtest/, src/time and src/net',
  controllers:
    'controllers/ imports controllers/ and src/; only controllers/cli/envtest-command.ts may import envtest/',
};

/** The wing, first folder inside it, and the rest of a repository-relative path. */
function locate(root, file) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  const [wing, ...rest] = relative.split('/');
  if (!WINGS.includes(wing)) return undefined;
  return { wing, folder: rest.length > 1 ? rest[0] : '', rest: rest.join('/') };
}

export const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep the import arrows between src/, controllers/ and envtest/ one-way.' },
    schema: [],
    messages: { wrongArrow: '{{from}} may not import {{to}}: {{why}}.' },
  },
  create(context) {
    const source = locate(ROOT, context.filename);
    if (!source || !(source.wing in ALLOWED)) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = locate(ROOT, path.resolve(path.dirname(context.filename), spec));
      if (!target || ALLOWED[source.wing](target, source)) return;
      context.report({
        node: node.source,
        messageId: 'wrongArrow',
        data: {
          from: `${source.wing}/${source.rest}`,
          to: `${target.wing}/${target.rest}`,
          why: WHY[source.wing],
        },
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { boundaries } };
