/**
 * What a guarded removal of a stopped task's leftover did: removed it, found it already gone, or
 * refused because it is no longer that task's (edited, or its ID now names something else).
 */
export type RemovalOutcome = 'deleted' | 'already_gone' | 'refused';
