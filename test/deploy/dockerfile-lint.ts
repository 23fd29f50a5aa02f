/**
 * Our own Dockerfile rules, run in addition to hadolint (which covers far more, when installed).
 * Each rule returns findings as `line N: RULE: message`; an empty list means clean. The rules
 * are ones hadolint also has in some form, plus the project's own (Node 22, non-root, npm ci).
 */
import { execForm, type Stage } from './dockerfile-model.js';

export function lintStages(stages: readonly Stage[]): string[] {
  const findings: string[] = [];
  const names = new Set(stages.map((stage) => stage.name).filter(Boolean));
  for (const stage of stages) {
    const fromLine = stage.line;
    if (!names.has(stage.image)) {
      const tag = /^[^@:]+(?::([^@]+))?/.exec(stage.image)?.[1];
      if ((tag === undefined || tag === 'latest') && !stage.image.includes('@sha256:')) {
        findings.push(`line ${fromLine}: pinned-base: "${stage.image}" has no pinned tag`);
      }
      if (!/^node:22(\.\d+){0,2}(-|$)/.test(stage.image)) {
        findings.push(`line ${fromLine}: node-22: "${stage.image}" is not a Node 22 LTS image`);
      }
    }
    for (const { keyword, args, line } of stage.instructions) {
      if (keyword === 'RUN') {
        if (/\bnpm (install|i)\b/.test(args))
          findings.push(`line ${line}: npm-ci: use "npm ci", not npm install`);
        if (/apt-get install/.test(args) && !/--no-install-recommends/.test(args)) {
          findings.push(`line ${line}: apt-no-recommends: apt-get install without --no-install-recommends`);
        }
        if (/apt-get install/.test(args) && !/-y\b|--yes\b/.test(args)) {
          findings.push(`line ${line}: apt-yes: apt-get install without -y`);
        }
        if (/\bsudo\b/.test(args)) findings.push(`line ${line}: no-sudo: sudo in RUN`);
        if (/\b(curl|wget)\b.*\|\s*(ba)?sh\b/.test(args))
          findings.push(`line ${line}: no-pipe-to-shell: downloads piped to a shell`);
      }
      if (keyword === 'ADD' && !/^--/.test(args))
        findings.push(`line ${line}: copy-not-add: use COPY for local files`);
      if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !execForm(args)) {
        findings.push(`line ${line}: exec-form: ${keyword} must use the JSON (exec) form`);
      }
      if (keyword === 'HEALTHCHECK' && args !== 'NONE') {
        const cmd = /\bCMD\s+(.*)$/.exec(args)?.[1];
        if (!cmd || !execForm(cmd))
          findings.push(`line ${line}: exec-form: HEALTHCHECK CMD must use the JSON form`);
      }
      if (keyword === 'WORKDIR' && !args.startsWith('/'))
        findings.push(`line ${line}: absolute-workdir: WORKDIR ${args}`);
      if (keyword === 'MAINTAINER') findings.push(`line ${line}: no-maintainer: MAINTAINER is deprecated`);
    }
  }
  const last = stages[stages.length - 1];
  if (last) {
    const users = last.instructions.filter((instruction) => instruction.keyword === 'USER');
    const user = users[users.length - 1]?.args.split(':')[0];
    if (user === undefined || user === 'root' || user === '0') {
      findings.push(
        `line ${users[users.length - 1]?.line ?? 0}: non-root: the final stage must run as a non-root USER`,
      );
    }
  }
  return findings;
}
