/**
 * The Dockerfile: static properties (stages, base image, user, health check, entrypoint, build
 * context), our own lint rules and hadolint, and an emulated build (see docker-build-emulator.ts)
 * whose runtime stage must start the CLI with nothing but production dependencies.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

import { type BuiltStage, emulateBuild, WORKDIR } from './docker-build-emulator.js';
import { lintStages } from './dockerfile-lint.js';
import { IMAGE_NODE_OPTIONS } from '../bench/harness/image-node-options.js';
import {
  execForm,
  parseCopy,
  parseDockerfile,
  parseEnv,
  readDockerfile,
  type Stage,
} from './dockerfile-model.js';
import { isIgnored, readDockerignore } from './dockerignore.js';
import { lintTool, REPO } from './tools.js';

const run = promisify(execFile);
const DOCKERFILE = join(REPO, 'Dockerfile');
const ENTRYPOINT = ['node', '/app/dist/controllers/cli/main.js'];

function only(stage: Stage, keyword: string): string {
  const found = stage.instructions.filter((instruction) => instruction.keyword === keyword);
  expect(found, `${keyword} instructions`).to.have.length(1);
  return (found[0] as { args: string }).args;
}

describe('Dockerfile', () => {
  const stages = readDockerfile(DOCKERFILE);
  const final = stages[stages.length - 1] as Stage;
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('parses ENV pairs whose quoted value holds spaces and equals signs, and the legacy form', () => {
    expect(parseEnv('A=1 NODE_OPTIONS="--x=96 --y=4" B=two')).to.deep.equal({
      A: '1',
      NODE_OPTIONS: '--x=96 --y=4',
      B: 'two',
    });
    expect(parseEnv('HOME /tmp')).to.deep.equal({ HOME: '/tmp' });
  });

  describe('static properties', () => {
    it('is multi-stage, every stage on the same pinned Node 22 image', () => {
      expect(stages.length).to.be.at.least(2);
      const images = new Set(stages.map((stage) => stage.image));
      expect([...images]).to.have.length(1);
      expect([...images][0]).to.match(/^node:22\.\d+\.\d+-bookworm-slim$/);
    });

    it('runs the final stage as a non-root numeric user', () => {
      const user = only(final, 'USER');
      expect(user).to.match(/^\d+(:\d+)?$/);
      expect(Number(user.split(':')[0])).to.be.greaterThan(0);
    });

    it('has an exec-form ENTRYPOINT that is the CLI, and exposes the ops port 8080', () => {
      expect(execForm(only(final, 'ENTRYPOINT'))).to.deep.equal(ENTRYPOINT);
      expect(only(final, 'EXPOSE')).to.equal('8080');
    });

    it('health-checks /healthz on port 8080 with node alone', () => {
      const healthcheck = only(final, 'HEALTHCHECK');
      const command = execForm((/\bCMD\s+(.*)$/.exec(healthcheck) as RegExpExecArray)[1] as string);
      expect(command?.slice(0, 2)).to.deep.equal(['node', '-e']);
      expect(command?.[2]).to.include('http://127.0.0.1:8080/healthz');
    });

    it('keeps npm out of the final stage, and dev dependencies out of the stage it copies modules from', () => {
      expect(final.instructions.map((instruction) => instruction.keyword)).not.to.include('RUN');
      const copies = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => parseCopy(i.args));
      const modules = copies.find((copy) => copy.sources.includes('/app/node_modules'));
      const source = stages.find((stage) => stage.name === modules?.from) as Stage;
      expect(source, 'stage providing node_modules').to.not.equal(undefined);
      expect(only(source, 'RUN')).to.match(/^npm ci .*--omit=dev/);
      expect(copies.flatMap((copy) => copy.sources).sort()).to.deep.equal(
        [
          '/app/dist/controllers',
          '/app/dist/envtest',
          '/app/dist/src',
          '/app/node_modules',
          'package.json',
        ].sort(),
      );
    });

    it('points HOME and the npm cache at /tmp in the final stage (read-only root filesystem)', () => {
      const env = final.instructions
        .filter((i) => i.keyword === 'ENV')
        .map((i) => i.args)
        .join(' ');
      expect(env).to.match(/\bHOME=\/tmp\b/);
      expect(env).to.match(/\bnpm_config_cache=\/tmp\//);
      expect(env).to.match(/\bNODE_ENV=production\b/);
    });

    it("sets the V8 options the benchmark runs our controller with (the image's heap cap)", () => {
      const env = final.instructions
        .filter((i) => i.keyword === 'ENV')
        .map((i) => i.args)
        .join(' ');
      expect(env).to.include(`NODE_OPTIONS="${IMAGE_NODE_OPTIONS}"`);
    });

    it('has a .dockerignore that admits every COPY source and keeps out build outputs and secrets', () => {
      const ignore = readDockerignore(join(REPO, '.dockerignore'));
      const sources = stages
        .flatMap((stage) => stage.instructions)
        .filter((i) => i.keyword === 'COPY')
        .map((i) => parseCopy(i.args))
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources);
      expect(sources).to.include.members(['src', 'controllers', 'envtest', 'package-lock.json']);
      for (const source of sources) expect(isIgnored(source, ignore), source).to.equal(false);
      for (const path of ['node_modules', 'dist', '.git', 'coverage', 'test', '.env', 'config']) {
        expect(isIgnored(path, ignore), path).to.equal(true);
      }
    });
  });

  describe('lint', () => {
    it('passes our own rules', () => {
      expect(lintStages(stages)).to.deep.equal([]);
    });

    it('our rules catch a bad Dockerfile', () => {
      const bad = parseDockerfile(
        [
          'FROM node:latest',
          'RUN apt-get install curl && npm install',
          'ADD . /app',
          'WORKDIR app',
          'ENTRYPOINT node main.js',
          'USER root',
        ].join('\n'),
      );
      const rules = lintStages(bad).map((finding) => finding.split(': ')[1]);
      expect(rules).to.have.members([
        'pinned-base',
        'node-22',
        'npm-ci',
        'apt-no-recommends',
        'apt-yes',
        'copy-not-add',
        'absolute-workdir',
        'exec-form',
        'non-root',
      ]);
    });

    it('passes hadolint, which does flag a bad Dockerfile', async function () {
      const hadolint = lintTool(this, 'hadolint');
      const clean = await run(hadolint, ['--no-color', DOCKERFILE]);
      expect(clean.stdout).to.equal('');
      const dir = mkdtempSync(join(tmpdir(), 'hadolint-'));
      try {
        const bad = join(dir, 'Dockerfile');
        writeFileSync(bad, 'FROM node:latest\nRUN npm install\n');
        const failed = await run(hadolint, ['--no-color', bad]).then(
          () => undefined,
          (error: { code?: number; stdout?: string }) => error,
        );
        expect(failed?.code).to.equal(1);
        expect(failed?.stdout).to.include('DL3007');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('emulated build', function () {
    this.timeout(60_000);
    let out: string;
    let built: BuiltStage[];
    let runtime: BuiltStage;

    function tree(dir: string): string[] {
      return readdirSync(dir, { recursive: true, withFileTypes: false })
        .map(String)
        .map((path) => `${path} ${statSync(join(dir, path)).mtimeMs}`)
        .sort();
    }

    async function start(...args: string[]) {
      const [file, script] = ENTRYPOINT as [string, string];
      const home = mkdtempSync(join(tmpdir(), 'home-'));
      try {
        return await run(file, [join(runtime.dir, relative(WORKDIR, script)), ...args], {
          cwd: runtime.dir,
          env: { PATH: process.env.PATH ?? '', ...runtime.env, HOME: home },
        });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }

    before(async () => {
      out = mkdtempSync(join(tmpdir(), 'docker-build-'));
      built = await emulateBuild(stages, REPO, readDockerignore(join(REPO, '.dockerignore')), out);
      runtime = built[built.length - 1] as BuiltStage;
    });
    after(() => {
      if (out) rmSync(out, { recursive: true, force: true });
    });

    it('ran npm ci in the build and deps stages, and tsc in the build stage', () => {
      const commands = built.flatMap((stage) => stage.commands.map((command) => `${stage.name}: ${command}`));
      expect(commands.some((c) => /^build: npm ci\b/.test(c))).to.equal(true);
      expect(commands.some((c) => /^build: npx tsc\b/.test(c))).to.equal(true);
      expect(commands.some((c) => /^deps: npm ci .*--omit=dev/.test(c))).to.equal(true);
    });

    it('leaves exactly package.json, node_modules and dist/{src,controllers,envtest} in the runtime stage', () => {
      expect(readdirSync(runtime.dir).sort()).to.deep.equal(['dist', 'node_modules', 'package.json']);
      expect(readdirSync(join(runtime.dir, 'dist')).sort()).to.deep.equal(['controllers', 'envtest', 'src']);
    });

    it('has every production dependency and no dev dependency in the runtime node_modules', () => {
      const modules = join(runtime.dir, 'node_modules');
      for (const name of Object.keys(pkg.dependencies)) {
        expect(statSync(join(modules, name)).isDirectory(), name).to.equal(true);
      }
      const present = readdirSync(modules).flatMap((entry) =>
        entry.startsWith('@') ? readdirSync(join(modules, entry)).map((sub) => `${entry}/${sub}`) : [entry],
      );
      expect(present).not.to.include.members(['typescript']);
      for (const name of Object.keys(pkg.devDependencies)) expect(present, name).not.to.include(name);
    });

    it('starts the ENTRYPOINT: --help prints the commands and exits 0, without writing to /app', async () => {
      const before = tree(runtime.dir);
      const { stdout } = await start('--help');
      expect(stdout).to.match(/^Usage: ecs-acl-controller <command>/);
      expect(stdout).to.include('acl-controller');
      expect(tree(runtime.dir)).to.deep.equal(before);
    });

    it("answers the Terraform module's command: `acl-controller -help` lists its flags, exit 0", async () => {
      const { stdout } = await start('acl-controller', '-help');
      expect(stdout).to.include('Usage: ecs-acl-controller acl-controller [flags]');
      for (const flag of [
        '-consul-client-secret-arn',
        '-secret-name-prefix',
        '-partitions-enabled',
        '-partition',
      ]) {
        expect(stdout).to.include(`  ${flag}`);
      }
    });

    it('refuses `acl-controller` without its required flags with exit 2', async () => {
      const failed = await start('acl-controller').then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failed?.code).to.equal(2);
      expect(failed?.stderr).to.match(/flag -[a-z-]+ is required/);
    });
  });
});
