/**
 * A .dockerignore reader for top-level paths: patterns are matched in order and the last match
 * wins, `!` re-includes, `*` matches within one path segment, and an excluded directory
 * excludes everything under it. Enough for our file, which excludes `*` and re-includes names.
 */
import { readFileSync } from 'node:fs';

export function readDockerignore(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function matches(pattern: string, path: string): boolean {
  const regex = new RegExp(
    '^' +
      pattern
        .replace(/^\/+|\/+$/g, '')
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*') +
      '(/.*)?$',
  );
  return regex.test(path.replace(/^\.\/|\/+$/g, ''));
}

export function isIgnored(path: string, patterns: readonly string[]): boolean {
  let ignored = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matches(pattern.slice(1), path)) ignored = false;
    } else if (matches(pattern, path)) {
      ignored = true;
    }
  }
  return ignored;
}
