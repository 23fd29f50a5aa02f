/**
 * ConsulHttpError: an error that a handler turns into one exact Consul HTTP answer.
 *
 * Invariants:
 * - `body` is the plain-text body real Consul sends for this case; it never contains a SecretID.
 * - `errorClass` is a short, stable name recorded in the CallLog.
 */
export class ConsulHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly errorClass: string,
  ) {
    super(body);
    this.name = 'ConsulHttpError';
  }
}

export const ACL_NOT_FOUND = 'ACL not found';

export function badRequest(reason: string): ConsulHttpError {
  return new ConsulHttpError(400, reason, 'BadRequest');
}

export function aclNotFound(): ConsulHttpError {
  return new ConsulHttpError(403, ACL_NOT_FOUND, 'ACLNotFound');
}

export function notFound(reason: string): ConsulHttpError {
  return new ConsulHttpError(404, reason, 'NotFound');
}

/** Consul answers 500 for most validation errors raised inside the RPC layer. */
export function rpcError(reason: string): ConsulHttpError {
  return new ConsulHttpError(500, reason, 'ServerError');
}

export function permissionDeniedCause(cause: string): ConsulHttpError {
  return new ConsulHttpError(403, `Permission denied: ${cause}`, 'PermissionDenied');
}

/** The shape of acl.PermissionDeniedError for a resource check. */
export function permissionDenied(
  accessorId: string | undefined,
  permission: string,
  resourceName?: string,
): ConsulHttpError {
  const who =
    accessorId === undefined || accessorId === ANONYMOUS_ACCESSOR_ID
      ? 'anonymous token'
      : `token with AccessorID '${accessorId}'`;
  let message = `Permission denied: ${who} lacks permission '${permission}'`;
  if (resourceName !== undefined && resourceName !== '') message += ` on ${JSON.stringify(resourceName)}`;
  if (accessorId === undefined || accessorId === ANONYMOUS_ACCESSOR_ID) {
    message += '. The anonymous token is used implicitly when a request does not specify a token.';
  }
  return new ConsulHttpError(403, message, 'PermissionDenied');
}

export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';
