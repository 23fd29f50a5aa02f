export { accessDeniedException, accessDeniedMessage, type DeniedCall } from './access-denied.js';
export {
  type CallAuthorization,
  IamAuthorizer,
  type IamAuthorizerSpec,
  type IamOptions,
} from './authorizer.js';
export { conditionHolds, type ContextValue, isSupportedOperator, type RequestContext } from './conditions.js';
export { type Decision, evaluate, type Evaluation, type IamRequest, statementApplies } from './evaluate.js';
export {
  type Condition,
  type ConditionValue,
  parsePolicy,
  type Policy,
  type PolicyDocument,
  PolicyError,
  type PolicyStatementInput,
  type Statement,
} from './policy.js';
export { arnMatches, resourceMatches, wildcardMatches } from './wildcard.js';
