// Public surface of the Consul envtest server.
export { type ConsulServer, type ConsulServerOptions, startConsulServer } from './server.js';
export { ConsulState } from './state.js';
export { type ConsulVersion } from './acl/context.js';
export { type IamIdentity } from './acl/iam-identity.js';
export { parseRules, type PolicyRules } from './rules-parser.js';
