/**
 * EcsTags: resource tags as ECS returns them (lowercase `key`/`value`, either possibly absent).
 * A tag list is read as given: this module attaches no meaning to any key.
 */
export type EcsTags = ReadonlyArray<{ readonly key?: string; readonly value?: string }>;
