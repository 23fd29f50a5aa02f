/**
 * The three wings' layout rules, checked on the real sources:
 * - the lint rule `wings/boundaries` (scripts/lint/wing-boundaries.js) rejects each wrong arrow
 *   and accepts the allowed ones, so a wrong import fails `npm run lint` in CI;
 * - no import cycles between files of src/, controllers/ or envtest/, and none between the folders
 *   of src/ and controllers/.
 */
import { expect } from 'chai';
import { type ESLint, Linter } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

import { cycles, folderGraph, importGraph, REPO } from './import-graph.js';

const RULE = new URL('../../../scripts/lint/wing-boundaries.js', import.meta.url).href;
const rulePlugin = ((await import(RULE)) as { default: ESLint.Plugin }).default;

function lint(file: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat', cwd: REPO });
  const config: Linter.Config[] = [
    { files: ['**/*.ts'], plugins: { wings: rulePlugin }, rules: { 'wings/boundaries': 'error' } },
  ];
  return linter.verify(code, config, { filename: join(REPO, file) }).map((message) => message.message);
}

describe('layout: the three wings', () => {
  describe('the wings/boundaries lint rule', () => {
    const wrong: Array<[string, string]> = [
      ['src/aws/x.ts', "import { a } from '../../controllers/domain/service-ref.js';"],
      ['src/cache/x.ts', "export { a } from '../../envtest/index.js';"],
      ['src/x.ts', "const m = await import('../test/helpers/x.js');"],
      ['envtest/ecs/x.ts', "import { a } from '../../src/cache/informer.js';"],
      ['envtest/x.ts', "import { a } from '../controllers/domain/mesh-task.js';"],
      ['controllers/module/x.ts', "import { a } from '../../envtest/index.js';"],
      ['controllers/cli/main.ts', "import { a } from '../../envtest/ecs/server.js';"],
      ['controllers/x.ts', "export * from '../examples/task-census/task.js';"],
    ];
    for (const [file, code] of wrong) {
      it(`rejects ${file}: ${code}`, () => {
        const messages = lint(file, code);
        expect(messages).to.have.length(1);
        expect(messages[0]).to.match(/may not import/);
      });
    }

    const allowed: Array<[string, string]> = [
      ['src/aws/x.ts', "import { a } from '../cache/informer.js';"],
      ['envtest/ecs/x.ts', "import { a } from '../../src/time/clock.js';"],
      ['envtest/x.ts', "import { a } from '../src/net/http.js';"],
      ['controllers/module/x.ts', "import { a } from '../../src/manager/manager.js';"],
      ['controllers/cli/envtest-command.ts', "import { a } from '../../envtest/index.js';"],
      ['test/acl/x.ts', "import { a } from '../../envtest/index.js';"],
      ['src/x.ts', "import { Subject } from 'rxjs';"],
    ];
    for (const [file, code] of allowed) {
      it(`accepts ${file}: ${code}`, () => {
        expect(lint(file, code)).to.deep.equal([]);
      });
    }

    it('finds no wrong arrow in the real sources of src/, controllers/ and envtest/', () => {
      const files = [...importGraph(['src', 'controllers', 'envtest']).keys()];
      expect(files.length).to.be.greaterThan(200);
      const linter = new Linter({ configType: 'flat', cwd: REPO });
      const config: Linter.Config[] = [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser as Linter.Parser },
          plugins: { wings: rulePlugin },
          rules: { 'wings/boundaries': 'error' },
        },
      ];
      const wrong = files.flatMap((file) =>
        linter
          .verify(readFileSync(join(REPO, file), 'utf8'), config, { filename: join(REPO, file) })
          // Only this rule's findings: other rules named in the sources' disable comments are not loaded.
          .filter((message) => message.ruleId === 'wings/boundaries' || message.fatal)
          .map((message) => `${file}:${message.line}: ${message.message}`),
      );
      expect(wrong).to.deep.equal([]);
    });
  });

  describe('import cycles', () => {
    const graph = importGraph(['src', 'controllers']);

    it('reads the real sources (the graph is not empty)', () => {
      expect(graph.size).to.be.greaterThan(100);
      expect(graph.get('controllers/cli/main.ts')).to.include('controllers/cli/commands.ts');
    });

    it('has no cycle between files of src/ and controllers/', () => {
      expect(cycles(graph)).to.deep.equal([]);
    });

    it('has no cycle between files of envtest/', () => {
      expect(cycles(importGraph(['envtest']))).to.deep.equal([]);
    });

    it('has no cycle between folders of src/ and controllers/', () => {
      expect(cycles(folderGraph(graph))).to.deep.equal([]);
    });

    it('finds a cycle when there is one (the checker itself)', () => {
      const looped = new Map([
        ['a/x.ts', ['b/y.ts']],
        ['b/y.ts', ['a/x.ts']],
      ]);
      expect(cycles(looped)).to.deep.equal([['a/x.ts', 'b/y.ts']]);
      expect(cycles(folderGraph(looped))).to.deep.equal([['a', 'b']]);
    });
  });

  describe('the public surface (package export ".")', () => {
    it('exports the generic ECS informers and listers, and nothing of the ACL product', async () => {
      const surface = (await import('../../src/index.js')) as Record<string, unknown>;
      for (const name of [
        'createEcsTaskInformer',
        'EcsTaskLister',
        'createEcsServiceInformer',
        'EcsServiceLister',
      ]) {
        expect(surface[name], name).to.be.a('function');
      }
      expect(Object.keys(surface).filter((name) => /mesh|acl|token/i.test(name))).to.deep.equal([]);
    });
  });
});
