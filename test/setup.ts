// Loaded by mocha before every spec: decorator metadata for inversify, and a root hook.
import 'reflect-metadata';

import { policyActions, recordedControllerActions } from './helpers/aws-actions.js';

export const mochaHooks = {
  /**
   * After the whole run: every AWS action any end-to-end suite saw the controller make must be
   * granted by config/iam/controller-policy.json (test/deploy/iam-policy.spec.ts checks the other
   * direction, that the policy grants nothing the controller does not use).
   */
  afterAll(): void {
    const granted = new Set(policyActions());
    const missing = recordedControllerActions().filter((action) => !granted.has(action));
    if (missing.length > 0) {
      throw new Error(`the controller made AWS calls its IAM policy does not allow: ${missing.join(', ')}`);
    }
  },
};
