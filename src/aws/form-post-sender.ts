/**
 * FormPostSender: sends a signed form POST and reads the whole answer. `httpFormPostSender` is the
 * node:http(s) implementation.
 *
 * Invariants:
 * - The signed headers go out exactly as signed, `host` included, even when `sendTo` points the
 *   connection elsewhere (as Consul itself forwards a login's requests to a configured endpoint).
 * - The answer's timeout runs on the injected clock; a timeout or connection failure rejects with
 *   an error naming the target URL only, never a header.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { type Clock } from '../time/clock.js';
import { type SignedFormPost } from './sigv4-form-post.js';

export interface FormPostAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export type FormPostSender = (post: SignedFormPost, sendTo?: URL) => Promise<FormPostAnswer>;

export function httpFormPostSender(clock: Clock, timeoutMs = 10_000): FormPostSender {
  return (post, sendTo) => {
    const target = sendTo ? new URL(post.url.pathname + post.url.search, sendTo) : post.url;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<FormPostAnswer>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        cancel();
        outcome();
      };
      const request = send(target, { method: 'POST', headers: { ...post.headers } });
      const fail = (error: Error) =>
        settle(() => reject(new Error(`POST ${target.origin}${target.pathname} failed: ${error.message}`)));
      const cancel = clock.setTimer(timeoutMs, () => {
        const error = new Error(`no answer within ${timeoutMs} ms`);
        request.destroy(error);
        fail(error);
      });
      request.on('error', fail);
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () =>
          settle(() =>
            resolve({
              status: response.statusCode ?? 0,
              contentType: String(response.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
      });
      request.end(post.body);
    });
  };
}
