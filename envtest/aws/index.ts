export { AwsError, errorBody } from './errors.js';
export { epochSeconds, randomChars, randomHex, randomLetters, randomUuid } from './ids.js';
export { InputReader, type JsonObject } from './input.js';
export {
  AWS_JSON_CONTENT_TYPE,
  createJsonProtocolHandler,
  type JsonProtocolOptions,
  type OperationHandler,
} from './json-protocol.js';
export { decodeToken, encodeToken, type Page, paginate } from './pagination.js';
export {
  type AuthorizationTable,
  type AwsJsonIamSpec,
  type AwsJsonServer,
  type AwsJsonServerSpec,
  startAwsJsonServer,
} from './server.js';
export * from './iam/index.js';
