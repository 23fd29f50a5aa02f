export { partialArnOf, secretArn } from './arns.js';
export { AWSCURRENT, AWSPREVIOUS, type Secret, type SecretVersion, type Tag } from './model.js';
export {
  SECRETS_MANAGER_TARGET_PREFIX,
  type SecretsManagerServer,
  type SecretsManagerServerOptions,
  startSecretsManagerServer,
} from './server.js';
export { DAY_MS, SecretStore } from './store.js';
