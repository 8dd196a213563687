/**
 * Named points inside create and remove where tests inject a failure, to
 * check that no step leaves a row without its directory or a directory
 * without its row. Production code never registers a failpoint, so each
 * check is one map lookup.
 *
 * @module
 */

const failpoints = new Map<string, () => void | Promise<void>>();

/** Names of the points that create and remove pass. */
export type FailpointName =
  | "create:staged"
  | "create:formatted"
  | "create:renamed"
  | "remove:locked"
  | "remove:row-deleted"
  | "remove:renamed";

/**
 * Registers `action` to run when code reaches `name`; an action that throws
 * makes the operation fail there. `null` clears it.
 */
export function setFailpoint(
  name: FailpointName,
  action: (() => void | Promise<void>) | null,
): void {
  if (action === null) failpoints.delete(name);
  else failpoints.set(name, action);
}

/** Runs the action registered for `name`, if any. */
export async function failpoint(name: FailpointName): Promise<void> {
  const action = failpoints.get(name);
  if (action !== undefined) await action();
}
