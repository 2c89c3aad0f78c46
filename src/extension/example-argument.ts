// Which example a command is about, from the argument a hover link, a tree item or a panel passes.
import type { PreMemServices } from './services';

/**
 * The example a command is about: an index passed by a hover link or a tree item ({ index }), else the example
 * under the cursor. Undefined when there is none or it is out of range.
 */
export function exampleIndexFromArgument(services: PreMemServices, arg: unknown): number | undefined {
  let index: unknown = arg;
  if (typeof arg === 'object' && arg !== null && 'index' in arg) index = (arg as { index: unknown }).index;
  if (typeof index === 'string' && /^\d+$/.test(index)) index = Number(index);
  if (index === undefined || index === null) index = services.currentExample;
  const size = services.session?.dataset.size ?? 0;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < size ? index : undefined;
}
